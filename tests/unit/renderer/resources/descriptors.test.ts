import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../shared/api/meta';
import type { Node } from '../../../../shared/api/node';
import type { Pod } from '../../../../shared/api/pod';
import type { Endpoints, Service } from '../../../../shared/api/service';
import { matchesSearch, sortObjects } from '../../../../renderer/composables/use-resource-list';
import { DESCRIPTORS, NAV_GROUPS, SCREEN_RESOURCES, descriptorFor, descriptorForKind } from '../../../../renderer/resources';
import { endpointsText } from '../../../../renderer/resources/endpoints';
import { age } from '../../../../renderer/resources/format';
import { jobStatus } from '../../../../renderer/resources/jobs';
import { nodeRoles, nodeStatus, nodes } from '../../../../renderer/resources/nodes';
import { podTone, pods } from '../../../../renderer/resources/pods';
import { servicePorts } from '../../../../renderer/resources/services';
import { en } from '../../../../renderer/i18n/en';

const NOW = new Date('2026-01-01T12:00:00Z');
const col = (d: typeof pods, key: string) => d.columns.find((c) => c.key === key)!;

function message(path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], en);
}

const crashing: Pod = {
  metadata: { name: 'api', namespace: 'shop', uid: 'u1', creationTimestamp: '2026-01-01T11:00:00Z' },
  spec: { nodeName: 'node-2', containers: [{ name: 'app', image: 'x' }] },
  status: {
    phase: 'Running',
    podIP: '10.244.2.7',
    containerStatuses: [
      {
        name: 'app',
        image: 'x',
        imageID: '',
        ready: false,
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-01-01T11:55:00Z' } },
      },
    ],
  },
} as Pod;

describe('descriptors', () => {
  it('cover every nav entry, with translated titles and column labels', () => {
    // Fault and drill kinds are reached through the Chaos and Drills screens, not a nav list.
    const navResources = [...NAV_GROUPS.flatMap((g) => g.resources), ...Object.values(SCREEN_RESOURCES).flat()];
    expect(new Set(navResources)).toEqual(new Set(DESCRIPTORS.map((d) => d.resource)));
    for (const d of DESCRIPTORS) {
      expect(typeof message(d.title), d.title).toBe('string');
      for (const c of d.columns) expect(typeof message(c.label), `${d.resource} ${c.label}`).toBe('string');
      for (const f of d.summary ?? []) expect(typeof message(f.label), `${d.resource} ${f.label}`).toBe('string');
    }
    expect(descriptorFor('deployments')?.group).toBe('apps');
    expect(descriptorForKind('CronJob')?.resource).toBe('cronjobs');
    expect(descriptorForKind('PersistentVolume')?.namespaced).toBe(false);
  });

  it('print pods exactly as kubectl get pods does (shared pod-status)', () => {
    expect(col(pods, 'ready').value(crashing, NOW)).toBe('0/1');
    expect(col(pods, 'status').value(crashing, NOW)).toBe('CrashLoopBackOff');
    expect(col(pods, 'restarts').value(crashing, NOW)).toBe('4 (5m ago)');
    expect(col(pods, 'restarts').sortValue!(crashing)).toBe(4);
    expect(col(pods, 'node').value(crashing, NOW)).toBe('node-2');
    expect(podTone(crashing)).toBe('danger');
    expect(age(crashing, NOW)).toBe('60m');
    // A just-created object seen with a clock tick that is a little behind reads 0s, not <invalid>.
    expect(age({ metadata: { creationTimestamp: '2026-01-01T12:00:05Z' } }, NOW)).toBe('0s');
  });

  it('print nodes with kubectl STATUS and ROLES', () => {
    const node: Node = {
      metadata: { name: 'node-1', labels: { 'node-role.kubernetes.io/control-plane': '' } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    };
    expect(nodeStatus(node)).toBe('Ready,SchedulingDisabled');
    expect(nodeRoles(node)).toBe('control-plane');
    expect(nodeStatus({ metadata: { name: 'n' } })).toBe('Unknown');
    expect(nodes.ownsPod!(node, crashing)).toBe(false);
    expect(nodes.ownsPod!({ metadata: { name: 'node-2' } }, crashing)).toBe(true);
  });

  it('print Service ports, Endpoints and Job status like kubectl', () => {
    const svc: Service = { metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }, { port: 53, protocol: 'UDP' }] } };
    expect(servicePorts(svc)).toBe('80:30080/TCP,53/UDP');
    const ep: Endpoints = {
      metadata: { name: 's' },
      subsets: [{ addresses: ['1', '2', '3', '4'].map((n) => ({ ip: `10.0.0.${n}` })), ports: [{ port: 8080 }] }],
    };
    expect(endpointsText(ep)).toBe('10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 1 more...');
    expect(endpointsText({ metadata: { name: 'e' } })).toBe('<none>');
    expect(jobStatus({ metadata: { name: 'j' }, status: { conditions: [{ type: 'Complete', status: 'True' }] } } as never)).toBe('Complete');
    expect(jobStatus({ metadata: { name: 'j' }, spec: { suspend: true, template: {} } } as never)).toBe('Suspended');
  });
});

describe('list sorting and search', () => {
  const mk = (name: string, ns: string, restarts: number, created: string): KubeObject =>
    ({
      metadata: { name, namespace: ns, uid: name, creationTimestamp: created },
      spec: { containers: [{ name: 'c', image: 'i' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: restarts, state: { running: {} } }] },
    }) as KubeObject;
  const objects = [mk('web-10', 'a', 2, '2026-01-01T10:00:00Z'), mk('web-9', 'b', 10, '2026-01-01T11:00:00Z'), mk('db', 'a', 0, '2026-01-01T09:00:00Z')];

  it('sorts names naturally, numbers numerically, and ages youngest first (as the AGE column reads)', () => {
    const names = (sorted: KubeObject[]) => sorted.map((o) => o.metadata.name);
    expect(names(sortObjects(pods, objects, { key: 'name', order: 'asc' }, NOW))).toEqual(['db', 'web-9', 'web-10']);
    expect(names(sortObjects(pods, objects, { key: 'restarts', order: 'desc' }, NOW))).toEqual(['web-9', 'web-10', 'db']);
    expect(names(sortObjects(pods, objects, { key: 'age', order: 'asc' }, NOW))).toEqual(['web-9', 'web-10', 'db']);
  });

  it('matches every search word against name, namespace and the descriptor text', () => {
    expect(matchesSearch(pods, crashing, 'api shop')).toBe(true);
    expect(matchesSearch(pods, crashing, 'node-2 crashloop')).toBe(true);
    expect(matchesSearch(pods, crashing, 'api node-1')).toBe(false);
  });
});

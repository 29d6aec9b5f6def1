import { describe, expect, it } from 'vitest';
import { builtinResources } from '../../../main/apiserver/registry';

describe('builtinResources', () => {
  it('serves the 26 Kubernetes resources and the 4 lab chaos kinds, each once per group', () => {
    expect(builtinResources).toHaveLength(30);
    expect(builtinResources.filter((d) => d.group === 'chaos.bosun.dev').map((d) => d.kind).sort()).toEqual(['Drill', 'NodeFault', 'PodFault', 'ServiceFault']);
    const keys = builtinResources.map((d) => `${d.resource}.${d.group}`);
    expect(new Set(keys).size).toBe(keys.length);
    const kinds = builtinResources.map((d) => `${d.kind}.${d.group}`);
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  it('names follow Kubernetes conventions', () => {
    for (const d of builtinResources) {
      expect(d.resource).toMatch(/^[a-z]+$/);
      expect(d.singular).toBe(d.kind.toLowerCase());
      expect(d.kind).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(d.group === 'chaos.bosun.dev' ? ['v1alpha1'] : ['v1', 'v2']).toContain(d.version);
    }
  });

  it('short names are unique and match kubectl api-resources', () => {
    const short = builtinResources.flatMap((d) => (d.shortNames ?? []).map((s) => [s, d.resource] as const));
    expect(new Set(short.map(([s]) => s)).size).toBe(short.length);
    expect(Object.fromEntries(short)).toEqual({
      cm: 'configmaps',
      ep: 'endpoints',
      ev: 'events',
      limits: 'limitranges',
      ns: 'namespaces',
      no: 'nodes',
      pvc: 'persistentvolumeclaims',
      pv: 'persistentvolumes',
      po: 'pods',
      rc: 'replicationcontrollers',
      quota: 'resourcequotas',
      sa: 'serviceaccounts',
      svc: 'services',
      ds: 'daemonsets',
      deploy: 'deployments',
      rs: 'replicasets',
      sts: 'statefulsets',
      hpa: 'horizontalpodautoscalers',
      cj: 'cronjobs',
      pdb: 'poddisruptionbudgets',
      sc: 'storageclasses',
    });
  });

  it('category `all` covers exactly the kinds kubectl get all shows', () => {
    const all = builtinResources.filter((d) => d.categories?.includes('all')).map((d) => d.resource).sort();
    expect(all).toEqual(['cronjobs', 'daemonsets', 'deployments', 'horizontalpodautoscalers', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'services', 'statefulsets']);
  });

  it('scope, groups and subresources', () => {
    const by = Object.fromEntries(builtinResources.map((d) => [d.resource, d]));
    expect(builtinResources.filter((d) => !d.namespaced).map((d) => d.resource).sort()).toEqual(['namespaces', 'nodefaults', 'nodes', 'persistentvolumes', 'storageclasses']);
    expect(by.endpointslices.group).toBe('discovery.k8s.io');
    expect(by.horizontalpodautoscalers.group + '/' + by.horizontalpodautoscalers.version).toBe('autoscaling/v2');
    expect(by.poddisruptionbudgets.group).toBe('policy');
    expect(by.leases.group).toBe('coordination.k8s.io');
    expect(by.storageclasses.group).toBe('storage.k8s.io');
    expect(by.cronjobs.group).toBe('batch');
    expect(by.pods.subresources).toEqual(['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward']);
    for (const r of ['deployments', 'replicasets', 'statefulsets']) {
      expect(by[r].subresources).toEqual(['status', 'scale']);
      expect(by[r].scale).toEqual({ specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' });
    }
    expect(by.namespaces.subresources).toEqual(['status', 'finalize']);
  });

  it('selectable fields as kube-apiserver registers them', () => {
    const by = Object.fromEntries(builtinResources.map((d) => [d.resource, d]));
    expect(by.pods.selectableFields).toEqual(expect.arrayContaining(['spec.nodeName', 'status.phase', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.podIP', 'status.nominatedNodeName']));
    expect(by.events.selectableFields).toEqual(expect.arrayContaining(['involvedObject.kind', 'involvedObject.name', 'involvedObject.uid', 'reason', 'reportingComponent', 'source', 'type']));
    expect(by.secrets.selectableFields).toEqual(['type']);
    expect(by.nodes.selectableFields).toEqual(['spec.unschedulable']);
    expect(by.namespaces.selectableFields).toEqual(['status.phase']);
    expect(by.replicasets.selectableFields).toEqual(['status.replicas']);
    expect(by.jobs.selectableFields).toEqual(['status.successful']);
  });

  it('every kind has columns and those with an Age show it as a date', () => {
    for (const d of builtinResources) {
      expect(d.columns?.length, d.resource).toBeGreaterThan(0);
      const names = d.columns!.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      const age = d.columns!.find((c) => c.name === 'Age');
      if (age) expect(age.type).toBe('date');
    }
  });
});

describe('generation tracking', () => {
  it('spec-bearing workloads bump generation; pods (as in 1.32), services and config do not', () => {
    const tracked = builtinResources.filter((d) => d.tracksGeneration).map((d) => d.resource).sort();
    expect(tracked).toEqual([
      'cronjobs',
      'daemonsets',
      'deployments',
      'drills',
      'endpointslices',
      'horizontalpodautoscalers',
      'jobs',
      'nodefaults',
      'poddisruptionbudgets',
      'podfaults',
      'replicasets',
      'replicationcontrollers',
      'servicefaults',
      'statefulsets',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { isApiError } from '../../../shared/api/errors';
import { parseLabelSelector } from '../../../shared/api/labels';
import type { KubeObject } from '../../../shared/api/meta';
import {
  Indexer, NODE_NAME_INDEX, OWNER_UID_INDEX, indexByNodeName, indexByOwnerUid, metaNamespaceKey, splitMetaNamespaceKey,
} from '../../../main/client/indexer';
import { Lister } from '../../../main/client/lister';

const pod = (ns: string, name: string, opts: { labels?: Record<string, string>; node?: string; owners?: string[]; rv?: string } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    namespace: ns,
    name,
    labels: opts.labels,
    resourceVersion: opts.rv ?? '1',
    ownerReferences: opts.owners?.map((uid) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, controller: true })),
  },
  spec: opts.node ? { nodeName: opts.node } : {},
});

function filled() {
  const indexer = new Indexer({ [NODE_NAME_INDEX]: indexByNodeName, [OWNER_UID_INDEX]: indexByOwnerUid });
  indexer.upsert(pod('default', 'web-1', { labels: { app: 'web', tier: 'front' }, node: 'n1', owners: ['rs1'] }));
  indexer.upsert(pod('default', 'web-2', { labels: { app: 'web', tier: 'front' }, node: 'n2', owners: ['rs1'] }));
  indexer.upsert(pod('default', 'db-0', { labels: { app: 'db' }, node: 'n1' }));
  indexer.upsert(pod('team', 'web-1', { labels: { app: 'web' }, owners: ['rs2', 'other'] }));
  return { indexer, lister: new Lister(indexer) };
}

const names = (objects: KubeObject[]): string[] => objects.map(metaNamespaceKey).sort();

describe('keys', () => {
  it('uses namespace/name, or name for cluster-scoped objects, and splits them back', () => {
    expect(metaNamespaceKey({ metadata: { namespace: 'ns', name: 'a' } })).toBe('ns/a');
    expect(metaNamespaceKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(splitMetaNamespaceKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(splitMetaNamespaceKey('node-1')).toEqual({ name: 'node-1' });
  });
});

describe('Indexer and Lister', () => {
  it('gets by namespace and name, and lists a namespace', () => {
    const { lister } = filled();
    expect(lister.get('team', 'web-1')?.metadata.ownerReferences?.[0].uid).toBe('rs2');
    expect(lister.get('default', 'missing')).toBeUndefined();
    expect(names(lister.listNamespace('default'))).toEqual(['default/db-0', 'default/web-1', 'default/web-2']);
    expect(lister.listNamespace('nowhere')).toEqual([]);
    expect(lister.size).toBe(4);
  });

  it('indexes by spec.nodeName and by owner uid (one object under several values)', () => {
    const { lister } = filled();
    expect(names(lister.byIndex(NODE_NAME_INDEX, 'n1'))).toEqual(['default/db-0', 'default/web-1']);
    expect(names(lister.byIndex(OWNER_UID_INDEX, 'rs1'))).toEqual(['default/web-1', 'default/web-2']);
    expect(names(lister.byIndex(OWNER_UID_INDEX, 'other'))).toEqual(['team/web-1']);
    // An unscheduled pod is in no node bucket, not under "".
    expect(lister.byIndex(NODE_NAME_INDEX, '')).toEqual([]);
  });

  it('moves objects between index buckets on update and drops them on delete', () => {
    const { indexer, lister } = filled();
    indexer.upsert(pod('default', 'web-1', { labels: { app: 'web' }, node: 'n3', owners: ['rs9'], rv: '2' }));
    expect(names(lister.byIndex(NODE_NAME_INDEX, 'n1'))).toEqual(['default/db-0']);
    expect(names(lister.byIndex(NODE_NAME_INDEX, 'n3'))).toEqual(['default/web-1']);
    expect(names(lister.byIndex(OWNER_UID_INDEX, 'rs1'))).toEqual(['default/web-2']);
    indexer.deleteKey('default/db-0');
    expect(lister.byIndex(NODE_NAME_INDEX, 'n1')).toEqual([]);
    expect(indexer.indexValues(NODE_NAME_INDEX).sort()).toEqual(['n2', 'n3']);
    expect(lister.listNamespace('default')).toHaveLength(2);
  });

  it('adds an indexer after objects are stored, and refuses to redefine one', () => {
    const { indexer, lister } = filled();
    indexer.addIndexers({ app: (o) => (o.metadata.labels?.app ? [o.metadata.labels.app] : []) });
    expect(names(lister.byIndex('app', 'web'))).toEqual(['default/web-1', 'default/web-2', 'team/web-1']);
    expect(() => indexer.addIndexers({ app: () => [] })).toThrow(/already exists/);
    expect(() => lister.byIndex('nope', 'x')).toThrow(/does not exist/);
  });

  it('filters with a selector string, a parsed selector, a LabelSelector object or a predicate', () => {
    const { lister } = filled();
    expect(names(lister.list('app=web,tier=front'))).toEqual(['default/web-1', 'default/web-2']);
    expect(names(lister.list('app in (web,db),tier!=front'))).toEqual(['default/db-0', 'team/web-1']);
    expect(names(lister.listNamespace('default', parseLabelSelector('!tier')))).toEqual(['default/db-0']);
    expect(names(lister.list({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }))).toEqual(['team/web-1']);
    expect(names(lister.list({}))).toHaveLength(4);
    expect(names(lister.byIndex(NODE_NAME_INDEX, 'n1', (o) => o.metadata.name === 'db-0'))).toEqual(['default/db-0']);
    let thrown: unknown;
    try {
      lister.list('app in (');
    } catch (e) {
      thrown = e;
    }
    expect(isApiError(thrown)).toBe(true);
  });
});

// The served API surface derived from the ResourceDefs: groups, their versions in Kubernetes' priority
// order, and each version's resources with their subresources.
import type { ResourceDef } from '../types';

export interface ServedGroupVersion {
  group: string;
  version: string;
  resources: ResourceDef[];
}

export interface ServedGroup {
  name: string;
  /** Highest priority first; the first one is the preferred version. */
  versions: ServedGroupVersion[];
}

/** Subresources registered at runtime (streaming handlers) on top of ResourceDef.subresources. */
export type ExtraSubresources = (group: string, resource: string) => string[];

/**
 * Kubernetes version priority (k8s.io/apimachinery version.CompareKubeAwareVersionStrings): GA before
 * beta before alpha, higher numbers first within each level; anything else sorts last, alphabetically.
 */
export function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v];
    const level = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [level, -Number(m[1]), -Number(m[3] ?? 0), v];
  };
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
  return ra[3] < rb[3] ? -1 : ra[3] > rb[3] ? 1 : 0;
}

/** Groups in order of first appearance, the core group ('') first. */
export function servedGroups(resources: ResourceDef[]): ServedGroup[] {
  const groups = new Map<string, Map<string, ResourceDef[]>>();
  const ordered = [...resources.filter((r) => r.group === ''), ...resources.filter((r) => r.group !== '')];
  for (const def of ordered) {
    let versions = groups.get(def.group);
    if (!versions) groups.set(def.group, (versions = new Map()));
    const list = versions.get(def.version) ?? [];
    list.push(def);
    versions.set(def.version, list);
  }
  return [...groups].map(([name, versions]) => ({
    name,
    versions: [...versions.keys()].sort(compareKubeVersions).map((version) => ({ group: name, version, resources: versions.get(version)! })),
  }));
}

export function findGroupVersion(resources: ResourceDef[], group: string, version: string): ServedGroupVersion | undefined {
  const list = resources.filter((r) => r.group === group && r.version === version);
  return list.length ? { group, version, resources: list } : undefined;
}

export function subresourcesOf(def: ResourceDef, extra?: ExtraSubresources): string[] {
  const all = new Set([...(def.subresources ?? []), ...(extra ? extra(def.group, def.resource) : [])]);
  return [...all].sort();
}

// Process-wide lookup of the ResourceDefs served by RestHandlers, for code that has a group and a
// resource but no handler at hand (the in-process client, garbage collector owner lookups).
import type { ResourceDef } from '../types';

const known = new Map<string, ResourceDef>();

export function registerKnownResource(def: ResourceDef): void {
  known.set(`${def.group}/${def.resource}`, def);
}

/** The ResourceDef of group/resource (core group ''), optionally from an explicit list instead. */
export function resourceFor(group: string, resource: string, resources?: readonly ResourceDef[]): ResourceDef | undefined {
  if (resources) return resources.find((r) => r.group === group && r.resource === resource);
  return known.get(`${group}/${resource}`);
}

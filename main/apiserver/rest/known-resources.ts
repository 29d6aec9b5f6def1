// Lookup of ResourceDefs by group and resource for code that has no handler at hand (the in-process
// client, garbage collector owner lookups): kinds served by any RestHandler (CRDs included), then the
// built-in registry.
import { builtinResources } from '../registry';
import type { ResourceDef } from '../types';

const known = new Map<string, ResourceDef>();

export function registerKnownResource(def: ResourceDef): void {
  known.set(`${def.group}/${def.resource}`, def);
}

/** The ResourceDef of group/resource (core group ''), optionally from an explicit list instead. */
export function resourceFor(group: string, resource: string, resources?: readonly ResourceDef[]): ResourceDef | undefined {
  if (resources) return resources.find((r) => r.group === group && r.resource === resource);
  return known.get(`${group}/${resource}`) ?? builtinResources.find((r) => r.group === group && r.resource === resource);
}

// ValidatePodUpdate: a pod's spec is immutable except images, activeDeadlineSeconds (only shortened),
// added tolerations, and a negative grace period turned into 1.
import type { FieldError } from '../../../shared/api/errors';
import type { Obj } from './common';
import { deepEqual, forbidden, invalid } from './common';

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

export const POD_UPDATE_FORBIDDEN_MESSAGE = `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}`;

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

// Existing tolerations must survive; NoExecute ones may only shorten tolerationSeconds.
function tolerationsOnlyAdded(next: Obj[], old: Obj[]): boolean {
  return old.every((o) =>
    next.some((n) => {
      const { tolerationSeconds: ns, ...nRest } = n;
      const { tolerationSeconds: os, ...oRest } = o;
      if (!deepEqual(nRest, oRest)) return false;
      if (os === undefined || os === null) return ns === undefined || ns === null;
      return ns !== undefined && ns !== null && ns <= os;
    }),
  );
}

function describeDiff(next: Obj, old: Obj): string {
  const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
  const lines: string[] = [];
  for (const k of keys) {
    if (deepEqual(next[k], old[k])) continue;
    if (old[k] !== undefined) lines.push(`- ${k}: ${JSON.stringify(old[k])}`);
    if (next[k] !== undefined) lines.push(`+ ${k}: ${JSON.stringify(next[k])}`);
  }
  return lines.length > 0 ? `  core.PodSpec{\n${lines.map((l) => `  \t${l}`).join('\n')}\n  }\n` : '';
}

export function validatePodSpecUpdate(spec: Obj | undefined, oldSpec: Obj | undefined): FieldError[] {
  const next: Obj = spec ?? {};
  const old: Obj = oldSpec ?? {};
  const out: FieldError[] = [];
  const oldDeadline = old.activeDeadlineSeconds;
  const newDeadline = next.activeDeadlineSeconds;
  if (oldDeadline !== undefined && oldDeadline !== null) {
    if (newDeadline === undefined || newDeadline === null) {
      out.push(forbidden('spec.activeDeadlineSeconds', 'must not update from a positive integer to nil value'));
    } else if (newDeadline > oldDeadline) {
      out.push(invalid('spec.activeDeadlineSeconds', newDeadline, 'must be less than or equal to previous value'));
    }
  }
  const munged = clone(next);
  const copyImages = (key: 'containers' | 'initContainers'): void => {
    const n = (munged[key] ?? []) as Obj[];
    const o = (old[key] ?? []) as Obj[];
    if (n.length !== o.length) return;
    n.forEach((c, i) => (c.image = o[i].image));
  };
  copyImages('containers');
  copyImages('initContainers');
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  if (tolerationsOnlyAdded((next.tolerations ?? []) as Obj[], (old.tolerations ?? []) as Obj[])) munged.tolerations = old.tolerations;
  if (typeof old.terminationGracePeriodSeconds === 'number' && old.terminationGracePeriodSeconds < 0 && next.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  }
  if (!deepEqual(munged, old)) {
    out.push(forbidden('spec', `${POD_UPDATE_FORBIDDEN_MESSAGE}\n${describeDiff(munged, old)}`));
  }
  return out;
}

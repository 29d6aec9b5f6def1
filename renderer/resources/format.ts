// Small formatting helpers shared by descriptors, kubectl-style ("<none>", comma lists, AGE).
import { timestampSince } from '../../shared/api/duration';
import type { KubeObject } from '../../shared/api/meta';
import type { Condition } from './types';

export const NONE = '<none>';

/**
 * kubectl's relative time. The shared clock ticks every few seconds, so something that just
 * happened can look "from the future": that is 0s, not kubectl's <invalid> for real clock skew.
 */
export function since(timestamp: string | undefined | null, now: Date): string {
  const t = Date.parse(timestamp ?? '');
  if (!Number.isNaN(t) && t > now.getTime()) return '0s';
  return timestampSince(timestamp, now);
}

export function age(object: KubeObject, now: Date): string {
  return since(object.metadata.creationTimestamp, now);
}

export function timeOrZero(ts: string | undefined | null): number {
  const t = ts ? Date.parse(ts) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

export function labelsText(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : NONE;
}

export function conditionsOf(object: KubeObject): Condition[] {
  const status = object.status as { conditions?: Condition[] } | undefined;
  return status?.conditions ?? [];
}

export function num(n: number | undefined): number {
  return n ?? 0;
}

// Resource arithmetic of the scheduler (k8s.io/component-helpers resource.PodRequests and the
// scheduler's NodeInfo accounting): what a pod asks for, what a node offers.
import type { Node } from '../../shared/api/node';
import type { Container, Pod } from '../../shared/api/pod';
import { milliValue, quantityValue } from '../../shared/api/quantity';

/** cpu in millicores, every other resource in whole units (bytes for memory and storage). */
export interface Resources {
  cpu: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and hugepage resources (nvidia.com/gpu, hugepages-2Mi, …) by name. */
  scalar: Record<string, number>;
}

// Containers without requests still take room when spreading load (schedutil.DefaultMilliCPURequest
// and DefaultMemoryRequest), otherwise a node full of BestEffort pods would look empty to scoring.
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const IGNORED = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);

export const emptyResources = (): Resources => ({ cpu: 0, memory: 0, ephemeralStorage: 0, scalar: {} });

// Every pod of a workload repeats the same few quantity strings ("100m", "64Mi"): parse each once.
// Bounded, since quantities come from user input; clearing only costs re-parsing.
const PARSED_MAX = 4096;
const parsedMilli = new Map<string, number>();
const parsedValue = new Map<string, number>();

function parseSafe(value: string | undefined, milli: boolean): number {
  if (value === undefined || value === null) return 0;
  const memo = milli ? parsedMilli : parsedValue;
  let n = memo.get(value);
  if (n !== undefined) return n;
  try {
    n = milli ? milliValue(value) : quantityValue(value);
  } catch {
    n = 0;
  }
  if (memo.size >= PARSED_MAX) memo.clear();
  memo.set(value, n);
  return n;
}

/** Adds a resource list (requests, overhead, allocatable) into `into`. */
export function addResourceList(into: Resources, list: Record<string, string> | undefined): Resources {
  if (!list) return into;
  for (const [name, value] of Object.entries(list)) {
    if (name === 'cpu') into.cpu += parseSafe(value, true);
    else if (name === 'memory') into.memory += parseSafe(value, false);
    else if (name === 'ephemeral-storage') into.ephemeralStorage += parseSafe(value, false);
    else if (!IGNORED.has(name)) into.scalar[name] = (into.scalar[name] ?? 0) + parseSafe(value, false);
  }
  return into;
}

export function addResources(into: Resources, r: Resources, sign = 1): Resources {
  into.cpu += sign * r.cpu;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = (into.scalar[k] ?? 0) + sign * v;
  return into;
}

function maxResources(a: Resources, b: Resources): Resources {
  const scalar: Record<string, number> = { ...a.scalar };
  for (const [k, v] of Object.entries(b.scalar)) scalar[k] = Math.max(scalar[k] ?? 0, v);
  return { cpu: Math.max(a.cpu, b.cpu), memory: Math.max(a.memory, b.memory), ephemeralStorage: Math.max(a.ephemeralStorage, b.ephemeralStorage), scalar };
}

const clone = (r: Resources): Resources => ({ ...r, scalar: { ...r.scalar } });

// Requests defaulted from limits happen at admission; reading limits here covers objects that skipped
// defaulting (e.g. created before a registry change), at no cost for those that did not.
function containerRequests(c: Container, nonZero: boolean): Resources {
  const requests = c.resources?.requests ?? {};
  const limits = c.resources?.limits ?? {};
  const merged: Record<string, string> = { ...limits, ...requests };
  const r = addResourceList(emptyResources(), merged);
  if (nonZero) {
    if (merged.cpu === undefined) r.cpu = DEFAULT_MILLI_CPU_REQUEST;
    if (merged.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * resource.PodRequests: the sum of app containers, or the largest init step if that is bigger —
 * where restartable init containers (sidecars) keep running and so add to every later step and to
 * the app containers — plus the RuntimeClass overhead. nonZero applies the scoring defaults.
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const spec = pod.spec;
  const reqs = emptyResources();
  for (const c of spec?.containers ?? []) addResources(reqs, containerRequests(c, nonZero));
  let restartable = emptyResources();
  let init = emptyResources();
  for (const c of spec?.initContainers ?? []) {
    let step = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addResources(reqs, step);
      restartable = addResources(clone(restartable), step);
      step = clone(restartable);
    } else {
      step = addResources(step, restartable);
    }
    init = maxResources(init, step);
  }
  const total = maxResources(reqs, init);
  return addResourceList(total, (spec as { overhead?: Record<string, string> } | undefined)?.overhead);
}

export interface Allocatable extends Resources {
  /** Maximum number of pods (allocatable "pods"). */
  pods: number;
}

/** status.allocatable, falling back to capacity as the kubelet reports before allocatable is known. */
export function nodeAllocatable(node: Node): Allocatable {
  const list = node.status?.allocatable ?? node.status?.capacity ?? {};
  const r = addResourceList(emptyResources(), list);
  return { ...r, pods: parseSafe(list.pods, false) };
}

export const isZero = (r: Resources): boolean =>
  r.cpu === 0 && r.memory === 0 && r.ephemeralStorage === 0 && Object.values(r.scalar).every((v) => v === 0);

// The scheduler cache (pkg/scheduler/backend/cache): per-node aggregates kept up to date
// incrementally from informer events, plus pods "assumed" onto a node the moment the scheduler
// decides, before the binding is even written — so a burst of pods cannot overcommit a node that
// the informer has not yet seen fill up.
import type { Node, Taint } from '../../shared/api/node';
import type { Pod } from '../../shared/api/pod';
import { addResources, emptyResources, nodeAllocatable, type Allocatable, type Resources } from './resources';
import { hasAffinityTerms, type PodInfo } from './pod-info';
import { ZONE_LABEL } from './topology-spread';

export class NodeInfo {
  readonly pods = new Map<string, PodInfo>();
  requested: Resources = emptyResources();
  nonZeroRequested: Resources = emptyResources();
  allocatable: Allocatable;
  /** Pods on this node with any (anti-)affinity term, for the symmetric inter-pod checks. */
  readonly podsWithAffinity = new Set<PodInfo>();
  /** controller uid → pods of that workload here (default topology spread). */
  readonly byController = new Map<string, number>();
  /** Bumped on every change; lets callers cache derived values. */
  generation = 0;

  constructor(public node: Node) {
    this.allocatable = nodeAllocatable(node);
  }

  get name(): string {
    return this.node.metadata.name ?? '';
  }
  get labels(): Record<string, string> {
    return this.node.metadata.labels ?? {};
  }
  get taints(): Taint[] {
    return this.node.spec?.taints ?? [];
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = nodeAllocatable(node);
    this.generation++;
  }

  addPod(p: PodInfo): void {
    if (this.pods.has(p.key)) this.removePod(p.key);
    this.pods.set(p.key, p);
    addResources(this.requested, p.requests);
    addResources(this.nonZeroRequested, p.nonZero);
    if (hasAffinityTerms(p)) this.podsWithAffinity.add(p);
    if (p.controllerUid) this.byController.set(p.controllerUid, (this.byController.get(p.controllerUid) ?? 0) + 1);
    this.generation++;
  }

  removePod(key: string): PodInfo | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    addResources(this.requested, p.requests, -1);
    addResources(this.nonZeroRequested, p.nonZero, -1);
    this.podsWithAffinity.delete(p);
    if (p.controllerUid) {
      const n = (this.byController.get(p.controllerUid) ?? 1) - 1;
      if (n > 0) this.byController.set(p.controllerUid, n);
      else this.byController.delete(p.controllerUid);
    }
    this.generation++;
    return p;
  }
}

const ZONE = ZONE_LABEL;

/**
 * Pods per (controller uid, zone) over every node of the cache, kept up to date on each pod placed or
 * removed and each node added, relabelled or removed: default spreading's zone counts for a pod of a
 * workload are then a lookup instead of a walk over every node for every pod.
 */
export class ControllerZoneIndex {
  private readonly counts = new Map<string, Map<string, number>>();

  /** Zone → pods of this controller there (nodes without a zone label are not counted, as in the walk). */
  zonesOf(controllerUid: string): ReadonlyMap<string, number> | undefined {
    return this.counts.get(controllerUid);
  }

  add(node: NodeInfo, p: PodInfo, by = 1): void {
    const zone = node.labels[ZONE];
    if (!p.controllerUid || zone === undefined) return;
    let zones = this.counts.get(p.controllerUid);
    if (!zones) this.counts.set(p.controllerUid, (zones = new Map()));
    const n = (zones.get(zone) ?? 0) + by;
    if (n > 0) zones.set(zone, n);
    else zones.delete(zone);
    if (zones.size === 0) this.counts.delete(p.controllerUid);
  }

  remove(node: NodeInfo, p: PodInfo): void {
    this.add(node, p, -1);
  }
}

interface PodState {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
}

export class SchedulerCache {
  readonly nodes = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  // Pods bound to a node the cache does not know yet (the informer of pods ran ahead of nodes).
  private readonly orphans = new Map<string, Map<string, PodInfo>>();
  private nodeListCache?: NodeInfo[];
  readonly zones = new ControllerZoneIndex();

  /** Nodes in a stable order (by name), recomputed only when the set of nodes changes. */
  nodeList(): NodeInfo[] {
    if (!this.nodeListCache) this.nodeListCache = [...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.nodeListCache;
  }

  upsertNode(node: Node): NodeInfo {
    const name = node.metadata.name ?? '';
    let info = this.nodes.get(name);
    if (info) {
      const relabelled = info.labels[ZONE] !== node.metadata.labels?.[ZONE];
      if (relabelled) for (const p of info.pods.values()) this.zones.remove(info, p);
      info.setNode(node);
      if (relabelled) for (const p of info.pods.values()) this.zones.add(info, p);
      return info;
    }
    info = new NodeInfo(node);
    this.nodes.set(name, info);
    this.nodeListCache = undefined;
    const waiting = this.orphans.get(name);
    if (waiting) {
      for (const p of waiting.values()) {
        info.addPod(p);
        this.zones.add(info, p);
      }
      this.orphans.delete(name);
    }
    return info;
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    this.nodes.delete(name);
    this.nodeListCache = undefined;
    for (const p of info.pods.values()) this.zones.remove(info, p);
    // Pods still bound to a removed node keep their state so that a node coming back (or the pod's
    // deletion) is accounted correctly.
    if (info.pods.size) this.orphans.set(name, new Map(info.pods));
  }

  /** The scheduler decided: count the pod on the node now, before the binding is written. */
  assumePod(info: PodInfo, nodeName: string): void {
    this.placePod(info, nodeName, true);
  }

  /** The binding failed: give the room back (unless the informer already saw the pod bound). */
  forgetPod(key: string): void {
    const state = this.podStates.get(key);
    if (state?.assumed) this.unplacePod(key);
  }

  isAssumed(key: string): boolean {
    return this.podStates.get(key)?.assumed ?? false;
  }

  /**
   * The assumed PodInfo, re-pointed at the bound pod, when the informer's object is the assumed pod
   * plus its binding (same uid and spec apart from nodeName): saves re-parsing it.
   */
  confirmable(key: string, pod: Pod): PodInfo | undefined {
    const state = this.podStates.get(key);
    if (!state?.assumed || state.info.uid !== pod.metadata.uid) return undefined;
    const before = state.info.pod;
    if (!deepEqual(before.metadata.labels ?? {}, pod.metadata.labels ?? {})) return undefined;
    if (!deepEqual(before.spec ?? {}, pod.spec ?? {}, 'nodeName')) return undefined;
    return { ...state.info, pod };
  }

  /** An informer saw the pod bound (confirms an assumed pod, or learns about one bound elsewhere). */
  addOrUpdateBoundPod(info: PodInfo, nodeName: string): void {
    this.placePod(info, nodeName, false);
  }

  removePod(key: string): void {
    this.unplacePod(key);
  }

  get podCount(): number {
    return this.podStates.size;
  }

  private placePod(info: PodInfo, nodeName: string, assumed: boolean): void {
    const old = this.podStates.get(info.key);
    if (old && old.nodeName !== nodeName) this.unplacePod(info.key);
    this.podStates.set(info.key, { info, nodeName, assumed });
    const node = this.nodes.get(nodeName);
    if (node) {
      // Same node again (assumed → bound): addPod replaces the earlier entry, so must the index.
      const replaced = node.pods.get(info.key);
      if (replaced) this.zones.remove(node, replaced);
      node.addPod(info);
      this.zones.add(node, info);
    } else {
      let waiting = this.orphans.get(nodeName);
      if (!waiting) this.orphans.set(nodeName, (waiting = new Map()));
      waiting.set(info.key, info);
    }
  }

  private unplacePod(key: string): void {
    const state = this.podStates.get(key);
    if (!state) return;
    this.podStates.delete(key);
    const node = this.nodes.get(state.nodeName);
    const removed = node?.removePod(key);
    if (node && removed) this.zones.remove(node, removed);
    const waiting = this.orphans.get(state.nodeName);
    if (waiting) {
      waiting.delete(key);
      if (waiting.size === 0) this.orphans.delete(state.nodeName);
    }
  }
}

/**
 * Structural equality of JSON values (key order ignored, like comparing canonical JSON), skipping the
 * top-level key `ignoreKey`. Runs once per bound pod, where two JSON.stringify calls cost more.
 */
export function deepEqual(a: unknown, b: unknown, ignoreKey?: string): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  // undefined-valued keys are absent in JSON: count only defined ones on each side.
  let nx = 0;
  for (const k in x) {
    if (k === ignoreKey || x[k] === undefined) continue;
    nx++;
    if (!deepEqual(x[k], y[k])) return false;
  }
  let ny = 0;
  for (const k in y) if (k !== ignoreKey && y[k] !== undefined) ny++;
  return nx === ny;
}

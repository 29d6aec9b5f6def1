// Target selection shared by every fault injector: which pods or nodes a fault's selector names, then
// how many of them its mode picks. Modes follow Chaos Mesh (pkg/selector) so scripts read the same:
//   one            one target chosen at random
//   all            every match (the default)
//   fixed N        N targets chosen at random (all of them when fewer match)
//   fixed-percent  floor(matches × P / 100) chosen at random. Like Chaos Mesh this can round down to 0
//                  (10% of 3 pods); rather than "inject nothing" the fault is refused with a message
//                  saying so, since a drill that silently does nothing teaches the wrong lesson.
// The random source is injectable so tests can pin the choice.
import { CHAOS_GROUP, PROTECTED_NAMESPACES, type FaultMode, type NodeTargetSelector, type PodTargetSelector } from '../../shared/api/chaos';
import { ApiError, isNotFound, type FieldError } from '../../shared/api/errors';
import { labelSelectorAsSelector, matchesLabelSelector } from '../../shared/api/labels';
import type { KubeObject } from '../../shared/api/meta';
import type { Node } from '../../shared/api/node';
import type { Pod } from '../../shared/api/pod';
import type { KubeClient } from '../client/client';

export type RandomSource = () => number;

/** Names a fault in errors. */
export interface FaultRef {
  kind?: string;
  metadata: KubeObject['metadata'];
}

/** The part of a fault object target selection reads. */
export interface SelectingFault extends FaultRef {
  spec: { mode?: FaultMode; value?: string };
}

const faultKind = (f: FaultRef): string => f.kind ?? 'PodFault';
const invalid = (f: FaultRef, errors: FieldError[]): ApiError => ApiError.invalid(CHAOS_GROUP, faultKind(f), f.metadata.name ?? '', errors);

/** Refuses the lab's own namespaces (kube-system, …) with a 422 naming the field and what to do instead. */
export function assertNamespaceAllowed(fault: FaultRef, namespace: string, field: string): void {
  if (!PROTECTED_NAMESPACES.includes(namespace)) return;
  throw invalid(fault, [
    {
      type: 'FieldValueForbidden',
      field,
      detail: `namespace "${namespace}" is protected: it runs the lab's own machinery (protected: ${PROTECTED_NAMESPACES.join(', ')}); select pods in an application namespace such as "default"`,
    },
  ]);
}

/** Picks `count` of `items` at random (Fisher–Yates on a copy), keeping the input order among the chosen. */
function pickRandom<T>(items: T[], count: number, random: RandomSource): T[] {
  if (count >= items.length) return [...items];
  const indexes = items.map((_, i) => i);
  for (let i = indexes.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    [indexes[i], indexes[j]] = [indexes[j], indexes[i]];
  }
  return indexes
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}

/** Applies mode/value to the matching targets (see the header for each mode). `noun` names them in messages. */
export function applyMode<T>(fault: SelectingFault, items: T[], random: RandomSource, noun = 'targets'): T[] {
  const mode = fault.spec.mode ?? 'all';
  const value = fault.spec.value ?? '';
  const whole = /^\d+$/.test(value) ? Number(value) : NaN;
  switch (mode) {
    case 'all':
      return [...items];
    case 'one':
      return pickRandom(items, Math.min(1, items.length), random);
    case 'fixed':
      if (!(whole >= 1)) throw invalid(fault, [{ type: 'FieldValueInvalid', field: 'spec.value', value, detail: 'must be a positive whole number of targets, e.g. "2"' }]);
      return pickRandom(items, whole, random);
    case 'fixed-percent': {
      if (!(whole >= 1 && whole <= 100)) {
        throw invalid(fault, [{ type: 'FieldValueInvalid', field: 'spec.value', value, detail: 'must be a whole percentage between 1 and 100, e.g. "50"' }]);
      }
      const count = Math.floor((items.length * whole) / 100);
      if (items.length > 0 && count === 0) {
        throw invalid(fault, [
          {
            type: 'FieldValueInvalid',
            field: 'spec.value',
            value,
            detail: `${whole}% of the ${items.length} matching ${noun} rounds down to 0 (as in Chaos Mesh); raise the percentage or use mode "one"`,
          },
        ]);
      }
      return pickRandom(items, count, random);
    }
    default:
      throw invalid(fault, [{ type: 'FieldValueNotSupported', field: 'spec.mode', value: mode, detail: 'supported values: "one", "all", "fixed", "fixed-percent"' }]);
  }
}

/** Pods a fault may act on: bound to a node, not terminating, not finished. */
export const isActivePod = (p: Pod): boolean =>
  !p.metadata.deletionTimestamp && !!p.spec?.nodeName && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

/**
 * The pods a PodTargetSelector names, before the mode: `pods` ("ns/name" or "name") and/or a label
 * selector in `namespace` (default: the fault's own). Both given: the listed pods that also match.
 * Inactive pods (unbound, terminating, finished) are left out, as are those `eligible` rejects.
 */
export async function matchPods(
  client: KubeClient,
  fault: SelectingFault,
  selector: PodTargetSelector | undefined,
  eligible: (pod: Pod) => boolean = () => true,
): Promise<Pod[]> {
  const namespace = selector?.namespace || fault.metadata.namespace || 'default';
  assertNamespaceAllowed(fault, namespace, 'spec.selector.namespace');
  const pods = client.pods<Pod>();
  let found: Pod[];
  if (selector?.pods?.length) {
    found = [];
    for (const [i, ref] of selector.pods.entries()) {
      const slash = ref.indexOf('/');
      const ns = slash >= 0 ? ref.slice(0, slash) : namespace;
      const name = slash >= 0 ? ref.slice(slash + 1) : ref;
      assertNamespaceAllowed(fault, ns, `spec.selector.pods[${i}]`);
      try {
        found.push(await pods.get(ns, name));
      } catch (e) {
        if (!isNotFound(e)) throw e;
        throw invalid(fault, [{ type: 'FieldValueNotFound', field: `spec.selector.pods[${i}]`, value: ref, printedValue: `"${ref}": pod ${ns}/${name} does not exist` }]);
      }
    }
    if (selector.labelSelector) found = found.filter((p) => matchesLabelSelector(selector.labelSelector, p.metadata.labels));
  } else {
    const labelSelector = selector?.labelSelector ? labelSelectorAsSelector(selector.labelSelector).toString() : undefined;
    found = (await pods.list(namespace, { labelSelector })).items;
  }
  return found.filter((p) => isActivePod(p) && eligible(p)).sort((a, b) => podKey(a).localeCompare(podKey(b)));
}

export const podKey = (p: Pod): string => `${p.metadata.namespace}/${p.metadata.name}`;

/** The nodes a NodeTargetSelector names (nodeNames and/or labelSelector: both given means both must hold). */
export async function matchNodes(client: KubeClient, fault: SelectingFault, selector: NodeTargetSelector | undefined): Promise<Node[]> {
  const nodes = client.nodes<Node>();
  let found: Node[];
  if (selector?.nodeNames?.length) {
    found = [];
    for (const [i, name] of selector.nodeNames.entries()) {
      try {
        found.push(await nodes.get(undefined, name));
      } catch (e) {
        if (!isNotFound(e)) throw e;
        throw invalid(fault, [{ type: 'FieldValueNotFound', field: `spec.selector.nodeNames[${i}]`, value: name, printedValue: `"${name}": node does not exist` }]);
      }
    }
    if (selector.labelSelector) found = found.filter((n) => matchesLabelSelector(selector.labelSelector, n.metadata.labels));
  } else {
    const labelSelector = selector?.labelSelector ? labelSelectorAsSelector(selector.labelSelector).toString() : undefined;
    found = (await nodes.list(undefined, { labelSelector })).items;
  }
  return found.filter((n) => !n.metadata.deletionTimestamp).sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** matchNodes, then the mode. */
export async function selectNodes(client: KubeClient, fault: SelectingFault & { spec: { selector?: NodeTargetSelector } }, random: RandomSource = Math.random): Promise<Node[]> {
  return applyMode(fault, await matchNodes(client, fault, fault.spec.selector), random, 'nodes');
}

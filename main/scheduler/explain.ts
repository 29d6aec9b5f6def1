// What the scheduler tells people: the FitError message of kube-scheduler 1.32 (condition and
// FailedScheduling event), and the Bosun decision annotation the dashboard's "why" reads.
import type { Pod } from '../../shared/api/pod';
import type { FilterFailure } from './filters';
import type { ScorePluginName } from './scores';

export const DECISION_ANNOTATION = 'scheduler.bosun.dev/decision';
/**
 * Nodes listed individually in the annotation; the rest are only counted. Every pod carries it, so it
 * is kept short: at 12 nodes it was 2.2 KB, a third of a scheduled pod's JSON, stored twice in memory
 * (text and parse) for each of a 10,000-pod lab's pods.
 */
export const DECISION_MAX_NODES = 8;
/** Of those, feasible nodes with their scores: the chosen one and the runners-up it beat. */
export const DECISION_MAX_SCORED = 4;

const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_VICTIMS = 'No preemption victims found for incoming pod';

/** "2 Insufficient cpu, 1 node(s) were unschedulable" sorted as Go's sort.Strings does (bytewise). */
function histogram(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([reason, n]) => `${n} ${reason}`);
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.join(', ');
}

/**
 * framework.FitError.Error() followed by the DefaultPreemption PostFilter message. The lab never
 * preempts, so each failing node reports what kube-scheduler reports when no lower-priority pod
 * could make room: "not helpful" where the failure is unresolvable, "no victims" otherwise.
 */
export function fitErrorMessage(pod: Pod, numNodes: number, failures: FilterFailure[]): string {
  const head = `0/${numNodes} nodes are available`;
  let message = `${head}: ${histogram(failures.flatMap((f) => f.reasons))}.`;
  if (pod.spec?.preemptionPolicy === 'Never') return `${message} preemption: not eligible due to preemptionPolicy=Never.`;
  const preemption = histogram(failures.map((f) => (f.unresolvable ? PREEMPTION_NOT_HELPFUL : NO_VICTIMS)));
  message += ` preemption: ${head}: ${preemption}.`;
  return message;
}

export interface NodeDecision {
  /** "passed", or the filter's reasons joined with ", ". */
  filter: string;
  /** Normalised 0–100 per score plugin, and Σ weight × score. */
  scores?: Partial<Record<ScorePluginName, number>>;
  total?: number;
}

export interface Decision {
  time: string;
  result: 'Scheduled' | 'Unschedulable' | 'Error';
  node?: string;
  message?: string;
  /** Nodes considered / that passed every filter. */
  evaluated: number;
  feasible: number;
  nodes: Record<string, NodeDecision>;
  /** Nodes not listed individually to keep the annotation short. */
  omitted?: number;
}

export interface DecisionInput {
  time: string;
  result: Decision['result'];
  node?: string;
  message?: string;
  failed: Map<string, FilterFailure>;
  /**
   * Feasible node names with scores (undefined when there was only one: nothing to compare). May be
   * only the best few; feasibleCount then says how many there were.
   */
  feasible: { name: string; scores?: Partial<Record<ScorePluginName, number>>; total?: number }[];
  feasibleCount?: number;
}

/**
 * Keeps the chosen node, then the best-scored feasible nodes (DECISION_MAX_SCORED in all), then one
 * node per distinct failure reason first (so every reason is visible), then more failures, up to
 * DECISION_MAX_NODES.
 */
export function buildDecision(input: DecisionInput): Decision {
  const nodes: Record<string, NodeDecision> = {};
  const feasible = [...input.feasible].sort((a, b) => (b.total ?? 0) - (a.total ?? 0));
  const chosen = feasible.find((f) => f.name === input.node);
  const ordered = chosen ? [chosen, ...feasible.filter((f) => f !== chosen)] : feasible;
  let listed = 0;
  const room = (): boolean => listed < DECISION_MAX_NODES;
  for (const f of ordered) {
    if (listed >= DECISION_MAX_SCORED) break;
    nodes[f.name] = { filter: 'passed', ...(f.scores ? { scores: f.scores, total: f.total } : {}) };
    listed++;
  }
  const failed = [...input.failed].sort(([a], [b]) => (a < b ? -1 : 1));
  const seenReasons = new Set<string>();
  const firstOfReason = failed.filter(([, f]) => {
    const r = f.reasons.join(', ');
    if (seenReasons.has(r)) return false;
    seenReasons.add(r);
    return true;
  });
  for (const [name, f] of [...firstOfReason, ...failed]) {
    if (!room()) break;
    if (nodes[name]) continue;
    nodes[name] = { filter: f.reasons.join(', ') };
    listed++;
  }
  const feasibleCount = input.feasibleCount ?? input.feasible.length;
  const total = feasibleCount + input.failed.size;
  const decision: Decision = {
    time: input.time,
    result: input.result,
    ...(input.node ? { node: input.node } : {}),
    ...(input.message ? { message: input.message } : {}),
    evaluated: total,
    feasible: feasibleCount,
    nodes,
  };
  if (total > listed) decision.omitted = total - listed;
  return decision;
}

/** Same decision apart from its time: rewriting it would only churn the pod's resourceVersion. */
export function sameDecision(a: Decision | undefined, b: Decision): boolean {
  if (!a) return false;
  const { time: _a, ...restA } = a;
  const { time: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}

export function parseDecision(pod: Pod): Decision | undefined {
  const raw = pod.metadata.annotations?.[DECISION_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Decision;
  } catch {
    return undefined;
  }
}

// The drill report from the steady state's history. Definitions (docs/DRILLS.md "Report"):
// - disruptedAt: the first step's action took effect (fault Injected, rollout patched, node cordoned);
// - detectedAt: the first failing steady-state sample at or after disruptedAt;
// - recoveredAt: when the steady state came back for the last time (held from then to the end);
// - hypothesisHeld: steady before the first step, not aborted, and holding at the end of the recovery
//   window (the steady state never broke, or came back within recoveryTimeout after the last step).
import type { DrillCheckReport, DrillReport } from '../../shared/api/chaos';

/** The aggregate steady state (every steady-state check held) changed at `at` (ms). */
export interface SteadyTransition {
  at: number;
  held: boolean;
}

export interface ReportInput {
  steadyBefore: boolean;
  aborted: boolean;
  /** When the first step started (measuring began). */
  measureStart?: number;
  disruptedAt?: number;
  /** Aggregate transitions from measureStart on, in time order; the first entry is the state at measureStart. */
  transitions: SteadyTransition[];
  /** The steady state held at the end of the recovery window. */
  heldAtEnd: boolean;
  checks: DrillCheckReport[];
  message?: string;
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
const secs = (ms: number): number => Math.round(ms) / 1000;

export function buildReport(input: ReportInput): DrillReport {
  const { transitions } = input;
  const heldThroughout = input.measureStart !== undefined && transitions.every((t) => t.held);
  let detectedAt: number | undefined;
  if (input.disruptedAt !== undefined) {
    // Broken at the moment of the disruption already (e.g. it began while the fault was still injecting).
    const before = [...transitions].reverse().find((t) => t.at <= input.disruptedAt!);
    if (before && !before.held) detectedAt = input.disruptedAt;
    else detectedAt = transitions.find((t) => t.at >= input.disruptedAt! && !t.held)?.at;
  }
  let recoveredAt: number | undefined;
  const last = transitions[transitions.length - 1];
  if (input.heldAtEnd && last?.held && transitions.some((t) => !t.held)) recoveredAt = last.at;
  const http = input.checks.filter((c) => c.role === 'steadyState' && c.requestsTotal !== undefined);
  const report: DrillReport = {
    hypothesisHeld: input.steadyBefore && !input.aborted && input.heldAtEnd,
    steadyBefore: input.steadyBefore,
    heldThroughout: input.steadyBefore && heldThroughout,
    requestsTotal: http.reduce((n, c) => n + (c.requestsTotal ?? 0), 0),
    requestsFailed: http.reduce((n, c) => n + (c.requestsFailed ?? 0), 0),
    checks: input.checks,
  };
  if (input.disruptedAt !== undefined) report.disruptedAt = iso(input.disruptedAt);
  if (detectedAt !== undefined) {
    report.detectedAt = iso(detectedAt);
    report.timeToDetectSeconds = secs(detectedAt - input.disruptedAt!);
  }
  if (recoveredAt !== undefined) {
    report.recoveredAt = iso(recoveredAt);
    if (input.disruptedAt !== undefined) report.timeToRecoverSeconds = secs(Math.max(0, recoveredAt - input.disruptedAt));
  }
  if (input.message) report.message = input.message;
  return report;
}

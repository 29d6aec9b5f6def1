// A drill's status.timeline laid out on one time axis: one lane per entry type (steps, faults, checks,
// pods, endpoints, events), x from the first entry to the last (or now while it runs), and the report's
// disrupted/detected/recovered moments as markers. Pure geometry; DrillTimeline.vue draws it as SVG.
import type { Drill, DrillTimelineEntry } from '../../shared/api/chaos';

export const LANES: readonly DrillTimelineEntry['type'][] = ['Drill', 'Step', 'Fault', 'Check', 'Pod', 'Endpoints', 'Event'];

export interface TimelineDot {
  lane: number;
  x: number;
  /** Seconds since the start, for the tooltip and the table. */
  t: number;
  entry: DrillTimelineEntry;
}

export interface TimelineMarker {
  kind: 'disrupted' | 'detected' | 'recovered';
  x: number;
  t: number;
}

export interface TimelineLayout {
  start: number;
  end: number;
  width: number;
  dots: TimelineDot[];
  markers: TimelineMarker[];
  /** Tick positions with their labels in seconds. */
  ticks: Array<{ x: number; label: string }>;
}

const ms = (ts: string | undefined) => (ts ? Date.parse(ts) : NaN);

function tickStep(spanS: number): number {
  for (const step of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600]) if (spanS / step <= 10) return step;
  return 1200;
}

export function layoutTimeline(drill: Drill, width: number, now = new Date()): TimelineLayout {
  const entries = drill.status?.timeline ?? [];
  const times = entries.map((e) => ms(e.time)).filter((t) => !Number.isNaN(t));
  const start = Math.min(...times, ms(drill.status?.startedAt) || Infinity, ms(drill.metadata.creationTimestamp) || Infinity);
  const finished = ms(drill.status?.finishedAt);
  const end = Math.max(...times, Number.isNaN(finished) ? now.getTime() : finished, start + 1000);
  const span = end - start;
  // Tenths of a pixel: enough for SVG, and stable numbers for tests and snapshots.
  const x = (t: number) => (span > 0 ? Math.round(((t - start) / span) * width * 10) / 10 : 0);
  const dots = entries
    .filter((e) => !Number.isNaN(ms(e.time)))
    .map((entry) => ({ lane: Math.max(0, LANES.indexOf(entry.type)), x: x(ms(entry.time)), t: (ms(entry.time) - start) / 1000, entry }));
  const report = drill.status?.report;
  const markers: TimelineMarker[] = [];
  for (const [kind, ts] of [
    ['disrupted', report?.disruptedAt],
    ['detected', report?.detectedAt],
    ['recovered', report?.recoveredAt],
  ] as const) {
    const t = ms(ts);
    if (!Number.isNaN(t)) markers.push({ kind, x: x(t), t: (t - start) / 1000 });
  }
  const spanS = span / 1000;
  const step = tickStep(spanS);
  const ticks = [];
  for (let s = 0; s <= spanS + 1e-9; s += step) ticks.push({ x: x(start + s * 1000), label: `${s}s` });
  return { start, end, width, dots, markers, ticks };
}

/** A report's numbers as the Drills screen shows them ("—" when the drill did not get that far). */
export function reportFigures(drill: Drill): Array<{ key: string; value: string; tone?: 'success' | 'danger' }> {
  const r = drill.status?.report;
  if (!r) return [];
  const secs = (v: number | undefined) => (v === undefined ? '—' : `${v.toFixed(1)} s`);
  return [
    { key: 'hypothesisHeld', value: r.hypothesisHeld ? 'true' : 'false', tone: r.hypothesisHeld ? 'success' : 'danger' },
    { key: 'steadyBefore', value: String(r.steadyBefore) },
    { key: 'heldThroughout', value: String(r.heldThroughout) },
    { key: 'timeToDetect', value: secs(r.timeToDetectSeconds) },
    { key: 'timeToRecover', value: secs(r.timeToRecoverSeconds) },
    { key: 'requests', value: `${r.requestsFailed} / ${r.requestsTotal}`, tone: r.requestsFailed ? 'danger' : undefined },
  ];
}

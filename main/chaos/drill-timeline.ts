// The drill timeline: what a person would have seen with `kubectl get -w` and `kubectl get events` during
// the drill, on one time axis. Bounded (the newest DRILL_TIMELINE_LIMIT entries) and written to status in
// batches by the runner, never once per change.
import { DRILL_TIMELINE_LIMIT, type AnyFault, type DrillTimelineEntry } from '../../shared/api/chaos';
import type { KubeObject } from '../../shared/api/meta';
import type { Pod } from '../../shared/api/pod';
import type { Endpoints } from '../../shared/api/service';
import type { Clock } from '../client/clock';
import type { CoreEvent } from '../client/events';
import type { HandlerRegistration, SharedInformer } from '../client/informer';
import { readyAddressCount } from './drill-checks';

export class Timeline {
  private entries: DrillTimelineEntry[] = [];
  private dirty = false;

  constructor(
    private readonly clock: Clock,
    private readonly limit = DRILL_TIMELINE_LIMIT,
    initial: DrillTimelineEntry[] = [],
  ) {
    this.entries = initial.slice(-limit);
  }

  add(type: DrillTimelineEntry['type'], message: string, extra: Pick<DrillTimelineEntry, 'object' | 'ok'> & { time?: string } = {}): void {
    const entry: DrillTimelineEntry = { time: extra.time ?? this.clock.now().toISOString(), type, message };
    if (extra.object) entry.object = extra.object;
    if (extra.ok !== undefined) entry.ok = extra.ok;
    // Entries arrive nearly in order (events carry their own times); keep the list sorted by time.
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1].time > entry.time) i--;
    this.entries.splice(i, 0, entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    this.dirty = true;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The entries when something changed since the last call, else undefined (nothing to write). */
  takeIfDirty(): DrillTimelineEntry[] | undefined {
    if (!this.dirty) return undefined;
    this.dirty = false;
    return this.snapshot();
  }

  snapshot(): DrillTimelineEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }
}

const ref = (kind: string, o: KubeObject): { kind: string; namespace?: string; name: string } => ({
  kind,
  ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  name: o.metadata.name ?? '',
});

function podReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function restarts(pod: Pod): Map<string, number> {
  return new Map((pod.status?.containerStatuses ?? []).map((c) => [c.name, c.restartCount ?? 0]));
}

/** Pod changes worth a line: created, phase, readiness, restarts, terminating, deleted. */
export function podChanges(old: Pod | undefined, pod: Pod): string[] {
  const name = pod.metadata.name;
  if (!old) return [`pod ${name} created${pod.spec?.nodeName ? ` on ${pod.spec.nodeName}` : ''}`];
  const out: string[] = [];
  if (!old.spec?.nodeName && pod.spec?.nodeName) out.push(`pod ${name} scheduled to ${pod.spec.nodeName}`);
  if ((old.status?.phase ?? 'Pending') !== (pod.status?.phase ?? 'Pending')) out.push(`pod ${name} ${old.status?.phase ?? 'Pending'} → ${pod.status?.phase}`);
  if (podReady(old) !== podReady(pod)) out.push(`pod ${name} ${podReady(pod) ? 'Ready' : 'not Ready'}`);
  const before = restarts(old);
  for (const [container, count] of restarts(pod)) {
    if (count > (before.get(container) ?? 0)) out.push(`pod ${name} container ${container} restarted (restarts: ${count})`);
  }
  if (!old.metadata.deletionTimestamp && pod.metadata.deletionTimestamp) out.push(`pod ${name} Terminating`);
  return out;
}

export interface TimelineSources {
  pods: SharedInformer<Pod>;
  endpoints: SharedInformer<Endpoints>;
  /** Events of the drill's namespace and Node events (which Kubernetes records in `default`). */
  events: SharedInformer<CoreEvent>[];
  faults: SharedInformer<AnyFault>[];
}

function eventTime(e: CoreEvent): string | undefined {
  const anyE = e as CoreEvent & { eventTime?: string; series?: { lastObservedTime?: string }; metadata: { creationTimestamp?: string } };
  return anyE.lastTimestamp ?? anyE.series?.lastObservedTime ?? anyE.eventTime ?? anyE.firstTimestamp ?? anyE.metadata.creationTimestamp;
}

/** Subscribes the timeline to the run's informers; entries start at `since` (ISO). Returns the unsubscribe. */
export function watchTimeline(timeline: Timeline, sources: TimelineSources, since: string): () => void {
  const regs: HandlerRegistration[] = [];
  regs.push(
    sources.pods.addEventHandler({
      onAdd: (pod, initial) => {
        if (!initial) for (const m of podChanges(undefined, pod)) timeline.add('Pod', m, { object: ref('Pod', pod) });
      },
      onUpdate: (old, pod) => {
        for (const m of podChanges(old, pod)) timeline.add('Pod', m, { object: ref('Pod', pod), ok: m.endsWith(' Ready') || undefined });
      },
      onDelete: (pod) => timeline.add('Pod', `pod ${pod.metadata.name} deleted`, { object: ref('Pod', pod) }),
    }),
  );
  regs.push(
    sources.endpoints.addEventHandler({
      onAdd: (ep, initial) => {
        if (!initial) timeline.add('Endpoints', `endpoints ${ep.metadata.name}: ${readyAddressCount(ep)} ready`, { object: ref('Endpoints', ep) });
      },
      onUpdate: (old, ep) => {
        const [a, b] = [readyAddressCount(old), readyAddressCount(ep)];
        if (a !== b) timeline.add('Endpoints', `endpoints ${ep.metadata.name}: ${a} → ${b} ready`, { object: ref('Endpoints', ep), ok: b >= a });
      },
    }),
  );
  const onEvent = (e: CoreEvent, old?: CoreEvent): void => {
    const time = eventTime(e);
    if (!time || time < since) return;
    if (old && (old.count ?? 1) === (e.count ?? 1)) return;
    const io = e.involvedObject ?? ({} as CoreEvent['involvedObject']);
    const count = (e.count ?? 1) > 1 ? ` (x${e.count})` : '';
    timeline.add('Event', `${e.type} ${e.reason} ${io.kind}/${io.name}: ${e.message}${count}`, {
      time,
      object: { kind: io.kind ?? '', ...(io.namespace ? { namespace: io.namespace } : {}), name: io.name ?? '' },
      ok: e.type !== 'Warning',
    });
  };
  for (const events of sources.events) regs.push(events.addEventHandler({ onAdd: (e) => onEvent(e), onUpdate: (old, e) => onEvent(e, old) }));
  for (const faults of sources.faults) {
    regs.push(
      faults.addEventHandler({
        onUpdate: (old, f) => {
          const phase = f.status?.phase;
          if (!phase || phase === old.status?.phase) return;
          const targets = (f.status?.targets ?? []).map((t) => (t.namespace ? `${t.namespace}/${t.name}` : t.name)).join(', ');
          const detail = f.status?.message ? `: ${f.status.message}` : targets ? ` on ${targets}` : '';
          timeline.add('Fault', `${f.kind} ${f.metadata.name} ${phase}${detail}`, { object: ref(f.kind ?? 'Fault', f), ok: phase === 'Reverted' || undefined });
        },
        onDelete: (f) => timeline.add('Fault', `${f.kind} ${f.metadata.name} deleted`, { object: ref(f.kind ?? 'Fault', f) }),
      }),
    );
  }
  return () => regs.forEach((r) => r.remove());
}

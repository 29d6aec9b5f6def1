// EventRecorder (client-go tools/record): components report what they did as core/v1 Events, which
// `kubectl describe` and the dashboard timeline show. Recording never blocks or fails the caller:
// writes go out asynchronously, one at a time in recording order, and failures are only logged.
import { isAlreadyExists, isNotFound } from '../../shared/api/errors';
import type { KubeObject } from '../../shared/api/meta';
import type { KubeClient, ResourceClient } from './client';
import { RealClock, type Clock } from './clock';
import { EventCorrelator, type CoreEvent, type CorrelatorOptions, type ObjectReference } from './event-correlator';

export type { CoreEvent, ObjectReference } from './event-correlator';
export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** source.component and reportingComponent, e.g. "deployment-controller", "default-scheduler", "kubelet". */
  component: string;
  /** source.host: the node name for kubelets. */
  host?: string;
  /** reportingInstance; defaults to `<component>-<host>` or the component. */
  reportingInstance?: string;
  clock?: Clock;
  logger?: { warn(message: string): void };
  /** Writes waiting beyond this are dropped (with a warning) rather than queued without bound. */
  maxPending?: number;
  correlator?: Omit<CorrelatorOptions, 'clock'>;
  /** Shares the correlator and a bound on pending writes with the broadcaster's other recorders. */
  broadcaster?: EventBroadcaster;
}

export interface EventBroadcasterOptions {
  clock?: Clock;
  /** Writes waiting in all recorders of the broadcaster together (each recorder also has its own bound). */
  maxPending?: number;
  correlator?: Omit<CorrelatorOptions, 'clock'>;
}

/**
 * What recorders of one process share, after client-go's EventBroadcaster: one EventCorrelator (its
 * caches key on source component and host, so recorders never share a series) and one bound on queued
 * writes. The lab's kubelets use one, so that 100 simulated nodes hold client-go's 4,096 cache entries
 * and at most 10,000 queued Events (~0.8 KB each) in all, not each: one correlator per node held
 * ~3.5 KB per pod at 10,000 pods, and 1,000 queued writes per node could hold ~100 MB while the store
 * lagged. Past the bound an Event is dropped with a warning, as client-go drops them when its queue is full.
 */
export class EventBroadcaster {
  readonly correlator: EventCorrelator;
  readonly maxPending: number;
  /** Writes queued (or in flight) in all recorders of this broadcaster. */
  pending = 0;

  constructor(options: EventBroadcasterOptions = {}) {
    this.correlator = new EventCorrelator({ ...options.correlator, clock: options.clock ?? new RealClock() });
    this.maxPending = options.maxPending ?? 10_000;
  }

  newRecorder(client: KubeClient, options: Omit<EventRecorderOptions, 'broadcaster' | 'correlator'>): EventRecorder {
    return new EventRecorder(client, { ...options, broadcaster: this });
  }
}

// One counter for every recorder of the process: two recorders naming an Event about the same object in
// the same millisecond (two kubelets, or the scheduler and a kubelet) must not pick the same name.
let nameSequence = 0;

type WriteRequest = Exclude<ReturnType<EventCorrelator['correlate']>, { action: 'drop' }>;

const REDACTED = '[redacted]';

/** metav1.Time: RFC 3339 with second precision. */
const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
/** metav1.MicroTime: RFC 3339 with microseconds. */
const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** Go-style formatting for the verbs controllers use: %s %d %v %q %%. */
export function formatMessage(format: string, args: unknown[]): string {
  let i = 0;
  return format.replace(/%([sdvq%])/g, (match, verb: string) => {
    if (verb === '%') return '%';
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[i++];
    if (verb === 'q') return JSON.stringify(String(arg));
    if (verb === 'd') return typeof arg === 'number' ? String(Math.trunc(arg)) : `%!d(${String(arg)})`;
    return typeof arg === 'object' && arg !== null ? JSON.stringify(arg) : String(arg);
  });
}

function isObject(target: KubeObject | ObjectReference): target is KubeObject {
  return typeof (target as KubeObject).metadata === 'object';
}

function referenceOf(target: KubeObject | ObjectReference, fieldPath?: string): ObjectReference | undefined {
  if (!isObject(target)) return { ...target, ...(fieldPath ? { fieldPath } : {}) };
  if (!target.kind || !target.apiVersion || !target.metadata.name) return undefined;
  const ref: ObjectReference = { kind: target.kind, name: target.metadata.name, apiVersion: target.apiVersion };
  if (target.metadata.namespace) ref.namespace = target.metadata.namespace;
  if (target.metadata.uid) ref.uid = target.metadata.uid;
  if (target.metadata.resourceVersion) ref.resourceVersion = target.metadata.resourceVersion;
  if (fieldPath) ref.fieldPath = fieldPath;
  return ref;
}

// A message about a Secret must never carry its values, whatever the caller formatted into it.
function redactSecretData(target: KubeObject | ObjectReference, message: string): string {
  if (!isObject(target) || target.kind !== 'Secret') return message;
  let out = message;
  for (const field of ['data', 'stringData']) {
    const values = target[field] as Record<string, unknown> | undefined;
    for (const raw of Object.values(values ?? {})) {
      if (typeof raw !== 'string' || raw.length < 3) continue;
      const candidates = [raw];
      if (field === 'data') candidates.push(Buffer.from(raw, 'base64').toString('utf8'));
      for (const c of candidates) if (c.length >= 3) out = out.split(c).join(REDACTED);
    }
  }
  return out;
}

export class EventRecorder {
  private readonly clock: Clock;
  private readonly events: ResourceClient<CoreEvent>;
  private readonly correlator: EventCorrelator;
  private readonly logger: { warn(message: string): void };
  private readonly maxPending: number;
  private readonly broadcaster?: EventBroadcaster;
  private readonly reportingInstance: string;
  // One array and one drain loop rather than a promise chain link per Event: a queued write is then
  // only its Event.
  private readonly queue: WriteRequest[] = [];
  private draining?: Promise<void>;
  private pending = 0;

  constructor(
    client: KubeClient,
    private readonly options: EventRecorderOptions,
  ) {
    this.clock = options.clock ?? new RealClock();
    this.events = client.events<CoreEvent>();
    this.broadcaster = options.broadcaster;
    this.correlator = options.broadcaster?.correlator ?? new EventCorrelator({ ...options.correlator, clock: this.clock });
    this.logger = options.logger ?? { warn: (m) => console.warn(m) };
    this.maxPending = options.maxPending ?? 1000;
    this.reportingInstance = options.reportingInstance ?? (options.host ? `${options.component}-${options.host}` : options.component);
  }

  event(target: KubeObject | ObjectReference, type: EventType, reason: string, message: string, fieldPath?: string): void {
    const involvedObject = referenceOf(target, fieldPath);
    if (!involvedObject) {
      this.logger.warn(`event ${reason} not recorded: object has no kind, apiVersion or name (${message})`);
      return;
    }
    const built = this.build(involvedObject, type, reason, redactSecretData(target, message));
    const result = this.correlator.correlate(built);
    if (result.action === 'drop') return;
    const shared = this.broadcaster;
    if (this.pending >= this.maxPending || (shared && shared.pending >= shared.maxPending)) {
      const pending = shared && shared.pending >= shared.maxPending ? `${shared.pending} writes pending in all recorders` : `${this.pending} writes pending`;
      this.logger.warn(`event ${built.metadata.namespace}/${built.metadata.name} (${reason}) dropped: ${pending}`);
      return;
    }
    this.pending++;
    if (shared) shared.pending++;
    this.queue.push(result);
    // Started in a microtask: recording returns before any write begins.
    this.draining ??= Promise.resolve().then(() => this.drain());
  }

  eventf(target: KubeObject | ObjectReference, type: EventType, reason: string, format: string, ...args: unknown[]): void {
    this.event(target, type, reason, formatMessage(format, args));
  }

  /** Resolves when every event recorded so far has been written (or has failed and been logged). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      try {
        await this.write(next);
      } finally {
        this.pending--;
        if (this.broadcaster) this.broadcaster.pending--;
      }
    }
    this.draining = undefined;
  }

  private build(involvedObject: ObjectReference, type: EventType, reason: string, message: string): CoreEvent {
    const now = this.clock.nowMs();
    const { component, host } = this.options;
    const stamp = (BigInt(now) * 1_000_000n + BigInt(nameSequence++ % 1_000_000)).toString(16).padStart(16, '0');
    // One string for both timestamps and one reportingInstance per recorder: queued Events hold them.
    const time = rfc3339(now);
    const event: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${involvedObject.name}.${stamp}`, namespace: involvedObject.namespace || 'default' },
      involvedObject,
      reason,
      message,
      source: host ? { component, host } : { component },
      firstTimestamp: time,
      lastTimestamp: time,
      eventTime: microTime(now),
      count: 1,
      type,
      reportingComponent: component,
      reportingInstance: this.reportingInstance,
    };
    return event;
  }

  private async write(result: WriteRequest): Promise<void> {
    const { event } = result;
    const what = `event ${event.metadata.namespace}/${event.metadata.name} (${event.reason})`;
    try {
      if (result.action === 'patch') {
        try {
          await this.events.patch(event.metadata.namespace, event.metadata.name, 'application/merge-patch+json', result.patch);
          return;
        } catch (error) {
          // The Event expired (TTL) or was deleted: record the series again, as client-go does.
          if (!isNotFound(error)) throw error;
        }
      }
      await this.events.create(event.metadata.namespace, event);
    } catch (error) {
      if (isAlreadyExists(error)) return;
      this.logger.warn(`${what} not written: ${(error as Error)?.message ?? String(error)}`);
    }
  }
}

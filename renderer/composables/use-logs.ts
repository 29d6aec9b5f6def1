// Logs of one pod, or of every pod of a workload interleaved in time order: one `pods/log` stream per
// pod, always with timestamps=true underneath (the merge key; the viewer's timestamps toggle only
// changes what is shown, so it never re-fetches). Lines land in a LogBuffer and the view is told once
// per animation frame, however fast the streams run. A followed stream that drops (network change,
// lab restart, container restart) reconnects with backoff and resumes after the last line shown
// (log-resume.ts), until its container is done for good or following stops.
import { computed, onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue';
import { ApiError, isApiError } from '../../shared/api/errors';
import type { KubeObject } from '../../shared/api/meta';
import type { Pod, PodSpec } from '../../shared/api/pod';
import { pods as podsDescriptor } from '../resources/pods';
import { replicasets } from '../resources/replicasets';
import type { ResourceDescriptor } from '../resources/types';
import { useConnectionStore } from '../stores/connection-store';
import { useResourceCollection } from '../stores/resource-store';
import { formatLine, LogBuffer, parseTimestamped, readLogStream, type LineFormat } from './log-lines';
import { isTransient, reconnectDelay, resumePointOf, skipAlreadyShown, terminatedForGood } from './log-resume';

export interface LogRange {
  tailLines?: number;
  sinceSeconds?: number;
}

export interface UseLogsOptions {
  namespace: Ref<string>;
  /** Pod names; for a workload this grows as pods appear (new ones start streaming, nothing restarts). */
  pods: Ref<string[]>;
  container: Ref<string | undefined>;
  previous: Ref<boolean>;
  follow: Ref<boolean>;
  range: Ref<LogRange>;
}

/** While a container has not started, the API answers 400; follow mode asks again this often. */
const RETRY_MS = 2000;

const schedule = (fn: () => void): void => {
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => unknown }).requestAnimationFrame;
  if (typeof raf === 'function') raf(fn);
  else setTimeout(fn, 16);
};

export function useLogs(options: UseLogsOptions) {
  const connection = useConnectionStore();
  const buffer = new LogBuffer();
  /** Bumped (at most once per frame) whenever buffer or stream state changed. */
  const version = ref(0);
  /** Pod name per source index, in the order they were first seen. */
  const sources = shallowRef<string[]>([]);
  const errors = shallowRef<Record<string, ApiError>>({});
  const streaming = ref(0);
  const streams = new Map<string, AbortController>();
  const retries = new Map<string, ReturnType<typeof setTimeout>>();
  /** Pods whose followed stream dropped and is waiting to be opened again. */
  const reconnecting = shallowRef<string[]>([]);
  /** Consecutive failed reconnects per pod: the backoff step. */
  const failuresOf = new Map<string, number>();
  let generation = 0;
  let bumpScheduled = false;

  const bump = (): void => {
    if (bumpScheduled) return;
    bumpScheduled = true;
    schedule(() => {
      bumpScheduled = false;
      // The buffer trims in batches while lines pour in; what is shown is exactly the cap.
      buffer.trim();
      version.value++;
    });
  };

  function setError(pod: string, error: ApiError | undefined): void {
    if (!error && !(pod in errors.value)) return;
    const next = { ...errors.value };
    if (error) next[pod] = error;
    else delete next[pod];
    errors.value = next;
  }

  function sourceOf(pod: string): number {
    let i = sources.value.indexOf(pod);
    if (i < 0) {
      sources.value = [...sources.value, pod];
      i = sources.value.length - 1;
    }
    return i;
  }

  function stopAll(): void {
    for (const abort of streams.values()) abort.abort();
    streams.clear();
    for (const timer of retries.values()) clearTimeout(timer);
    retries.clear();
    failuresOf.clear();
    reconnecting.value = [];
    streaming.value = 0;
  }

  function setReconnecting(pod: string, on: boolean): void {
    if (reconnecting.value.includes(pod) === on) return;
    reconnecting.value = on ? [...reconnecting.value, pod] : reconnecting.value.filter((p) => p !== pod);
  }

  function cancelRetry(pod: string): void {
    clearTimeout(retries.get(pod));
    retries.delete(pod);
  }

  /** Tries the stream again after the backoff; a stream that ended cleanly first asks whether the container is done. */
  function reconnectLater(pod: string, gen: number, checkPod: boolean): void {
    const failures = failuresOf.get(pod) ?? 0;
    failuresOf.set(pod, failures + 1);
    setReconnecting(pod, true);
    retries.set(
      pod,
      setTimeout(() => {
        retries.delete(pod);
        if (gen !== generation) return;
        if (!checkPod) return void start(pod);
        void isLogOver(pod).then((over) => {
          if (gen !== generation) return;
          if (over === undefined) return reconnectLater(pod, gen, true);
          if (over) {
            setReconnecting(pod, false);
            failuresOf.delete(pod);
            bump();
          } else start(pod);
        });
      }, reconnectDelay(failures)),
    );
    bump();
  }

  /** Whether the followed container will never write again; undefined when that cannot be told yet. */
  async function isLogOver(pod: string): Promise<boolean | undefined> {
    const client = connection.client;
    if (!client) return true;
    try {
      const object = await client.get<Pod>(`/api/v1/namespaces/${encodeURIComponent(options.namespace.value)}/pods/${encodeURIComponent(pod)}`);
      return terminatedForGood(object, options.container.value);
    } catch (e) {
      if (isTransient(e)) return undefined;
      // Gone (404) or refused: there is nothing left to follow.
      return true;
    }
  }

  function start(pod: string): void {
    const client = connection.client;
    if (!client || streams.has(pod)) return;
    cancelRetry(pod);
    const gen = generation;
    const source = sourceOf(pod);
    const abort = new AbortController();
    streams.set(pod, abort);
    streaming.value = streams.size;
    const follow = options.follow.value && !options.previous.value;
    // Lines of this pod already shown (a reconnect, or follow switched back on): carry on after them.
    const resume = resumePointOf(buffer.lines, source);
    const fresh = skipAlreadyShown(resume);
    const range = resume ? { sinceTime: resume.ts } : options.range.value;
    readLogStream(
      { apiUrl: client.connection.apiUrl, token: client.connection.token, namespace: options.namespace.value, pod, container: options.container.value, previous: options.previous.value, follow, timestamps: true, ...range },
      (raw) => {
        if (gen !== generation) return;
        let added = 0;
        for (const text of raw) {
          const line = parseTimestamped(text, source);
          if (fresh(line)) {
            buffer.add(line);
            added++;
          }
        }
        // New lines flow again: the next drop starts over at the shortest delay. Only repeated lines
        // (a crash-looping container's log ends at once, again and again) keep backing off.
        if (added) failuresOf.delete(pod);
        setError(pod, undefined);
        bump();
      },
      abort.signal,
      async (url, init) => {
        const response = await globalThis.fetch(url, init);
        // Open again, even if the container is quiet: no longer "reconnecting".
        if (response.ok && gen === generation) setReconnecting(pod, false);
        return response;
      },
    )
      .then(() => {
        if (gen !== generation) return;
        setError(pod, undefined);
        if (follow) reconnectLater(pod, gen, true);
      })
      .catch((e: unknown) => {
        if (gen !== generation) return;
        if (follow && isTransient(e)) {
          // The viewer shows "reconnecting…" rather than an error for what is usually a blip.
          reconnectLater(pod, gen, false);
          return;
        }
        setReconnecting(pod, false);
        setError(pod, isApiError(e) ? e : new ApiError(503, 'ServiceUnavailable', String(e)));
        // Not started yet (ContainerCreating, init containers running): try again while following.
        if (follow && isApiError(e) && e.code === 400) retries.set(pod, setTimeout(() => gen === generation && start(pod), RETRY_MS));
      })
      .finally(() => {
        if (streams.get(pod) === abort) streams.delete(pod);
        if (gen === generation) streaming.value = streams.size;
        bump();
      });
  }

  function restart(): void {
    generation++;
    stopAll();
    buffer.clear();
    sources.value = [];
    errors.value = {};
    for (const pod of options.pods.value) start(pod);
    bump();
  }

  watch([options.namespace, options.container, options.previous, () => JSON.stringify(options.range.value), () => connection.client], restart);
  watch(
    () => options.pods.value.join('\n'),
    (now, before) => {
      const old = new Set(before ? before.split('\n') : []);
      const added = options.pods.value.filter((p) => !old.has(p));
      // New pods of a workload join (followed or as a snapshot); pods that went away keep their lines.
      for (const pod of added) start(pod);
    },
  );
  watch(options.follow, (on) => {
    if (!on) {
      generation++;
      stopAll();
      bump();
      return;
    }
    generation++;
    for (const pod of options.pods.value) start(pod);
  });
  restart();
  onScopeDispose(() => {
    generation++;
    stopAll();
  });

  /** The complete log (no tail, no since) of every source, merged and formatted: "download all". */
  async function fullText(format: Omit<LineFormat, 'prefixes'>, workload: boolean): Promise<string> {
    const client = connection.client;
    if (!client) return '';
    const all = new LogBuffer(Number.MAX_SAFE_INTEGER);
    const pods = options.pods.value;
    const abort = new AbortController();
    await Promise.all(
      pods.map((pod, source) =>
        readLogStream(
          { apiUrl: client.connection.apiUrl, token: client.connection.token, namespace: options.namespace.value, pod, container: options.container.value, previous: options.previous.value, timestamps: true },
          (raw) => raw.forEach((text) => all.add(parseTimestamped(text, source))),
          abort.signal,
        ).catch(() => undefined),
      ),
    );
    const f: LineFormat = { timestamps: format.timestamps, prefixes: workload ? pods : undefined };
    return all.lines.map((l) => `${formatLine(l, f)}\n`).join('');
  }

  return { buffer, version, sources, errors, streaming, reconnecting, restart, fullText };
}

/** Kinds whose detail offers whole-workload logs (all have spec.template). */
export const WORKLOAD_LOG_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job']);

const controllerOf = (o: KubeObject): string | undefined => (o.metadata.ownerReferences ?? []).find((r) => r.controller)?.uid;

const byAge = (a: Pod, b: Pod): number =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');

/**
 * What the viewer reads for an object: the pod itself, or the live pods a workload controls (a
 * Deployment's through its ReplicaSets), and the container names to pick from.
 */
export function useLogTargets(descriptor: Ref<ResourceDescriptor>, object: Ref<KubeObject | undefined>) {
  const isPod = computed(() => descriptor.value.kind === 'Pod');
  const podCollection = useResourceCollection<Pod>(podsDescriptor, () => (isPod.value ? undefined : {}));
  const rsCollection = useResourceCollection(replicasets, () => (descriptor.value.podsViaReplicaSets ? {} : undefined));
  const owners = computed(() => {
    const uid = object.value?.metadata.uid;
    if (!descriptor.value.podsViaReplicaSets) return new Set([uid]);
    return new Set(rsCollection.items.value.filter((rs) => controllerOf(rs) === uid).map((rs) => rs.metadata.uid));
  });
  const podNames = computed(() => {
    const o = object.value;
    if (!o) return [];
    if (isPod.value) return [o.metadata.name ?? ''];
    const ns = o.metadata.namespace;
    return podCollection.items.value
      .filter((p) => p.metadata.namespace === ns && owners.value.has(controllerOf(p)))
      .sort(byAge)
      .map((p) => p.metadata.name ?? '');
  });
  const spec = computed<PodSpec | undefined>(() =>
    isPod.value ? (object.value as Pod | undefined)?.spec : (object.value as { spec?: { template?: { spec?: PodSpec } } } | undefined)?.spec?.template?.spec,
  );
  const containers = computed(() => (spec.value?.containers ?? []).map((c) => c.name));
  const initContainers = computed(() => (spec.value?.initContainers ?? []).map((c) => c.name));
  return { isPod, podNames, containers, initContainers, podsLoaded: computed(() => isPod.value || podCollection.loaded.value) };
}

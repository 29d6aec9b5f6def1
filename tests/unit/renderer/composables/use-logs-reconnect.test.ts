// A followed log stream that drops (Chromium's net::ERR_NETWORK_CHANGED, the lab restarting, the
// container restarting) reconnects with backoff and carries on after the last line shown, without
// repeating lines; it stops for good when the container will never write again.
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, ref, type EffectScope } from 'vue';
import type { Pod } from '../../../../shared/api/pod';
import type { ApiClient } from '../../../../renderer/api/client';
import { reconnectDelay, resumePointOf, skipAlreadyShown, terminatedForGood } from '../../../../renderer/composables/log-resume';
import { parseTimestamped } from '../../../../renderer/composables/log-lines';
import { useLogs, type LogRange } from '../../../../renderer/composables/use-logs';
import { useConnectionStore } from '../../../../renderer/stores/connection-store';

const API = 'http://127.0.0.1:6443';
const at = (s: string, text: string) => `2026-01-01T00:00:${s}Z ${text}\n`;

/** A log response whose body the test writes, ends or breaks while the viewer reads it. */
function controlledStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return {
    response: new Response(body, { status: 200, headers: { 'Content-Type': 'text/plain' } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    // What a reader sees when Chromium cancels the request on a network change.
    drop: () => controller.error(new TypeError('network error')),
  };
}

const pod = (phase: string, restartPolicy: 'Always' | 'OnFailure' | 'Never', terminated?: { exitCode: number }): Pod =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { restartPolicy, containers: [{ name: 'app', image: 'busybox' }] },
    status: { phase, containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: terminated ? { terminated } : { running: {} } }] },
  }) as unknown as Pod;

describe('useLogs reconnects a followed stream', () => {
  let scope: EffectScope;
  let requests: string[];
  let respond: (url: string) => Promise<Response>;
  let podNow: () => Promise<Pod>;
  let podGets: number;

  beforeEach(() => {
    vi.useFakeTimers();
    setActivePinia(createPinia());
    requests = [];
    podGets = 0;
    podNow = async () => pod('Running', 'Always');
    vi.stubGlobal('fetch', (url: string) => {
      requests.push(url);
      return respond(url);
    });
    const client = {
      connection: { apiUrl: API, token: 'tok' },
      get: async () => {
        podGets++;
        return podNow();
      },
    };
    useConnectionStore().client = client as unknown as ApiClient;
    scope = effectScope();
  });

  afterEach(() => {
    scope.stop();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  const open = (follow = true) =>
    scope.run(() =>
      useLogs({ namespace: ref('default'), pods: ref(['web']), container: ref<string | undefined>(undefined), previous: ref(false), follow: ref(follow), range: ref<LogRange>({ tailLines: 500 }) }),
    )!;
  const texts = (logs: ReturnType<typeof open>) => logs.buffer.lines.map((l) => l.text);
  const query = (url: string) => new URL(url).searchParams;

  it('reconnects 0.5 s after a network drop, from the last line shown, with no line twice', async () => {
    const first = controlledStream();
    const second = controlledStream();
    const answers = [first.response, second.response];
    respond = async () => answers.shift()!;
    const logs = open();
    await vi.advanceTimersByTimeAsync(0);
    expect(query(requests[0]).get('tailLines')).toBe('500');
    expect(query(requests[0]).get('timestamps')).toBe('true');
    first.write(at('01.000000001', 'one') + at('01.500000000', 'two') + at('02.000000000', 'same') + at('02.000000000', 'same'));
    await vi.advanceTimersByTimeAsync(20);
    first.drop();
    await vi.advanceTimersByTimeAsync(20);
    expect(logs.reconnecting.value).toEqual(['web']);
    expect(logs.errors.value).toEqual({}); // a blip is not an error
    expect(logs.streaming.value).toBe(0);

    await vi.advanceTimersByTimeAsync(450);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(requests).toHaveLength(2);
    const resumed = query(requests[1]);
    expect(resumed.get('sinceTime')).toBe('2026-01-01T00:00:02.000000000Z');
    expect(resumed.get('tailLines')).toBeNull();
    expect(resumed.get('follow')).toBe('true');
    await vi.advanceTimersByTimeAsync(0);
    // Open again before any new line (a quiet container): following, not reconnecting.
    expect(logs.reconnecting.value).toEqual([]);
    expect(logs.streaming.value).toBe(1);

    // The server starts from a coarser instant than the line's own: it repeats what is held, then
    // goes on, including a third "same" at the very same nanosecond that is genuinely new.
    second.write(at('01.500000000', 'two') + at('02.000000000', 'same') + at('02.000000000', 'same') + at('02.000000000', 'same') + at('03.000000000', 'three'));
    await vi.advanceTimersByTimeAsync(20);
    expect(texts(logs)).toEqual(['one', 'two', 'same', 'same', 'same', 'three']);
    expect(logs.reconnecting.value).toEqual([]);
    expect(logs.streaming.value).toBe(1);
  });

  it('backs off 0.5 s doubling to 5 s while the API cannot be reached, then resumes', async () => {
    respond = async () => {
      throw new TypeError('Failed to fetch');
    };
    const start = Date.now();
    const logs = open();
    expect(requests).toHaveLength(1);
    const times: number[] = [];
    for (let t = 100; t <= 18_000; t += 100) {
      const before = requests.length;
      await vi.advanceTimersByTimeAsync(100);
      if (requests.length > before) times.push(Date.now() - start);
    }
    expect(times).toEqual([500, 1500, 3500, 7500, 12500, 17500]);
    expect(logs.reconnecting.value).toEqual(['web']);
    expect(logs.errors.value).toEqual({});

    const back = controlledStream();
    respond = async () => back.response;
    await vi.advanceTimersByTimeAsync(5000);
    back.write(at('05.000000000', 'back'));
    await vi.advanceTimersByTimeAsync(20);
    expect(texts(logs)).toEqual(['back']);
    expect(logs.reconnecting.value).toEqual([]);
    // Lines flowed, so the next drop starts over at the shortest delay.
    back.drop();
    const failed = requests.length;
    await vi.advanceTimersByTimeAsync(500);
    expect(requests.length).toBe(failed + 1);
  });

  it('after a clean end, stops if the container is done for good and reconnects if it will run again', async () => {
    const ended = controlledStream();
    const again = controlledStream();
    const answers = [ended.response, again.response];
    respond = async () => answers.shift()!;
    // The container exited 1 under restartPolicy Always: the kubelet restarts it.
    podNow = async () => pod('Running', 'Always', { exitCode: 1 });
    const logs = open();
    await vi.advanceTimersByTimeAsync(0);
    ended.write(at('01.000000000', 'crash'));
    ended.end();
    await vi.advanceTimersByTimeAsync(20);
    expect(logs.reconnecting.value).toEqual(['web']);
    await vi.advanceTimersByTimeAsync(500);
    expect(podGets).toBe(1);
    expect(requests).toHaveLength(2);
    again.write(at('09.000000000', 'restarted'));
    // Now it runs to completion under OnFailure.
    podNow = async () => pod('Succeeded', 'OnFailure', { exitCode: 0 });
    again.end();
    await vi.advanceTimersByTimeAsync(5000);
    expect(podGets).toBe(2);
    expect(requests).toHaveLength(2);
    expect(logs.reconnecting.value).toEqual([]);
    expect(logs.errors.value).toEqual({});
    expect(texts(logs)).toEqual(['crash', 'restarted']);
  });

  it('keeps backing off while a crash-looping container only repeats lines already shown', async () => {
    respond = async () => {
      const s = controlledStream();
      s.write(at('01.000000000', 'boom'));
      s.end();
      return s.response;
    };
    podNow = async () => pod('Running', 'Always', { exitCode: 1 });
    const start = Date.now();
    const logs = open();
    const times: number[] = [];
    for (let t = 100; t <= 16_000; t += 100) {
      const before = requests.length;
      await vi.advanceTimersByTimeAsync(100);
      if (requests.length > before) times.push(Date.now() - start);
    }
    expect(times).toEqual([500, 1500, 3500, 7500, 12500]);
    expect(texts(logs)).toEqual(['boom']);
  });

  it('does not retry a refused request, a snapshot, or after following was switched off', async () => {
    respond = async () => new Response(JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'pods "web" is forbidden' }), { status: 403 });
    const refused = open();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(requests).toHaveLength(1);
    expect(refused.errors.value.web?.code).toBe(403);
    expect(refused.reconnecting.value).toEqual([]);
    scope.stop();

    scope = effectScope();
    requests = [];
    respond = async () => {
      throw new TypeError('Failed to fetch');
    };
    const snapshot = open(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(requests).toHaveLength(1);
    expect(snapshot.errors.value.web?.code).toBe(503);
    scope.stop();

    scope = effectScope();
    requests = [];
    const follow = ref(true);
    const stopped = scope.run(() =>
      useLogs({ namespace: ref('default'), pods: ref(['web']), container: ref<string | undefined>(undefined), previous: ref(false), follow, range: ref<LogRange>({}) }),
    )!;
    await vi.advanceTimersByTimeAsync(20);
    expect(stopped.reconnecting.value).toEqual(['web']);
    follow.value = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(requests).toHaveLength(1);
    expect(stopped.reconnecting.value).toEqual([]);
  });
});

describe('log-resume', () => {
  it('backs off 0.5 s doubling up to 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 20].map(reconnectDelay)).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('knows when a container will never write again', () => {
    expect(terminatedForGood(pod('Running', 'Always'), undefined)).toBe(false);
    expect(terminatedForGood(pod('Running', 'Always', { exitCode: 0 }), undefined)).toBe(false);
    expect(terminatedForGood(pod('Running', 'OnFailure', { exitCode: 2 }), 'app')).toBe(false);
    expect(terminatedForGood(pod('Running', 'OnFailure', { exitCode: 0 }), 'app')).toBe(true);
    expect(terminatedForGood(pod('Running', 'Never', { exitCode: 2 }), 'app')).toBe(true);
    expect(terminatedForGood(pod('Failed', 'Always'), 'app')).toBe(true);
    const withInit = pod('Pending', 'Always');
    withInit.spec!.initContainers = [{ name: 'setup' }, { name: 'proxy', restartPolicy: 'Always' }];
    withInit.status!.initContainerStatuses = [
      { name: 'setup', ready: false, restartCount: 0, image: '', imageID: '', state: { terminated: { exitCode: 0 } } },
      { name: 'proxy', ready: false, restartCount: 0, image: '', imageID: '', state: { terminated: { exitCode: 0 } } },
    ] as never;
    expect(terminatedForGood(withInit, 'setup')).toBe(true);
    expect(terminatedForGood(withInit, 'proxy')).toBe(false);
  });

  it('resumes one source after its newest line, keeping other sources and identical lines apart', () => {
    const lines = [
      parseTimestamped('2026-01-01T00:00:01.000000000Z a', 0),
      parseTimestamped('2026-01-01T00:00:02.000000000Z x', 0),
      parseTimestamped('2026-01-01T00:00:02.000000000Z x', 0),
      parseTimestamped('2026-01-01T00:00:03.000000000Z other pod', 1),
    ];
    const resume = resumePointOf(lines, 0)!;
    expect(resume).toMatchObject({ ts: '2026-01-01T00:00:02.000000000Z', sameKey: 2 });
    expect(resumePointOf(lines, 2)).toBeUndefined();
    const keep = skipAlreadyShown(resume);
    const again = ['01.000000000Z a', '02.000000000Z x', '02.000000000Z x', '02.000000000Z x', '04.000000000Z b'].map((l) => parseTimestamped(`2026-01-01T00:00:${l}`, 0));
    expect(again.filter(keep).map((l) => l.text)).toEqual(['x', 'b']);
  });
});

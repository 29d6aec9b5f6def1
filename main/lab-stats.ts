// "Ready in N ms" and the lab's own memory, for the dashboard overview. Published as annotations on the
// ConfigMap kube-system/bosun-lab-timing (already the lab's self-description, already watched by the
// dashboard), so the renderer needs no polling and kubectl can read them too:
//   kubectl -n kube-system get cm bosun-lab-timing -o jsonpath='{.metadata.annotations}'
// Annotations rather than data keys: the data is the timer table rewritten at each start, while these
// are measurements; the RSS is re-sampled on a slow timer so the watch stays quiet.
import type { ConfigMap } from '../shared/api/config';
import type { Clock, TimerHandle } from './client/clock';
import type { KubeClient } from './client/client';
import { CONFIGMAPS } from './client/gvr';
import { LAB_TIMING_CONFIGMAP } from './lab-timing';

export const READY_MS_ANNOTATION = 'lab.bosun.dev/ready-ms';
export const MEMORY_RSS_ANNOTATION = 'lab.bosun.dev/memory-rss-bytes';
export const MEMORY_SAMPLED_AT_ANNOTATION = 'lab.bosun.dev/memory-sampled-at';
/** One ConfigMap write per half minute: a live enough number, no noise in watches or the store. */
export const MEMORY_SAMPLE_MS = 30_000;

export interface LabStatsOptions {
  client: KubeClient;
  clock: Clock;
  /** How long the lab took from start to answering (LabHandle.readyMs). */
  readyMs: number;
  /** Resident set size of this process in bytes (injected in tests). */
  rss?: () => number;
  sampleMs?: number;
  logger?: { warn(message: string): void };
}

export class LabStatsPublisher {
  private timer?: TimerHandle;
  private stopped = false;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: LabStatsOptions) {}

  /** Publishes at once (off the caller's path) and then every sampleMs. */
  start(): void {
    this.sample();
    this.timer = this.options.clock.setInterval(() => this.sample(), this.options.sampleMs ?? MEMORY_SAMPLE_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.inFlight;
  }

  /** Resolves when the last write finished (tests). */
  settled(): Promise<void> {
    return this.inFlight;
  }

  private sample(): void {
    if (this.stopped) return;
    const rss = (this.options.rss ?? (() => process.memoryUsage.rss()))();
    const annotations = {
      [READY_MS_ANNOTATION]: String(Math.round(this.options.readyMs)),
      [MEMORY_RSS_ANNOTATION]: String(Math.round(rss)),
      [MEMORY_SAMPLED_AT_ANNOTATION]: this.options.clock.now().toISOString(),
    };
    // A merge patch touches only these keys, so it never races the timing table's own rewrite.
    this.inFlight = this.inFlight.then(() =>
      this.options.client
        .resource<ConfigMap>(CONFIGMAPS)
        .patch('kube-system', LAB_TIMING_CONFIGMAP, 'application/merge-patch+json', { metadata: { annotations } })
        .then(() => undefined)
        .catch((e: unknown) => this.options.logger?.warn(`bosun: could not publish the lab's memory: ${(e as Error).message}`)),
    );
  }
}

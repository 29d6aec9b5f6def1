// Image pull progress as events: the engine reports per-layer progress; the kubelet turns it into an
// occasional `Pulling` event ("3/5 layers, 12.3 MB of 40.1 MB") so a slow pull is visible in
// `kubectl describe pod` and the dashboard instead of a silent wait. Fast pulls stay quiet.
import type { Clock } from '../client/clock';
import type { PullProgress } from '../runtime/runtime';

/** First progress event after this long, then at most one per interval (ms). */
export const PULL_PROGRESS_FIRST_MS = 2_000;
export const PULL_PROGRESS_INTERVAL_MS = 5_000;

const mb = (bytes: number): string => `${(bytes / 1_000_000).toFixed(1)} MB`;

interface Layer {
  current: number;
  total: number;
  done: boolean;
}

export class PullProgressReporter {
  private readonly layers = new Map<string, Layer>();
  private readonly started: number;
  private lastEmit?: number;

  constructor(
    private readonly clock: Clock,
    private readonly emit: (message: string) => void,
  ) {
    this.started = clock.nowMs();
  }

  /** Feed one engine progress message. */
  readonly onProgress = (p: PullProgress): void => {
    if (p.id && !p.status.startsWith('Pulling from')) {
      const layer = this.layers.get(p.id) ?? { current: 0, total: 0, done: false };
      if (p.total) layer.total = p.total;
      if (p.current !== undefined && /Downloading/i.test(p.status)) layer.current = p.current;
      if (/Pull complete|Already exists|Download complete/i.test(p.status)) {
        layer.done = /Pull complete|Already exists/i.test(p.status) || layer.done;
        if (layer.total) layer.current = layer.total;
      }
      this.layers.set(p.id, layer);
    }
    const now = this.clock.nowMs();
    const due = this.lastEmit === undefined ? now - this.started >= PULL_PROGRESS_FIRST_MS : now - this.lastEmit >= PULL_PROGRESS_INTERVAL_MS;
    if (!due || this.layers.size === 0) return;
    this.lastEmit = now;
    this.emit(this.summary());
  };

  /** "2/5 layers, 12.3 MB of 40.1 MB" (sizes only once the engine told them). */
  summary(): string {
    const layers = [...this.layers.values()];
    const done = layers.filter((l) => l.done).length;
    const total = layers.reduce((n, l) => n + l.total, 0);
    const current = layers.reduce((n, l) => n + Math.min(l.current, l.total || l.current), 0);
    return `${done}/${layers.length} layers${total ? `, ${mb(current)} of ${mb(total)}` : ''}`;
  }
}

// Follows pods through a raw API watch and remembers the fewest ready (and not terminating) ever seen,
// for "never fewer than N ready" checks during drains and rollouts.
import { api, type ServeHandle } from './serve';

export interface WatchedPod {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { nodeName?: string };
  status?: { conditions?: Array<{ type: string; status: string; reason?: string }> };
}

/** Ready as a PodDisruptionBudget counts it: Ready=True and not being deleted. */
export const isPodReady = (p: WatchedPod): boolean => !p.metadata.deletionTimestamp && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

export class PodReadyWatch {
  readonly byName = new Map<string, WatchedPod>();
  min = Infinity;
  samples = 0;
  readonly log: string[] = [];
  /** Off while the watch replays the current pods one ADDED at a time; turn on once settled. */
  tracking = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly serve: ServeHandle,
    private readonly namespace: string,
    private readonly labelSelector: string,
  ) {}

  async start(): Promise<void> {
    const path = `/api/v1/namespaces/${this.namespace}/pods?watch=true&labelSelector=${encodeURIComponent(this.labelSelector)}`;
    const res = await api(this.serve, path, { signal: this.abort.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) this.apply(JSON.parse(line) as { type: string; object: WatchedPod });
        }
      }
    })();
  }

  private apply(event: { type: string; object: WatchedPod }): void {
    if (event.type === 'DELETED') this.byName.delete(event.object.metadata.name);
    else this.byName.set(event.object.metadata.name, event.object);
    if (!this.tracking) return;
    this.samples++;
    this.min = Math.min(this.min, this.ready());
    this.log.push(`${event.type} ${event.object.metadata.name} ready=${isPodReady(event.object)} deleting=${!!event.object.metadata.deletionTimestamp} -> ${this.ready()}`);
  }

  ready(): number {
    return [...this.byName.values()].filter(isPodReady).length;
  }

  stop(): void {
    this.abort.abort();
  }
}

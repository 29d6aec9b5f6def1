// A stored state and the events made from it. An entry keeps its JSON text (the source of every copy)
// and, while it is the current state, the deep-frozen parse shared by watchers and read-only callers.
import type { KubeObject } from '../../shared/api/meta';
import { withoutManagedFields } from '../client/cache-object';
import type { StoreEvent, StoredObject } from './store';

export class Entry implements StoredObject {
  /** Deep-frozen parse of json, made on first need (events, shared reads) and shared from then on. */
  private frozen?: KubeObject;
  private superseded = false;

  constructor(
    readonly resourceVersion: number,
    readonly json: string,
  ) {}

  get object(): KubeObject {
    if (this.frozen) return this.frozen;
    const object = freezeParsed(withoutManagedFields(JSON.parse(this.json) as KubeObject));
    if (!this.superseded) this.frozen = object;
    return object;
  }

  /**
   * No longer the current state: forget the parsed object so that the watch window, which keeps old
   * states for resumption, holds them only as JSON text (a parsed pod costs several times its JSON, and
   * a full window of 10,000 events was a third of a 100-node lab's memory). Whoever already has the
   * object keeps it; a late reader (a watch replaying the window) parses its own.
   */
  supersede(): void {
    this.superseded = true;
    this.frozen = undefined;
  }
}

/** A committed event as the window keeps it: objects come from the entries, parsed only while needed. */
export class EntryEvent implements StoreEvent {
  constructor(
    readonly type: StoreEvent['type'],
    readonly key: string,
    private readonly entry: Entry,
    private readonly prev: Entry | undefined,
  ) {}

  get resourceVersion(): number {
    return this.entry.resourceVersion;
  }

  get object(): KubeObject {
    return this.entry.object;
  }

  get prevObject(): KubeObject | undefined {
    return this.prev?.object;
  }

  get objectJson(): string {
    return this.entry.json;
  }

  /**
   * The event for live delivery: every watcher sees the same objects, parsed on the first watcher's
   * read — never when no watcher looks (nobody watches Events in a headless lab, say).
   */
  live(): StoreEvent {
    return new LiveEvent(this);
  }
}

class LiveEvent implements StoreEvent {
  readonly type: StoreEvent['type'];
  readonly key: string;
  readonly resourceVersion: number;
  readonly objectJson: string;
  private parsed?: KubeObject;
  private prevParsed?: KubeObject;

  constructor(private readonly event: EntryEvent) {
    this.type = event.type;
    this.key = event.key;
    this.resourceVersion = event.resourceVersion;
    this.objectJson = event.objectJson;
  }

  get object(): KubeObject {
    return (this.parsed ??= this.event.object);
  }

  get prevObject(): KubeObject | undefined {
    return (this.prevParsed ??= this.event.prevObject);
  }
}

/**
 * deepFreeze for a tree fresh from JSON.parse (nothing in it is frozen yet, nothing is shared): skips
 * primitives and the isFrozen checks, about three times cheaper than the general walk on a pod.
 */
export function freezeParsed<T>(value: T): T {
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      if (typeof child === 'object' && child !== null) freezeParsed(child);
    }
  } else {
    for (const k in value) {
      const child: unknown = value[k];
      if (typeof child === 'object' && child !== null) freezeParsed(child);
    }
  }
  return value;
}

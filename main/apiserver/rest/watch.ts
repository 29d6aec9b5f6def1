// Watch: k8s.io/apiserver's watch cache semantics over Store.watch.
//  - resourceVersion absent or "0": synthetic ADDED for the current (selected) state, then live events;
//  - resourceVersion N: every event after N; older than the store's window → 410 Expired via onClose;
//  - selectors see both the old and the new object, so an object leaving the selection is DELETED for
//    this watcher and one entering it is ADDED;
//  - allowWatchBookmarks: periodic BOOKMARKs carrying only the resourceVersion reached;
//  - sendInitialEvents=true: a BOOKMARK annotated k8s.io/initial-events-end after the initial ADDEDs;
//  - timeoutSeconds: the watch ends cleanly (onClose without error).
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject, WatchEvent } from '../../../shared/api/meta';
import type { TimerHandle } from '../../client/clock';
import { isStoreError, type StoreEvent, type StoreWatch } from '../../store/store';
import type { ApiRequest, ApiWatch, ResourceDef } from '../types';
import { apiVersionFor, clone, collectionPrefix, type RestContext } from './context';
import { predicateFor, type Predicate } from './selection';

export function watch(
  ctx: RestContext,
  def: ResourceDef,
  req: ApiRequest,
  onEvent: (event: WatchEvent) => void,
  onClose: (error?: unknown) => void,
  transform: (obj: KubeObject) => unknown = (o) => o,
): ApiWatch {
  let stopped = false;
  let storeWatch: StoreWatch | undefined;
  const timers: TimerHandle[] = [];
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    storeWatch?.stop();
    for (const t of timers) t.cancel();
  };
  const close = (error?: unknown): void => {
    if (stopped) return;
    stop();
    onClose(error);
  };

  const q = req.query ?? {};
  // A bad request fails before the watch exists (thrown synchronously), so HTTP answers it with a plain
  // 400 Status instead of a 200 stream carrying an ERROR event, as the Kubernetes apiserver does.
  const matches: Predicate = predicateFor(def, req);
  if (q.resourceVersion && q.resourceVersion !== '0' && !/^\d+$/.test(q.resourceVersion)) {
    throw ApiError.badRequest(`invalid resource version: ${q.resourceVersion}`);
  }
  if (q.timeoutSeconds !== undefined && !/^\d+$/.test(q.timeoutSeconds)) {
    throw ApiError.badRequest(`timeoutSeconds: invalid value "${q.timeoutSeconds}": must be a non-negative whole number of seconds`);
  }
  const prefix = collectionPrefix(def, req.namespace);
  // Every watcher gets its own mutable copy (parsing the stored JSON, when at hand, is half the cost of a
  // stringify + parse round trip and gives the same object), except one that asked for the store's
  // deep-frozen object (req.sharedObjects: an informer), which every such watcher then shares.
  const shared = req.sharedObjects === true && !req.asTable;
  const emit = (type: WatchEvent['type'], obj: KubeObject, json?: string): void => {
    if (stopped) return;
    if (shared) onEvent({ type, object: obj });
    else onEvent({ type, object: transform(json === undefined ? clone(obj) : (JSON.parse(json) as KubeObject)) as KubeObject });
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    if (stopped) return;
    const metadata: KubeObject['metadata'] = { resourceVersion: String(ctx.store.resourceVersion) };
    if (annotations) metadata.annotations = annotations;
    onEvent({ type: 'BOOKMARK', object: { apiVersion: apiVersionFor(def), kind: def.kind, metadata } });
  };

  const onStoreEvent = (e: StoreEvent): void => {
    if (stopped) return;
    const now = matches(e.object);
    const before = e.prevObject ? matches(e.prevObject) : false;
    switch (e.type) {
      case 'ADDED':
        if (now) emit('ADDED', e.object, e.objectJson);
        break;
      case 'MODIFIED':
        if (now && before) emit('MODIFIED', e.object, e.objectJson);
        else if (now) emit('ADDED', e.object, e.objectJson);
        else if (before) emit('DELETED', e.object, e.objectJson);
        break;
      case 'DELETED':
        if (e.prevObject ? before : now) emit('DELETED', e.object, e.objectJson);
        break;
    }
  };

  const start = async (): Promise<void> => {
    let from: number;
    const initial = !q.resourceVersion || q.resourceVersion === '0';
    if (initial) {
      const listed = await ctx.store.listShared(prefix);
      if (stopped) return;
      for (const item of listed.items) if (matches(item.object)) emit('ADDED', item.object, item.json);
      from = listed.resourceVersion;
      if (q.sendInitialEvents === 'true') bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      from = Number(q.resourceVersion);
    }
    try {
      storeWatch = ctx.store.watch(prefix, from, onStoreEvent);
    } catch (e) {
      if (isStoreError(e, 'Expired')) {
        close(ApiError.expired(e.message.startsWith('too old') ? e.message : `too old resource version: ${from} (${ctx.store.resourceVersion})`));
        return;
      }
      throw e;
    }
    if (stopped) storeWatch.stop();
  };

  if (q.allowWatchBookmarks === 'true') timers.push(ctx.clock.setInterval(() => bookmark(), ctx.bookmarkIntervalMs));
  const timeout = q.timeoutSeconds ? Number(q.timeoutSeconds) : 0;
  if (timeout > 0) timers.push(ctx.clock.setTimeout(() => close(), timeout * 1000));
  start().catch((e) => close(e));
  return { stop };
}

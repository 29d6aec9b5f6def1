// client-go for the lab: the only way components talk to the apiserver (DESIGN.md rule 1).
export { KubeClient, ResourceClient } from './client';
export type { DeleteOptions, ListOptions, PatchOptions, Preconditions, WatchHandler, WatchOptions, WriteOptions } from './client';
export * from './gvr';
export type { KnownResource } from './gvr';
export { retryOnConflict, retryOnError, DEFAULT_RETRY } from './retry';
export type { Backoff } from './retry';
export { SharedInformer } from './informer';
export type { HandlerRegistration, InformerLogger, InformerOptions, ResourceEventHandler } from './informer';
export { SharedInformerFactory } from './informer-factory';
export type { InformerFactoryOptions, InformerRequest } from './informer-factory';
export {
  Indexer, NAMESPACE_INDEX, NODE_NAME_INDEX, OWNER_UID_INDEX, indexByNamespace, indexByNodeName, indexByOwnerUid,
  metaNamespaceKey, splitMetaNamespaceKey,
} from './indexer';
export type { IndexFunc, Indexers } from './indexer';
export { Lister } from './lister';
export { toPredicate } from './selector';
export type { ObjectPredicate, ObjectSelector } from './selector';
export { cloneObject, compareResourceVersions, deepFreeze } from './cache-object';
export { WorkQueue, runWorkers } from './workqueue';
export type { WorkQueueOptions, Workers, WorkerLogger } from './workqueue';
export { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter } from './rate-limiter';
export type { RateLimiter } from './rate-limiter';
export { EventRecorder, formatMessage } from './events';
export type { CoreEvent, EventRecorderOptions, EventType, ObjectReference } from './events';
export { EventCorrelator } from './event-correlator';
export { FakeClock, RealClock } from './clock';
export type { Clock, TimerHandle } from './clock';

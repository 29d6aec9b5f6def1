// The garbage collector controller: cascading deletion through metadata.ownerReferences.
export { GarbageCollector, GARBAGE_COLLECTOR_COMPONENT } from './garbage-collector';
export type { GarbageCollectorOptions } from './garbage-collector';
export { DependencyGraph, FOREGROUND_FINALIZER, ORPHAN_FINALIZER, UID_INDEX, indexByUid } from './graph';
export type { DeletableResource, MonitoredResource } from './graph';

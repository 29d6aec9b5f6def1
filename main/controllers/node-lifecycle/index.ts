export { KUBERNETES_NODE_LIFECYCLE_TIMING, NODE_LEASE_NAMESPACE, NodeLifecycleController, type NodeLifecycleOptions } from './controller';
export * from './node-state';
export { DISRUPTION_TARGET_BY_TAINT_MANAGER, effectiveNoExecuteTaints, evictionDecision, noExecuteTaints, TaintEvictionController, type EvictionDecision } from './taint-eviction';

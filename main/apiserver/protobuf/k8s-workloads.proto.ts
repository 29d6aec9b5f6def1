// Protobuf schema (proto2) for apps/v1, batch/v1, policy/v1, autoscaling/v1 Scale and HPA, v2 HPA, coordination/v1, discovery/v1.
// Field names and numbers are those of the Kubernetes 1.32 generated.proto files (what kubectl 1.32 encodes);
// the names are the JSON field names, so decoded messages map onto Kubernetes JSON one to one.
export const WORKLOADS_PROTO: readonly string[] = [
  `syntax = "proto2";
package k8s.io.api.apps.v1;
message DaemonSet {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional DaemonSetSpec spec = 2;
  optional DaemonSetStatus status = 3;
}
message DaemonSetCondition {
  optional string type = 1; optional string status = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 3; optional string reason = 4;
  optional string message = 5;
}
message DaemonSetSpec {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 1;
  optional k8s.io.api.core.v1.PodTemplateSpec template = 2; optional DaemonSetUpdateStrategy updateStrategy = 3;
  optional int32 minReadySeconds = 4; optional int32 revisionHistoryLimit = 6;
}
message DaemonSetStatus {
  optional int32 currentNumberScheduled = 1; optional int32 numberMisscheduled = 2;
  optional int32 desiredNumberScheduled = 3; optional int32 numberReady = 4; optional int64 observedGeneration = 5;
  optional int32 updatedNumberScheduled = 6; optional int32 numberAvailable = 7; optional int32 numberUnavailable = 8;
  optional int32 collisionCount = 9; repeated DaemonSetCondition conditions = 10;
}
message DaemonSetUpdateStrategy {
  optional string type = 1; optional RollingUpdateDaemonSet rollingUpdate = 2;
}
message Deployment {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional DeploymentSpec spec = 2;
  optional DeploymentStatus status = 3;
}
message DeploymentCondition {
  optional string type = 1; optional string status = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastUpdateTime = 6;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 7; optional string reason = 4;
  optional string message = 5;
}
message DeploymentSpec {
  optional int32 replicas = 1; optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 2;
  optional k8s.io.api.core.v1.PodTemplateSpec template = 3; optional DeploymentStrategy strategy = 4;
  optional int32 minReadySeconds = 5; optional int32 revisionHistoryLimit = 6; optional bool paused = 7;
  optional int32 progressDeadlineSeconds = 9;
}
message DeploymentStatus {
  optional int64 observedGeneration = 1; optional int32 replicas = 2; optional int32 updatedReplicas = 3;
  optional int32 readyReplicas = 7; optional int32 availableReplicas = 4; optional int32 unavailableReplicas = 5;
  repeated DeploymentCondition conditions = 6; optional int32 collisionCount = 8;
}
message DeploymentStrategy {
  optional string type = 1; optional RollingUpdateDeployment rollingUpdate = 2;
}
message ReplicaSet {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional ReplicaSetSpec spec = 2;
  optional ReplicaSetStatus status = 3;
}
message ReplicaSetCondition {
  optional string type = 1; optional string status = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 3; optional string reason = 4;
  optional string message = 5;
}
message ReplicaSetSpec {
  optional int32 replicas = 1; optional int32 minReadySeconds = 4;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 2;
  optional k8s.io.api.core.v1.PodTemplateSpec template = 3;
}
message ReplicaSetStatus {
  optional int32 replicas = 1; optional int32 fullyLabeledReplicas = 2; optional int32 readyReplicas = 4;
  optional int32 availableReplicas = 5; optional int64 observedGeneration = 3;
  repeated ReplicaSetCondition conditions = 6;
}
message RollingUpdateDaemonSet {
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString maxUnavailable = 1;
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString maxSurge = 2;
}
message RollingUpdateDeployment {
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString maxUnavailable = 1;
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString maxSurge = 2;
}
message RollingUpdateStatefulSetStrategy {
  optional int32 partition = 1; optional k8s.io.apimachinery.pkg.util.intstr.IntOrString maxUnavailable = 2;
}
message StatefulSet {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional StatefulSetSpec spec = 2;
  optional StatefulSetStatus status = 3;
}
message StatefulSetCondition {
  optional string type = 1; optional string status = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 3; optional string reason = 4;
  optional string message = 5;
}
message StatefulSetOrdinals {
  optional int32 start = 1;
}
message StatefulSetPersistentVolumeClaimRetentionPolicy {
  optional string whenDeleted = 1; optional string whenScaled = 2;
}
message StatefulSetSpec {
  optional int32 replicas = 1; optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 2;
  optional k8s.io.api.core.v1.PodTemplateSpec template = 3;
  repeated k8s.io.api.core.v1.PersistentVolumeClaim volumeClaimTemplates = 4; optional string serviceName = 5;
  optional string podManagementPolicy = 6; optional StatefulSetUpdateStrategy updateStrategy = 7;
  optional int32 revisionHistoryLimit = 8; optional int32 minReadySeconds = 9;
  optional StatefulSetPersistentVolumeClaimRetentionPolicy persistentVolumeClaimRetentionPolicy = 10;
  optional StatefulSetOrdinals ordinals = 11;
}
message StatefulSetStatus {
  optional int64 observedGeneration = 1; optional int32 replicas = 2; optional int32 readyReplicas = 3;
  optional int32 currentReplicas = 4; optional int32 updatedReplicas = 5; optional string currentRevision = 6;
  optional string updateRevision = 7; optional int32 collisionCount = 9; repeated StatefulSetCondition conditions = 10;
  optional int32 availableReplicas = 11;
}
message StatefulSetUpdateStrategy {
  optional string type = 1; optional RollingUpdateStatefulSetStrategy rollingUpdate = 2;
}
`,
  `syntax = "proto2";
package k8s.io.api.autoscaling.v1;
message Scale {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional ScaleSpec spec = 2;
  optional ScaleStatus status = 3;
}
message ScaleSpec {
  optional int32 replicas = 1;
}
message ScaleStatus {
  optional int32 replicas = 1; optional string selector = 2;
}
message CrossVersionObjectReference {
  optional string kind = 1; optional string name = 2; optional string apiVersion = 3;
}
message HorizontalPodAutoscaler {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional HorizontalPodAutoscalerSpec spec = 2;
  optional HorizontalPodAutoscalerStatus status = 3;
}
message HorizontalPodAutoscalerSpec {
  optional CrossVersionObjectReference scaleTargetRef = 1; optional int32 minReplicas = 2;
  optional int32 maxReplicas = 3; optional int32 targetCPUUtilizationPercentage = 4;
}
message HorizontalPodAutoscalerStatus {
  optional int64 observedGeneration = 1; optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastScaleTime = 2;
  optional int32 currentReplicas = 3; optional int32 desiredReplicas = 4; optional int32 currentCPUUtilizationPercentage = 5;
}
`,
  `syntax = "proto2";
package k8s.io.api.autoscaling.v2;
message ContainerResourceMetricSource {
  optional string name = 1; optional MetricTarget target = 2; optional string container = 3;
}
message ContainerResourceMetricStatus {
  optional string name = 1; optional MetricValueStatus current = 2; optional string container = 3;
}
message CrossVersionObjectReference {
  optional string kind = 1; optional string name = 2; optional string apiVersion = 3;
}
message ExternalMetricSource {
  optional MetricIdentifier metric = 1; optional MetricTarget target = 2;
}
message ExternalMetricStatus {
  optional MetricIdentifier metric = 1; optional MetricValueStatus current = 2;
}
message HPAScalingPolicy {
  optional string type = 1; optional int32 value = 2; optional int32 periodSeconds = 3;
}
message HPAScalingRules {
  optional int32 stabilizationWindowSeconds = 3; optional string selectPolicy = 1;
  repeated HPAScalingPolicy policies = 2;
}
message HorizontalPodAutoscaler {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional HorizontalPodAutoscalerSpec spec = 2;
  optional HorizontalPodAutoscalerStatus status = 3;
}
message HorizontalPodAutoscalerBehavior {
  optional HPAScalingRules scaleUp = 1; optional HPAScalingRules scaleDown = 2;
}
message HorizontalPodAutoscalerCondition {
  optional string type = 1; optional string status = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 3; optional string reason = 4;
  optional string message = 5;
}
message HorizontalPodAutoscalerSpec {
  optional CrossVersionObjectReference scaleTargetRef = 1; optional int32 minReplicas = 2;
  optional int32 maxReplicas = 3; repeated MetricSpec metrics = 4;
  optional HorizontalPodAutoscalerBehavior behavior = 5;
}
message HorizontalPodAutoscalerStatus {
  optional int64 observedGeneration = 1; optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastScaleTime = 2;
  optional int32 currentReplicas = 3; optional int32 desiredReplicas = 4; repeated MetricStatus currentMetrics = 5;
  repeated HorizontalPodAutoscalerCondition conditions = 6;
}
message MetricIdentifier {
  optional string name = 1; optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 2;
}
message MetricSpec {
  optional string type = 1; optional ObjectMetricSource object = 2; optional PodsMetricSource pods = 3;
  optional ResourceMetricSource resource = 4; optional ContainerResourceMetricSource containerResource = 7;
  optional ExternalMetricSource external = 5;
}
message MetricStatus {
  optional string type = 1; optional ObjectMetricStatus object = 2; optional PodsMetricStatus pods = 3;
  optional ResourceMetricStatus resource = 4; optional ContainerResourceMetricStatus containerResource = 7;
  optional ExternalMetricStatus external = 5;
}
message MetricTarget {
  optional string type = 1; optional k8s.io.apimachinery.pkg.api.resource.Quantity value = 2;
  optional k8s.io.apimachinery.pkg.api.resource.Quantity averageValue = 3; optional int32 averageUtilization = 4;
}
message MetricValueStatus {
  optional k8s.io.apimachinery.pkg.api.resource.Quantity value = 1;
  optional k8s.io.apimachinery.pkg.api.resource.Quantity averageValue = 2; optional int32 averageUtilization = 3;
}
message ObjectMetricSource {
  optional CrossVersionObjectReference describedObject = 1; optional MetricTarget target = 2;
  optional MetricIdentifier metric = 3;
}
message ObjectMetricStatus {
  optional MetricIdentifier metric = 1; optional MetricValueStatus current = 2;
  optional CrossVersionObjectReference describedObject = 3;
}
message PodsMetricSource {
  optional MetricIdentifier metric = 1; optional MetricTarget target = 2;
}
message PodsMetricStatus {
  optional MetricIdentifier metric = 1; optional MetricValueStatus current = 2;
}
message ResourceMetricSource {
  optional string name = 1; optional MetricTarget target = 2;
}
message ResourceMetricStatus {
  optional string name = 1; optional MetricValueStatus current = 2;
}
`,
  `syntax = "proto2";
package k8s.io.api.batch.v1;
message CronJob {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional CronJobSpec spec = 2;
  optional CronJobStatus status = 3;
}
message CronJobSpec {
  optional string schedule = 1; optional string timeZone = 8; optional int64 startingDeadlineSeconds = 2;
  optional string concurrencyPolicy = 3; optional bool suspend = 4; optional JobTemplateSpec jobTemplate = 5;
  optional int32 successfulJobsHistoryLimit = 6; optional int32 failedJobsHistoryLimit = 7;
}
message CronJobStatus {
  repeated k8s.io.api.core.v1.ObjectReference active = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastScheduleTime = 4;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastSuccessfulTime = 5;
}
message Job {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional JobSpec spec = 2;
  optional JobStatus status = 3;
}
message JobCondition {
  optional string type = 1; optional string status = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastProbeTime = 3;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4; optional string reason = 5;
  optional string message = 6;
}
message JobSpec {
  optional int32 parallelism = 1; optional int32 completions = 2; optional int64 activeDeadlineSeconds = 3;
  optional PodFailurePolicy podFailurePolicy = 11; optional SuccessPolicy successPolicy = 16;
  optional int32 backoffLimit = 7; optional int32 backoffLimitPerIndex = 12; optional int32 maxFailedIndexes = 13;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 4; optional bool manualSelector = 5;
  optional k8s.io.api.core.v1.PodTemplateSpec template = 6; optional int32 ttlSecondsAfterFinished = 8;
  optional string completionMode = 9; optional bool suspend = 10; optional string podReplacementPolicy = 14;
  optional string managedBy = 15;
}
message JobStatus {
  repeated JobCondition conditions = 1; optional k8s.io.apimachinery.pkg.apis.meta.v1.Time startTime = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time completionTime = 3; optional int32 active = 4;
  optional int32 succeeded = 5; optional int32 failed = 6; optional int32 terminating = 11;
  optional string completedIndexes = 7; optional string failedIndexes = 10;
  optional UncountedTerminatedPods uncountedTerminatedPods = 8; optional int32 ready = 9;
}
message JobTemplateSpec {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional JobSpec spec = 2;
}
message PodFailurePolicy {
  repeated PodFailurePolicyRule rules = 1;
}
message PodFailurePolicyOnExitCodesRequirement {
  optional string containerName = 1; optional string operator = 2; repeated int32 values = 3;
}
message PodFailurePolicyOnPodConditionsPattern {
  optional string type = 1; optional string status = 2;
}
message PodFailurePolicyRule {
  optional string action = 1; optional PodFailurePolicyOnExitCodesRequirement onExitCodes = 2;
  repeated PodFailurePolicyOnPodConditionsPattern onPodConditions = 3;
}
message SuccessPolicy {
  repeated SuccessPolicyRule rules = 1;
}
message SuccessPolicyRule {
  optional string succeededIndexes = 1; optional int32 succeededCount = 2;
}
message UncountedTerminatedPods {
  repeated string succeeded = 1; repeated string failed = 2;
}
`,
  `syntax = "proto2";
package k8s.io.api.coordination.v1;
message Lease {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional LeaseSpec spec = 2;
}
message LeaseSpec {
  optional string holderIdentity = 1; optional int32 leaseDurationSeconds = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime acquireTime = 3;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime renewTime = 4; optional int32 leaseTransitions = 5;
  optional string strategy = 6; optional string preferredHolder = 7;
}
`,
  `syntax = "proto2";
package k8s.io.api.discovery.v1;
message Endpoint {
  repeated string addresses = 1; optional EndpointConditions conditions = 2; optional string hostname = 3;
  optional k8s.io.api.core.v1.ObjectReference targetRef = 4; map<string, string> deprecatedTopology = 5;
  optional string nodeName = 6; optional string zone = 7; optional EndpointHints hints = 8;
}
message EndpointConditions {
  optional bool ready = 1; optional bool serving = 2; optional bool terminating = 3;
}
message EndpointHints {
  repeated ForZone forZones = 1;
}
message EndpointPort {
  optional string name = 1; optional string protocol = 2; optional int32 port = 3; optional string appProtocol = 4;
}
message EndpointSlice {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional string addressType = 4;
  repeated Endpoint endpoints = 2; repeated EndpointPort ports = 3;
}
message ForZone {
  optional string name = 1;
}
`,
  `syntax = "proto2";
package k8s.io.api.policy.v1;
message Eviction {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions deleteOptions = 2;
}
message PodDisruptionBudget {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional PodDisruptionBudgetSpec spec = 2;
  optional PodDisruptionBudgetStatus status = 3;
}
message PodDisruptionBudgetSpec {
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString minAvailable = 1;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector selector = 2;
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString maxUnavailable = 3;
  optional string unhealthyPodEvictionPolicy = 4;
}
message PodDisruptionBudgetStatus {
  optional int64 observedGeneration = 1; map<string, k8s.io.apimachinery.pkg.apis.meta.v1.Time> disruptedPods = 2;
  optional int32 disruptionsAllowed = 3; optional int32 currentHealthy = 4; optional int32 desiredHealthy = 5;
  optional int32 expectedPods = 6; repeated k8s.io.apimachinery.pkg.apis.meta.v1.Condition conditions = 7;
}
`,
];

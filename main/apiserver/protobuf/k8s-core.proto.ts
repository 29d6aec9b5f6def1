// Protobuf schema (proto2) for core/v1 kinds other than Pod (Namespace, ConfigMap, Secret, Service, quota, PV/PVC, Node, Event, ...).
// Field names and numbers are those of the Kubernetes 1.32 generated.proto files (what kubectl 1.32 encodes);
// the names are the JSON field names, so decoded messages map onto Kubernetes JSON one to one.
export const CORE_PROTO: readonly string[] = [
  `syntax = "proto2";
package k8s.io.api.core.v1;
message AttachedVolume {
  optional string name = 1; optional string devicePath = 2;
}
message AzureFilePersistentVolumeSource {
  optional string secretName = 1; optional string shareName = 2; optional bool readOnly = 3;
  optional string secretNamespace = 4;
}
message Binding {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional ObjectReference target = 2;
}
message CSIPersistentVolumeSource {
  optional string driver = 1; optional string volumeHandle = 2; optional bool readOnly = 3; optional string fsType = 4;
  map<string, string> volumeAttributes = 5; optional SecretReference controllerPublishSecretRef = 6;
  optional SecretReference nodeStageSecretRef = 7; optional SecretReference nodePublishSecretRef = 8;
  optional SecretReference controllerExpandSecretRef = 9; optional SecretReference nodeExpandSecretRef = 10;
}
message CephFSPersistentVolumeSource {
  repeated string monitors = 1; optional string path = 2; optional string user = 3; optional string secretFile = 4;
  optional SecretReference secretRef = 5; optional bool readOnly = 6;
}
message CinderPersistentVolumeSource {
  optional string volumeID = 1; optional string fsType = 2; optional bool readOnly = 3;
  optional SecretReference secretRef = 4;
}
message ClientIPConfig {
  optional int32 timeoutSeconds = 1;
}
message ConfigMap {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional bool immutable = 4;
  map<string, string> data = 2; map<string, bytes> binaryData = 3;
}
message ConfigMapNodeConfigSource {
  optional string namespace = 1; optional string name = 2; optional string uid = 3;
  optional string resourceVersion = 4; optional string kubeletConfigKey = 5;
}
message ContainerImage {
  repeated string names = 1; optional int64 sizeBytes = 2;
}
message DaemonEndpoint {
  optional int32 Port = 1;
}
message EndpointAddress {
  optional string ip = 1; optional string hostname = 3; optional string nodeName = 4;
  optional ObjectReference targetRef = 2;
}
message EndpointPort {
  optional string name = 1; optional int32 port = 2; optional string protocol = 3; optional string appProtocol = 4;
}
message EndpointSubset {
  repeated EndpointAddress addresses = 1; repeated EndpointAddress notReadyAddresses = 2;
  repeated EndpointPort ports = 3;
}
message Endpoints {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; repeated EndpointSubset subsets = 2;
}
message Event {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional ObjectReference involvedObject = 2;
  optional string reason = 3; optional string message = 4; optional EventSource source = 5;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time firstTimestamp = 6;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTimestamp = 7; optional int32 count = 8;
  optional string type = 9; optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime eventTime = 10;
  optional EventSeries series = 11; optional string action = 12; optional ObjectReference related = 13;
  optional string reportingComponent = 14; optional string reportingInstance = 15;
}
message EventSeries {
  optional int32 count = 1; optional k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime lastObservedTime = 2;
}
message EventSource {
  optional string component = 1; optional string host = 2;
}
message FlexPersistentVolumeSource {
  optional string driver = 1; optional string fsType = 2; optional SecretReference secretRef = 3;
  optional bool readOnly = 4; map<string, string> options = 5;
}
message GlusterfsPersistentVolumeSource {
  optional string endpoints = 1; optional string path = 2; optional bool readOnly = 3;
  optional string endpointsNamespace = 4;
}
message ISCSIPersistentVolumeSource {
  optional string targetPortal = 1; optional string iqn = 2; optional int32 lun = 3;
  optional string iscsiInterface = 4; optional string fsType = 5; optional bool readOnly = 6;
  repeated string portals = 7; optional bool chapAuthDiscovery = 8; optional bool chapAuthSession = 11;
  optional SecretReference secretRef = 10; optional string initiatorName = 12;
}
message LimitRange {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional LimitRangeSpec spec = 2;
}
message LimitRangeItem {
  optional string type = 1; map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> max = 2;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> min = 3;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> default = 4;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> defaultRequest = 5;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> maxLimitRequestRatio = 6;
}
message LimitRangeSpec {
  repeated LimitRangeItem limits = 1;
}
message LoadBalancerIngress {
  optional string ip = 1; optional string hostname = 2; optional string ipMode = 3; repeated PortStatus ports = 4;
}
message LoadBalancerStatus {
  repeated LoadBalancerIngress ingress = 1;
}
message LocalVolumeSource {
  optional string path = 1; optional string fsType = 2;
}
message ModifyVolumeStatus {
  optional string targetVolumeAttributesClassName = 1; optional string status = 2;
}
message Namespace {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional NamespaceSpec spec = 2;
  optional NamespaceStatus status = 3;
}
message NamespaceCondition {
  optional string type = 1; optional string status = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4; optional string reason = 5;
  optional string message = 6;
}
message NamespaceSpec {
  repeated string finalizers = 1;
}
message NamespaceStatus {
  optional string phase = 1; repeated NamespaceCondition conditions = 2;
}
message Node {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional NodeSpec spec = 2;
  optional NodeStatus status = 3;
}
message NodeAddress {
  optional string type = 1; optional string address = 2;
}
message NodeCondition {
  optional string type = 1; optional string status = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastHeartbeatTime = 3;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4; optional string reason = 5;
  optional string message = 6;
}
message NodeConfigSource {
  optional ConfigMapNodeConfigSource configMap = 2;
}
message NodeConfigStatus {
  optional NodeConfigSource assigned = 1; optional NodeConfigSource active = 2;
  optional NodeConfigSource lastKnownGood = 3; optional string error = 4;
}
message NodeDaemonEndpoints {
  optional DaemonEndpoint kubeletEndpoint = 1;
}
message NodeFeatures {
  optional bool supplementalGroupsPolicy = 1;
}
message NodeRuntimeHandler {
  optional string name = 1; optional NodeRuntimeHandlerFeatures features = 2;
}
message NodeRuntimeHandlerFeatures {
  optional bool recursiveReadOnlyMounts = 1; optional bool userNamespaces = 2;
}
message NodeSpec {
  optional string podCIDR = 1; repeated string podCIDRs = 7; optional string providerID = 3;
  optional bool unschedulable = 4; repeated Taint taints = 5; optional NodeConfigSource configSource = 6;
  optional string externalID = 2;
}
message NodeStatus {
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> capacity = 1;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> allocatable = 2; optional string phase = 3;
  repeated NodeCondition conditions = 4; repeated NodeAddress addresses = 5;
  optional NodeDaemonEndpoints daemonEndpoints = 6; optional NodeSystemInfo nodeInfo = 7;
  repeated ContainerImage images = 8; repeated string volumesInUse = 9; repeated AttachedVolume volumesAttached = 10;
  optional NodeConfigStatus config = 11; repeated NodeRuntimeHandler runtimeHandlers = 12;
  optional NodeFeatures features = 13;
}
message NodeSystemInfo {
  optional string machineID = 1; optional string systemUUID = 2; optional string bootID = 3;
  optional string kernelVersion = 4; optional string osImage = 5; optional string containerRuntimeVersion = 6;
  optional string kubeletVersion = 7; optional string kubeProxyVersion = 8; optional string operatingSystem = 9;
  optional string architecture = 10;
}
message ObjectReference {
  optional string kind = 1; optional string namespace = 2; optional string name = 3; optional string uid = 4;
  optional string apiVersion = 5; optional string resourceVersion = 6; optional string fieldPath = 7;
}
message PersistentVolume {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional PersistentVolumeSpec spec = 2;
  optional PersistentVolumeStatus status = 3;
}
message PersistentVolumeClaim {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional PersistentVolumeClaimSpec spec = 2;
  optional PersistentVolumeClaimStatus status = 3;
}
message PersistentVolumeClaimCondition {
  optional string type = 1; optional string status = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastProbeTime = 3;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 4; optional string reason = 5;
  optional string message = 6;
}
message PersistentVolumeClaimStatus {
  optional string phase = 1; repeated string accessModes = 2;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> capacity = 3;
  repeated PersistentVolumeClaimCondition conditions = 4;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> allocatedResources = 5;
  map<string, string> allocatedResourceStatuses = 7; optional string currentVolumeAttributesClassName = 8;
  optional ModifyVolumeStatus modifyVolumeStatus = 9;
}
message PersistentVolumeSource {
  optional GCEPersistentDiskVolumeSource gcePersistentDisk = 1;
  optional AWSElasticBlockStoreVolumeSource awsElasticBlockStore = 2; optional HostPathVolumeSource hostPath = 3;
  optional GlusterfsPersistentVolumeSource glusterfs = 4; optional NFSVolumeSource nfs = 5;
  optional RBDPersistentVolumeSource rbd = 6; optional ISCSIPersistentVolumeSource iscsi = 7;
  optional CinderPersistentVolumeSource cinder = 8; optional CephFSPersistentVolumeSource cephfs = 9;
  optional FCVolumeSource fc = 10; optional FlockerVolumeSource flocker = 11;
  optional FlexPersistentVolumeSource flexVolume = 12; optional AzureFilePersistentVolumeSource azureFile = 13;
  optional VsphereVirtualDiskVolumeSource vsphereVolume = 14; optional QuobyteVolumeSource quobyte = 15;
  optional AzureDiskVolumeSource azureDisk = 16; optional PhotonPersistentDiskVolumeSource photonPersistentDisk = 17;
  optional PortworxVolumeSource portworxVolume = 18; optional ScaleIOPersistentVolumeSource scaleIO = 19;
  optional LocalVolumeSource local = 20; optional StorageOSPersistentVolumeSource storageos = 21;
  optional CSIPersistentVolumeSource csi = 22;
}
message PersistentVolumeSpec {
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> capacity = 1;
  optional PersistentVolumeSource persistentVolumeSource = 2; repeated string accessModes = 3;
  optional ObjectReference claimRef = 4; optional string persistentVolumeReclaimPolicy = 5;
  optional string storageClassName = 6; repeated string mountOptions = 7; optional string volumeMode = 8;
  optional VolumeNodeAffinity nodeAffinity = 9; optional string volumeAttributesClassName = 10;
}
message PersistentVolumeStatus {
  optional string phase = 1; optional string message = 2; optional string reason = 3;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastPhaseTransitionTime = 4;
}
message PodTemplateSpec {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional PodSpec spec = 2;
}
message PortStatus {
  optional int32 port = 1; optional string protocol = 2; optional string error = 3;
}
message RBDPersistentVolumeSource {
  repeated string monitors = 1; optional string image = 2; optional string fsType = 3; optional string pool = 4;
  optional string user = 5; optional string keyring = 6; optional SecretReference secretRef = 7;
  optional bool readOnly = 8;
}
message ReplicationController {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional ReplicationControllerSpec spec = 2;
  optional ReplicationControllerStatus status = 3;
}
message ReplicationControllerCondition {
  optional string type = 1; optional string status = 2;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time lastTransitionTime = 3; optional string reason = 4;
  optional string message = 5;
}
message ReplicationControllerSpec {
  optional int32 replicas = 1; optional int32 minReadySeconds = 4; map<string, string> selector = 2;
  optional PodTemplateSpec template = 3;
}
message ReplicationControllerStatus {
  optional int32 replicas = 1; optional int32 fullyLabeledReplicas = 2; optional int32 readyReplicas = 4;
  optional int32 availableReplicas = 5; optional int64 observedGeneration = 3;
  repeated ReplicationControllerCondition conditions = 6;
}
message ResourceQuota {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional ResourceQuotaSpec spec = 2;
  optional ResourceQuotaStatus status = 3;
}
message ResourceQuotaSpec {
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> hard = 1; repeated string scopes = 2;
  optional ScopeSelector scopeSelector = 3;
}
message ResourceQuotaStatus {
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> hard = 1;
  map<string, k8s.io.apimachinery.pkg.api.resource.Quantity> used = 2;
}
message ScaleIOPersistentVolumeSource {
  optional string gateway = 1; optional string system = 2; optional SecretReference secretRef = 3;
  optional bool sslEnabled = 4; optional string protectionDomain = 5; optional string storagePool = 6;
  optional string storageMode = 7; optional string volumeName = 8; optional string fsType = 9;
  optional bool readOnly = 10;
}
message ScopeSelector {
  repeated ScopedResourceSelectorRequirement matchExpressions = 1;
}
message ScopedResourceSelectorRequirement {
  optional string scopeName = 1; optional string operator = 2; repeated string values = 3;
}
message Secret {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional bool immutable = 5;
  map<string, bytes> data = 2; map<string, string> stringData = 4; optional string type = 3;
}
message SecretReference {
  optional string name = 1; optional string namespace = 2;
}
message Service {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; optional ServiceSpec spec = 2;
  optional ServiceStatus status = 3;
}
message ServiceAccount {
  optional k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1; repeated ObjectReference secrets = 2;
  repeated LocalObjectReference imagePullSecrets = 3; optional bool automountServiceAccountToken = 4;
}
message ServicePort {
  optional string name = 1; optional string protocol = 2; optional string appProtocol = 6; optional int32 port = 3;
  optional k8s.io.apimachinery.pkg.util.intstr.IntOrString targetPort = 4; optional int32 nodePort = 5;
}
message ServiceSpec {
  repeated ServicePort ports = 1; map<string, string> selector = 2; optional string clusterIP = 3;
  repeated string clusterIPs = 18; optional string type = 4; repeated string externalIPs = 5;
  optional string sessionAffinity = 7; optional string loadBalancerIP = 8;
  repeated string loadBalancerSourceRanges = 9; optional string externalName = 10;
  optional string externalTrafficPolicy = 11; optional int32 healthCheckNodePort = 12;
  optional bool publishNotReadyAddresses = 13; optional SessionAffinityConfig sessionAffinityConfig = 14;
  repeated string ipFamilies = 19; optional string ipFamilyPolicy = 17;
  optional bool allocateLoadBalancerNodePorts = 20; optional string loadBalancerClass = 21;
  optional string internalTrafficPolicy = 22; optional string trafficDistribution = 23;
}
message ServiceStatus {
  optional LoadBalancerStatus loadBalancer = 1; repeated k8s.io.apimachinery.pkg.apis.meta.v1.Condition conditions = 2;
}
message SessionAffinityConfig {
  optional ClientIPConfig clientIP = 1;
}
message StorageOSPersistentVolumeSource {
  optional string volumeName = 1; optional string volumeNamespace = 2; optional string fsType = 3;
  optional bool readOnly = 4; optional ObjectReference secretRef = 5;
}
message Taint {
  optional string key = 1; optional string value = 2; optional string effect = 3;
  optional k8s.io.apimachinery.pkg.apis.meta.v1.Time timeAdded = 4;
}
message VolumeNodeAffinity {
  optional NodeSelector required = 1;
}
`,
];

// Where the JSON form of a message differs from its protobuf fields, beyond the well-known types.
// gogo protobuf writes every non-pointer field, zero or not, while Go's encoding/json leaves out zero
// non-pointer fields tagged omitempty and writes null for unset non-omitempty pointers and slices.
// Pointer fields are on the wire only when set, so their zeros (replicas: 0, optional: false) are real.
import type * as protobuf from 'protobufjs';

/**
 * Non-pointer omitempty scalars whose zero is dropped, by message (full name minus the k8s.io prefix).
 * Measured: kubectl 1.32 (protobuf) against kubectl 1.31 (JSON) sending the same objects, including a
 * Pod and a Job whose every nested message was present (tests/fixtures/protobuf/README.md).
 */
const MEASURED_OMIT_ZERO: Record<string, string> = {
  'apis.meta.v1.ManagedFieldsEntry': 'manager operation apiVersion fieldsType subresource',
  'apis.meta.v1.ObjectMeta': 'generateName namespace selfLink uid resourceVersion generation name',
  'apps.v1.DeploymentSpec': 'minReadySeconds paused',
  'apps.v1.DeploymentStatus':
    'observedGeneration replicas updatedReplicas ' +
    'availableReplicas unavailableReplicas readyReplicas',
  'apps.v1.DeploymentStrategy': 'type',
  'batch.v1.CronJobSpec': 'concurrencyPolicy',
  'batch.v1.JobStatus': 'active succeeded failed completedIndexes',
  'core.v1.AWSElasticBlockStoreVolumeSource': 'fsType partition readOnly',
  'core.v1.AzureFileVolumeSource': 'readOnly',
  'core.v1.CephFSVolumeSource': 'path user secretFile readOnly',
  'core.v1.CinderVolumeSource': 'fsType readOnly',
  'core.v1.Container':
    'workingDir terminationMessagePath imagePullPolicy stdin ' +
    'stdinOnce tty terminationMessagePolicy image',
  'core.v1.ContainerPort': 'name hostPort protocol hostIP',
  'core.v1.EmptyDirVolumeSource': 'medium',
  'core.v1.EnvFromSource': 'prefix',
  'core.v1.EnvVar': 'value',
  'core.v1.EphemeralContainer': 'targetContainerName',
  'core.v1.EphemeralContainerCommon':
    'image workingDir terminationMessagePath imagePullPolicy ' +
    'stdin stdinOnce tty terminationMessagePolicy',
  'core.v1.FCVolumeSource': 'fsType readOnly',
  'core.v1.FlexVolumeSource': 'fsType readOnly',
  'core.v1.FlockerVolumeSource': 'datasetName datasetUUID',
  'core.v1.GCEPersistentDiskVolumeSource': 'fsType partition readOnly',
  'core.v1.GitRepoVolumeSource': 'revision directory',
  'core.v1.GlusterfsVolumeSource': 'readOnly',
  'core.v1.HTTPGetAction': 'path host scheme',
  'core.v1.ISCSIVolumeSource': 'iscsiInterface fsType readOnly chapAuthDiscovery chapAuthSession',
  'core.v1.ImageVolumeSource': 'reference pullPolicy',
  'core.v1.LocalObjectReference': 'name',
  'core.v1.NFSVolumeSource': 'readOnly',
  'core.v1.NamespaceStatus': 'phase',
  'core.v1.ObjectFieldSelector': 'apiVersion',
  'core.v1.PersistentVolumeClaimSpec': 'volumeName',
  'core.v1.PersistentVolumeClaimVolumeSource': 'readOnly',
  'core.v1.PhotonPersistentDiskVolumeSource': 'fsType',
  'core.v1.PodDNSConfigOption': 'name',
  'core.v1.PodSpec':
    'dnsPolicy serviceAccountName serviceAccount nodeName hostNetwork hostPID ' +
    'hostIPC hostname subdomain schedulerName priorityClassName restartPolicy',
  'core.v1.PodStatus': 'phase message reason hostIP podIP qosClass nominatedNodeName resize',
  'core.v1.PortworxVolumeSource': 'fsType readOnly',
  'core.v1.Probe': 'initialDelaySeconds timeoutSeconds periodSeconds successThreshold failureThreshold',
  'core.v1.QuobyteVolumeSource': 'readOnly user group tenant',
  'core.v1.RBDVolumeSource': 'fsType pool user keyring readOnly',
  'core.v1.ResourceClaim': 'request',
  'core.v1.ResourceFieldSelector': 'containerName',
  'core.v1.SELinuxOptions': 'user role type level',
  'core.v1.ScaleIOVolumeSource': 'sslEnabled protectionDomain storagePool storageMode volumeName fsType readOnly',
  'core.v1.SecretVolumeSource': 'secretName',
  'core.v1.ServiceAccountTokenProjection': 'audience',
  'core.v1.ServicePort': 'nodePort',
  'core.v1.ServiceSpec':
    'sessionAffinity loadBalancerIP externalName externalTrafficPolicy ' +
    'healthCheckNodePort publishNotReadyAddresses clusterIP',
  'core.v1.StorageOSVolumeSource': 'volumeName volumeNamespace fsType readOnly',
  'core.v1.TCPSocketAction': 'host',
  'core.v1.Toleration': 'key operator value effect',
  'core.v1.VolumeMount': 'readOnly subPath subPathExpr',
  'core.v1.VsphereVirtualDiskVolumeSource': 'fsType storagePolicyName storagePolicyID',
  'policy.v1.PodDisruptionBudgetStatus': 'observedGeneration',
};

/** The same, read from the Go types, for messages kubectl never sends (other kinds, statuses). */
const TYPED_OMIT_ZERO: Record<string, string> = {
  'apis.meta.v1.Condition': 'observedGeneration',
  'apis.meta.v1.ListMeta': 'selfLink resourceVersion continue',
  'apps.v1.DaemonSetCondition': 'reason message',
  'apps.v1.DaemonSetSpec': 'minReadySeconds',
  'apps.v1.DaemonSetStatus': 'observedGeneration updatedNumberScheduled numberAvailable numberUnavailable',
  'apps.v1.DaemonSetUpdateStrategy': 'type',
  'apps.v1.DeploymentCondition': 'reason message',
  'apps.v1.ReplicaSetCondition': 'reason message',
  'apps.v1.ReplicaSetSpec': 'minReadySeconds',
  'apps.v1.ReplicaSetStatus': 'fullyLabeledReplicas readyReplicas availableReplicas observedGeneration',
  'apps.v1.StatefulSetCondition': 'reason message',
  'apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy': 'whenDeleted whenScaled',
  'apps.v1.StatefulSetSpec': 'serviceName podManagementPolicy minReadySeconds',
  'apps.v1.StatefulSetStatus': 'observedGeneration readyReplicas currentReplicas updatedReplicas currentRevision updateRevision',
  'apps.v1.StatefulSetUpdateStrategy': 'type',
  'autoscaling.v1.ScaleSpec': 'replicas',
  'autoscaling.v1.ScaleStatus': 'selector',
  'autoscaling.v1.CrossVersionObjectReference': 'apiVersion',
  'autoscaling.v2.CrossVersionObjectReference': 'apiVersion',
  'autoscaling.v2.HorizontalPodAutoscalerCondition': 'reason message',
  'autoscaling.v2.HorizontalPodAutoscalerStatus': 'currentReplicas',
  'batch.v1.JobCondition': 'reason message',
  'core.v1.AzureFilePersistentVolumeSource': 'readOnly',
  'core.v1.CSIPersistentVolumeSource': 'readOnly fsType',
  'core.v1.CephFSPersistentVolumeSource': 'path user secretFile readOnly',
  'core.v1.CinderPersistentVolumeSource': 'fsType readOnly',
  'core.v1.ConfigMapNodeConfigSource': 'uid resourceVersion',
  'core.v1.ContainerImage': 'sizeBytes',
  'core.v1.ContainerStateTerminated': 'signal reason message containerID',
  'core.v1.ContainerStateWaiting': 'reason message',
  'core.v1.ContainerStatus': 'containerID',
  'core.v1.EndpointAddress': 'hostname',
  'core.v1.EndpointPort': 'name protocol',
  'core.v1.Event': 'reason message count type action',
  'core.v1.EventSeries': 'count',
  'core.v1.EventSource': 'component host',
  'core.v1.FlexPersistentVolumeSource': 'fsType readOnly',
  'core.v1.GlusterfsPersistentVolumeSource': 'readOnly',
  'core.v1.ISCSIPersistentVolumeSource': 'iscsiInterface fsType readOnly chapAuthDiscovery chapAuthSession',
  'core.v1.LoadBalancerIngress': 'ip hostname',
  'core.v1.NamespaceCondition': 'reason message',
  'core.v1.NodeCondition': 'reason message',
  'core.v1.NodeSpec': 'podCIDR providerID unschedulable externalID',
  'core.v1.NodeStatus': 'phase',
  'core.v1.ObjectReference': 'kind namespace name uid apiVersion resourceVersion fieldPath',
  'core.v1.PersistentVolumeClaimCondition': 'reason message',
  'core.v1.PersistentVolumeClaimStatus': 'phase',
  'core.v1.PersistentVolumeSpec': 'persistentVolumeReclaimPolicy storageClassName',
  'core.v1.PersistentVolumeStatus': 'phase message reason',
  'core.v1.PodCondition': 'reason message',
  'core.v1.RBDPersistentVolumeSource': 'fsType pool user keyring readOnly',
  'core.v1.ReplicationControllerCondition': 'reason message',
  'core.v1.ReplicationControllerSpec': 'minReadySeconds',
  'core.v1.ReplicationControllerStatus': 'fullyLabeledReplicas readyReplicas availableReplicas observedGeneration',
  'core.v1.ScaleIOPersistentVolumeSource': 'sslEnabled protectionDomain storagePool storageMode volumeName fsType readOnly',
  'core.v1.Secret': 'type',
  'core.v1.SecretReference': 'name namespace',
  'core.v1.StorageOSPersistentVolumeSource': 'volumeName volumeNamespace fsType readOnly',
  'core.v1.Taint': 'value',
  'core.v1.VolumeMountStatus': 'readOnly',
};

/** Unset fields that Go's JSON writes as null (non-omitempty pointers and slices); measured as above. */
const NULL_WHEN_ABSENT: Record<string, string> = {
  'batch.v1.PodFailurePolicyOnExitCodesRequirement': 'values',
  'core.v1.CephFSPersistentVolumeSource': 'monitors',
  'core.v1.CephFSVolumeSource': 'monitors',
  'core.v1.GRPCAction': 'service',
  'core.v1.RBDPersistentVolumeSource': 'monitors',
  'core.v1.RBDVolumeSource': 'monitors',
  'core.v1.TypedLocalObjectReference': 'apiGroup',
  'core.v1.TypedObjectReference': 'apiGroup',
};

/**
 * Go structs embedded with `json:",inline"`: protobuf has them as a field of their own, JSON lifts
 * their fields into the parent (a Volume's `configMap` sits next to its `name`).
 */
const INLINE: Record<string, string> = {
  'core.v1.ConfigMapEnvSource': 'localObjectReference',
  'core.v1.ConfigMapKeySelector': 'localObjectReference',
  'core.v1.ConfigMapProjection': 'localObjectReference',
  'core.v1.ConfigMapVolumeSource': 'localObjectReference',
  'core.v1.EphemeralContainer': 'ephemeralContainerCommon',
  'core.v1.PersistentVolumeSpec': 'persistentVolumeSource',
  'core.v1.Probe': 'handler',
  'core.v1.SecretEnvSource': 'localObjectReference',
  'core.v1.SecretKeySelector': 'localObjectReference',
  'core.v1.SecretProjection': 'localObjectReference',
  'core.v1.Volume': 'volumeSource',
};

function asSets(...tables: Record<string, string>[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const table of tables) {
    for (const [type, fields] of Object.entries(table)) {
      const set = out.get(type) ?? new Set<string>();
      for (const f of fields.split(' ')) set.add(f);
      out.set(type, set);
    }
  }
  return out;
}

const omitted = asSets(MEASURED_OMIT_ZERO, TYPED_OMIT_ZERO);
const nulled = asSets(NULL_WHEN_ABSENT);
const inlined = asSets(INLINE);

export function shortTypeName(type: protobuf.Type): string {
  return type.fullName.replace(/^\.k8s\.io\.(api\.|apimachinery\.pkg\.)/, '');
}

export function omitsZero(type: protobuf.Type, field: string): boolean {
  return omitted.get(shortTypeName(type))?.has(field) ?? false;
}

export function isInline(type: protobuf.Type, field: string): boolean {
  return inlined.get(shortTypeName(type))?.has(field) ?? false;
}

export function nullWhenAbsent(type: protobuf.Type): ReadonlySet<string> | undefined {
  return nulled.get(shortTypeName(type));
}

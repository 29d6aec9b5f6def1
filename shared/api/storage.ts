// core/v1 PersistentVolume and PersistentVolumeClaim.
import type { KubeObject } from './meta';
import type { ConditionStatus, LabelSelector, NodeSelectorTerm } from './pod';
import type { ObjectReference } from './service';

export type PersistentVolumeAccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';
export type PersistentVolumeMode = 'Block' | 'Filesystem';

export interface PersistentVolumeSpec {
  capacity?: Record<string, string>;
  hostPath?: { path: string; type?: string };
  local?: { path: string; fsType?: string };
  nfs?: { server: string; path: string; readOnly?: boolean };
  accessModes?: PersistentVolumeAccessMode[];
  claimRef?: ObjectReference;
  persistentVolumeReclaimPolicy?: 'Retain' | 'Delete' | 'Recycle';
  storageClassName?: string;
  mountOptions?: string[];
  volumeMode?: PersistentVolumeMode;
  nodeAffinity?: { required?: { nodeSelectorTerms: NodeSelectorTerm[] } };
  volumeAttributesClassName?: string;
}

export interface PersistentVolumeStatus {
  phase?: 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';
  message?: string;
  reason?: string;
  lastPhaseTransitionTime?: string;
}

export interface PersistentVolume extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'PersistentVolume';
  spec?: PersistentVolumeSpec;
  status?: PersistentVolumeStatus;
}

export interface PersistentVolumeClaimSpec {
  accessModes?: PersistentVolumeAccessMode[];
  selector?: LabelSelector;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  volumeName?: string;
  storageClassName?: string;
  volumeMode?: PersistentVolumeMode;
  dataSource?: { apiGroup?: string; kind: string; name: string };
  volumeAttributesClassName?: string;
}

export interface PersistentVolumeClaimStatus {
  phase?: 'Pending' | 'Bound' | 'Lost';
  accessModes?: PersistentVolumeAccessMode[];
  capacity?: Record<string, string>;
  conditions?: { type: string; status: ConditionStatus; lastProbeTime?: string; lastTransitionTime?: string; reason?: string; message?: string }[];
}

export interface PersistentVolumeClaim extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'PersistentVolumeClaim';

  spec?: PersistentVolumeClaimSpec;
  status?: PersistentVolumeClaimStatus;
}

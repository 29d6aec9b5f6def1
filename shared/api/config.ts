// core/v1 ConfigMap, Secret, ServiceAccount.
import type { KubeObject } from './meta';
import type { ObjectReference } from './service';

export interface ConfigMap extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'ConfigMap';
  immutable?: boolean;
  data?: Record<string, string>;
  /** Values are base64 in JSON. */
  binaryData?: Record<string, string>;
}

export type SecretType =
  | 'Opaque'
  | 'kubernetes.io/service-account-token'
  | 'kubernetes.io/dockercfg'
  | 'kubernetes.io/dockerconfigjson'
  | 'kubernetes.io/basic-auth'
  | 'kubernetes.io/ssh-auth'
  | 'kubernetes.io/tls'
  | 'bootstrap.kubernetes.io/token'
  | string;

export interface Secret extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'Secret';
  immutable?: boolean;
  /** Values are base64 in JSON. */
  data?: Record<string, string>;
  /** Write-only convenience: merged into data by the apiserver and never returned. */
  stringData?: Record<string, string>;
  type?: SecretType;
}

export interface ServiceAccount extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'ServiceAccount';
  secrets?: ObjectReference[];
  imagePullSecrets?: { name?: string }[];
  automountServiceAccountToken?: boolean;
}

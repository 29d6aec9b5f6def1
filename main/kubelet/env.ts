// Container environment exactly as the kubelet builds it (pkg/kubelet/kubelet_pods.go
// makeEnvironmentVariables): envFrom first, then env in order (each value expanded against what was
// defined before it), then service variables that nothing overrode. Missing required ConfigMaps,
// Secrets or keys fail the container with CreateContainerConfigError and Kubernetes' own words.
import { isNotFound } from '../../shared/api/errors';
import type { ConfigMap, Secret } from '../../shared/api/config';
import type { KubeObject } from '../../shared/api/meta';
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from '../../shared/api/pod';
import { milliValue, quantityValue } from '../../shared/api/quantity';
import { isEnvVarName } from '../../shared/api/validation';
import type { KubeClient } from '../client/client';
import { RuntimeLabels, type ContainerRuntime } from '../runtime/runtime';
import { KubeletError, type EnvResolver } from './types';

/** Where ConfigMaps, Secrets and the node's allocatable come from (the API by default; listers in the kubelet). */
export interface ConfigSource {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** Node allocatable (Kubernetes quantities), the default for resourceFieldRef limits a container does not set. */
  nodeAllocatable(nodeName: string): Promise<Record<string, string> | undefined>;
  /** The node's InternalIP (status.hostIP when the pod status does not carry it yet). */
  nodeInternalIP?(nodeName: string): Promise<string | undefined>;
}

export interface EnvEventSink {
  event(target: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface EnvResolverDeps {
  client?: KubeClient;
  /** Overrides the client-backed lookups (e.g. informer listers). */
  source?: ConfigSource;
  /** Receives InvalidEnvironmentVariableNames warnings (an EventRecorder fits). */
  recorder?: EnvEventSink;
  /**
   * Hook for the Services issue: `<SVC>_SERVICE_HOST/_PORT` (docker-links style) variables of the pod's
   * namespace when spec.enableServiceLinks is not false. Absent: no service variables.
   */
  serviceEnvironment?: (pod: Pod) => Promise<Record<string, string>>;
  /** Finds the sandbox's pod IP when neither the caller nor pod.status has it (first start). */
  runtime?: ContainerRuntime;
}

export function clientConfigSource(client: KubeClient): ConfigSource {
  const orUndefined = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  return {
    configMap: (ns, name) => orUndefined(client.configMaps<ConfigMap>().get(ns, name)),
    secret: (ns, name) => orUndefined(client.secrets<Secret>().get(ns, name)),
    nodeAllocatable: async (nodeName) => {
      const node = await orUndefined(client.nodes().get(undefined, nodeName));
      const status = node?.status as { allocatable?: Record<string, string>; capacity?: Record<string, string> } | undefined;
      return status?.allocatable ?? status?.capacity;
    },
    nodeInternalIP: async (nodeName) => {
      const node = await orUndefined(client.nodes().get(undefined, nodeName));
      const addresses = (node?.status as { addresses?: Array<{ type: string; address: string }> } | undefined)?.addresses ?? [];
      return addresses.find((a) => a.type === 'InternalIP')?.address;
    },
  };
}

// --- $(VAR) expansion: a faithful port of k8s.io/kubernetes/third_party/forked/golang/expansion ---

const syntaxWrap = (name: string): string => `$(${name})`;

/** Looks a name up in each context in turn; unresolved references stay as written, `$(NAME)`. */
export function mappingFuncFor(...contexts: Array<Map<string, string> | Record<string, string>>): (name: string) => string {
  return (name) => {
    for (const ctx of contexts) {
      if (ctx instanceof Map) {
        if (ctx.has(name)) return ctx.get(name)!;
      } else if (Object.prototype.hasOwnProperty.call(ctx, name)) return ctx[name];
    }
    return syntaxWrap(name);
  };
}

function tryReadVariableName(input: string): [string, boolean, number] {
  switch (input[0]) {
    case '$':
      return [input[0], false, 1]; // `$$` is an escaped `$`
    case '(':
      for (let i = 1; i < input.length; i++) if (input[i] === ')') return [input.slice(1, i), true, i + 1];
      return ['$(', false, 1]; // incomplete reference: kept literally
    default:
      return [`$${input[0]}`, false, 1];
  }
}

/** Expands `$(VAR)` references and `$$` escapes exactly like Kubernetes (env values, command, args). */
export function expandVars(input: string, mapping: ((name: string) => string) | Map<string, string> | Record<string, string>): string {
  const map = typeof mapping === 'function' ? mapping : mappingFuncFor(mapping);
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] === '$' && cursor + 1 < input.length) {
      out += input.slice(checkpoint, cursor);
      const [read, isVar, advance] = tryReadVariableName(input.slice(cursor + 1));
      out += isVar ? map(read) : read;
      cursor += advance;
      checkpoint = cursor + 1;
    }
  }
  return out + input.slice(checkpoint);
}

/** command/args with `$(VAR)` expanded against the container's resolved environment (ExpandContainerCommandAndArgs). */
export function expandCommandAndArgs(container: Container, env: Array<{ name: string; value: string }>): { command?: string[]; args?: string[] } {
  const mapping = mappingFuncFor(new Map(env.map((e) => [e.name, e.value])));
  return {
    command: container.command?.map((c) => expandVars(c, mapping)),
    args: container.args?.map((a) => expandVars(a, mapping)),
  };
}

// --- downward API values, shared with downwardAPI volumes ---

/** Go's fmt of a map for metadata.labels/annotations: sorted `k="v"` lines (fieldpath.FormatMap). */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

const SUBSCRIPTED = /^metadata\.(labels|annotations)\['(.*)'\]$/;

/** fieldRef value of a pod (kubelet podFieldSelectorRuntimeValue + fieldpath.ExtractFieldPathAsString). */
export function podFieldValue(pod: Pod, selector: ObjectFieldSelector): string {
  const path = selector.fieldPath;
  const status = pod.status ?? {};
  switch (path) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return status.hostIP ?? status.hostIPs?.[0]?.ip ?? '';
    case 'status.hostIPs':
      return (status.hostIPs?.map((i) => i.ip) ?? (status.hostIP ? [status.hostIP] : [])).join(',');
    case 'status.podIP':
      return status.podIP ?? status.podIPs?.[0]?.ip ?? '';
    case 'status.podIPs':
      return (status.podIPs?.map((i) => i.ip) ?? (status.podIP ? [status.podIP] : [])).join(',');
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
  }
  const m = SUBSCRIPTED.exec(path);
  if (m) {
    const map = m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[m[2]] ?? '';
  }
  throw new KubeletError('CreateContainerConfigError', `unsupported fieldPath: ${path}`);
}

const DEFAULTED_LIMITS = ['cpu', 'memory', 'ephemeral-storage'];

/** Container limits with node allocatable filled in where unset (kubelet defaultPodLimitsForDownwardAPI). */
export function limitsWithAllocatable(container: Container, allocatable: Record<string, string> | undefined): Record<string, string> {
  const limits = { ...(container.resources?.limits ?? {}) };
  for (const r of DEFAULTED_LIMITS) if (limits[r] === undefined && allocatable?.[r] !== undefined) limits[r] = allocatable[r];
  return limits;
}

/** resourceFieldRef value (resource.ExtractContainerResourceValue): ceil(value / divisor), cpu in milli-units. */
export function containerResourceValue(selector: ResourceFieldSelector, container: Container, allocatable: Record<string, string> | undefined): string {
  const dot = selector.resource.indexOf('.');
  const kind = selector.resource.slice(0, dot);
  const name = selector.resource.slice(dot + 1);
  const divisor = selector.divisor && selector.divisor !== '0' ? selector.divisor : '1';
  const set = kind === 'limits' ? limitsWithAllocatable(container, allocatable) : kind === 'requests' ? (container.resources?.requests ?? {}) : undefined;
  if (!set || !['cpu', 'memory', 'ephemeral-storage'].includes(name) && !name.startsWith('hugepages-')) {
    throw new KubeletError('CreateContainerConfigError', `unsupported container resource : ${selector.resource}`);
  }
  const value = set[name] ?? '0';
  const n = name === 'cpu' ? Math.ceil(milliValue(value) / milliValue(divisor)) : Math.ceil(quantityValue(value) / quantityValue(divisor));
  return String(n);
}

// --- the resolver ---

const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');

export function createEnvResolver(deps: EnvResolverDeps): EnvResolver {
  if (!deps.source && !deps.client) throw new Error('createEnvResolver needs a client or a config source');
  const source = deps.source ?? clientConfigSource(deps.client!);
  const needs = (c: Container, paths: string[]): boolean => (c.env ?? []).some((e) => paths.includes(e.valueFrom?.fieldRef?.fieldPath ?? ''));

  /** The pod with status.podIP(s)/hostIP(s) filled from `ips`, the sandbox or the Node, when a fieldRef needs them. */
  async function withIPs(pod: Pod, c: Container, ips?: { podIPs?: string[]; hostIPs?: string[] }): Promise<Pod> {
    const status = { ...(pod.status ?? {}) };
    let podIPs = ips?.podIPs?.length ? ips.podIPs : status.podIPs?.map((i) => i.ip) ?? (status.podIP ? [status.podIP] : []);
    let hostIPs = ips?.hostIPs?.length ? ips.hostIPs : status.hostIPs?.map((i) => i.ip) ?? (status.hostIP ? [status.hostIP] : []);
    if (!podIPs.length && deps.runtime && needs(c, ['status.podIP', 'status.podIPs'])) {
      const sandboxes = await deps.runtime.listContainers({ [RuntimeLabels.podUid]: pod.metadata.uid ?? '', [RuntimeLabels.container]: 'POD' });
      const ip = (sandboxes.find((s) => s.state === 'running') ?? sandboxes[0])?.ip;
      if (ip) podIPs = [ip];
    }
    if (!hostIPs.length && source.nodeInternalIP && pod.spec?.nodeName && needs(c, ['status.hostIP', 'status.hostIPs'])) {
      const ip = await source.nodeInternalIP(pod.spec.nodeName);
      if (ip) hostIPs = [ip];
    }
    if (podIPs.length) {
      status.podIP = podIPs[0];
      status.podIPs = podIPs.map((ip) => ({ ip }));
    }
    if (hostIPs.length) {
      status.hostIP = hostIPs[0];
      status.hostIPs = hostIPs.map((ip) => ({ ip }));
    }
    return { ...pod, status };
  }

  return {
    async resolve(original, container, ips) {
      const pod = await withIPs(original, container, ips);
      const ns = pod.metadata.namespace ?? 'default';
      const configMaps = new Map<string, ConfigMap | undefined>();
      const secrets = new Map<string, Secret | undefined>();
      const getConfigMap = async (name: string): Promise<ConfigMap | undefined> => {
        if (!configMaps.has(name)) configMaps.set(name, await source.configMap(ns, name));
        return configMaps.get(name);
      };
      const getSecret = async (name: string): Promise<Secret | undefined> => {
        if (!secrets.has(name)) secrets.set(name, await source.secret(ns, name));
        return secrets.get(name);
      };
      const fail = (message: string): never => {
        throw new KubeletError('CreateContainerConfigError', message);
      };

      const serviceEnv = deps.serviceEnvironment && pod.spec?.enableServiceLinks !== false ? await deps.serviceEnvironment(pod) : {};
      const env = new Map<string, string>();

      for (const from of container.envFrom ?? []) {
        const prefix = from.prefix ?? '';
        let data: Record<string, string> = {};
        let what = '';
        let name = '';
        if (from.configMapRef) {
          name = from.configMapRef.name ?? '';
          const cm = await getConfigMap(name);
          if (!cm) {
            if (from.configMapRef.optional) continue;
            fail(`configmap "${name}" not found`);
          }
          data = cm!.data ?? {};
          what = 'configMap';
        } else if (from.secretRef) {
          name = from.secretRef.name ?? '';
          const secret = await getSecret(name);
          if (!secret) {
            if (from.secretRef.optional) continue;
            fail(`secret "${name}" not found`);
          }
          data = Object.fromEntries(Object.entries(secret!.data ?? {}).map(([k, v]) => [k, decode(v)]));
          what = 'secret';
        } else continue;
        const invalid: string[] = [];
        for (const [key, value] of Object.entries(data)) {
          const k = prefix + key;
          if (isEnvVarName(k).length) invalid.push(k);
          else env.set(k, value);
        }
        if (invalid.length) {
          invalid.sort();
          deps.recorder?.event(
            pod,
            'Warning',
            'InvalidEnvironmentVariableNames',
            `Keys [${invalid.join(', ')}] from the EnvFrom ${what} ${ns}/${name} were skipped since they are considered invalid environment variable names.`,
          );
        }
      }

      const mapping = mappingFuncFor(env, serviceEnv);
      let allocatable: Record<string, string> | undefined | null = null;
      for (const v of container.env ?? []) {
        let value = v.value ?? '';
        if (value !== '') value = expandVars(value, mapping);
        else if (v.valueFrom) {
          const from = v.valueFrom;
          if (from.fieldRef) value = podFieldValue(pod, from.fieldRef);
          else if (from.resourceFieldRef) {
            const target = from.resourceFieldRef.containerName
              ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === from.resourceFieldRef!.containerName)
              : container;
            if (!target) fail(`cannot find container ${from.resourceFieldRef.containerName} in pod ${pod.metadata.name}`);
            if (allocatable === null) allocatable = pod.spec?.nodeName ? await source.nodeAllocatable(pod.spec.nodeName) : undefined;
            value = containerResourceValue(from.resourceFieldRef, target!, allocatable);
          } else if (from.configMapKeyRef) {
            const { name = '', key, optional } = from.configMapKeyRef;
            const cm = await getConfigMap(name);
            if (!cm) {
              if (optional) continue;
              fail(`configmap "${name}" not found`);
            }
            const data = cm!.data ?? {};
            if (!Object.prototype.hasOwnProperty.call(data, key)) {
              if (optional) continue;
              fail(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
            }
            value = data[key];
          } else if (from.secretKeyRef) {
            const { name = '', key, optional } = from.secretKeyRef;
            const secret = await getSecret(name);
            if (!secret) {
              if (optional) continue;
              fail(`secret "${name}" not found`);
            }
            const data = secret!.data ?? {};
            if (!Object.prototype.hasOwnProperty.call(data, key)) {
              if (optional) continue;
              fail(`couldn't find key ${key} in Secret ${ns}/${name}`);
            }
            value = decode(data[key]);
          }
        }
        env.set(v.name, value);
      }

      for (const [k, v] of Object.entries(serviceEnv)) if (!env.has(k)) env.set(k, v);
      return [...env].map(([name, value]) => ({ name, value }));
    },
  };
}

// SetDefaults_PodSpec, SetDefaults_Container, SetDefaults_Probe, SetDefaults_Volume... of
// k8s.io/kubernetes/pkg/apis/core/v1/defaults.go, so stored pods and templates read like a real cluster's.
import type { Obj } from './common';
import { ensure, setDefault } from './common';

const DEFAULT_VOLUME_MODE = 420; // 0644, as Kubernetes defaults configMap/secret/projected volumes

/** `Always` for `:latest` or an untagged image, else `IfNotPresent` (digests count as pinned). */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  const tag = colon < 0 ? '' : lastSegment.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: Obj | undefined): void {
  if (!h) return;
  if (h.httpGet) {
    setDefault(h.httpGet, 'path', '/');
    setDefault(h.httpGet, 'scheme', 'HTTP');
  }
  if (h.grpc && h.grpc.service === undefined) h.grpc.service = '';
}

export function defaultProbe(probe: Obj | undefined): void {
  if (!probe) return;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  defaultHandler(probe);
}

export function defaultContainer(c: Obj, hostNetwork: boolean): void {
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  ensure(c, 'resources');
  for (const p of (c.ports ?? []) as Obj[]) {
    setDefault(p, 'protocol', 'TCP');
    // With hostNetwork the container port IS the host port.
    if (hostNetwork && p.hostPort === undefined) p.hostPort = p.containerPort;
  }
  for (const e of (c.env ?? []) as Obj[]) {
    if (e.valueFrom?.fieldRef) setDefault(e.valueFrom.fieldRef, 'apiVersion', 'v1');
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

const VOLUME_SOURCES = ['emptyDir', 'hostPath', 'configMap', 'secret', 'persistentVolumeClaim', 'downwardAPI', 'projected', 'ephemeral', 'nfs', 'csi', 'image'];

export function defaultVolume(v: Obj): void {
  // A volume with no source is an emptyDir (SetDefaults_Volume).
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined)) v.emptyDir = {};
  if (v.configMap) setDefault(v.configMap, 'defaultMode', DEFAULT_VOLUME_MODE);
  if (v.secret) setDefault(v.secret, 'defaultMode', DEFAULT_VOLUME_MODE);
  if (v.projected) setDefault(v.projected, 'defaultMode', DEFAULT_VOLUME_MODE);
  if (v.downwardAPI) {
    setDefault(v.downwardAPI, 'defaultMode', DEFAULT_VOLUME_MODE);
    for (const item of (v.downwardAPI.items ?? []) as Obj[]) if (item.fieldRef) setDefault(item.fieldRef, 'apiVersion', 'v1');
  }
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
}

/** SetDefaults_PodSpec plus the nested container/volume defaults (templates and pods alike). */
export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  ensure(spec, 'securityContext');
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) spec.terminationGracePeriodSeconds = 30;
  setDefault(spec, 'schedulerName', 'default-scheduler');
  const hostNetwork = spec.hostNetwork === true;
  for (const c of (spec.initContainers ?? []) as Obj[]) defaultContainer(c, hostNetwork);
  for (const c of (spec.containers ?? []) as Obj[]) defaultContainer(c, hostNetwork);
  for (const v of (spec.volumes ?? []) as Obj[]) defaultVolume(v);
  for (const t of (spec.tolerations ?? []) as Obj[]) {
    if (t.operator === undefined && t.key !== undefined) t.operator = 'Equal';
  }
}

export function defaultPodTemplate(template: Obj | undefined): void {
  if (!template) return;
  defaultPodSpec(ensure(template, 'spec'));
}

/** Burstable/Guaranteed/BestEffort as qos.GetPodQOS computes it from requests and limits. */
export function podQOSClass(spec: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...((spec.initContainers ?? []) as Obj[]), ...((spec.containers ?? []) as Obj[])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** SetDefaults_Pod (pod-level, not templates) plus what the ServiceAccount and Priority admission
 * plugins fill, so a created pod reads like one from a real cluster. */
export function defaultPod(pod: Obj): void {
  const spec = ensure(pod, 'spec');
  // Requests default to limits when only limits are given (SetDefaults_Pod).
  for (const c of [...((spec.initContainers ?? []) as Obj[]), ...((spec.containers ?? []) as Obj[])]) {
    const limits = c.resources?.limits;
    if (!limits) continue;
    const requests = ensure(c.resources, 'requests');
    for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
  }
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  defaultPodSpec(spec);
  setDefault(spec, 'serviceAccountName', 'default');
  // The deprecated alias is still written back by the API for old clients.
  setDefault(spec, 'serviceAccount', spec.serviceAccountName);
  if (spec.priority === undefined || spec.priority === null) spec.priority = 0;
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  const status = ensure(pod, 'status');
  setDefault(status, 'phase', 'Pending');
  setDefault(status, 'qosClass', podQOSClass(spec));
}

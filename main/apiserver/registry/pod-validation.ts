// ValidatePodSpec and friends (k8s.io/kubernetes/pkg/apis/core/validation): the subset Bosun runs,
// with Kubernetes' field paths and messages.
import type { FieldError } from '../../../shared/api/errors';
import { matchesLabelSelector } from '../../../shared/api/labels';
import { compareQuantities, formatQuantity, parseQuantity, quantityError } from '../../../shared/api/quantity';
import {
  isDNS1123Label,
  isEnvVarName,
  isQualifiedName,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
  validateAnnotations,
  validateLabels,
} from '../../../shared/api/validation';
import type { Obj } from './common';
import { forbidden, goMapString, invalid, nonNegative, notSupported, required } from './common';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const VOLUME_SOURCES = ['emptyDir', 'hostPath', 'configMap', 'secret', 'persistentVolumeClaim', 'downwardAPI', 'projected', 'ephemeral', 'nfs', 'csi', 'image'];
const MAX_INT32 = 2147483647;

/** A port given as a number or an IANA_SVC_NAME (probes, targetPort). */
export function validatePortNumOrName(port: unknown, field: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(field, port, m));
  if (typeof port === 'string') {
    if (port === '') return [required(field)];
    return isValidPortName(port).map((m) => invalid(field, port, m));
  }
  return [required(field)];
}

function validateResourceName(name: string, field: string): FieldError[] {
  if (STANDARD_CONTAINER_RESOURCES.has(name) || name.startsWith('hugepages-')) return [];
  if (name.includes('/') && isQualifiedName(name).length === 0) return [];
  return [invalid(field, name, 'must be a standard resource type or fully qualified')];
}

export function validateResourceRequirements(res: Obj | undefined, field: string): FieldError[] {
  const out: FieldError[] = [];
  const limits: Obj = res?.limits ?? {};
  const requests: Obj = res?.requests ?? {};
  const checkList = (list: Obj, kind: 'limits' | 'requests'): void => {
    for (const [name, q] of Object.entries(list)) {
      const path = `${field}.${kind}[${name}]`;
      out.push(...validateResourceName(name, path));
      const err = quantityError(q);
      if (err) out.push(invalid(path, q, err));
      else if (compareQuantities(q as string, '0') < 0) out.push(invalid(path, formatQuantity(q as string), 'must be greater than or equal to 0'));
    }
  };
  checkList(limits, 'limits');
  checkList(requests, 'requests');
  for (const [name, q] of Object.entries(requests)) {
    const limit = limits[name];
    if (limit === undefined || quantityError(q) || quantityError(limit)) continue;
    const overcommit = STANDARD_CONTAINER_RESOURCES.has(name);
    const cmp = compareQuantities(q, limit);
    if (!overcommit && cmp !== 0) {
      out.push(invalid(`${field}.requests`, formatQuantity(parseQuantity(String(q))), `must be equal to ${name} limit of ${formatQuantity(String(limit))}`));
    } else if (cmp > 0) {
      out.push(invalid(`${field}.requests`, formatQuantity(parseQuantity(String(q))), `must be less than or equal to ${name} limit of ${formatQuantity(String(limit))}`));
    }
  }
  return out;
}

function validateHandler(h: Obj, field: string, kinds: readonly string[]): FieldError[] {
  const present = kinds.filter((k) => h[k] !== undefined && h[k] !== null);
  if (present.length === 0) return [required(field, 'must specify a handler type')];
  const out: FieldError[] = [];
  for (const extra of present.slice(1)) out.push(forbidden(`${field}.${extra}`, 'may not specify more than 1 handler type'));
  if (h.httpGet) out.push(...validatePortNumOrName(h.httpGet.port, `${field}.httpGet.port`));
  if (h.httpGet?.scheme !== undefined && !['HTTP', 'HTTPS'].includes(h.httpGet.scheme)) {
    out.push(notSupported(`${field}.httpGet.scheme`, h.httpGet.scheme, ['HTTP', 'HTTPS']));
  }
  if (h.tcpSocket) out.push(...validatePortNumOrName(h.tcpSocket.port, `${field}.tcpSocket.port`));
  if (h.exec && !(h.exec.command?.length > 0)) out.push(required(`${field}.exec.command`));
  if (h.grpc) out.push(...isValidPortNum(h.grpc.port).map((m) => invalid(`${field}.grpc.port`, h.grpc.port, m)));
  return out;
}

function validateProbe(probe: Obj | undefined, field: string, successMustBeOne: boolean): FieldError[] {
  if (!probe) return [];
  const out = validateHandler(probe, field, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    out.push(...nonNegative(`${field}.${k}`, probe[k]));
  }
  if (successMustBeOne && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    out.push(invalid(`${field}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  return out;
}

interface ContainerContext {
  volumes: Set<string>;
  names: Set<string>;
  init: boolean;
}

function validateContainer(c: Obj, field: string, ctx: ContainerContext): FieldError[] {
  const out: FieldError[] = [];
  if (!c.name) out.push(required(`${field}.name`));
  else {
    out.push(...isDNS1123Label(c.name).map((m) => invalid(`${field}.name`, c.name, m)));
    if (ctx.names.has(c.name)) out.push({ type: 'FieldValueDuplicate', field: `${field}.name`, value: c.name });
    ctx.names.add(c.name);
  }
  if (!c.image) out.push(required(`${field}.image`));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy)) {
    out.push(notSupported(`${field}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  }
  if (c.terminationMessagePolicy !== undefined && !['File', 'FallbackToLogsOnError'].includes(c.terminationMessagePolicy)) {
    out.push(notSupported(`${field}.terminationMessagePolicy`, c.terminationMessagePolicy, ['File', 'FallbackToLogsOnError']));
  }
  const portNames = new Set<string>();
  ((c.ports ?? []) as Obj[]).forEach((p, i) => {
    const pf = `${field}.ports[${i}]`;
    if (p.name !== undefined && p.name !== '') {
      out.push(...isValidPortName(p.name).map((m) => invalid(`${pf}.name`, p.name, m)));
      if (portNames.has(p.name)) out.push({ type: 'FieldValueDuplicate', field: `${pf}.name`, value: p.name });
      portNames.add(p.name);
    }
    if (!p.containerPort) out.push(required(`${pf}.containerPort`));
    else out.push(...isValidPortNum(p.containerPort).map((m) => invalid(`${pf}.containerPort`, p.containerPort, m)));
    if (p.hostPort) out.push(...isValidPortNum(p.hostPort).map((m) => invalid(`${pf}.hostPort`, p.hostPort, m)));
    if (!p.protocol) out.push(required(`${pf}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) out.push(notSupported(`${pf}.protocol`, p.protocol, PROTOCOLS));
  });
  ((c.env ?? []) as Obj[]).forEach((e, i) => {
    const ef = `${field}.env[${i}]`;
    if (!e.name) out.push(required(`${ef}.name`));
    else out.push(...isEnvVarName(e.name).map((m) => invalid(`${ef}.name`, e.name, m)));
    if (e.valueFrom) {
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => e.valueFrom[k]);
      if (sources.length === 0) out.push(invalid(`${ef}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (sources.length > 1) out.push(invalid(`${ef}.valueFrom`, '', 'may not have more than one field specified at a time'));
      if (e.value) out.push(invalid(`${ef}.valueFrom`, '', 'may not be specified when `value` is not empty'));
      for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
        if (e.valueFrom[ref] && !e.valueFrom[ref].key) out.push(required(`${ef}.valueFrom.${ref}.key`));
      }
    }
  });
  out.push(...validateResourceRequirements(c.resources, `${field}.resources`));
  ((c.volumeMounts ?? []) as Obj[]).forEach((m, i) => {
    const mf = `${field}.volumeMounts[${i}]`;
    if (!m.name) out.push(required(`${mf}.name`));
    else if (!ctx.volumes.has(m.name)) out.push({ type: 'FieldValueNotFound', field: `${mf}.name`, value: m.name });
    if (!m.mountPath) out.push(required(`${mf}.mountPath`));
  });
  const sidecar = ctx.init && c.restartPolicy === 'Always';
  if (c.restartPolicy !== undefined && (!ctx.init || c.restartPolicy !== 'Always')) {
    out.push(ctx.init ? notSupported(`${field}.restartPolicy`, c.restartPolicy, ['Always']) : forbidden(`${field}.restartPolicy`, 'may not be set for non-init containers'));
  }
  if (ctx.init && !sidecar) {
    for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (c[k]) out.push(forbidden(`${field}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
    }
  } else {
    out.push(...validateProbe(c.livenessProbe, `${field}.livenessProbe`, true));
    out.push(...validateProbe(c.readinessProbe, `${field}.readinessProbe`, false));
    out.push(...validateProbe(c.startupProbe, `${field}.startupProbe`, true));
    for (const hook of ['postStart', 'preStop']) {
      if (c.lifecycle?.[hook]) out.push(...validateHandler(c.lifecycle[hook], `${field}.lifecycle.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    }
  }
  return out;
}

function validateVolumes(volumes: Obj[], field: string): { errors: FieldError[]; names: Set<string> } {
  const out: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const vf = `${field}[${i}]`;
    if (!v.name) out.push(required(`${vf}.name`));
    else {
      out.push(...isDNS1123Label(v.name).map((m) => invalid(`${vf}.name`, v.name, m)));
      if (names.has(v.name)) out.push({ type: 'FieldValueDuplicate', field: `${vf}.name`, value: v.name });
      names.add(v.name);
    }
    const sources = VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
    if (sources.length === 0) out.push(required(vf, 'must specify a volume type'));
    for (const extra of sources.slice(1)) out.push(forbidden(`${vf}.${extra}`, 'may not specify more than 1 volume type'));
    if (v.configMap && !v.configMap.name) out.push(required(`${vf}.configMap.name`));
    if (v.secret && !v.secret.secretName) out.push(required(`${vf}.secret.secretName`));
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) out.push(required(`${vf}.persistentVolumeClaim.claimName`));
    if (v.hostPath && !v.hostPath.path) out.push(required(`${vf}.hostPath.path`));
    if (v.emptyDir?.sizeLimit !== undefined) {
      const err = quantityError(v.emptyDir.sizeLimit);
      if (err) out.push(invalid(`${vf}.emptyDir.sizeLimit`, v.emptyDir.sizeLimit, err));
    }
  });
  return { errors: out, names };
}

function validateTolerations(tolerations: Obj[], field: string): FieldError[] {
  const out: FieldError[] = [];
  tolerations.forEach((t, i) => {
    const tf = `${field}[${i}]`;
    if (t.key) out.push(...isQualifiedName(t.key).map((m) => invalid(`${tf}.key`, t.key, m)));
    if (!t.key && t.operator !== 'Exists') {
      out.push(invalid(`${tf}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      out.push(invalid(`${tf}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (t.operator === 'Exists' && t.value) out.push(invalid(`${tf}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
    else if (t.operator !== undefined && t.operator !== 'Exists' && t.operator !== 'Equal') out.push(notSupported(`${tf}.operator`, t.operator, ['Equal', 'Exists']));
    if (t.effect) {
      if (!TAINT_EFFECTS.includes(t.effect)) out.push(notSupported(`${tf}.effect`, t.effect, TAINT_EFFECTS));
    }
  });
  return out;
}

export interface PodSpecValidationOptions {
  /** Allowed restartPolicy values; pods accept all three, workload templates only some. */
  restartPolicies?: readonly string[];
}

export function validatePodSpec(spec: Obj | undefined, field: string, options: PodSpecValidationOptions = {}): FieldError[] {
  if (!spec) return [required(field)];
  const out: FieldError[] = [];
  const { errors: volumeErrors, names: volumes } = validateVolumes((spec.volumes ?? []) as Obj[], `${field}.volumes`);
  out.push(...volumeErrors);
  const names = new Set<string>();
  ((spec.initContainers ?? []) as Obj[]).forEach((c, i) => out.push(...validateContainer(c, `${field}.initContainers[${i}]`, { volumes, names, init: true })));
  const containers = (spec.containers ?? []) as Obj[];
  if (containers.length === 0) out.push(required(`${field}.containers`));
  containers.forEach((c, i) => out.push(...validateContainer(c, `${field}.containers[${i}]`, { volumes, names, init: false })));

  if (!spec.restartPolicy) out.push(required(`${field}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(spec.restartPolicy)) out.push(notSupported(`${field}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  else if (options.restartPolicies && !options.restartPolicies.includes(spec.restartPolicy)) {
    out.push(notSupported(`${field}.restartPolicy`, spec.restartPolicy, options.restartPolicies));
  }
  if (!spec.dnsPolicy) out.push(required(`${field}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(spec.dnsPolicy)) out.push(notSupported(`${field}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  out.push(...nonNegative(`${field}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds;
    if (typeof v !== 'number' || v < 1 || v > MAX_INT32) out.push(invalid(`${field}.activeDeadlineSeconds`, v, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  out.push(...validateLabels(spec.nodeSelector, `${field}.nodeSelector`));
  if (spec.serviceAccountName) {
    out.push(...nameIsDNSSubdomain(spec.serviceAccountName, false).map((m) => invalid(`${field}.serviceAccountName`, spec.serviceAccountName, m)));
  }
  if (spec.nodeName) out.push(...nameIsDNSSubdomain(spec.nodeName, false).map((m) => invalid(`${field}.nodeName`, spec.nodeName, m)));
  if (spec.hostname) out.push(...isDNS1123Label(spec.hostname).map((m) => invalid(`${field}.hostname`, spec.hostname, m)));
  if (spec.subdomain) out.push(...isDNS1123Label(spec.subdomain).map((m) => invalid(`${field}.subdomain`, spec.subdomain, m)));
  out.push(...validateTolerations((spec.tolerations ?? []) as Obj[], `${field}.tolerations`));
  if (spec.preemptionPolicy !== undefined && !['PreemptLowerPriority', 'Never'].includes(spec.preemptionPolicy)) {
    out.push(notSupported(`${field}.preemptionPolicy`, spec.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  }
  return out;
}

export interface TemplateValidationOptions extends PodSpecValidationOptions {
  /** The owning workload's selector; the template's labels must match it. */
  selector?: Obj;
  /** ReplicaSet/Deployment/StatefulSet/DaemonSet templates forbid activeDeadlineSeconds. */
  forbidActiveDeadline?: boolean;
}

/** ValidatePodTemplateSpec (+ ForReplicaSet checks): labels, selector match, and the pod spec. */
export function validatePodTemplate(template: Obj | undefined, field: string, options: TemplateValidationOptions = {}): FieldError[] {
  if (!template) return [required(field)];
  const out: FieldError[] = [];
  const labels = template.metadata?.labels;
  out.push(...validateLabels(labels, `${field}.metadata.labels`));
  out.push(...validateAnnotations(template.metadata?.annotations, `${field}.metadata.annotations`));
  const sel = options.selector;
  const selectorEmpty = !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
  if (!selectorEmpty) {
    let matches = false;
    try {
      matches = matchesLabelSelector(sel, labels ?? {});
    } catch {
      matches = false;
    }
    if (!matches) {
      out.push({ type: 'FieldValueInvalid', field: `${field}.metadata.labels`, value: labels ?? {}, printedValue: goMapString(labels), detail: '`selector` does not match template `labels`' });
    }
  }
  out.push(...validatePodSpec(template.spec, `${field}.spec`, options));
  if (options.forbidActiveDeadline && template.spec?.activeDeadlineSeconds !== undefined) {
    out.push(forbidden(`${field}.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return out;
}

/** ValidateLabelSelector for workload `spec.selector`: required, non-empty, well-formed. */
export function validateWorkloadSelector(selector: Obj | undefined, field: string, kind: string): FieldError[] {
  if (!selector) return [required(field)];
  const out: FieldError[] = [];
  out.push(...validateLabels(selector.matchLabels, `${field}.matchLabels`));
  ((selector.matchExpressions ?? []) as Obj[]).forEach((e, i) => {
    const ef = `${field}.matchExpressions[${i}]`;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) {
      out.push(invalid(`${ef}.operator`, e.operator, 'not a valid selector operator'));
    } else if ((e.operator === 'In' || e.operator === 'NotIn') && !(e.values?.length > 0)) {
      out.push(required(`${ef}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\''));
    } else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && e.values?.length > 0) {
      out.push(forbidden(`${ef}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
    }
    out.push(...isQualifiedName(String(e.key ?? '')).map((m) => invalid(`${ef}.key`, e.key, m)));
  });
  if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
    out.push(invalid(field, selector, `empty selector is invalid for ${kind}`));
  }
  return out;
}


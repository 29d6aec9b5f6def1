// The Pod Security Standards checks (k8s.io/pod-security-admission/policy, version "latest"), with the
// reasons and details Kubernetes prints. Checks run in Kubernetes' order (by check ID), so a message
// lists violations exactly as kube-apiserver would.
import type { Container, PodSpec } from '../../../shared/api/pod';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface CheckResult {
  reason: string;
  detail: string;
}

interface Meta {
  annotations?: Record<string, string>;
}

type AnyContainer = Container & { securityContext?: Container['securityContext'] & Record<string, any> };
type AnySpec = PodSpec & { securityContext?: Record<string, any>; ephemeralContainers?: AnyContainer[] };

interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  run(meta: Meta, spec: AnySpec): CheckResult | undefined;
}

const pluralize = (one: string, many: string, n: number): string => (n === 1 ? one : many);
const joinQuote = (items: string[]): string => items.map((i) => JSON.stringify(i)).join(', ');
const containersOf = (spec: AnySpec): AnyContainer[] => [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])] as AnyContainer[];

/** Capabilities the baseline profile allows to add (Docker's default set). */
export const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);

const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

const badContainers = (spec: AnySpec, bad: (c: AnyContainer) => boolean): string[] => containersOf(spec).filter(bad).map((c) => c.name);

const CHECKS: Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    run: (_m, spec) => {
      const bad = badContainers(spec, (c) => c.securityContext?.allowPrivilegeEscalation !== false);
      return bad.length
        ? { reason: 'allowPrivilegeEscalation != false', detail: `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must set securityContext.allowPrivilegeEscalation=false` }
        : undefined;
    },
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    run: (_m, spec) => {
      const bad: string[] = [];
      const caps = new Set<string>();
      for (const c of containersOf(spec)) {
        const added = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !BASELINE_CAPABILITIES.has(cap));
        if (added.length) {
          bad.push(c.name);
          added.forEach((a) => caps.add(a));
        }
      }
      return bad.length
        ? {
            reason: 'non-default capabilities',
            detail: `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not include ${joinQuote([...caps].sort())} in securityContext.capabilities.add`,
          }
        : undefined;
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    run: (_m, spec) => {
      const noDrop = badContainers(spec, (c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL'));
      const badAdd: string[] = [];
      const caps = new Set<string>();
      for (const c of containersOf(spec)) {
        const added = (c.securityContext?.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
        if (added.length) {
          badAdd.push(c.name);
          added.forEach((a) => caps.add(a));
        }
      }
      const parts: string[] = [];
      if (noDrop.length) parts.push(`${pluralize('container', 'containers', noDrop.length)} ${joinQuote(noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
      if (badAdd.length) parts.push(`${pluralize('container', 'containers', badAdd.length)} ${joinQuote(badAdd)} must not include ${joinQuote([...caps].sort())} in securityContext.capabilities.add`);
      return parts.length ? { reason: 'unrestricted capabilities', detail: parts.join('; ') } : undefined;
    },
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    run: (_m, spec) => {
      const on = [spec.hostNetwork && 'hostNetwork=true', spec.hostPID && 'hostPID=true', spec.hostIPC && 'hostIPC=true'].filter(Boolean) as string[];
      return on.length ? { reason: 'host namespaces', detail: on.join(', ') } : undefined;
    },
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    run: (_m, spec) => {
      const bad = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
      return bad.length ? { reason: 'hostPath volumes', detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}` } : undefined;
    },
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    run: (_m, spec) => {
      const bad: string[] = [];
      const ports = new Set<string>();
      for (const c of containersOf(spec)) {
        const used = (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort));
        if (used.length) {
          bad.push(c.name);
          used.forEach((p) => ports.add(p));
        }
      }
      return bad.length
        ? {
            reason: 'hostPort',
            detail: `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', ports.size)} ${[...ports].join(', ')}`,
          }
        : undefined;
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    run: (_m, spec) => {
      const bad = badContainers(spec, (c) => c.securityContext?.privileged === true);
      return bad.length ? { reason: 'privileged', detail: `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.privileged=true` } : undefined;
    },
  },
  {
    id: 'procMount',
    level: 'baseline',
    run: (_m, spec) => {
      const bad = badContainers(spec, (c) => c.securityContext?.procMount !== undefined && c.securityContext.procMount !== 'Default');
      return bad.length ? { reason: 'procMount', detail: `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.procMount to "Unmasked"` } : undefined;
    },
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    run: (_m, spec) => {
      const bad: string[] = [];
      const types = new Set<string>();
      for (const v of spec.volumes ?? []) {
        const type = Object.keys(v).find((k) => k !== 'name');
        if (type && !RESTRICTED_VOLUME_TYPES.has(type)) {
          bad.push(v.name);
          types.add(type);
        }
      }
      return bad.length
        ? {
            reason: 'restricted volume types',
            detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} restricted ${pluralize('volume type', 'volume types', types.size)} ${joinQuote([...types])}`,
          }
        : undefined;
    },
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    run: (_m, spec) => {
      const podSet = spec.securityContext?.runAsNonRoot === true;
      const explicitFalse = spec.securityContext?.runAsNonRoot === false;
      const badFalse = badContainers(spec, (c) => c.securityContext?.runAsNonRoot === false);
      const unset = podSet ? [] : badContainers(spec, (c) => c.securityContext?.runAsNonRoot === undefined);
      const parts: string[] = [];
      if (explicitFalse) parts.push('pod must not set securityContext.runAsNonRoot=false');
      if (badFalse.length) parts.push(`${pluralize('container', 'containers', badFalse.length)} ${joinQuote(badFalse)} must not set securityContext.runAsNonRoot=false`);
      if (unset.length && !explicitFalse) parts.push(`pod or ${pluralize('container', 'containers', unset.length)} ${joinQuote(unset)} must set securityContext.runAsNonRoot=true`);
      return parts.length ? { reason: 'runAsNonRoot != true', detail: parts.join('; ') } : undefined;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    run: (_m, spec) => {
      const parts: string[] = [];
      if (spec.securityContext?.runAsUser === 0) parts.push('pod must not set runAsUser=0');
      const bad = badContainers(spec, (c) => c.securityContext?.runAsUser === 0);
      if (bad.length) parts.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set runAsUser=0`);
      return parts.length ? { reason: 'runAsUser=0', detail: parts.join('; ') } : undefined;
    },
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    run: (_m, spec) => {
      const parts: string[] = [];
      if (spec.securityContext?.seccompProfile?.type === 'Unconfined') parts.push('pod must not set securityContext.seccompProfile.type to "Unconfined"');
      const bad = badContainers(spec, (c) => c.securityContext?.seccompProfile?.type === 'Unconfined');
      if (bad.length) parts.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.seccompProfile.type to "Unconfined"`);
      return parts.length ? { reason: 'seccompProfile', detail: parts.join('; ') } : undefined;
    },
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    run: (_m, spec) => {
      const ok = (t: unknown): boolean => t === 'RuntimeDefault' || t === 'Localhost';
      const podType = spec.securityContext?.seccompProfile?.type;
      if (podType !== undefined && !ok(podType)) return undefined; // the baseline check reports Unconfined
      const unset = podType === undefined ? badContainers(spec, (c) => c.securityContext?.seccompProfile?.type === undefined) : [];
      return unset.length
        ? {
            reason: 'seccompProfile',
            detail: `pod or ${pluralize('container', 'containers', unset.length)} ${joinQuote(unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
          }
        : undefined;
    },
  },
  {
    id: 'sysctls',
    level: 'baseline',
    run: (_m, spec) => {
      const bad = ((spec.securityContext?.sysctls ?? []) as { name: string }[]).map((s) => s.name).filter((n) => !SAFE_SYSCTLS.has(n));
      return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
    },
  },
];

/** Violations of `level` (baseline includes nothing of restricted; restricted includes baseline). */
export function checkPodSecurity(level: PodSecurityLevel, meta: Meta, spec: PodSpec): CheckResult[] {
  if (level === 'privileged') return [];
  const out: CheckResult[] = [];
  for (const check of CHECKS) {
    if (check.level === 'restricted' && level !== 'restricted') continue;
    const r = check.run(meta, spec as AnySpec);
    if (r) out.push(r);
  }
  return out;
}

export const formatViolations = (results: CheckResult[]): string => results.map((r) => `${r.reason} (${r.detail})`).join(', ');

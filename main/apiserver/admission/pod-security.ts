// Pod Security admission (k8s.io/pod-security-admission). The lab enforces `baseline` by default —
// pods run on the user's own Docker engine, so a pod must not become root on the host by accident —
// and honours the standard namespace labels:
//   pod-security.kubernetes.io/enforce: privileged|baseline|restricted   (+ enforce-version)
//   pod-security.kubernetes.io/warn:    …   (warnings on the response, kubectl prints them)
//   pod-security.kubernetes.io/audit:   …   (accepted; the lab has no audit log, so it records nothing)
// Pods are rejected with Kubernetes' 403 text; workloads (pod templates) only get warnings, as in
// Kubernetes, and their pods are then rejected when the controller creates them.
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import type { PodSpec } from '../../../shared/api/pod';
import type { AdmissionContext, AdmissionPlugin } from '../admission';
import { checkPodSecurity, formatViolations, type PodSecurityLevel } from './pod-security-checks';

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';
export const WARN_LABEL = 'pod-security.kubernetes.io/warn';
export const WARN_VERSION_LABEL = 'pod-security.kubernetes.io/warn-version';
export const AUDIT_LABEL = 'pod-security.kubernetes.io/audit';

const LEVELS: PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

export interface PodSecurityOptions {
  /** Labels of a namespace (undefined when it does not exist). */
  namespaceLabels(namespace: string): Promise<Record<string, string> | undefined>;
  /** Level enforced where a namespace has no enforce label (lab default: baseline; Kubernetes: privileged). */
  defaultEnforce?: PodSecurityLevel;
  /** Namespaces never checked (Kubernetes' AdmissionConfiguration exemptions.namespaces). */
  exemptNamespaces?: string[];
}

/** Where a workload kind keeps its pod template. */
const TEMPLATE_PATHS: Record<string, string[]> = {
  '/podtemplates': ['template'],
  '/replicationcontrollers': ['spec', 'template'],
  'apps/replicasets': ['spec', 'template'],
  'apps/deployments': ['spec', 'template'],
  'apps/statefulsets': ['spec', 'template'],
  'apps/daemonsets': ['spec', 'template'],
  'batch/jobs': ['spec', 'template'],
  'batch/cronjobs': ['spec', 'jobTemplate', 'spec', 'template'],
};

function dig(obj: unknown, path: string[]): any {
  let cur: any = obj;
  for (const p of path) cur = cur && typeof cur === 'object' ? cur[p] : undefined;
  return cur;
}

interface Policy {
  level: PodSecurityLevel;
  version: string;
}

function policyFrom(labels: Record<string, string> | undefined, label: string, versionLabel: string, fallback: PodSecurityLevel | undefined): Policy | undefined {
  const raw = labels?.[label];
  const level = raw && LEVELS.includes(raw as PodSecurityLevel) ? (raw as PodSecurityLevel) : fallback;
  if (!level) return undefined;
  return { level, version: labels?.[versionLabel] || 'latest' };
}

const policyName = (p: Policy): string => `${p.level}:${p.version}`;

export function createPodSecurityAdmission(options: PodSecurityOptions): AdmissionPlugin {
  const exempt = new Set(options.exemptNamespaces ?? []);
  const defaultEnforce = options.defaultEnforce ?? 'baseline';

  async function policies(namespace: string): Promise<{ enforce: Policy; warn?: Policy }> {
    const labels = await options.namespaceLabels(namespace);
    const enforce = policyFrom(labels, ENFORCE_LABEL, ENFORCE_VERSION_LABEL, defaultEnforce)!;
    const warn = policyFrom(labels, WARN_LABEL, WARN_VERSION_LABEL, undefined);
    return { enforce, warn };
  }

  function specChanged(ctx: AdmissionContext, path: string[]): boolean {
    if (ctx.operation !== 'UPDATE') return true;
    return JSON.stringify(dig(ctx.object, path)) !== JSON.stringify(dig(ctx.oldObject, path));
  }

  return {
    name: 'PodSecurity',
    async validate(ctx) {
      if ((ctx.operation !== 'CREATE' && ctx.operation !== 'UPDATE') || !ctx.object) return;
      // Status and other subresource writes never change what a pod may do.
      if (ctx.subresource && ctx.subresource !== 'ephemeralcontainers') return;
      const key = `${ctx.resource.group}/${ctx.resource.resource}`;
      const isPod = key === '/pods';
      const templatePath = TEMPLATE_PATHS[key];
      if (!isPod && !templatePath) return;
      const namespace = ctx.object.metadata.namespace ?? ctx.request.namespace ?? '';
      if (exempt.has(namespace)) return;
      const specPath = isPod ? ['spec'] : [...templatePath, 'spec'];
      if (!specChanged(ctx, specPath)) return;
      const spec = dig(ctx.object, specPath) as PodSpec | undefined;
      if (!spec) return;
      const meta = (isPod ? ctx.object.metadata : dig(ctx.object, [...templatePath, 'metadata'])) ?? {};
      const { enforce, warn } = await policies(namespace);

      const warned = new Set<string>();
      const warnFor = (p: Policy): void => {
        const v = checkPodSecurity(p.level, meta, spec);
        const text = v.length ? `would violate PodSecurity "${policyName(p)}": ${formatViolations(v)}` : '';
        if (text && !warned.has(text)) {
          warned.add(text);
          ctx.request.onWarning?.(text);
        }
      };

      if (isPod) {
        const violations = checkPodSecurity(enforce.level, meta, spec);
        if (violations.length) {
          const name = ctx.object.metadata.name ?? ctx.object.metadata.generateName ?? '';
          throw ApiError.forbidden(`pods "${name}" is forbidden: violates PodSecurity "${policyName(enforce)}": ${formatViolations(violations)}`, {
            name,
            kind: 'pods',
          });
        }
        if (warn) warnFor(warn);
        return;
      }
      // Workloads: Kubernetes warns (enforce and warn levels) but admits the object.
      warnFor(enforce);
      if (warn) warnFor(warn);
    },
  };
}

/** Convenience for the composition root: namespace labels read through any object getter. */
export function namespaceLabelsFrom(get: (name: string) => Promise<KubeObject | undefined>): (namespace: string) => Promise<Record<string, string> | undefined> {
  return async (namespace) => (await get(namespace))?.metadata.labels;
}

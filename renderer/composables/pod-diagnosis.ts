// "Why is this pod not Ready / Running / Scheduled?" — the checks a person runs by hand with kubectl
// describe pod, kubectl get node and the probe events, as one ordered list of findings. Pure: the
// section feeds it the pod, its node, the PodProbes snapshot and the PodFaults, and translates the
// result. Evidence is the API's own text (condition and probe messages), kept verbatim like kubectl.
import type { PodFault } from '../../shared/api/chaos';
import type { Node } from '../../shared/api/node';
import type { ContainerStatus, Pod } from '../../shared/api/pod';
import { probeFindings, type PodProbesContainer } from './pod-diagnosis-probes';

export type Severity = 'error' | 'warning' | 'info';

export type FindingCode =
  | 'terminatingUnreachable'
  | 'terminating'
  | 'unschedulable'
  | 'nodeMissing'
  | 'nodeNotReady'
  | 'nodeUnreachable'
  | 'nodeCordoned'
  | 'nodeTainted'
  | 'faultInjected'
  | 'initFailing'
  | 'imagePull'
  | 'crashLoop'
  | 'configError'
  | 'waiting'
  | 'oomKilled'
  | 'exitedWithError'
  | 'readinessFailing'
  | 'livenessFailing'
  | 'startupFailing'
  | 'containersNotReady'
  | 'failed';

export interface Finding {
  /** i18n: diagnosis.findings.<code>.title and .fix. */
  code: FindingCode;
  severity: Severity;
  params: Record<string, string | number>;
  /** Verbatim API text backing the finding. */
  evidence: string[];
  /** Variant of the fix text (diagnosis.fixes.<fix>) when it depends on the evidence. */
  fix?: string;
}

export type Verdict = 'ready' | 'completed' | 'terminating' | 'notScheduled' | 'notRunning' | 'notReady';

export interface Diagnosis {
  verdict: Verdict;
  findings: Finding[];
}

export interface DiagnosisInput {
  pod: Pod;
  /** The node named by spec.nodeName, when the list has it. */
  node?: Node;
  /** Whether the node list has loaded (so a missing node really is missing). */
  nodesLoaded?: boolean;
  probes?: PodProbesContainer[];
  podFaults?: PodFault[];
  now: Date;
}

export const SCHEDULER_DECISION_ANNOTATION = 'scheduler.bosun.dev/decision';
/** Taints the node lifecycle controller manages; reported through the node's Ready condition instead. */
const LIFECYCLE_TAINTS = new Set(['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready']);

/** kubectl-style compact duration: 42s, 3m5s, 2h4m. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
}

const condition = (pod: Pod, type: string) => pod.status?.conditions?.find((c) => c.type === type);

export function diagnosePod(input: DiagnosisInput): Diagnosis {
  const { pod, now } = input;
  const findings: Finding[] = [];
  const nodeName = pod.spec?.nodeName;
  const nodeReady = input.node?.status?.conditions?.find((c) => c.type === 'Ready');
  const nodeDown = !!input.node && nodeReady?.status !== 'True';

  if (pod.metadata.deletionTimestamp) {
    const params = { node: nodeName ?? '', since: shortDuration(now.getTime() - Date.parse(pod.metadata.deletionTimestamp)) };
    findings.push(
      nodeDown
        ? { code: 'terminatingUnreachable', severity: 'error', params, evidence: nodeReady?.message ? [nodeReady.message] : [] }
        : { code: 'terminating', severity: 'info', params, evidence: [] },
    );
  }

  const scheduled = condition(pod, 'PodScheduled');
  if (!nodeName && scheduled?.status === 'False') findings.push(unschedulable(pod, scheduled.message));

  if (nodeName) findings.push(...nodeFindings(input, nodeName));
  findings.push(...faultFindings(pod, input.podFaults ?? []));
  findings.push(...containerFindings(pod));
  findings.push(...probeFindings(pod, input.probes ?? [], now));

  const containersReady = condition(pod, 'ContainersReady');
  const explained = findings.some((f) => f.severity !== 'info');
  if (!explained && containersReady?.status === 'False' && pod.status?.phase === 'Running') {
    findings.push({ code: 'containersNotReady', severity: 'warning', params: {}, evidence: containersReady.message ? [containersReady.message] : [] });
  }
  if (pod.status?.phase === 'Failed') {
    findings.push({ code: 'failed', severity: 'error', params: { reason: pod.status.reason ?? 'Failed' }, evidence: pod.status.message ? [pod.status.message] : [] });
  }
  return { verdict: verdictOf(pod), findings: orderFindings(findings) };
}

function verdictOf(pod: Pod): Verdict {
  if (pod.metadata.deletionTimestamp) return 'terminating';
  const phase = pod.status?.phase;
  if (phase === 'Succeeded') return 'completed';
  if (!pod.spec?.nodeName) return 'notScheduled';
  if (phase !== 'Running') return 'notRunning';
  return condition(pod, 'Ready')?.status === 'True' ? 'ready' : 'notReady';
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors before warnings before context; within a severity the causal order they were found in. */
function orderFindings(findings: Finding[]): Finding[] {
  return findings.map((f, i) => ({ f, i })).sort((a, b) => SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity] || a.i - b.i).map(({ f }) => f);
}

interface DecisionNode {
  filter: string;
}

function unschedulable(pod: Pod, message: string | undefined): Finding {
  const evidence: string[] = [];
  if (message) evidence.push(message);
  const raw = pod.metadata.annotations?.[SCHEDULER_DECISION_ANNOTATION];
  let decisionMessage: string | undefined;
  if (raw) {
    try {
      const decision = JSON.parse(raw) as { message?: string; nodes?: Record<string, DecisionNode> };
      decisionMessage = decision.message;
      if (decision.message && decision.message !== message) evidence.push(decision.message);
      for (const [node, d] of Object.entries(decision.nodes ?? {})) if (d.filter !== 'passed') evidence.push(`${node}: ${d.filter}`);
    } catch {
      // A hand-edited annotation is not worth a finding of its own; the condition still explains.
    }
  }
  const text = `${message ?? ''} ${decisionMessage ?? ''}`;
  const fix = /Insufficient (cpu|memory)|Too many pods/i.test(text)
    ? 'capacity'
    : /taint/i.test(text)
      ? 'taint'
      : /selector|affinity/i.test(text)
        ? 'selector'
        : /unschedulable/i.test(text)
          ? 'cordoned'
          : 'generic';
  return { code: 'unschedulable', severity: 'error', params: {}, evidence, fix: `unschedulable.${fix}` };
}

function nodeFindings(input: DiagnosisInput, nodeName: string): Finding[] {
  const node = input.node;
  if (!node) return input.nodesLoaded ? [{ code: 'nodeMissing', severity: 'error', params: { node: nodeName }, evidence: [] }] : [];
  const out: Finding[] = [];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready && ready.status !== 'True') {
    const params = { node: nodeName, since: ready.lastTransitionTime ? shortDuration(input.now.getTime() - Date.parse(ready.lastTransitionTime)) : '?' };
    out.push({ code: ready.status === 'Unknown' ? 'nodeUnreachable' : 'nodeNotReady', severity: 'error', params, evidence: ready.message ? [ready.message] : [] });
  }
  if (node.spec?.unschedulable) out.push({ code: 'nodeCordoned', severity: 'info', params: { node: nodeName }, evidence: [] });
  const taints = (node.spec?.taints ?? []).filter((t) => !LIFECYCLE_TAINTS.has(t.key) && t.key !== 'node.kubernetes.io/unschedulable');
  if (taints.length) {
    const evidence = taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
    out.push({ code: 'nodeTainted', severity: taints.some((t) => t.effect === 'NoExecute') ? 'warning' : 'info', params: { node: nodeName }, evidence });
  }
  return out;
}

const ACTIVE_FAULT_PHASES = new Set(['Pending', 'Injecting', 'Injected']);

/** PodFaults in force whose recorded targets include this pod (by uid, else namespace/name). */
export function faultsTargetingPod(pod: Pod, faults: PodFault[]): PodFault[] {
  return faults.filter(
    (f) =>
      !f.metadata.deletionTimestamp &&
      ACTIVE_FAULT_PHASES.has(f.status?.phase ?? 'Pending') &&
      (f.status?.targets ?? []).some(
        (t) => t.kind === 'Pod' && !t.revertedAt && (t.uid ? t.uid === pod.metadata.uid : t.name === pod.metadata.name && (t.namespace ?? f.metadata.namespace) === pod.metadata.namespace),
      ),
  );
}

function faultFindings(pod: Pod, faults: PodFault[]): Finding[] {
  return faultsTargetingPod(pod, faults).map((f) => ({
    code: 'faultInjected' as const,
    severity: 'warning' as const,
    params: { fault: f.metadata.name ?? '', namespace: f.metadata.namespace ?? '', action: f.spec.action },
    evidence: [f.status?.message, f.spec.duration && `duration ${f.spec.duration}`].filter((x): x is string => !!x),
  }));
}

function containerFindings(pod: Pod): Finding[] {
  const out: Finding[] = [];
  const initialized = condition(pod, 'Initialized');
  for (const s of pod.status?.initContainerStatuses ?? []) {
    if (initialized?.status !== 'False') break;
    const waiting = s.state?.waiting?.reason;
    const failedTerm = s.state?.terminated && s.state.terminated.exitCode !== 0 ? s.state.terminated : s.lastState?.terminated;
    // Image and config problems have findings of their own; anything else (a crash loop, an error exit) is
    // reported once, as the init container blocking the app containers.
    if (waiting && waiting !== 'PodInitializing' && !/^(ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerConfigError|CreateContainerError)$/.test(waiting)) {
      out.push({
        code: 'initFailing',
        severity: 'error',
        params: { container: s.name, reason: waiting, exitCode: failedTerm?.exitCode ?? '?', pod: pod.metadata.name ?? '' },
        evidence: [s.state?.waiting?.message, failedTerm?.message].filter((x): x is string => !!x),
      });
    } else if (!waiting && failedTerm && s.state?.terminated) {
      out.push({ code: 'initFailing', severity: 'error', params: { container: s.name, reason: failedTerm.reason ?? 'Error', exitCode: failedTerm.exitCode, pod: pod.metadata.name ?? '' }, evidence: failedTerm.message ? [failedTerm.message] : [] });
    } else {
      out.push(...waitingFindings(s, pod, true));
    }
  }
  for (const s of pod.status?.containerStatuses ?? []) {
    out.push(...waitingFindings(s, pod, false));
    const last = s.lastState?.terminated;
    const crashLooping = s.state?.waiting?.reason === 'CrashLoopBackOff';
    if (last?.reason === 'OOMKilled') {
      const limit = [...(pod.spec?.containers ?? [])].find((c) => c.name === s.name)?.resources?.limits?.memory ?? '—';
      out.push({ code: 'oomKilled', severity: 'error', params: { container: s.name, limit, restarts: s.restartCount }, evidence: [`exitCode ${last.exitCode}`, ...(last.message ? [last.message] : [])] });
    } else if (last && last.exitCode !== 0 && !crashLooping && s.restartCount > 0) {
      out.push({ code: 'exitedWithError', severity: 'warning', params: { container: s.name, reason: last.reason ?? 'Error', exitCode: last.exitCode, restarts: s.restartCount }, evidence: last.message ? [last.message] : [] });
    }
  }
  return out;
}

function waitingFindings(s: ContainerStatus, pod: Pod, init: boolean): Finding[] {
  const waiting = s.state?.waiting;
  if (!waiting?.reason) return [];
  const evidence = waiting.message ? [waiting.message] : [];
  const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === s.name);
  switch (waiting.reason) {
    case 'ErrImagePull':
    case 'ImagePullBackOff':
    case 'InvalidImageName':
      return [{ code: 'imagePull', severity: 'error', params: { container: s.name, reason: waiting.reason, image: spec?.image ?? s.image ?? '' }, evidence }];
    case 'CrashLoopBackOff': {
      const last = s.lastState?.terminated;
      return [
        {
          code: 'crashLoop',
          severity: 'error',
          params: { container: s.name, restarts: s.restartCount, reason: last?.reason ?? 'Error', exitCode: last?.exitCode ?? '?', pod: pod.metadata.name ?? '' },
          evidence: [...evidence, ...(last?.message ? [last.message] : [])],
        },
      ];
    }
    case 'CreateContainerConfigError':
    case 'CreateContainerError':
      return [{ code: 'configError', severity: 'error', params: { container: s.name, reason: waiting.reason }, evidence }];
    case 'PodInitializing':
      return [];
    default:
      return init ? [] : [{ code: 'waiting', severity: 'info', params: { container: s.name, reason: waiting.reason }, evidence }];
  }
}

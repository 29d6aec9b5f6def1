// Probe findings of the pod diagnosis, from the lab's PodProbes snapshot (lab.bosun.dev/v1alpha1):
// how long a probe has been failing (its current failure streak), the last message, whether a PodFault
// injected the failure, and a fix that depends on the handler and the answer.
import type { Pod } from '../../shared/api/pod';
import type { ProbeResultEntry as ProbeHistoryEntry, ContainerProbes as PodProbesContainer, ProbeSnapshot as PodProbesProbe } from '../components/detail/lab-types';
import type { Finding } from './pod-diagnosis';

// The PodProbes shapes live once, in components/detail/lab-types.ts; these are their names here.
export type { ProbeResultEntry as ProbeHistoryEntry, ProbeSnapshot as PodProbesProbe, ContainerProbes as PodProbesContainer } from '../components/detail/lab-types';

const CODES = { readiness: 'readinessFailing', liveness: 'livenessFailing', startup: 'startupFailing' } as const;

/** When the current run of failures began (the oldest failure after the last success), if failing now. */
export function failingSince(history: ProbeHistoryEntry[]): string | undefined {
  let since: string | undefined;
  for (let i = history.length - 1; i >= 0 && !history[i].ok; i--) since = history[i].time;
  return since;
}

/** `http-get http://:8080/healthz` → { port: '8080', path: '/healthz' }. */
export function httpTarget(handler: string): { port: string; path: string } | undefined {
  const m = /^http-get \w+:\/\/[^:/]*:([^/\s]+)(\/\S*)?/.exec(handler);
  return m ? { port: m[1], path: m[2] ?? '/' } : undefined;
}

function fixFor(probe: PodProbesProbe, message: string): { fix: string; params: Record<string, string | number> } {
  if (probe.injectedFailure) return { fix: 'probe.injected', params: {} };
  const http = httpTarget(probe.handler);
  if (http) {
    const status = /statuscode: (\d+)/.exec(message)?.[1];
    if (status) return { fix: 'probe.httpStatus', params: { path: http.path, status } };
    if (/timeout|deadline/i.test(message)) return { fix: 'probe.timeout', params: { timeout: probe.timing.timeoutSeconds } };
    return { fix: 'probe.httpRefused', params: { port: http.port, path: http.path } };
  }
  if (probe.handler.startsWith('tcp-socket')) return { fix: 'probe.tcp', params: { port: probe.handler.split(':').pop() ?? '' } };
  if (probe.handler.startsWith('exec')) return { fix: 'probe.exec', params: { command: probe.handler.slice(5) } };
  return { fix: 'probe.generic', params: {} };
}

export function probeFindings(pod: Pod, containers: PodProbesContainer[], now: Date): Finding[] {
  const out: Finding[] = [];
  for (const c of containers) {
    for (const probe of c.probes) {
      const since = failingSince(probe.history);
      // A probe counts as failing once its result is Failure, or while failures accumulate below the threshold
      // on a container that is not ready — both keep the pod out of the Service.
      const failing = probe.result === 'Failure' || (since !== undefined && probe.consecutiveFailures > 0 && !c.ready);
      if (!failing || since === undefined) continue;
      const last = probe.history[probe.history.length - 1];
      const message = probe.injectedFailure ?? last.message;
      const { fix, params } = fixFor(probe, message);
      out.push({
        code: CODES[probe.type],
        severity: probe.type === 'readiness' ? 'warning' : 'error',
        params: {
          container: c.name,
          seconds: Math.max(0, Math.round((now.getTime() - Date.parse(since)) / 1000)),
          failures: probe.consecutiveFailures,
          threshold: probe.timing.failureThreshold,
          message,
          handler: probe.handler,
          injected: probe.injectedFailure ? 1 : 0,
          pod: pod.metadata.name ?? '',
          ...params,
        },
        evidence: [`${probe.handler}: ${message}`],
        fix,
      });
    }
  }
  return out;
}

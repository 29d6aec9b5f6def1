// When and where a followed log stream picks up again after it ended on its own: the framework-free
// half of use-logs' reconnects, unit-tested without a browser.
// A followed stream ends for many reasons that are not "the log is over": Chromium cancels requests
// in flight with net::ERR_NETWORK_CHANGED whenever an interface comes or goes (Docker adds one per
// container it starts), the lab restarts, the container restarts. Like `kubectl logs -f` wrapped in a
// retry loop (and Lens or Headlamp), the viewer reconnects unless the container is done for good.
import { isApiError } from '../../shared/api/errors';
import type { Pod } from '../../shared/api/pod';
import type { LogLine } from './log-lines';

export const RECONNECT_INITIAL_MS = 500;
export const RECONNECT_MAX_MS = 5000;

/** 0.5 s, 1 s, 2 s, 4 s, then 5 s for every further consecutive failure. */
export function reconnectDelay(failures: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_INITIAL_MS * 2 ** Math.max(0, failures));
}

/**
 * Failures worth another try: the API could not be reached or the connection broke mid-stream (a
 * fetch TypeError, which is not an ApiError), or the server is momentarily unable (5xx, 429). A
 * refused request (401, 403, 404, 422) would be refused again.
 */
export function isTransient(error: unknown): boolean {
  if (!isApiError(error)) return true;
  return error.code >= 500 || error.code === 429;
}

/**
 * True when the container whose log was followed will never write again, so a stream that ended is the
 * end of its log: the pod finished (Succeeded/Failed), or the container terminated and its restart
 * policy does not bring it back (Never, OnFailure after exit 0, an init container that succeeded).
 * `container` undefined means the pod's only container, as the API picks it.
 */
export function terminatedForGood(pod: Pod, container: string | undefined): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  const spec = pod.spec;
  const name = container ?? (spec?.containers.length === 1 ? spec.containers[0].name : undefined);
  if (!name) return false;
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  const terminated = statuses.find((s) => s.name === name)?.state?.terminated;
  if (!terminated) return false;
  const init = spec?.initContainers?.find((c) => c.name === name);
  // A sidecar (restartable init container) restarts like a regular container under Always.
  if (init && init.restartPolicy !== 'Always') return terminated.exitCode === 0;
  const policy = init ? 'Always' : (spec?.restartPolicy ?? 'Always');
  return policy === 'Never' || (policy === 'OnFailure' && terminated.exitCode === 0);
}

/**
 * Where a stream resumes: the newest line already held for its source, and how many held lines of that
 * source carry exactly that timestamp.
 *
 * Why skip rather than trust sinceTime alone: the reconnect asks for `sinceTime` = that line's
 * timestamp, but the server starts from a coarser instant (Kubernetes' sinceTime is seconds on the
 * wire; the lab keeps milliseconds) and includes the line itself, so the new stream repeats some lines
 * already shown. Lines come back in the same order with the same nanosecond timestamps, so every line
 * older than the resume point, and the first `sameKey` lines at it, are the ones already held.
 * Comparing by position rather than by text keeps two genuinely identical lines (same time, same
 * text) both.
 */
export interface ResumePoint {
  ts: string;
  key: number;
  sameKey: number;
}

export function resumePointOf(lines: readonly LogLine[], source: number): ResumePoint | undefined {
  let last: LogLine | undefined;
  let sameKey = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (line.source !== source) continue;
    if (!last) {
      // A line without a timestamp gives nothing to resume from: the stream starts over as first asked.
      if (!line.ts || Number.isNaN(line.key)) return undefined;
      last = line;
    }
    if (line.key !== last.key) break;
    sameKey++;
  }
  return last ? { ts: last.ts, key: last.key, sameKey } : undefined;
}

/** A per-stream filter that drops the lines a resumed stream repeats (see ResumePoint). */
export function skipAlreadyShown(resume: ResumePoint | undefined): (line: LogLine) => boolean {
  if (!resume) return () => true;
  let toSkipAtKey = resume.sameKey;
  let past = false;
  return (line) => {
    if (past) return true;
    if (line.key < resume.key) return false;
    if (line.key === resume.key && toSkipAtKey > 0) {
      toSkipAtKey--;
      return false;
    }
    past = true;
    return true;
  };
}

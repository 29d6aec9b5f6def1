// CPU and memory stress inside a running container, by exec, with nothing added to the image: the
// processes are plain `sh` loops (busy loop; `head | tail` holding bytes) whose argv carries a marker
// derived from the fault's uid. Revert finds them by that marker in /proc/*/cmdline — together with
// their descendants — and SIGKILLs them, so it works from the recorded target alone, also after the app
// crashed and restarted (the containers outlive the app and are adopted). Docker enforces the container's
// CPU quota and memory limit, so CPU stress stays within the limit and memory above it is OOM-killed.
import type { ContainerRuntime, ExecResult } from '../runtime/runtime';

/** Marker in the argv of every stress process of one fault. */
export const stressMarker = (faultUid: string): string => `bosun-chaos-${faultUid}`;

const EXEC_TIMEOUT_MS = 15_000;

// `$1` is the fault uid; the marker is assembled at run time so no shell running these scripts carries
// it in its own argv (the revert script must not find itself).
const cpuScript = (workers: number): string =>
  `i=0; while [ "$i" -lt ${workers} ]; do sh -c 'while :; do :; done' "bosun-chaos-$1" </dev/null >/dev/null 2>&1 & i=$((i+1)); done`;

// tail keeps an unterminated "last line" in memory; sleep keeps the pipe open so tail never reaches EOF.
const memoryScript = (bytes: number): string =>
  `sh -c '(head -c ${bytes} /dev/zero; exec sleep 2147483647) | tail >/dev/null' "bosun-chaos-$1" </dev/null >/dev/null 2>&1 &`;

/** Kills every process whose argv carries the marker, and their descendants; prints the pids killed. */
export const STOP_SCRIPT = [
  `m="bosun-chaos-$1"; self=$$; pids=""`,
  `for d in /proc/[0-9]*; do p=\${d#/proc/}; [ "$p" = "$self" ] && continue; case "$(tr '\\0' ' ' < "$d/cmdline" 2>/dev/null)" in *"$m"*) pids="$pids $p";; esac; done`,
  `more=1`,
  `while [ -n "$pids" ] && [ -n "$more" ]; do more=""; for d in /proc/[0-9]*; do p=\${d#/proc/}; case " $pids " in *" $p "*) continue;; esac; read -r _ _ _ pp _ < "$d/stat" 2>/dev/null || continue; case " $pids " in *" $pp "*) pids="$pids $p"; more=1;; esac; done; done`,
  `[ -z "$pids" ] || kill -9 $pids 2>/dev/null`,
  `echo $pids`,
].join('\n');

export const cpuStressCommand = (faultUid: string, workers: number): string[] => ['sh', '-c', cpuScript(workers), '_', faultUid];
export const memoryStressCommand = (faultUid: string, bytes: number): string[] => ['sh', '-c', memoryScript(bytes), '_', faultUid];
export const stopStressCommand = (faultUid: string): string[] => ['sh', '-c', STOP_SCRIPT, '_', faultUid];

/** Why an exec could not run the stress at all (126/127: no shell or no such program), else undefined. */
function shellProblem(result: ExecResult, containerName: string, image: string): string | undefined {
  if (result.timedOut) return `starting the stress in container ${containerName} timed out`;
  if (result.exitCode === 126 || result.exitCode === 127) {
    return `container ${containerName} (image ${image}) has no usable /bin/sh: CPU and memory stress run shell loops inside the container, so they need an image with a shell`;
  }
  if (result.exitCode !== 0) return `starting the stress in container ${containerName} failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim()}`;
  return undefined;
}

export async function startCpuStress(runtime: ContainerRuntime, id: string, faultUid: string, workers: number, label: { name: string; image: string }): Promise<void> {
  const result = await runtime.exec(id, cpuStressCommand(faultUid, workers), { timeoutMs: EXEC_TIMEOUT_MS });
  const problem = shellProblem(result, label.name, label.image);
  if (problem) throw new Error(problem);
}

export async function startMemoryStress(runtime: ContainerRuntime, id: string, faultUid: string, bytes: number, label: { name: string; image: string }): Promise<void> {
  const result = await runtime.exec(id, memoryStressCommand(faultUid, bytes), { timeoutMs: EXEC_TIMEOUT_MS });
  const problem = shellProblem(result, label.name, label.image);
  if (problem) throw new Error(problem);
}

// cgroup v2 first (memory.events), then v1 (memory.oom_control): both count kernel OOM kills in `oom_kill`.
const OOM_COUNT_SCRIPT = 'cat /sys/fs/cgroup/memory.events 2>/dev/null || cat /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null';

/**
 * How many processes the kernel OOM-killed in the container's memory cgroup so far; undefined when the
 * container cannot tell (no cat, no cgroup files). Docker only reports OOMKilled once the container has
 * exited, so this counter is how an OOM kill of an exec'd process (not the main one) becomes visible.
 */
export async function oomKillCount(runtime: ContainerRuntime, id: string): Promise<number | undefined> {
  const result = await runtime.exec(id, ['sh', '-c', OOM_COUNT_SCRIPT], { timeoutMs: EXEC_TIMEOUT_MS }).catch(() => undefined);
  const m = result && /^oom_kill (\d+)$/m.exec(result.stdout);
  return m ? Number(m[1]) : undefined;
}

/** Kills the fault's stress processes in one container instance; answers how many it found. */
export async function stopStress(runtime: ContainerRuntime, id: string, faultUid: string): Promise<number> {
  const result = await runtime.exec(id, stopStressCommand(faultUid), { timeoutMs: EXEC_TIMEOUT_MS });
  return result.stdout.trim().split(/\s+/).filter(Boolean).length;
}

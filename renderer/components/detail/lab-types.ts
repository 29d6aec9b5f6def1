// The PodProbes status as the lab serves it (main/kubelet/probes/manager.ts ContainerProbesSnapshot);
// restated here because the renderer never imports main/.
export interface ProbeResultEntry {
  time: string;
  ok: boolean;
  latencyMs: number;
  message: string;
}

export interface ProbeSnapshot {
  type: 'startup' | 'liveness' | 'readiness';
  handler: string;
  timing: { timeoutSeconds: number; periodSeconds: number; successThreshold: number; failureThreshold: number; initialDelaySeconds: number };
  result: 'Success' | 'Failure' | 'Unknown';
  consecutiveSuccesses: number;
  consecutiveFailures: number;
  history: ProbeResultEntry[];
  /** Set while a PodFault makes this probe fail. */
  injectedFailure?: string;
}

export interface ContainerProbes {
  name: string;
  ready: boolean;
  started: boolean;
  probes: ProbeSnapshot[];
}

/** The scheduler.bosun.dev/decision annotation (main/scheduler/explain.ts Decision). */
export interface SchedulerDecision {
  time: string;
  result: 'Scheduled' | 'Unschedulable' | 'Error';
  node?: string;
  message?: string;
  evaluated: number;
  feasible: number;
  nodes: Record<string, { filter: string; scores?: Record<string, number>; total?: number }>;
  omitted?: number;
}

// What the tray shows, computed from API objects (no electron import, unit-tested). The tray reads the
// lab through the in-process API and its watches, like any other client of the control plane.
import type { FaultPhase } from '../../shared/api/chaos';
import type { Node } from '../../shared/api/node';
import { reachabilityFromConfigMap, type RuntimeReachability } from '../lab-status';
import type { ConfigMap } from '../../shared/api/config';

export type TrayHealth = 'ok' | 'degraded' | 'stopped';

export interface TrayStatus {
  health: TrayHealth;
  /** First line of the menu and the tooltip, e.g. "Lab running · nodes ready 2/3 · 1 active fault". */
  summary: string;
  nodesReady: number;
  nodesTotal: number;
  activeFaults: number;
  /** Set while the engine is not reachable (the banner text). */
  runtimeProblem?: string;
}

/** Phases in which a fault is in force or about to be (Reverted and Failed ones are history). */
const ACTIVE_PHASES: ReadonlySet<FaultPhase | undefined> = new Set<FaultPhase | undefined>([undefined, 'Pending', 'Injecting', 'Injected', 'Reverting']);

export function isFaultActive(fault: { metadata: { deletionTimestamp?: string }; status?: { phase?: FaultPhase } }): boolean {
  return ACTIVE_PHASES.has(fault.status?.phase);
}

function isReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export interface TrayInputs {
  running: boolean;
  nodes: readonly Node[];
  faults: ReadonlyArray<{ metadata: { deletionTimestamp?: string }; status?: { phase?: FaultPhase } }>;
  labStatus?: Pick<ConfigMap, 'data'>;
}

export function trayStatus({ running, nodes, faults, labStatus }: TrayInputs): TrayStatus {
  if (!running) return { health: 'stopped', summary: 'Lab stopped', nodesReady: 0, nodesTotal: 0, activeFaults: 0 };
  const reachability: RuntimeReachability | undefined = reachabilityFromConfigMap(labStatus);
  const nodesReady = nodes.filter(isReady).length;
  const activeFaults = faults.filter(isFaultActive).length;
  const parts = ['Lab running', `nodes ready ${nodesReady}/${nodes.length}`, `${activeFaults} active fault${activeFaults === 1 ? '' : 's'}`];
  const runtimeProblem = reachability && !reachability.reachable ? (reachability.help ?? `Docker engine not reachable at ${reachability.endpoint}`) : undefined;
  if (runtimeProblem) parts.splice(1, 0, 'Docker not reachable');
  const degraded = Boolean(runtimeProblem) || nodesReady < nodes.length || activeFaults > 0;
  return { health: degraded ? 'degraded' : 'ok', summary: parts.join(' · '), nodesReady, nodesTotal: nodes.length, activeFaults, ...(runtimeProblem ? { runtimeProblem } : {}) };
}

const COLORS: Record<TrayHealth, [number, number, number]> = { ok: [46, 160, 67], degraded: [219, 140, 0], stopped: [130, 130, 130] };

/**
 * A size×size BGRA bitmap (nativeImage.createFromBitmap's format): a filled disc in the health colour,
 * so the state reads at a glance without shipping image files.
 */
export function trayIconBitmap(health: TrayHealth, size = 16): Buffer {
  const [r, g, b] = COLORS[health];
  const pixels = Buffer.alloc(size * size * 4);
  const c = (size - 1) / 2;
  const radius = size / 2 - 0.5;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      // Soft edge: one pixel of anti-aliasing.
      const alpha = Math.max(0, Math.min(1, radius - d + 0.5));
      const i = (y * size + x) * 4;
      pixels[i] = b;
      pixels[i + 1] = g;
      pixels[i + 2] = r;
      pixels[i + 3] = Math.round(alpha * 255);
    }
  }
  return pixels;
}

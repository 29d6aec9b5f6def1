// Status and finalizer writes of the fault controller. The controller is the only writer of a fault's
// status, but users may touch metadata meanwhile, so every write re-reads on Conflict and re-applies:
// losing a status write here would mean losing what must be reverted.
import { CHAOS_REVERT_FINALIZER, type AnyFault, type FaultCondition, type FaultPhase, type FaultStatus } from '../../shared/api/chaos';
import { isNotFound } from '../../shared/api/errors';
import type { ResourceClient } from '../client/client';
import { retryOnConflict } from '../client/retry';

const MAX_ATTEMPTS = 8;

/**
 * RFC 3339 with milliseconds: fault timestamps are compared against each other (expiresAt − injectedAt is
 * exactly the duration) and drills measure with them; Go's metav1.Time reads the fraction fine.
 */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString();

/** Phases in which something may be injected and must be reverted. */
export const ACTIVE_PHASES: readonly FaultPhase[] = ['Injecting', 'Injected', 'Reverting'];
export const isActive = (fault: AnyFault): boolean => ACTIVE_PHASES.includes(fault.status?.phase as FaultPhase);
export const isFinished = (fault: AnyFault): boolean => fault.status?.phase === 'Reverted' || fault.status?.phase === 'Failed';

/** The Ready-like condition `Injected`: True while the fault is in force, with the phase as reason. */
export function injectedCondition(phase: FaultPhase, message: string, nowMs: number, previous?: FaultCondition[]): FaultCondition[] {
  const status = phase === 'Injected' || phase === 'Injecting' || phase === 'Reverting' ? 'True' : 'False';
  const old = previous?.find((c) => c.type === 'Injected');
  const lastTransitionTime = old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return [...(previous ?? []).filter((c) => c.type !== 'Injected'), { type: 'Injected', status, reason: phase, message, lastTransitionTime }];
}

/**
 * Runs a write against the fault as given, and on Conflict against a fresh read (client-go's
 * RetryOnConflict). Answers the stored object, or undefined when the fault is gone.
 */
async function writeFresh<F extends AnyFault>(client: ResourceClient<F>, fault: F, write: (current: F) => Promise<F>): Promise<F | undefined> {
  let current: F | undefined;
  try {
    return await retryOnConflict(async () => {
      current = current === undefined ? fault : await client.get(fault.metadata.namespace, fault.metadata.name ?? '');
      return write(current);
    }, { steps: MAX_ATTEMPTS });
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Writes `status` over the fault's current status (our own fields win), retrying on Conflict with a fresh read. */
export function writeFaultStatus<F extends AnyFault>(client: ResourceClient<F>, fault: F, status: FaultStatus): Promise<F | undefined> {
  return writeFresh(client, fault, (current) => client.updateStatus(current.metadata.namespace, { ...current, status }));
}

/** Adds or removes the revert finalizer, retrying on Conflict. Answers the stored object (undefined: gone). */
export function setRevertFinalizer<F extends AnyFault>(client: ResourceClient<F>, fault: F, present: boolean): Promise<F | undefined> {
  return writeFresh(client, fault, async (current) => {
    const has = (current.metadata.finalizers ?? []).includes(CHAOS_REVERT_FINALIZER);
    if (has === present) return current;
    // Adding a finalizer to an object already being deleted is refused by Kubernetes; nothing to do then.
    if (present && current.metadata.deletionTimestamp) return current;
    const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== CHAOS_REVERT_FINALIZER);
    if (present) finalizers.push(CHAOS_REVERT_FINALIZER);
    return client.update(current.metadata.namespace, { ...current, metadata: { ...current.metadata, finalizers } });
  });
}

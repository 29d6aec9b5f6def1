// Contracts inside main/chaos: one generic fault controller (finalizer, status-before-injection, persisted
// deadline, revert on delete/expiry/exit/start-up) drives one injector per fault kind.
import type { AnyFault, FaultKind, FaultTarget } from '../../shared/api/chaos';

/**
 * Knows how to pick targets for one fault kind and how to inject/revert the fault on one target.
 * The controller records the targets in status before calling inject, so revert must work from the
 * recorded target alone (after a crash of the app the injector is a fresh instance).
 */
export interface FaultInjector<F extends AnyFault = AnyFault> {
  readonly kind: FaultKind;
  /** Selector + mode/value → concrete targets. Throws ApiError (e.g. invalid/protected namespace) for a fault that must not run. */
  selectTargets(fault: F): Promise<FaultTarget[]>;
  /** Injects on one target; returns it with `restore` data and a human message. */
  inject(fault: F, target: FaultTarget): Promise<FaultTarget>;
  /** Undoes one target's injection. Idempotent; succeeds when the target no longer exists. */
  revert(fault: F, target: FaultTarget): Promise<void>;
}

// chaos.bosun.dev/v1alpha1 drills: steady-state checks + fault steps + a report (main/chaos/drill-*.ts runs
// them). A Drill runs once; its spec is immutable so the report always describes the spec beside it.
import type { FieldError } from '../../../shared/api/errors';
import { CHAOS_GROUP, CHAOS_VERSION } from '../../../shared/api/chaos';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, deepEqual, metaErrors } from './common';
import { validateDrillSpec } from './drill-validation';

type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer', format: 'int32' };
const bool: Schema = { type: 'boolean' };
const obj = (properties: Record<string, Schema>, required?: string[]): Schema => ({ type: 'object', properties, ...(required ? { required } : {}) });
/** Fault templates are checked by the fault kinds' own validation when the drill creates them. */
const faultTemplate: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const check: Schema = obj(
  {
    name: str,
    deploymentReady: obj({ name: str, minReady: int }),
    endpoints: obj({ service: str, minReady: int }),
    http: obj({ url: str, service: str, port: int, path: str, ratePerSecond: int, successPercent: int, timeout: str }),
  },
  ['name'],
);

const step: Schema = obj(
  {
    name: str,
    nodeFault: faultTemplate,
    podFault: faultTemplate,
    serviceFault: faultTemplate,
    rollout: obj({ deployment: str, container: str, image: str, restart: bool }),
    drain: obj({ node: str, uncordonAfter: bool, timeout: str }),
    duration: str,
  },
  ['name'],
);

/** Structural schema (as a CRD declares one): kubectl explain and strict field validation read it. */
export const DRILL_SCHEMA: Schema = obj({
  apiVersion: str,
  kind: str,
  spec: obj(
    {
      hypothesis: str,
      steadyState: { type: 'array', items: check },
      steps: { type: 'array', items: step },
      abortWhen: { type: 'array', items: check },
      abortAfter: str,
      recoveryTimeout: str,
      steadyStateTimeout: str,
    },
    ['steadyState', 'steps'],
  ),
  // Written by the drill controller only; kept open so a newer report field never trips strict decoding.
  status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
});

function stepText(o: Obj): string {
  const steps: Obj[] = o.spec?.steps ?? [];
  const i = o.status?.currentStep;
  if (typeof i !== 'number') return '<none>';
  return `${Math.min(i + 1, steps.length)}/${steps.length} ${o.status?.currentStepName ?? steps[i]?.name ?? ''}`.trim();
}

function seconds(v: unknown): string {
  return typeof v === 'number' ? `${v.toFixed(1)}s` : '<none>';
}

function hypothesisText(o: Obj): string {
  const held = o.status?.report?.hypothesisHeld;
  return held === undefined ? '<none>' : held ? 'Held' : 'NotHeld';
}

function validateUpdate(o: Obj, old: Obj): FieldError[] {
  const out = validateObjectMetaUpdate(o.metadata, old.metadata);
  if (!deepEqual(o.spec, old.spec)) {
    out.push({ type: 'FieldValueForbidden', field: 'spec', detail: 'a drill runs once and its spec is immutable: delete and re-create it to run it again' });
  }
  return out;
}

export const drills: ResourceDef = {
  group: CHAOS_GROUP,
  version: CHAOS_VERSION,
  resource: 'drills',
  kind: 'Drill',
  singular: 'drill',
  namespaced: true,
  categories: ['chaos'],
  subresources: ['status'],
  tracksGeneration: true,
  schema: DRILL_SCHEMA,
  validate: (o) => [...metaErrors(o, true, nameIsDNSSubdomain), ...validateDrillSpec((o as Obj).spec)],
  validateUpdate: (o, old) => validateUpdate(o as Obj, old as Obj),
  columns: [
    col('Phase', 'string', (o) => o.status?.phase ?? 'Pending', 0, 'Where the drill is: Pending, Running, Recovering, Succeeded, Failed or Aborted'),
    col('Step', 'string', (o) => stepText(o), 0, 'The step running (index/count name)'),
    col('Hypothesis', 'string', (o) => hypothesisText(o), 0, 'Whether the steady state held or came back within recoveryTimeout'),
    col('Recovery', 'string', (o) => seconds(o.status?.report?.timeToRecoverSeconds), 0, 'Time from the disruption to the steady state again'),
    col('Detect', 'string', (o) => seconds(o.status?.report?.timeToDetectSeconds), 1, 'Time from the disruption to the first failing check'),
    col('Failed-Requests', 'string', (o) => (o.status?.report ? `${o.status.report.requestsFailed}/${o.status.report.requestsTotal}` : '<none>'), 1, 'HTTP check requests failed/sent'),
    ageColumn,
  ],
};

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
/** `kubectl explain` shows these. */
const doc = (schema: Schema, description: string): Schema => ({ ...schema, description });
/** Fault templates are checked by the fault kinds' own validation when the drill creates them. */
const faultTemplate: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const check: Schema = obj(
  {
    name: doc(str, 'Name of the check, unique in its list (timeline and report use it).'),
    deploymentReady: doc(obj({ name: str, minReady: int }), "Holds when the Deployment's status.readyReplicas is at least minReady."),
    endpoints: doc(obj({ service: str, minReady: int }), "Holds when the Service's Endpoints have at least minReady ready addresses."),
    http: doc(
      obj({ url: str, service: str, port: int, path: str, ratePerSecond: int, successPercent: int, timeout: str }),
      'GETs url (http://127.0.0.1…) or the NodePort of service+port, ratePerSecond times a second (default 10); holds when at least successPercent (default 95) of the last ratePerSecond answers were 2xx within timeout (default 1s).',
    ),
  },
  ['name'],
);

const step: Schema = obj(
  {
    name: doc(str, 'Step name (a DNS label); a fault step creates the fault <drill>-<step>.'),
    nodeFault: doc(faultTemplate, 'A NodeFault spec to inject for duration.'),
    podFault: doc(faultTemplate, 'A PodFault spec to inject for duration.'),
    serviceFault: doc(faultTemplate, 'A ServiceFault spec to inject for duration.'),
    rollout: doc(obj({ deployment: str, container: str, image: str, restart: bool }), 'kubectl set image (image) or kubectl rollout restart (restart: true) of a Deployment; waits for the rollout.'),
    drain: doc(obj({ node: str, uncordonAfter: bool, timeout: str }), 'kubectl drain --ignore-daemonsets: cordon, evict through pods/eviction (429s retried every second), wait; uncordonAfter uncordons.'),
    duration: doc(str, 'Go duration: how long a fault stays, or the wait after a rollout/drain; alone, a pause.'),
  },
  ['name'],
);

/** Structural schema (as a CRD declares one): kubectl explain and strict field validation read it. */
export const DRILL_SCHEMA: Schema = doc(obj({
  apiVersion: str,
  kind: str,
  spec: obj(
    {
      hypothesis: doc(str, 'What the drill expects to stay true, in words.'),
      steadyState: doc({ type: 'array', items: check }, 'Checks that must hold before the first step and again within recoveryTimeout after the last.'),
      steps: doc({ type: 'array', items: step }, 'What the drill does, in order.'),
      abortWhen: doc({ type: 'array', items: check }, 'Checks whose failure for abortAfter straight aborts the drill (its faults are deleted).'),
      abortAfter: doc(str, 'Go duration, default 5s.'),
      recoveryTimeout: doc(str, 'Go duration, default 60s: how long after the last step the steady state may take to come back.'),
      steadyStateTimeout: doc(str, 'Go duration, default 60s: how long the steady state may take to hold before the first step.'),
    },
    ['steadyState', 'steps'],
  ),
  // Written by the drill controller only; kept open so a newer report field never trips strict decoding.
  status: doc({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, 'Phase, current step, timeline and report, written by the drill controller.'),
}), 'A chaos drill: steady-state checks, fault steps, a timeline and a report (docs/DRILLS.md). Runs once, when created.');

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

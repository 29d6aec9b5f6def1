// chaos.bosun.dev/v1alpha1 nodefaults (cluster-scoped), podfaults and servicefaults (namespaced): faults as
// declarative API objects. Category `chaos`, so `kubectl get chaos` lists them (and the Drills) together.
// The spec is immutable once created: the controller records targets and restore data from it, and a
// changed spec under an injected fault could not be reverted faithfully — delete and re-create instead.
import { humanDuration } from '../../../shared/api/duration';
import type { FieldError } from '../../../shared/api/errors';
import { CHAOS_GROUP, CHAOS_VERSION } from '../../../shared/api/chaos';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef, TableColumn } from '../types';
import { ageColumn, col, ensure, immutable, metaErrors, type Obj } from './common';
import { nodeFaultSchema, podFaultSchema, serviceFaultSchema } from './chaos-fault-schemas';
import { validateNodeFaultSpec, validatePodFaultSpec, validateServiceFaultSpec } from './chaos-fault-validation';

/** Targets as recorded in status (after selection), else what the spec names. */
function targetsCell(o: Obj): string {
  const targets = (o.status?.targets ?? []) as Obj[];
  if (targets.length) return targets.map((t) => t.name).join(',');
  const sel = o.spec?.selector ?? {};
  if (Array.isArray(sel.nodeNames) && sel.nodeNames.length) return sel.nodeNames.join(',');
  if (Array.isArray(sel.pods) && sel.pods.length) return sel.pods.join(',');
  return '<none>';
}

/** Time left until the persisted deadline ("45s"), "-" without one, "0s" once passed. */
function expiresCell(o: Obj, now: Date): string {
  const at = Date.parse(o.status?.expiresAt ?? '');
  if (Number.isNaN(at)) return o.spec?.duration && !o.status?.revertedAt ? o.spec.duration : '-';
  if (o.status?.revertedAt) return '-';
  return humanDuration(Math.max(0, at - now.getTime()));
}

const phaseColumn = col('Phase', 'string', (o) => o.status?.phase ?? 'Pending', 0, 'Pending, Injecting, Injected, Reverting, Reverted or Failed.');
const expiresColumn = col('Expires', 'string', expiresCell, 0, 'Time left until the fault is reverted on its own.');
const messageColumn = col('Message', 'string', (o) => o.status?.message ?? '', 1, 'What happened last.');

function defaultMode(o: Obj): void {
  const spec = ensure(o, 'spec');
  if (spec.mode === undefined || spec.mode === '') spec.mode = 'all';
}

function faultDef(
  resource: string,
  kind: string,
  namespaced: boolean,
  schema: Record<string, unknown>,
  validateSpec: (spec: Obj | undefined, namespace: string | undefined) => FieldError[],
  columns: TableColumn[],
  defaults?: (o: Obj) => void,
): ResourceDef {
  return {
    group: CHAOS_GROUP,
    version: CHAOS_VERSION,
    resource,
    kind,
    singular: kind.toLowerCase(),
    namespaced,
    categories: ['chaos'],
    subresources: ['status'],
    tracksGeneration: true,
    schema,
    defaults: defaults ? (o) => defaults(o as Obj) : undefined,
    validate: (o) => [...metaErrors(o, namespaced, nameIsDNSSubdomain), ...validateSpec((o as Obj).spec, o.metadata.namespace)],
    validateUpdate: (o, old) => [...validateObjectMetaUpdate(o.metadata, old.metadata), ...immutable('spec', (o as Obj).spec, (old as Obj).spec)],
    columns,
  };
}

export const nodefaults = faultDef(
  'nodefaults',
  'NodeFault',
  false,
  nodeFaultSchema,
  (spec) => validateNodeFaultSpec(spec),
  [col('Action', 'string', (o) => o.spec?.action ?? ''), col('Targets', 'string', targetsCell), phaseColumn, expiresColumn, ageColumn, messageColumn],
  defaultMode,
);

export const podfaults = faultDef(
  'podfaults',
  'PodFault',
  true,
  podFaultSchema,
  validatePodFaultSpec,
  [col('Action', 'string', (o) => o.spec?.action ?? ''), col('Targets', 'string', targetsCell), phaseColumn, expiresColumn, ageColumn, messageColumn],
  defaultMode,
);

const percentCell = (v: unknown): string => (typeof v === 'number' ? `${v}%` : '-');

export const servicefaults = faultDef(
  'servicefaults',
  'ServiceFault',
  true,
  serviceFaultSchema,
  validateServiceFaultSpec,
  [
    col('Service', 'string', (o) => o.spec?.service?.name ?? ''),
    col('Latency', 'string', (o) => o.spec?.latency ?? '-'),
    col('Errors', 'string', (o) => percentCell(o.spec?.errorPercent)),
    col('Drops', 'string', (o) => percentCell(o.spec?.dropPercent)),
    phaseColumn,
    expiresColumn,
    ageColumn,
    messageColumn,
  ],
);

export const chaosFaultResources: ResourceDef[] = [nodefaults, podfaults, servicefaults];

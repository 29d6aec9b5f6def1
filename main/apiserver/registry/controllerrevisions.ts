// apps/v1 controllerrevisions: the template history StatefulSets and DaemonSets keep, which
// `kubectl rollout history/undo` reads and patches back (k8s pkg/registry/apps/controllerrevision).
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, immutable, metaErrors, nonNegative, required } from './common';

/** printControllerRevision's CONTROLLER cell: `statefulset.apps/web`, or `<none>` without a controller. */
function controllerCell(o: Obj): string {
  const ref = ((o.metadata?.ownerReferences ?? []) as Obj[]).find((r) => r.controller);
  if (!ref) return '<none>';
  const slash = String(ref.apiVersion ?? '').indexOf('/');
  const group = slash < 0 ? '' : String(ref.apiVersion).slice(0, slash);
  return `${String(ref.kind).toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

export const controllerrevisions: ResourceDef = {
  group: 'apps',
  version: 'v1',
  resource: 'controllerrevisions',
  kind: 'ControllerRevision',
  singular: 'controllerrevision',
  namespaced: true,
  validate: (o) => {
    const errs = [...metaErrors(o, true, nameIsDNSSubdomain), ...nonNegative('revision', (o as Obj).revision)];
    if ((o as Obj).data === undefined || (o as Obj).data === null) errs.push(required('data'));
    return errs;
  },
  // The data is the history itself; only the revision number moves (a rollback renumbers an old revision).
  validateUpdate: (o, old) => [...validateObjectMetaUpdate(o.metadata, old.metadata), ...immutable('data', (o as Obj).data, (old as Obj).data)],
  columns: [
    col('Controller', 'string', controllerCell, 0, 'Controller of the object'),
    col('Revision', 'integer', (o) => o.revision ?? 0, 0, 'Revision indicates the revision of the state represented by Data.'),
    ageColumn,
  ],
};

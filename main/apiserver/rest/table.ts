// meta.k8s.io/v1 Table responses (what `kubectl get` asks for): Name first, then the kind's columns or
// a default Age. Date cells are rendered server-side as ages ("5m", "3d4h") because kubectl prints
// cells verbatim, exactly as the apiserver's own printers do.
import { humanDuration } from '../../../shared/api/duration';
import type { KubeObject, ListMeta } from '../../../shared/api/meta';
import type { ApiRequest, ResourceDef, TableColumn } from '../types';

const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
  cell: (o) => o.metadata.name ?? '',
};

const AGE_COLUMN: TableColumn = {
  name: 'Age',
  type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (o) => o.metadata.creationTimestamp ?? '',
};

export function tableColumns(def: ResourceDef): TableColumn[] {
  const rest = def.columns?.length ? def.columns : [AGE_COLUMN];
  return def.omitNameColumn ? rest : [NAME_COLUMN, ...rest];
}

function renderCell(col: TableColumn, obj: KubeObject, now: Date): unknown {
  let v: unknown;
  try {
    v = col.cell(obj, now);
  } catch {
    v = '<unknown>';
  }
  if (col.type === 'date') {
    if (typeof v !== 'string' || v === '') return '<unknown>';
    const t = Date.parse(v);
    return Number.isNaN(t) ? v : humanDuration(now.getTime() - t);
  }
  return v ?? (col.type === 'string' ? '<none>' : null);
}

export function rowObject(obj: KubeObject, includeObject: string): unknown {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(def: ResourceDef, objects: KubeObject[], req: ApiRequest, now: Date, listMeta: ListMeta = {}): Record<string, unknown> {
  const cols = tableColumns(def);
  const includeObject = req.query?.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: cols.map((c) => {
      const d: Record<string, unknown> = { name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority };
      return d;
    }),
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: cols.map((c) => renderCell(c, o, now)) };
      const ro = rowObject(o, includeObject);
      if (ro !== undefined) row.object = ro;
      return row;
    }),
  };
}

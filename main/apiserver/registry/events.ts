// core/v1 events. kubectl shows LAST SEEN TYPE REASON OBJECT MESSAGE with no leading NAME.
import type { FieldError } from '../../../shared/api/errors';
import { timestampSince } from '../../../shared/api/duration';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { col, invalid, metaErrors, notSupported } from './common';

function firstSeen(o: Obj, now: Date): string {
  return timestampSince(o.firstTimestamp || o.eventTime, now);
}

function lastSeen(o: Obj, now: Date): string {
  if (o.series?.lastObservedTime) return timestampSince(o.series.lastObservedTime, now);
  return o.lastTimestamp ? timestampSince(o.lastTimestamp, now) : firstSeen(o, now);
}

function eventCount(o: Obj): number {
  if (o.series) return o.series.count ?? 0;
  return o.count || 1;
}

/** `pod/web-1`, or just the kind when the object has no name. */
export function eventObjectText(o: Obj): string {
  const kind = String(o.involvedObject?.kind ?? '').toLowerCase();
  return o.involvedObject?.name ? `${kind}/${o.involvedObject.name}` : kind;
}

function sourceText(o: Obj): string {
  const component = o.source?.component || o.reportingComponent || '';
  const host = o.source?.host || o.reportingInstance || '';
  return host ? `${component}, ${host}` : component;
}

function validateEvent(o: Obj): FieldError[] {
  const out: FieldError[] = [];
  const ns = o.involvedObject?.namespace;
  if (ns && o.metadata?.namespace && ns !== o.metadata.namespace) {
    out.push(invalid('involvedObject.namespace', ns, 'does not match event.namespace'));
  }
  if (o.type && !['Normal', 'Warning'].includes(o.type)) out.push(notSupported('type', o.type, ['Normal', 'Warning']));
  return out;
}

export const events: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  selectableFields: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  validate: (o) => [...metaErrors(o, true, nameIsDNSSubdomain), ...validateEvent(o as Obj)],
  validateUpdate: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata),
  omitNameColumn: true,
  columns: [
    col('Last Seen', 'string', (o, now) => lastSeen(o, now), 0, 'Time when last event from this object was seen.'),
    col('Type', 'string', (o) => o.type ?? '', 0, 'Type of this event (Normal, Warning), new types could be added in the future.'),
    col('Reason', 'string', (o) => o.reason ?? '', 0, 'This should be a short, machine understandable string that gives the reason for this event being generated.'),
    col('Object', 'string', (o) => eventObjectText(o), 0, 'The object that this event is about.'),
    col('Subobject', 'string', (o) => o.involvedObject?.fieldPath ?? '', 1, 'The subobject that this event is about.'),
    col('Source', 'string', (o) => sourceText(o), 1, 'The component reporting this event.'),
    col('Message', 'string', (o) => String(o.message ?? '').trim(), 0, 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', (o, now) => firstSeen(o, now), 1, 'The first time that this event was seen.'),
    col('Count', 'integer', (o) => eventCount(o), 1, 'The number of times this event has occurred.'),
    col('Name', 'string', (o) => o.metadata?.name ?? '', 1, 'Name of the event.'),
  ],
};

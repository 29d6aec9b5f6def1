// Named k8s-events.ts because "events" is a Node built-in that the renderer lint forbids importing.
import type { Event } from '../../shared/api/event';
import { since, timeOrZero } from './format';
import { describe } from './types';

/** The time an event was last seen, across the old and the new (events.k8s.io) fields. */
export function lastSeen(e: Event): string | undefined {
  return e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? undefined;
}

export function involvedText(e: Event): string {
  return `${(e.involvedObject.kind ?? '').toLowerCase()}/${e.involvedObject.name ?? ''}`;
}

export const events = describe<Event>({
  kind: 'Event',
  group: '',
  version: 'v1',
  resource: 'events',
  namespaced: true,
  title: 'nav.events',
  columns: [
    {
      key: 'lastSeen',
      label: 'columns.lastSeen',
      width: 110,
      value: (e, now) => since(lastSeen(e), now),
      sortValue: (e) => timeOrZero(lastSeen(e)),
    },
    { key: 'type', label: 'columns.type', width: 90, value: (e) => e.type ?? '', tone: (e) => (e.type === 'Warning' ? 'warning' : 'info') },
    { key: 'reason', label: 'columns.reason', width: 150, value: (e) => e.reason ?? '' },
    { key: 'object', label: 'columns.object', width: 220, value: involvedText },
    { key: 'message', label: 'columns.message', width: 320, grow: 1, value: (e) => e.message ?? '' },
  ],
  summary: [
    { label: 'columns.reason', value: (e) => e.reason },
    { label: 'columns.object', value: involvedText },
    { label: 'columns.message', value: (e) => e.message },
    { label: 'fields.count', value: (e) => String(e.count ?? e.series?.count ?? 1) },
    { label: 'fields.source', value: (e) => e.source?.component ?? e.reportingComponent },
  ],
  // An Event's own name (`pod.18ea…`) says nothing; the object it is about does.
  hideName: true,
  sections: ['summary', 'yaml'],
  actions: [],
  searchText: (e) => `${e.reason ?? ''} ${involvedText(e)} ${e.message ?? ''}`,
});

import type { Endpoints } from '../../shared/api/service';
import { NONE } from './format';
import { describe } from './types';

/** kubectl's ENDPOINTS column: ready addresses with ports, at most three then "+ N more...". */
export function endpointsText(e: Endpoints): string {
  const all: string[] = [];
  for (const subset of e.subsets ?? []) {
    for (const a of subset.addresses ?? []) {
      if (!subset.ports?.length) all.push(a.ip);
      for (const p of subset.ports ?? []) all.push(`${a.ip}:${p.port}`);
    }
  }
  if (!all.length) return NONE;
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

export const endpoints = describe<Endpoints>({
  kind: 'Endpoints',
  group: '',
  version: 'v1',
  resource: 'endpoints',
  namespaced: true,
  title: 'nav.endpoints',
  columns: [{ key: 'endpoints', label: 'columns.endpoints', width: 260, value: endpointsText }],
  summary: [
    { label: 'columns.endpoints', value: endpointsText },
    {
      label: 'fields.notReady',
      value: (e) => (e.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip)).join(',') || NONE,
    },
  ],
  sections: ['summary', 'addresses', 'events', 'yaml'],
  actions: ['edit-yaml', 'delete'],
});

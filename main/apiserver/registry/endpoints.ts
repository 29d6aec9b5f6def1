// core/v1 endpoints (written by the endpoints controller; read by the service proxy and kubectl).
import type { FieldError } from '../../../shared/api/errors';
import { isDNS1123Label, isValidPortNum, nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, invalid, metaErrors, notSupported, required } from './common';

const MAX_SHOWN = 3;

/** printEndpoints' ENDPOINTS: `10.0.0.1:80,10.0.0.2:80 + 3 more...`, `<none>` when empty. */
export function endpointsText(o: Obj): string {
  const all: string[] = [];
  let count = 0;
  for (const subset of (o.subsets ?? []) as Obj[]) {
    const addresses = (subset.addresses ?? []) as Obj[];
    const ports = (subset.ports ?? []) as Obj[];
    if (ports.length === 0) {
      for (const a of addresses) {
        count++;
        if (all.length < MAX_SHOWN) all.push(a.ip);
      }
      continue;
    }
    for (const p of ports) {
      for (const a of addresses) {
        count++;
        if (all.length < MAX_SHOWN) all.push(`${a.ip}:${p.port}`);
      }
    }
  }
  if (count === 0) return '<none>';
  return count > all.length ? `${all.join(',')} + ${count - all.length} more...` : all.join(',');
}

function validateSubsets(subsets: Obj[]): FieldError[] {
  const out: FieldError[] = [];
  subsets.forEach((s, i) => {
    const f = `subsets[${i}]`;
    for (const key of ['addresses', 'notReadyAddresses']) {
      ((s[key] ?? []) as Obj[]).forEach((a, j) => {
        if (!a.ip) out.push(required(`${f}.${key}[${j}].ip`));
        if (a.hostname) out.push(...isDNS1123Label(a.hostname).map((m) => invalid(`${f}.${key}[${j}].hostname`, a.hostname, m)));
      });
    }
    ((s.ports ?? []) as Obj[]).forEach((p, j) => {
      out.push(...isValidPortNum(p.port).map((m) => invalid(`${f}.ports[${j}].port`, p.port, m)));
      if (p.protocol && !['SCTP', 'TCP', 'UDP'].includes(p.protocol)) out.push(notSupported(`${f}.ports[${j}].protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
    });
  });
  return out;
}

export const endpoints: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'endpoints',
  kind: 'Endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  defaults: (o) => {
    for (const s of ((o as Obj).subsets ?? []) as Obj[]) for (const p of (s.ports ?? []) as Obj[]) if (!p.protocol) p.protocol = 'TCP';
  },
  validate: (o) => [...metaErrors(o, true, nameIsDNSSubdomain), ...validateSubsets(((o as Obj).subsets ?? []) as Obj[])],
  validateUpdate: (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata),
  columns: [col('Endpoints', 'string', (o) => endpointsText(o), 0, 'Endpoints of the service.'), ageColumn],
};

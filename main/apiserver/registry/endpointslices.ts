// discovery.k8s.io/v1 endpointslices.
import type { FieldError } from '../../../shared/api/errors';
import { nameIsDNSSubdomain, validateObjectMetaUpdate } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';
import type { Obj } from './common';
import { ageColumn, col, immutable, metaErrors, notSupported, required } from './common';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

function slicePorts(o: Obj): string {
  const ports = (o.ports ?? []) as Obj[];
  if (ports.length === 0) return '<unset>';
  const shown = ports.slice(0, 3).map((p) => (p.port == null ? '<unset>' : String(p.port)));
  return ports.length > 3 ? `${shown.join(',')} + ${ports.length - 3} more...` : shown.join(',');
}

function sliceEndpoints(o: Obj): string {
  const addrs = ((o.endpoints ?? []) as Obj[]).flatMap((e) => (e.addresses ?? []) as string[]);
  if (addrs.length === 0) return '<unset>';
  const shown = addrs.slice(0, 3);
  return addrs.length > 3 ? `${shown.join(',')} + ${addrs.length - 3} more...` : shown.join(',');
}

function validateSlice(o: Obj): FieldError[] {
  const out: FieldError[] = [];
  if (!o.addressType) out.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(o.addressType)) out.push(notSupported('addressType', o.addressType, ADDRESS_TYPES));
  ((o.endpoints ?? []) as Obj[]).forEach((e, i) => {
    if (!Array.isArray(e.addresses) || e.addresses.length === 0) out.push(required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
  });
  return out;
}

export const endpointslices: ResourceDef = {
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  kind: 'EndpointSlice',
  singular: 'endpointslice',
  namespaced: true,
  tracksGeneration: true,
  defaults: (o) => {
    const s = o as Obj;
    if (!Array.isArray(s.endpoints)) s.endpoints = [];
    for (const p of (s.ports ?? []) as Obj[]) {
      if (!p.protocol) p.protocol = 'TCP';
      if (p.name === undefined) p.name = '';
    }
  },
  validate: (o) => [...metaErrors(o, true, nameIsDNSSubdomain), ...validateSlice(o as Obj)],
  validateUpdate: (o, old) => [...validateObjectMetaUpdate(o.metadata, old.metadata), ...immutable('addressType', (o as Obj).addressType, (old as Obj).addressType)],
  columns: [
    col('AddressType', 'string', (o) => o.addressType ?? '', 0, 'The IP protocol for this slice'),
    col('Ports', 'string', (o) => slicePorts(o), 0, 'The ports contained in this slice'),
    col('Endpoints', 'string', (o) => sliceEndpoints(o), 0, 'Endpoints in this slice'),
    ageColumn,
  ],
};

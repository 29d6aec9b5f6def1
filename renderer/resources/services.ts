import type { Service } from '../../shared/api/service';
import { externalIPText } from '../composables/service-network';
import { NONE } from './format';
import { describe } from './types';

/** kubectl's PORT(S): `80:30080/TCP,443/TCP`. */
export function servicePorts(s: Service): string {
  const ports = s.spec?.ports ?? [];
  if (!ports.length) return NONE;
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

export const services = describe<Service>({
  kind: 'Service',
  group: '',
  version: 'v1',
  resource: 'services',
  namespaced: true,
  title: 'nav.services',
  columns: [
    { key: 'type', label: 'columns.type', width: 100, value: (s) => s.spec?.type ?? 'ClusterIP' },
    { key: 'clusterIP', label: 'columns.clusterIP', width: 130, value: (s) => s.spec?.clusterIP ?? NONE },
    { key: 'externalIP', label: 'columns.externalIP', width: 120, value: externalIPText },
    { key: 'ports', label: 'columns.ports', width: 160, value: servicePorts },
  ],
  summary: [
    { label: 'columns.type', value: (s) => s.spec?.type ?? 'ClusterIP' },
    { label: 'columns.clusterIP', value: (s) => s.spec?.clusterIP },
    { label: 'columns.externalIP', value: externalIPText },
    { label: 'columns.ports', value: servicePorts },
    { label: 'fields.selector', value: (s) => Object.entries(s.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || NONE },
    { label: 'fields.sessionAffinity', value: (s) => s.spec?.sessionAffinity ?? 'None' },
  ],
  sections: ['summary', 'service', 'addresses', 'pods', 'events', 'yaml'],
  actions: ['edit-yaml', 'delete'],
  ownsPod: (s, pod) => {
    const selector = s.spec?.selector;
    if (!selector || !Object.keys(selector).length || pod.metadata.namespace !== s.metadata.namespace) return false;
    return Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v);
  },
});

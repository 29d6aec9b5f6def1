import type { ConfigMap } from '../../shared/api/config';
import { describe } from './types';

export const configmaps = describe<ConfigMap>({
  kind: 'ConfigMap',
  group: '',
  version: 'v1',
  resource: 'configmaps',
  namespaced: true,
  title: 'nav.configmaps',
  columns: [
    {
      key: 'data',
      label: 'columns.data',
      width: 80,
      value: (c) => String(Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length),
      sortValue: (c) => Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length,
    },
  ],
  sections: ['data', 'events', 'yaml'],
  actions: ['edit-data', 'edit-yaml', 'delete'],
});

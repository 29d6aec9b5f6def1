import type { Secret } from '../../shared/api/config';
import { describe } from './types';

export const secrets = describe<Secret>({
  kind: 'Secret',
  group: '',
  version: 'v1',
  resource: 'secrets',
  namespaced: true,
  title: 'nav.secrets',
  columns: [
    { key: 'type', label: 'columns.type', width: 200, value: (s) => s.type ?? 'Opaque' },
    {
      key: 'data',
      label: 'columns.data',
      width: 80,
      value: (s) => String(Object.keys(s.data ?? {}).length),
      sortValue: (s) => Object.keys(s.data ?? {}).length,
    },
  ],
  // Values stay masked: the data section shows keys and sizes only; the edit-data form reveals one key at a time.
  sections: ['data', 'events', 'yaml'],
  actions: ['edit-data', 'edit-yaml', 'delete'],
});

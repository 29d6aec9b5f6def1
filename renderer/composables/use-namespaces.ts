import { computed } from 'vue';
import type { Namespace } from '../../shared/api/namespace';
import { useResourceCollection, type ResourceType } from '../stores/resource-store';

export const NAMESPACES: ResourceType = { group: '', version: 'v1', resource: 'namespaces', namespaced: false };

/** The live, name-sorted namespaces (one shared watch). */
export function useNamespaces() {
  const { items, loaded, error } = useResourceCollection<Namespace>(NAMESPACES, () => ({}));
  const sorted = computed(() => [...items.value].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')));
  return { namespaces: sorted, loaded, error };
}

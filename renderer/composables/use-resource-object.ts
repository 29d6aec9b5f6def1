// One object for a detail page, read from the shared collection watch of its namespace, so the list
// and the detail of a kind share one watch and the detail updates live.
import { computed, type Ref } from 'vue';
import type { KubeObject } from '../../shared/api/meta';
import type { ResourceDescriptor } from '../resources/types';
import { useResourceCollection } from '../stores/resource-store';

export function useResourceObject<T extends KubeObject = KubeObject>(descriptor: Ref<ResourceDescriptor>, namespace: Ref<string | undefined>, name: Ref<string>) {
  const collection = useResourceCollection<T>(descriptor.value, () => ({}));
  const object = computed(() => collection.items.value.find((o) => o.metadata.name === name.value && (!descriptor.value.namespaced || o.metadata.namespace === namespace.value)));
  return { object, loaded: collection.loaded, error: collection.error };
}

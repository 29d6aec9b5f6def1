// PodProbes (lab.bosun.dev/v1alpha1): a read-only virtual kind, one object per pod (same name and
// namespace), showing each container's probes with their thresholded result and bounded history.
// Served from the probe manager of the kubelet running the pod, so nothing is written to the store
// on every probe. `kubectl get podprobes` and `kubectl get --raw /apis/lab.bosun.dev/v1alpha1/
// namespaces/<ns>/podprobes/<pod>` read it; the dashboard uses the same API.
import { ApiError, isNotFound } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import type { Pod } from '../../../shared/api/pod';
import type { KubeClient } from '../../client/client';
import type { VirtualResourceProvider } from '../../apiserver/rest/virtual';
import type { ResourceDef } from '../../apiserver/types';
import type { ContainerProbesSnapshot } from './manager';

export const PODPROBES_GROUP = 'lab.bosun.dev';
export const PODPROBES_VERSION = 'v1alpha1';

export interface PodProbes extends KubeObject {
  spec: { nodeName?: string };
  status: { containers: ContainerProbesSnapshot[] };
}

type Row = KubeObject & { status?: { containers?: ContainerProbesSnapshot[] } };

const containersOf = (o: KubeObject): ContainerProbesSnapshot[] => (o as Row).status?.containers ?? [];

export const podProbesResource: ResourceDef = {
  group: PODPROBES_GROUP,
  version: PODPROBES_VERSION,
  resource: 'podprobes',
  kind: 'PodProbes',
  singular: 'podprobes',
  namespaced: true,
  verbs: ['get', 'list'],
  columns: [
    {
      name: 'Ready',
      type: 'string',
      priority: 0,
      description: 'Probed containers ready / probed containers.',
      cell: (o) => `${containersOf(o).filter((c) => c.ready).length}/${containersOf(o).length}`,
    },
    {
      name: 'Probes',
      type: 'string',
      priority: 0,
      description: 'container:type=result for every probe.',
      cell: (o) =>
        containersOf(o)
          .flatMap((c) => c.probes.map((p) => `${c.name}:${p.type}=${p.result}`))
          .join(',') || '<none>',
    },
    {
      name: 'Failures',
      type: 'integer',
      priority: 0,
      description: 'Failed results in the kept history.',
      cell: (o) => containersOf(o).reduce((n, c) => n + c.probes.reduce((m, p) => m + p.history.filter((h) => !h.ok).length, 0), 0),
    },
    {
      name: 'Last Probe',
      type: 'date',
      priority: 0,
      description: 'Time of the newest probe result.',
      cell: (o) =>
        containersOf(o)
          .flatMap((c) => c.probes.map((p) => p.history.at(-1)?.time ?? ''))
          .sort()
          .at(-1) ?? '',
    },
    { name: 'Node', type: 'string', priority: 1, description: 'Node whose kubelet probes the pod.', cell: (o) => (o as PodProbes).spec?.nodeName ?? '<none>' },
  ],
};

/** What a kubelet offers the provider: a snapshot of a pod's probes (KubeletProbeManager.snapshot). */
export interface PodProbesSource {
  snapshot(pod: Pod): ContainerProbesSnapshot[];
}

export interface PodProbesProviderDeps {
  client: KubeClient;
  /** The probe manager of the kubelet on a node; undefined for nodes without a local kubelet. */
  probesOnNode(nodeName: string): PodProbesSource | undefined;
}

const hasProbes = (pod: Pod): boolean =>
  [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].some((c) => c.livenessProbe || c.readinessProbe || c.startupProbe);

export function podProbesOf(pod: Pod, source: PodProbesSource | undefined): PodProbes {
  const containers = source?.snapshot(pod) ?? [];
  return {
    apiVersion: `${PODPROBES_GROUP}/${PODPROBES_VERSION}`,
    kind: 'PodProbes',
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: pod.metadata.creationTimestamp,
      labels: pod.metadata.labels,
      ownerReferences: pod.metadata.uid ? [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name ?? '', uid: pod.metadata.uid }] : undefined,
    },
    spec: { nodeName: pod.spec?.nodeName },
    status: { containers },
  };
}

export function createPodProbesProvider(deps: PodProbesProviderDeps): VirtualResourceProvider {
  const sourceFor = (pod: Pod): PodProbesSource | undefined => (pod.spec?.nodeName ? deps.probesOnNode(pod.spec.nodeName) : undefined);
  return {
    async get(namespace, name) {
      let pod: Pod;
      try {
        pod = await deps.client.pods<Pod>().get(namespace, name);
      } catch (e) {
        if (isNotFound(e)) throw ApiError.notFound({ group: PODPROBES_GROUP, resource: 'podprobes' }, name);
        throw e;
      }
      return podProbesOf(pod, sourceFor(pod));
    },
    async list(namespace) {
      const pods = (await deps.client.pods<Pod>().list(namespace)).items;
      return pods.filter(hasProbes).map((p) => podProbesOf(p, sourceFor(p)));
    },
  };
}

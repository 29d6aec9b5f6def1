// The registry of descriptors and the navigation they produce.
import { configmaps } from './configmaps';
import { cronjobs } from './cronjobs';
import { daemonsets } from './daemonsets';
import { deployments } from './deployments';
import { drills } from './drills';
import { endpoints } from './endpoints';
import { events } from './k8s-events';
import { jobs } from './jobs';
import { nodefaults } from './nodefaults';
import { nodes } from './nodes';
import { persistentvolumeclaims } from './persistentvolumeclaims';
import { persistentvolumes } from './persistentvolumes';
import { podfaults } from './podfaults';
import { pods } from './pods';
import { replicasets } from './replicasets';
import { secrets } from './secrets';
import { servicefaults } from './servicefaults';
import { services } from './services';
import { statefulsets } from './statefulsets';
import { storageclasses } from './storageclasses';
import type { ResourceDescriptor } from './types';

export const DESCRIPTORS: ResourceDescriptor[] = [
  pods,
  deployments,
  replicasets,
  statefulsets,
  daemonsets,
  jobs,
  cronjobs,
  services,
  endpoints,
  configmaps,
  secrets,
  persistentvolumeclaims,
  persistentvolumes,
  storageclasses,
  nodes,
  events,
  nodefaults,
  podfaults,
  servicefaults,
  drills,
];

const byResource = new Map(DESCRIPTORS.map((d) => [d.resource, d]));
const byKind = new Map(DESCRIPTORS.map((d) => [d.kind, d]));

export function descriptorFor(resource: string): ResourceDescriptor | undefined {
  return byResource.get(resource);
}

/** For ownerReferences and involvedObject links: the descriptor of a Kind, if the dashboard has one. */
export function descriptorForKind(kind: string | undefined): ResourceDescriptor | undefined {
  return kind ? byKind.get(kind) : undefined;
}

export interface NavGroup {
  /** i18n key; undefined for top-level items. */
  title?: string;
  resources: string[];
}

export const NAV_GROUPS: NavGroup[] = [
  { title: 'nav.workloads', resources: ['pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] },
  { title: 'nav.network', resources: ['services', 'endpoints'] },
  { title: 'nav.config', resources: ['configmaps', 'secrets'] },
  { title: 'nav.storage', resources: ['persistentvolumeclaims', 'persistentvolumes', 'storageclasses'] },
  { title: 'nav.cluster', resources: ['nodes', 'events'] },
];

/** Kinds reached through a screen of their own rather than a nav list: the screen's path → its kinds. */
export const SCREEN_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  '/chaos': ['nodefaults', 'podfaults', 'servicefaults'],
  '/drills': ['drills'],
};

export type { ResourceDescriptor } from './types';

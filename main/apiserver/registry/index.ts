// Every built-in resource Bosun serves, in discovery order (core first, then groups as kube-apiserver).
import type { ResourceDef } from '../types';
import { nodefaults, podfaults, servicefaults } from './chaos-faults';
import { configmaps } from './configmaps';
import { controllerrevisions } from './controllerrevisions';
import { cronjobs } from './cronjobs';
import { daemonsets } from './daemonsets';
import { deployments } from './deployments';
import { drills } from './drills';
import { endpoints } from './endpoints';
import { endpointslices } from './endpointslices';
import { events } from './events';
import { horizontalpodautoscalers } from './hpas';
import { jobs } from './jobs';
import { leases } from './leases';
import { limitranges } from './limitranges';
import { namespaces } from './namespaces';
import { nodes } from './nodes';
import { poddisruptionbudgets } from './pdbs';
import { persistentvolumeclaims } from './persistentvolumeclaims';
import { persistentvolumes } from './persistentvolumes';
import { pods } from './pods';
import { replicasets } from './replicasets';
import { replicationcontrollers } from './replicationcontrollers';
import { resourcequotas } from './resourcequotas';
import { secrets } from './secrets';
import { serviceaccounts } from './serviceaccounts';
import { services } from './services';
import { statefulsets } from './statefulsets';
import { storageclasses } from './storageclasses';

export const builtinResources: ResourceDef[] = [
  configmaps,
  endpoints,
  events,
  limitranges,
  namespaces,
  nodes,
  persistentvolumeclaims,
  persistentvolumes,
  pods,
  replicationcontrollers,
  resourcequotas,
  secrets,
  serviceaccounts,
  services,
  controllerrevisions,
  daemonsets,
  deployments,
  replicasets,
  statefulsets,
  horizontalpodautoscalers,
  cronjobs,
  jobs,
  poddisruptionbudgets,
  storageclasses,
  leases,
  endpointslices,
  nodefaults,
  podfaults,
  servicefaults,
  drills,
];

export { addDefaultTolerations } from './pods';
export { generateJobSelector } from './jobs';
export { defaultTolerationSeconds } from './admission-defaults';

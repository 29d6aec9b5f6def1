// A descriptor tells the generic ResourceList/ResourceDetail everything kind-specific: where the
// collection lives, the kubectl-get columns, the detail sections and the actions (DESIGN.md style 6).
import type { KubeObject } from '../../shared/api/meta';
import type { ResourceType } from '../stores/resource-store';

/** Element Plus tag types, used to colour status cells and chips. */
export type Tone = 'success' | 'warning' | 'danger' | 'info' | 'primary';

export interface Column<T extends KubeObject = KubeObject> {
  key: string;
  /** i18n key of the header. */
  label: string;
  value(object: T, now: Date): string;
  /** Sort key when it differs from the text (numbers, timestamps). */
  sortValue?(object: T): string | number;
  width: number;
  /** Share of the spare width this column takes (el-table-v2 flexGrow). */
  grow?: number;
  /** Shown as a coloured tag when set. */
  tone?(object: T): Tone | undefined;
}

export interface SummaryField<T extends KubeObject = KubeObject> {
  /** i18n key of the label. */
  label: string;
  value(object: T, now: Date): string | undefined;
}

export type SectionId =
  | 'summary'
  | 'diagnosis'
  | 'volumes'
  | 'service'
  | 'addresses'
  | 'storage'
  | 'conditions'
  | 'owners'
  | 'pods'
  | 'containers'
  | 'probes'
  | 'scheduling'
  | 'node-info'
  | 'taints'
  | 'capacity'
  | 'data'
  | 'events'
  | 'node-lab'
  | 'yaml';

/**
 * Header actions of a detail page. edit-yaml: PUT of the edited object; edit-data: the ConfigMap/Secret
 * form; restart/pause/history: kubectl rollout restart|pause|resume|history|undo; suspend/trigger:
 * a CronJob's spec.suspend and kubectl create job --from=cronjob/x.
 */
export type ActionId = 'delete' | 'scale' | 'cordon' | 'edit-yaml' | 'edit-data' | 'restart' | 'pause' | 'history' | 'suspend' | 'trigger';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ResourceDescriptor<T extends KubeObject = KubeObject> extends ResourceType {
  kind: string;
  /** i18n key of the plural title (nav and list header). */
  title: string;
  columns: Column<T>[];
  summary?: SummaryField<T>[];
  sections: SectionId[];
  actions: ActionId[];
  conditions?(object: T): Condition[];
  /**
   * The "pods" section: by default the pods this object controls (controller ownerReference);
   * podsViaReplicaSets for Deployments (pod → ReplicaSet → Deployment); ownsPod for any other rule
   * (a Service's selector, a node's spec.nodeName).
   */
  ownsPod?(object: T, pod: KubeObject): boolean;
  podsViaReplicaSets?: boolean;
  /** Lists leave out the NAME column (events); rows still open the detail. */
  hideName?: boolean;
  /** Extra text the list search matches besides name and namespace. */
  searchText?(object: T): string;
}

export function apiVersionOfType(d: ResourceType): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}

/** Helper that keeps T while storing descriptors in one registry of KubeObject descriptors. */
export function describe<T extends KubeObject>(d: ResourceDescriptor<T>): ResourceDescriptor {
  return d as unknown as ResourceDescriptor;
}

// "Which pods belong to this workload": same namespace and the workload's label selector, as the
// controllers themselves decide (shared/api/labels.ts, never a second selector implementation).
import { formatLabelSelector, matchesLabelSelector, type LabelSelectorObject } from '../../shared/api/labels';
import type { KubeObject } from '../../shared/api/meta';

export function selectsPod(selector: LabelSelectorObject | undefined, owner: KubeObject, pod: KubeObject): boolean {
  // An empty or missing selector selects nothing for workloads (the API rejects it anyway).
  if (!selector || (!selector.matchLabels && !selector.matchExpressions)) return false;
  return pod.metadata.namespace === owner.metadata.namespace && matchesLabelSelector(selector, pod.metadata.labels);
}

export function selectorText(selector: LabelSelectorObject | undefined): string {
  return selector ? formatLabelSelector(selector) || '<none>' : '<none>';
}

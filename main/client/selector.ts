// What listers accept to filter objects: a parsed labels.Selector, a selector string (`app=web,tier!=db`),
// a meta/v1 LabelSelector object (a workload's spec.selector), or any predicate over the object.
import {
  labelSelectorAsSelector, parseLabelSelector, type LabelSelector, type LabelSelectorObject,
} from '../../shared/api/labels';
import type { KubeObject } from '../../shared/api/meta';

export type ObjectPredicate<T extends KubeObject = KubeObject> = (object: T) => boolean;
export type ObjectSelector<T extends KubeObject = KubeObject> = ObjectPredicate<T> | LabelSelector | LabelSelectorObject | string;

const isParsedSelector = (s: object): s is LabelSelector => typeof (s as LabelSelector).matches === 'function';

/**
 * undefined means "no filter". Strings and LabelSelector objects follow apimachinery: an empty one
 * selects everything; an invalid one throws ApiError BadRequest (parsed once, not per object).
 */
export function toPredicate<T extends KubeObject>(selector: ObjectSelector<T> | undefined): ObjectPredicate<T> | undefined {
  if (selector === undefined) return undefined;
  if (typeof selector === 'function') return selector;
  const parsed = typeof selector === 'string' ? parseLabelSelector(selector) : isParsedSelector(selector) ? selector : labelSelectorAsSelector(selector);
  if (parsed.empty()) return undefined;
  return (object) => parsed.matches(object.metadata.labels);
}

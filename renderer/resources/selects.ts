// Selectors as kubectl prints them (shared/api/labels.ts, never a second selector implementation).
import { formatLabelSelector, type LabelSelectorObject } from '../../shared/api/labels';

export function selectorText(selector: LabelSelectorObject | undefined): string {
  return selector ? formatLabelSelector(selector) || '<none>' : '<none>';
}

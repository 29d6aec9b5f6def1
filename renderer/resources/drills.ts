import { CHAOS_GROUP, CHAOS_VERSION, type Drill } from '../../shared/api/chaos';
import { NONE, conditionsOf } from './format';
import { describe, type Tone } from './types';

export function drillTone(drill: Drill): Tone {
  switch (drill.status?.phase) {
    case 'Succeeded':
      return 'success';
    case 'Failed':
    case 'Aborted':
      return 'danger';
    case 'Running':
    case 'Recovering':
      return 'primary';
    default:
      return 'info';
  }
}

/** kubectl's HYPOTHESIS column: held / not held once reported. */
export function hypothesisText(drill: Drill): string {
  const report = drill.status?.report;
  if (!report) return NONE;
  return report.hypothesisHeld ? 'Held' : 'NotHeld';
}

export function recoveryText(drill: Drill): string {
  const s = drill.status?.report?.timeToRecoverSeconds;
  return s === undefined ? NONE : `${s.toFixed(1)}s`;
}

export const drills = describe<Drill>({
  kind: 'Drill',
  group: CHAOS_GROUP,
  version: CHAOS_VERSION,
  resource: 'drills',
  namespaced: true,
  title: 'drills.title',
  columns: [
    { key: 'phase', label: 'columns.status', width: 120, value: (d) => d.status?.phase ?? 'Pending', tone: drillTone },
    { key: 'step', label: 'drills.step', width: 160, value: (d) => d.status?.currentStepName ?? NONE },
    { key: 'hypothesis', label: 'drills.hypothesis', width: 120, value: hypothesisText },
    { key: 'recovery', label: 'drills.recovery', width: 110, value: recoveryText },
  ],
  summary: [
    { label: 'drills.hypothesis', value: (d) => d.spec.hypothesis },
    { label: 'columns.status', value: (d) => d.status?.phase },
    { label: 'chaos.columns.message', value: (d) => d.status?.message },
  ],
  sections: ['summary', 'conditions', 'events', 'yaml'],
  actions: ['delete'],
  conditions: conditionsOf,
  searchText: (d) => `${d.status?.phase ?? ''} ${d.spec.hypothesis ?? ''}`,
});

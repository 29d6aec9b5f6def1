// The three fault kinds list and describe alike (action, targets, phase, expiry); only the kind, plural
// and scope differ, so one factory builds their descriptors.
import { CHAOS_GROUP, CHAOS_VERSION, type AnyFault, type FaultKind } from '../../shared/api/chaos';
import { conditionsOf, since } from './format';
import { faultAction, faultPhase, faultTargetsText, faultTone } from './faults-format';
import { describe, type ResourceDescriptor } from './types';

export function faultDescriptor(kind: FaultKind, resource: string, namespaced: boolean): ResourceDescriptor {
  return describe<AnyFault>({
    kind,
    group: CHAOS_GROUP,
    version: CHAOS_VERSION,
    resource,
    namespaced,
    title: `chaos.titles.${resource}`,
    columns: [
      { key: 'action', label: 'chaos.columns.action', width: 130, value: faultAction },
      { key: 'targets', label: 'chaos.columns.targets', width: 200, grow: 1, value: faultTargetsText },
      { key: 'phase', label: 'columns.status', width: 150, value: faultPhase, tone: faultTone },
      { key: 'expires', label: 'chaos.columns.expires', width: 100, value: (f, now) => (f.status?.expiresAt && !f.status.revertedAt ? since(now.toISOString(), new Date(f.status.expiresAt)) : '') },
    ],
    summary: [
      { label: 'chaos.columns.action', value: faultAction },
      { label: 'chaos.columns.targets', value: faultTargetsText },
      { label: 'columns.status', value: faultPhase },
      { label: 'chaos.columns.duration', value: (f) => f.spec.duration },
      { label: 'chaos.columns.message', value: (f) => f.status?.message },
    ],
    sections: ['summary', 'conditions', 'events', 'yaml'],
    actions: ['delete'],
    conditions: conditionsOf,
    searchText: (f) => `${faultAction(f)} ${faultTargetsText(f)} ${faultPhase(f)}`,
  });
}

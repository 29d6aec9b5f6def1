// ServiceFault injector: latency (+ jitter), error and drop percentages on a Service's traffic, applied by
// the service proxy to new connections on the Service's NodePorts (main/proxy/faults.ts decides per
// connection). The proxy keeps fault settings in memory only, so after an app crash nothing is left to
// revert — the restarted proxy starts clean, which is what the fault controller's start-up revert expects.
// Several ServiceFaults on one Service combine: the strongest setting of each kind wins while both are
// in force, and reverting one leaves the others' settings in place.
import { CHAOS_GROUP, parseGoDuration, type FaultTarget, type ServiceFault } from '../../shared/api/chaos';
import { ApiError, isNotFound } from '../../shared/api/errors';
import type { Service } from '../../shared/api/service';
import type { KubeClient } from '../client/client';
import type { ServiceFaults } from '../proxy/faults';
import { assertNamespaceAllowed } from './targets';
import type { FaultInjector } from './types';

export interface ServiceFaultInjectorDeps {
  /** The lab's ServiceProxy (only its fault hook is used). */
  proxy: { setServiceFaults(namespace: string, name: string, faults: ServiceFaults | undefined): void };
  client: KubeClient;
}

const invalid = (fault: ServiceFault, field: string, value: unknown, detail: string): ApiError =>
  ApiError.invalid(CHAOS_GROUP, 'ServiceFault', fault.metadata.name ?? '', [{ type: 'FieldValueInvalid', field, value, detail }]);

function durationMs(fault: ServiceFault, field: 'latency' | 'jitter'): number | undefined {
  const text = fault.spec[field];
  if (text === undefined || text === '') return undefined;
  const ms = parseGoDuration(text);
  if (ms === undefined || ms < 0) throw invalid(fault, `spec.${field}`, text, 'must be a duration such as "200ms" or "1s" (Go time.ParseDuration)');
  return ms;
}

/** The proxy settings one ServiceFault asks for. Errors reset the connection (ECONNRESET), as a crashed backend would. */
export function serviceFaultSettings(fault: ServiceFault): ServiceFaults {
  const settings: ServiceFaults = {};
  const latency = durationMs(fault, 'latency');
  const jitter = durationMs(fault, 'jitter');
  if (latency) settings.latencyMs = latency;
  if (jitter) settings.jitterMs = jitter;
  if (fault.spec.errorPercent) settings.errorPercent = fault.spec.errorPercent;
  if (fault.spec.errorPercent) settings.errorMode = 'reset';
  if (fault.spec.dropPercent) settings.dropPercent = fault.spec.dropPercent;
  return settings;
}

/** Strongest of each setting across the faults in force on one Service. */
function combine(all: ServiceFaults[]): ServiceFaults | undefined {
  if (!all.length) return undefined;
  const max = (pick: (f: ServiceFaults) => number | undefined): number | undefined => {
    const values = all.map(pick).filter((v): v is number => v !== undefined);
    return values.length ? Math.max(...values) : undefined;
  };
  const out: ServiceFaults = {};
  const set = (key: 'latencyMs' | 'jitterMs' | 'errorPercent' | 'dropPercent'): void => {
    const v = max((f) => f[key]);
    if (v !== undefined) out[key] = v;
  };
  set('latencyMs');
  set('jitterMs');
  set('errorPercent');
  set('dropPercent');
  if (out.errorPercent) out.errorMode = 'reset';
  return out;
}

function describe(settings: ServiceFaults): string {
  const parts: string[] = [];
  if (settings.latencyMs) parts.push(`+${settings.latencyMs}ms latency${settings.jitterMs ? ` (+0–${settings.jitterMs}ms jitter)` : ''}`);
  else if (settings.jitterMs) parts.push(`+0–${settings.jitterMs}ms jitter`);
  if (settings.errorPercent) parts.push(`${settings.errorPercent}% of connections reset`);
  if (settings.dropPercent) parts.push(`${settings.dropPercent}% of connections dropped`);
  return parts.join(', ') || 'no change (all settings are zero)';
}

export function createServiceFaultInjector(deps: ServiceFaultInjectorDeps): FaultInjector<ServiceFault> {
  /** `<ns>/<service>` → fault uid → its settings. */
  const active = new Map<string, Map<string, ServiceFaults>>();

  const apply = (namespace: string, name: string): void => {
    const byFault = active.get(`${namespace}/${name}`);
    const combined = combine([...(byFault?.values() ?? [])]);
    if (!combined) active.delete(`${namespace}/${name}`);
    deps.proxy.setServiceFaults(namespace, name, combined);
  };

  return {
    kind: 'ServiceFault',
    async selectTargets(fault) {
      const namespace = fault.spec.service?.namespace || fault.metadata.namespace || 'default';
      const name = fault.spec.service?.name ?? '';
      assertNamespaceAllowed(fault, namespace, 'spec.service.namespace');
      serviceFaultSettings(fault);
      let svc: Service;
      try {
        svc = await deps.client.services<Service>().get(namespace, name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        throw ApiError.invalid(CHAOS_GROUP, 'ServiceFault', fault.metadata.name ?? '', [
          { type: 'FieldValueNotFound', field: 'spec.service.name', value: name, printedValue: `"${name}": Service ${namespace}/${name} does not exist; create it first` },
        ]);
      }
      return [{ kind: 'Service', name, namespace, uid: svc.metadata.uid }];
    },
    async inject(fault, target: FaultTarget) {
      const settings = serviceFaultSettings(fault);
      const namespace = target.namespace ?? 'default';
      const key = `${namespace}/${target.name}`;
      let byFault = active.get(key);
      if (!byFault) active.set(key, (byFault = new Map()));
      byFault.set(fault.metadata.uid ?? fault.metadata.name ?? '', settings);
      apply(namespace, target.name);
      return { ...target, message: `${describe(settings)} on new connections to the NodePorts of Service ${key}` };
    },
    async revert(fault, target: FaultTarget) {
      const namespace = target.namespace ?? 'default';
      active.get(`${namespace}/${target.name}`)?.delete(fault.metadata.uid ?? fault.metadata.name ?? '');
      apply(namespace, target.name);
    },
  };
}

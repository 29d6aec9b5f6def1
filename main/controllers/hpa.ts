// HorizontalPodAutoscaler controller (autoscaling/v2, pkg/controller/podautoscaler): every sync period it
// reads the target's /scale, the pods' CPU/memory from metrics.k8s.io, computes the desired count
// (hpa-replicas.ts), applies the behaviour (stabilisation windows, rate policies) and min/max, scales
// through /scale and writes status with Kubernetes' conditions and events.
import type { HorizontalPodAutoscaler, HPAScalingRules, MetricSpec, MetricStatus } from '../../shared/api/autoscaling';
import { isNotFound } from '../../shared/api/errors';
import { parseLabelSelector } from '../../shared/api/labels';
import type { GroupVersionResource, KubeObject } from '../../shared/api/meta';
import type { Pod } from '../../shared/api/pod';
import { milliValue, quantityValue } from '../../shared/api/quantity';
import { cloneObject } from '../client/cache-object';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { EventRecorder } from '../client/events';
import { HORIZONTALPODAUTOSCALERS, PODS } from '../client/gvr';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../client/indexer';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';
import { isPodReady } from './deployment/pods';
import {
  DEFAULT_SCALE_UP, DEFAULT_TOLERANCE, defaultScaleDown, limitRate, replicasForAverageValue, replicasForUtilization, stabilize,
  type PodSample, type Recommendation, type ScaleEvent,
} from './hpa-replicas';

const POD_METRICS: GroupVersionResource = { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods' };

const SCALE_TARGETS: Record<string, GroupVersionResource> = {
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments' },
  ReplicaSet: { group: 'apps', version: 'v1', resource: 'replicasets' },
  StatefulSet: { group: 'apps', version: 'v1', resource: 'statefulsets' },
  ReplicationController: { group: '', version: 'v1', resource: 'replicationcontrollers' },
};

export interface HpaTiming {
  /** --horizontal-pod-autoscaler-sync-period (15 s). */
  syncPeriodMs: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (5 min), used when an HPA sets no behavior. */
  downscaleStabilizationMs: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  initialReadinessDelayMs: number;
}

export const DEFAULT_HPA_TIMING: HpaTiming = {
  syncPeriodMs: 15_000,
  downscaleStabilizationMs: 300_000,
  cpuInitializationPeriodMs: 300_000,
  initialReadinessDelayMs: 30_000,
};

/** The HPA's timers at a lab time scale (floors keep a busy 2-core machine from thrashing). */
export function hpaTimingFor(timeScale: number): HpaTiming {
  const scaled = (ms: number, floor: number): number => Math.max(floor, Math.round(ms / timeScale));
  return {
    syncPeriodMs: scaled(DEFAULT_HPA_TIMING.syncPeriodMs, 1_000),
    downscaleStabilizationMs: scaled(DEFAULT_HPA_TIMING.downscaleStabilizationMs, 1_000),
    cpuInitializationPeriodMs: scaled(DEFAULT_HPA_TIMING.cpuInitializationPeriodMs, 1_000),
    initialReadinessDelayMs: scaled(DEFAULT_HPA_TIMING.initialReadinessDelayMs, 1_000),
  };
}

export interface HpaControllerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  clock?: Clock;
  timing?: Partial<HpaTiming>;
}

interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

type Condition = NonNullable<NonNullable<HorizontalPodAutoscaler['status']>['conditions']>[number];

class MetricError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export class HpaController {
  readonly queue: WorkQueue<string>;
  private readonly clock: Clock;
  private readonly timing: HpaTiming;
  private readonly hpas: SharedInformer<HorizontalPodAutoscaler>;
  private readonly pods: SharedInformer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleEvents = new Map<string, ScaleEvent[]>();

  constructor(private readonly options: HpaControllerOptions) {
    this.clock = options.clock ?? new RealClock();
    this.timing = { ...DEFAULT_HPA_TIMING, ...options.timing };
    this.queue = new WorkQueue<string>({ name: 'horizontal-pod-autoscaler', clock: this.clock });
    this.recorder = new EventRecorder(options.client, { component: 'horizontal-pod-autoscaler', clock: this.clock });
    this.hpas = options.informers.informerFor<HorizontalPodAutoscaler>(HORIZONTALPODAUTOSCALERS);
    this.pods = options.informers.informerFor<Pod>(PODS);
    this.hpas.addEventHandler({
      onAdd: (h) => this.queue.add(metaNamespaceKey(h)),
      onUpdate: (old, h) => {
        if (old.metadata.generation !== h.metadata.generation) this.queue.add(metaNamespaceKey(h));
      },
      onDelete: (h) => {
        const key = metaNamespaceKey(h);
        this.recommendations.delete(key);
        this.scaleEvents.delete(key);
      },
    });
  }

  start(): void {
    runWorkers(this.queue, 2, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutDown();
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitMetaNamespaceKey(key);
    const cached = this.hpas.lister.get(namespace, name);
    if (!cached) return;
    try {
      await this.reconcile(cloneObject(cached));
    } finally {
      // Level-triggered on a period, like the HPA's resync: metrics change without any object changing.
      if (this.hpas.lister.get(namespace, name)) this.queue.addAfter(key, this.timing.syncPeriodMs);
    }
  }

  private async reconcile(hpa: HorizontalPodAutoscaler): Promise<void> {
    const key = metaNamespaceKey(hpa);
    const ns = hpa.metadata.namespace ?? 'default';
    const spec = hpa.spec!;
    const ref = spec.scaleTargetRef;
    const status = { ...(hpa.status ?? { desiredReplicas: 0 }) };
    const conditions = [...(status.conditions ?? [])];
    const now = this.clock.nowMs();
    const set = (type: string, s: 'True' | 'False', reason: string, message: string): void => setCondition(conditions, { type, status: s, reason, message }, now);
    const gvr = SCALE_TARGETS[ref.kind];

    let scale: Scale;
    try {
      if (!gvr) throw new Error(`the lab cannot scale kind ${ref.kind} (supported: ${Object.keys(SCALE_TARGETS).join(', ')})`);
      scale = await this.options.client.resource(gvr).getSubresource<Scale>(ns, ref.name, 'scale');
    } catch (e) {
      const message = isNotFound(e) ? `${ref.kind.toLowerCase()}s.${gvr?.group || ''} "${ref.name}" not found` : (e as Error).message;
      this.recorder.event(hpa, 'Warning', 'FailedGetScale', message);
      set('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${message}`);
      await this.writeStatus(hpa, { ...status, conditions });
      return;
    }
    const current = scale.spec?.replicas ?? 0;
    const min = spec.minReplicas ?? 1;
    const max = spec.maxReplicas;
    status.currentReplicas = scale.status?.replicas ?? current;

    let desired: number;
    let metricReason = '';
    const currentMetrics: MetricStatus[] = [];
    if (current === 0 && min !== 0) {
      desired = 0;
      set('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else {
      let proposal = 0;
      try {
        const pods = this.pods.lister.listNamespace(ns).filter((p) => parseLabelSelector(scale.status?.selector ?? '').matches(p.metadata.labels));
        for (const metric of spec.metrics ?? []) {
          const r = await this.computeMetric(ns, metric, pods, current);
          currentMetrics.push(r.status);
          if (r.replicas > proposal || !metricReason) {
            proposal = Math.max(proposal, r.replicas);
            metricReason = r.description;
          }
        }
        set('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metricReason}`);
      } catch (e) {
        const err = e instanceof MetricError ? e : new MetricError('FailedGetResourceMetric', (e as Error).message);
        this.recorder.event(hpa, 'Warning', err.reason, err.message);
        set('ScalingActive', 'False', err.reason, `the HPA was unable to compute the replica count: ${err.message}`);
        set('AbleToScale', 'True', 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale');
        await this.writeStatus(hpa, { ...status, currentMetrics: status.currentMetrics, conditions });
        return;
      }
      desired = this.normalize(key, hpa, now, current, proposal, min, max, set);
    }

    const rescale = desired !== current;
    if (rescale) {
      try {
        await this.options.client.resource(gvr!).updateSubresource(ns, ref.name, 'scale', { ...scale, spec: { ...scale.spec, replicas: desired } });
      } catch (e) {
        this.recorder.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${metricReason}; error: ${(e as Error).message}`);
        set('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${(e as Error).message}`);
        await this.writeStatus(hpa, { ...status, conditions });
        return;
      }
      const events = this.scaleEvents.get(key) ?? [];
      events.push({ at: now, change: desired - current });
      this.scaleEvents.set(key, events.filter((ev) => ev.at > now - 600_000));
      const why = desired > current ? `${metricReason} above target` : 'All metrics below target';
      this.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${current === 0 ? 'Current number of replicas must be greater than 0' : why}`);
      set('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      status.lastScaleTime = rfc3339(now);
    } else if (!conditions.some((c) => c.type === 'AbleToScale' && c.reason?.endsWith('Stabilized'))) {
      set('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    }
    await this.writeStatus(hpa, { ...status, desiredReplicas: desired, currentMetrics, conditions, observedGeneration: hpa.metadata.generation });
  }

  /** Behaviour (stabilisation + rate) then min/max, with the AbleToScale/ScalingLimited conditions. */
  private normalize(
    key: string,
    hpa: HorizontalPodAutoscaler,
    now: number,
    current: number,
    proposal: number,
    min: number,
    max: number,
    set: (type: string, s: 'True' | 'False', reason: string, message: string) => void,
  ): number {
    const behavior = hpa.spec?.behavior;
    const up: HPAScalingRules = { ...DEFAULT_SCALE_UP, ...behavior?.scaleUp };
    const down: HPAScalingRules = { ...defaultScaleDown(Math.round(this.timing.downscaleStabilizationMs / 1000)), ...behavior?.scaleDown };
    const history = this.recommendations.get(key) ?? [];
    this.recommendations.set(key, history);
    const stable = stabilize(history, now, current, proposal, up.stabilizationWindowSeconds ?? 0, down.stabilizationWindowSeconds ?? 0);
    if (stable.reason) set('AbleToScale', 'True', stable.reason, 'recent recommendations were higher than current one, applying the highest recent recommendation');
    const rate = limitRate(this.scaleEvents.get(key) ?? [], now, current, stable.replicas, up, down);
    let desired = rate.replicas;
    if (desired < min) {
      desired = min;
      set('ScalingLimited', 'True', 'TooFewReplicas', 'the desired replica count is less than the minimum replica count');
    } else if (desired > max) {
      desired = max;
      set('ScalingLimited', 'True', 'TooManyReplicas', 'the desired replica count is more than the maximum replica count');
    } else if (rate.limited) {
      set('ScalingLimited', 'True', desired > current ? 'ScaleUpLimit' : 'ScaleDownLimit', 'the desired replica count is limited by a scaling policy');
    } else {
      set('ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range');
    }
    return desired;
  }

  private async computeMetric(ns: string, metric: MetricSpec, pods: Pod[], current: number): Promise<{ replicas: number; status: MetricStatus; description: string }> {
    if (metric.type !== 'Resource' || !metric.resource) {
      throw new MetricError(`FailedGet${metric.type}Metric`, `metric type ${metric.type} is not served by the lab (only Resource cpu/memory from metrics.k8s.io)`);
    }
    const resource = metric.resource.name;
    if (resource !== 'cpu' && resource !== 'memory') throw new MetricError('FailedGetResourceMetric', `unknown resource ${resource}: the lab measures cpu and memory`);
    const list = await this.options.client.resource(POD_METRICS).list(ns);
    const usage = new Map<string, number>();
    for (const m of list.items as Array<KubeObject & { containers?: Array<{ usage: Record<string, string> }> }>) {
      const total = (m.containers ?? []).reduce((n, c) => n + (resource === 'cpu' ? milliValue(c.usage.cpu ?? '0') : quantityValue(c.usage.memory ?? '0')), 0);
      usage.set(m.metadata.name ?? '', total);
    }
    const now = this.clock.nowMs();
    const samples: PodSample[] = [];
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') continue;
      let request = 0;
      for (const c of pod.spec?.containers ?? []) {
        const r = c.resources?.requests?.[resource];
        if (!r && metric.resource.target.type === 'Utilization') {
          throw new MetricError('FailedGetResourceMetric', `failed to get ${resource} utilization: missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
        }
        request += r ? (resource === 'cpu' ? milliValue(r) : quantityValue(r)) : 0;
      }
      samples.push({ name: pod.metadata.name ?? '', request, usage: usage.get(pod.metadata.name ?? ''), unready: this.unready(pod, resource, now) });
    }
    const target = metric.resource.target;
    const description = `${resource} resource ${target.type === 'Utilization' ? 'utilization (percentage of request)' : ''}`.trim();
    try {
      if (target.type === 'Utilization') {
        const r = replicasForUtilization(current, samples, target.averageUtilization ?? 80, DEFAULT_TOLERANCE);
        const averageValue = resource === 'cpu' ? `${Math.round(r.averageUsage)}m` : `${Math.round(r.averageUsage)}`;
        return { replicas: r.replicas, description, status: { type: 'Resource', resource: { name: resource, current: { averageUtilization: Math.round(r.utilization), averageValue } } } };
      }
      const targetValue = resource === 'cpu' ? milliValue(target.averageValue ?? '0') : quantityValue(target.averageValue ?? '0');
      const r = replicasForAverageValue(current, samples, targetValue, DEFAULT_TOLERANCE);
      const averageValue = resource === 'cpu' ? `${Math.round(r.averageUsage)}m` : `${Math.round(r.averageUsage)}`;
      return { replicas: r.replicas, description, status: { type: 'Resource', resource: { name: resource, current: { averageValue } } } };
    } catch (e) {
      throw new MetricError('FailedGetResourceMetric', `failed to get ${resource} utilization: ${(e as Error).message}`);
    }
  }

  /** groupPods: a pod whose sample cannot be trusted yet (pending; CPU still initialising after start). */
  private unready(pod: Pod, resource: string, now: number): boolean {
    if (pod.status?.phase === 'Pending') return true;
    if (resource !== 'cpu') return false;
    const started = Date.parse(pod.status?.startTime ?? '') || now;
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
    const readySince = Date.parse(ready?.lastTransitionTime ?? '') || started;
    if (!ready || !pod.status?.startTime) return true;
    // Still initialising: trust the sample only once a whole metrics window passed since it became ready
    // (the window here is the sync period, at which the lab scrapes).
    if (started + this.timing.cpuInitializationPeriodMs > now) return !isPodReady(pod) || readySince + this.timing.syncPeriodMs > now;
    // Past it: ignore a pod that is unready and has never been ready.
    return !isPodReady(pod) && started + this.timing.initialReadinessDelayMs > readySince;
  }

  private async writeStatus(hpa: HorizontalPodAutoscaler, status: NonNullable<HorizontalPodAutoscaler['status']>): Promise<void> {
    if (JSON.stringify(hpa.status) === JSON.stringify(status)) return;
    await this.options.client.resource(HORIZONTALPODAUTOSCALERS).updateStatus(hpa.metadata.namespace, { ...hpa, status });
  }
}

function setCondition(conditions: Condition[], next: Omit<Condition, 'lastTransitionTime'>, now: number): void {
  const i = conditions.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? conditions[i] : undefined;
  const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime : rfc3339(now);
  const c = { ...next, lastTransitionTime };
  if (i >= 0) conditions[i] = c;
  else conditions.push(c);
}

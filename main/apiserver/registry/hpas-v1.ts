// autoscaling/v1 HorizontalPodAutoscalers, served from the autoscaling/v2 storage as kube-apiserver does
// (kubectl 1.32 and older create HPAs in v1: `kubectl autoscale`). What v1 cannot express (metrics other
// than CPU utilisation, behavior, conditions, current metrics) travels in the same annotations Kubernetes
// uses (pkg/apis/autoscaling/v1/conversion.go), so a v1 round trip loses nothing.
import type { KubeObject } from '../../../shared/api/meta';
import type { ServedVersion } from '../rest/served-versions';
import type { ResourceDef } from '../types';
import { horizontalpodautoscalers } from './hpas';

const METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';

type Obj = Record<string, any>;

const isCpuUtilization = (m: Obj): boolean => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';

function parseAnnotation(annotations: Record<string, string>, key: string): any {
  const raw = annotations[key];
  delete annotations[key];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** v2 (storage) → v1. */
export function hpaToV1(o: KubeObject): KubeObject {
  const v2 = o as Obj;
  const annotations: Record<string, string> = { ...(o.metadata.annotations ?? {}) };
  const metrics: Obj[] = v2.spec?.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) annotations[METRICS] = JSON.stringify(others);
  if (v2.spec?.behavior) annotations[BEHAVIOR] = JSON.stringify(v2.spec.behavior);
  const current: Obj[] = v2.status?.currentMetrics ?? [];
  const currentCpu = current.find((m) => m?.type === 'Resource' && m.resource?.name === 'cpu');
  const otherCurrent = current.filter((m) => m !== currentCpu);
  if (otherCurrent.length) annotations[CURRENT_METRICS] = JSON.stringify(otherCurrent);
  if (v2.status?.conditions?.length) annotations[CONDITIONS] = JSON.stringify(v2.status.conditions);
  const spec: Obj = { scaleTargetRef: v2.spec?.scaleTargetRef, minReplicas: v2.spec?.minReplicas, maxReplicas: v2.spec?.maxReplicas };
  if (cpu) spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const out: Obj = {
    ...v2,
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { ...o.metadata, annotations: Object.keys(annotations).length ? annotations : undefined },
    spec,
  };
  if (!out.metadata.annotations) delete out.metadata.annotations;
  if (v2.status) {
    out.status = {
      observedGeneration: v2.status.observedGeneration,
      lastScaleTime: v2.status.lastScaleTime,
      currentReplicas: v2.status.currentReplicas ?? 0,
      desiredReplicas: v2.status.desiredReplicas ?? 0,
      ...(currentCpu?.resource?.current?.averageUtilization !== undefined ? { currentCPUUtilizationPercentage: currentCpu.resource.current.averageUtilization } : {}),
    };
    for (const k of Object.keys(out.status)) if (out.status[k] === undefined) delete out.status[k];
  }
  return out as KubeObject;
}

/** v1 → v2 (storage). */
export function hpaToV2(o: KubeObject): KubeObject {
  const v1 = o as Obj;
  const annotations: Record<string, string> = { ...(o.metadata.annotations ?? {}) };
  const otherMetrics: Obj[] = parseAnnotation(annotations, METRICS) ?? [];
  const behavior = parseAnnotation(annotations, BEHAVIOR);
  const otherCurrent: Obj[] = parseAnnotation(annotations, CURRENT_METRICS) ?? [];
  const conditions = parseAnnotation(annotations, CONDITIONS);
  const metrics: Obj[] = [];
  if (v1.spec?.targetCPUUtilizationPercentage != null) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: v1.spec.targetCPUUtilizationPercentage } } });
  }
  metrics.push(...otherMetrics);
  const spec: Obj = { scaleTargetRef: v1.spec?.scaleTargetRef, minReplicas: v1.spec?.minReplicas, maxReplicas: v1.spec?.maxReplicas };
  if (metrics.length) spec.metrics = metrics;
  if (behavior) spec.behavior = behavior;
  for (const k of Object.keys(spec)) if (spec[k] === undefined) delete spec[k];
  const out: Obj = { ...v1, apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { ...o.metadata, annotations }, spec };
  if (!Object.keys(annotations).length) delete out.metadata.annotations;
  if (v1.status) {
    const currentMetrics: Obj[] = [];
    if (v1.status.currentCPUUtilizationPercentage != null) {
      currentMetrics.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: v1.status.currentCPUUtilizationPercentage } } });
    }
    currentMetrics.push(...otherCurrent);
    out.status = {
      observedGeneration: v1.status.observedGeneration,
      lastScaleTime: v1.status.lastScaleTime,
      currentReplicas: v1.status.currentReplicas,
      desiredReplicas: v1.status.desiredReplicas ?? 0,
      ...(currentMetrics.length ? { currentMetrics } : {}),
      ...(conditions ? { conditions } : {}),
    };
    for (const k of Object.keys(out.status)) if (out.status[k] === undefined) delete out.status[k];
  }
  return out as KubeObject;
}

export const horizontalpodautoscalersV1: ResourceDef = { ...horizontalpodautoscalers, version: 'v1' };

export const hpaV1: ServedVersion = {
  def: horizontalpodautoscalersV1,
  storageVersion: horizontalpodautoscalers.version,
  toStorage: hpaToV2,
  fromStorage: hpaToV1,
};

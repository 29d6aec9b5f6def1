// Helpers shared by the Store conformance suite files.
import { expect } from 'vitest';
import type { KubeObject } from '../../shared/api/meta';
import type { StoreLogger } from '../../main/store/logger';
import { isStoreError, type Store, type StoreErrorCode } from '../../main/store/store';

export interface StoreFactoryOptions {
  watchWindow?: number;
  logger?: StoreLogger;
}

export type StoreFactory = (options?: StoreFactoryOptions) => Promise<Store>;

export const podKey = (ns: string, name: string) => `/core/pods/${ns}/${name}`;

export function pod(ns: string, name: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/name': name } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
    ...extra,
  };
}

export async function expectStoreError(promise: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStoreError(err, code), `expected StoreError(${code}), got ${String(err)}`).toBe(true);
}

export const rvOf = (o: KubeObject) => Number(o.metadata.resourceVersion);

export const silentLogger = (): StoreLogger & { errors: string[] } => {
  const errors: string[] = [];
  return { info: () => undefined, warn: () => undefined, error: (m) => void errors.push(m), errors };
};


// PersistentVolume provisioner and binder for the lab (a small kube-controller-manager
// persistentvolume-controller plus an external provisioner in one). The default StorageClass `standard`
// (provisioner bosun.dev/docker-volume) is created at start. A claim without volumeName gets, in order:
//   an Available PV that fits (same class, enough capacity, the access modes) — static binding;
//   or, when its class (or the default class, for claims with no class) uses our provisioner, a new
//   PV `pvc-<claim uid>` whose source is a real `csi` source naming a labelled Docker volume.
// Binding is written both ways (pvc.spec.volumeName, pv.spec.claimRef, phases Bound). When the claim
// goes, a Delete-policy PV and its Docker volume are deleted; a Retain-policy PV becomes Released and
// keeps its data. Level-triggered (DESIGN.md style 1): handlers enqueue keys, sync re-reads listers.
// WaitForFirstConsumer classes are provisioned immediately (the lab has no topology to wait for).
import { isAlreadyExists, isNotFound } from '../../shared/api/errors';
import type { KubeObject } from '../../shared/api/meta';
import { compareQuantities } from '../../shared/api/quantity';
import type { PersistentVolume, PersistentVolumeClaim } from '../../shared/api/storage';
import type { KubeClient } from '../client/client';
import { RealClock, type Clock } from '../client/clock';
import { PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES } from '../client/gvr';
import type { SharedInformer } from '../client/informer';
import type { SharedInformerFactory } from '../client/informer-factory';
import { runWorkers, WorkQueue } from '../client/workqueue';
import { DEFAULT_STORAGE_CLASS_ANNOTATION, isDefaultStorageClass } from '../apiserver/registry/storageclasses';
import { DOCKER_VOLUME_DRIVER, dockerVolumeNameFor, ensureDockerVolume } from '../kubelet/volumes/docker-volume';
import type { ContainerRuntime } from '../runtime/runtime';

export const STORAGECLASSES = { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' };
export const DEFAULT_STORAGE_CLASS = 'standard';
export const PROVISIONED_BY_ANNOTATION = 'pv.kubernetes.io/provisioned-by';

export interface StorageClass extends KubeObject {
  provisioner: string;
  reclaimPolicy?: 'Delete' | 'Retain';
  volumeBindingMode?: string;
  parameters?: Record<string, string>;
}

type PV = PersistentVolume & { spec: NonNullable<PersistentVolume['spec']> & { csi?: { driver: string; volumeHandle: string; fsType?: string } } };
type PVC = PersistentVolumeClaim;

export interface PvEventSink {
  event(target: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface PvProvisionerOptions {
  client: KubeClient;
  informers: SharedInformerFactory;
  runtime: ContainerRuntime;
  labId: string;
  recorder?: PvEventSink;
  clock?: Clock;
  workers?: number;
}

/** The lab's default StorageClass. */
export function defaultStorageClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { [DEFAULT_STORAGE_CLASS_ANNOTATION]: 'true' } },
    provisioner: DOCKER_VOLUME_DRIVER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

const claimKey = (ns: string | undefined, name: string | undefined): string => `claim:${ns}/${name}`;
const volumeKey = (name: string | undefined): string => `volume:${name}`;

export class PvProvisioner {
  private readonly queue: WorkQueue<string>;
  private readonly claims: SharedInformer<PVC>;
  private readonly volumes: SharedInformer<PV>;
  private readonly classes: SharedInformer<StorageClass>;

  constructor(private readonly options: PvProvisionerOptions) {
    const clock = options.clock ?? new RealClock();
    this.queue = new WorkQueue<string>({ name: 'pv-provisioner', clock });
    this.claims = options.informers.informerFor<PVC>(PERSISTENTVOLUMECLAIMS);
    this.volumes = options.informers.informerFor<PV>(PERSISTENTVOLUMES);
    this.classes = options.informers.informerFor<StorageClass>(STORAGECLASSES);
    const onClaim = (c: PVC): void => {
      this.queue.add(claimKey(c.metadata.namespace, c.metadata.name));
      if (c.spec?.volumeName) this.queue.add(volumeKey(c.spec.volumeName));
    };
    const onVolume = (v: PV): void => {
      this.queue.add(volumeKey(v.metadata.name));
      if (v.spec?.claimRef) this.queue.add(claimKey(v.spec.claimRef.namespace, v.spec.claimRef.name));
    };
    this.claims.addEventHandler({
      onAdd: onClaim,
      onUpdate: (_o, c) => onClaim(c),
      onDelete: (c) => {
        onClaim(c);
        for (const v of this.volumes.lister.list()) if (v.spec?.claimRef?.uid === c.metadata.uid) this.queue.add(volumeKey(v.metadata.name));
      },
    });
    this.volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v), onDelete: onVolume });
    const pendingAgain = (): void => {
      for (const c of this.claims.lister.list()) if (!c.spec?.volumeName) this.queue.add(claimKey(c.metadata.namespace, c.metadata.name));
    };
    this.classes.addEventHandler({ onAdd: pendingAgain, onUpdate: pendingAgain });
  }

  /** Creates the default StorageClass (unless present) and starts the workers. */
  async start(): Promise<void> {
    try {
      await this.options.client.resource(STORAGECLASSES).create(undefined, defaultStorageClass());
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    runWorkers(this.queue, this.options.workers ?? 2, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutDown();
  }

  async sync(key: string): Promise<void> {
    if (key.startsWith('claim:')) {
      const [ns, name] = key.slice(6).split('/');
      const claim = this.claims.lister.get(ns, name);
      if (claim) await this.syncClaim(claim);
    } else {
      const pv = this.volumes.lister.get(undefined, key.slice(7));
      if (pv) await this.syncVolume(pv);
    }
  }

  private classFor(claim: PVC): { name: string; sc?: StorageClass } | undefined {
    const requested = claim.spec?.storageClassName;
    if (requested === '') return undefined; // explicitly no class: static binding only
    if (requested) return { name: requested, sc: this.classes.lister.get(undefined, requested) };
    const defaults = this.classes.lister.list().filter(isDefaultStorageClass);
    // Several defaults: Kubernetes picks the newest.
    defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
    return defaults[0] ? { name: defaults[0].metadata.name!, sc: defaults[0] } : undefined;
  }

  private async syncClaim(claim: PVC): Promise<void> {
    if (claim.metadata.deletionTimestamp) return;
    const volumeName = claim.spec?.volumeName;
    if (volumeName) {
      const pv = this.volumes.lister.get(undefined, volumeName);
      if (!pv) await this.setClaimPhase(claim, 'Lost');
      else if (pv.spec?.claimRef?.uid === claim.metadata.uid) await this.markClaimBound(claim, pv);
      else if (!pv.spec?.claimRef) await this.bind(claim, pv); // a claim pre-bound to a free PV
      return;
    }
    const cls = this.classFor(claim);
    const match = this.findAvailable(claim, cls?.name ?? '');
    if (match) return this.bind(claim, match);
    if (!cls) {
      this.options.recorder?.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    if (!cls.sc) {
      this.options.recorder?.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${cls.name}" not found`);
      return;
    }
    if (cls.sc.provisioner !== DOCKER_VOLUME_DRIVER) {
      this.options.recorder?.event(
        claim,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${cls.sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
      );
      return;
    }
    await this.provision(claim, cls.sc);
  }

  /** Static binding: an Available PV of the claim's class with enough capacity and the access modes. */
  private findAvailable(claim: PVC, className: string): PV | undefined {
    const want = claim.spec?.resources?.requests?.storage ?? '0';
    const modes = claim.spec?.accessModes ?? [];
    const fits = this.volumes.lister
      .list()
      .filter((v) => (v.status?.phase ?? 'Available') === 'Available' || v.status?.phase === 'Pending')
      .filter((v) => !v.metadata.deletionTimestamp && (!v.spec.claimRef || v.spec.claimRef.uid === claim.metadata.uid))
      .filter((v) => (v.spec.storageClassName ?? '') === className)
      .filter((v) => compareQuantities(v.spec.capacity?.storage ?? '0', want) >= 0)
      .filter((v) => modes.every((m) => v.spec.accessModes?.includes(m)));
    fits.sort((a, b) => compareQuantities(a.spec.capacity?.storage ?? '0', b.spec.capacity?.storage ?? '0'));
    return fits[0];
  }

  private async provision(claim: PVC, sc: StorageClass): Promise<void> {
    const pvName = `pvc-${claim.metadata.uid}`;
    const existing = this.volumes.lister.get(undefined, pvName);
    if (existing) return this.bind(claim, existing);
    const volume = dockerVolumeNameFor(pvName);
    await ensureDockerVolume(this.options.runtime, this.options.labId, volume, pvName);
    const pv: PV = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { [PROVISIONED_BY_ANNOTATION]: DOCKER_VOLUME_DRIVER } },
      spec: {
        capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
        accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata.name,
        volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid },
        csi: { driver: DOCKER_VOLUME_DRIVER, volumeHandle: volume },
      },
    };
    let created: PV;
    try {
      created = await this.options.client.resource<PV>(PERSISTENTVOLUMES).create(undefined, pv);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      created = await this.options.client.resource<PV>(PERSISTENTVOLUMES).get(undefined, pvName);
    }
    this.options.recorder?.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
    await this.bind(claim, created);
  }

  private async bind(claim: PVC, pv: PV): Promise<void> {
    const pvs = this.options.client.resource<PV>(PERSISTENTVOLUMES);
    let bound = pv;
    if (pv.spec.claimRef?.uid !== claim.metadata.uid) {
      const next = structuredClone(pv) as PV;
      next.spec.claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion };
      bound = await pvs.update(undefined, next);
    }
    if (bound.status?.phase !== 'Bound') {
      bound = await pvs.updateStatus(undefined, { ...structuredClone(bound), status: { ...bound.status, phase: 'Bound' } } as PV);
    }
    const claims = this.options.client.resource<PVC>(PERSISTENTVOLUMECLAIMS);
    const next = structuredClone(claim) as PVC;
    next.spec = { ...next.spec, volumeName: pv.metadata.name };
    next.metadata.annotations = { ...next.metadata.annotations, 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' };
    if (pv.metadata.annotations?.[PROVISIONED_BY_ANNOTATION]) next.metadata.annotations['volume.kubernetes.io/storage-provisioner'] = DOCKER_VOLUME_DRIVER;
    const updated = await claims.update(claim.metadata.namespace, next);
    await this.markClaimBound(updated, bound);
  }

  private async markClaimBound(claim: PVC, pv: PV): Promise<void> {
    const status = claim.status ?? {};
    if (status.phase === 'Bound' && status.capacity?.storage === pv.spec.capacity?.storage) return;
    await this.options.client
      .resource<PVC>(PERSISTENTVOLUMECLAIMS)
      .updateStatus(claim.metadata.namespace, { ...structuredClone(claim), status: { ...status, phase: 'Bound', accessModes: pv.spec.accessModes, capacity: pv.spec.capacity } } as PVC);
  }

  private async setClaimPhase(claim: PVC, phase: 'Lost'): Promise<void> {
    if (claim.status?.phase === phase) return;
    await this.options.client.resource<PVC>(PERSISTENTVOLUMECLAIMS).updateStatus(claim.metadata.namespace, { ...structuredClone(claim), status: { ...claim.status, phase } } as PVC);
  }

  private async syncVolume(pv: PV): Promise<void> {
    const ref = pv.spec?.claimRef;
    const pvs = this.options.client.resource<PV>(PERSISTENTVOLUMES);
    if (!ref) {
      if ((pv.status?.phase ?? 'Pending') === 'Pending') await pvs.updateStatus(undefined, { ...structuredClone(pv), status: { phase: 'Available' } } as PV);
      return;
    }
    const claim = this.claims.lister.get(ref.namespace, ref.name ?? '');
    if (claim && (!ref.uid || claim.metadata.uid === ref.uid)) {
      // A claimRef written by a user (pre-bound PV) is completed from the claim's side in syncClaim.
      if (claim.spec?.volumeName === pv.metadata.name && pv.status?.phase !== 'Bound') {
        await pvs.updateStatus(undefined, { ...structuredClone(pv), status: { phase: 'Bound' } } as PV);
      }
      return;
    }
    if (!ref.uid) return; // pre-bound to a claim that does not exist yet
    // The claim is gone: reclaim.
    if (pv.spec.persistentVolumeReclaimPolicy === 'Delete') {
      if (pv.spec.csi?.driver === DOCKER_VOLUME_DRIVER) {
        try {
          await this.options.runtime.removeVolume(pv.spec.csi.volumeHandle);
        } catch (e) {
          // "volume is in use" while the pod's containers go: the rate-limited retry tries again.
          if (!isMissing(e)) throw e;
        }
      }
      try {
        await pvs.delete(undefined, pv.metadata.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      return;
    }
    if (pv.status?.phase !== 'Released') await pvs.updateStatus(undefined, { ...structuredClone(pv), status: { phase: 'Released' } } as PV);
  }
}

const isMissing = (e: unknown): boolean => (e as { reason?: string })?.reason === 'NotFound';

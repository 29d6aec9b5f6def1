// VolumeManager: a pod's volumes on the host, as the kubelet's volume plugins lay them out under
// <dataDir>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>:
//   emptyDir        a host directory (0777) bind-mounted into every container (shared); medium Memory: tmpfs
//   configMap/secret/downwardAPI/projected   atomic-writer directories, mounted read-only, updated in place
//   hostPath        bind of the host path after the type check (Pod Security admission decides who may)
//   persistentVolumeClaim   bound PVC → PV → a labelled Docker named volume (csi driver bosun.dev/docker-volume),
//                   or the path of a hostPath/local PV
// ConfigMap/Secret edits reach running pods through watch events (see start()): typically well under a
// second, versus up to the sync period plus cache TTL (about a minute) in Kubernetes. Secret data is
// never logged.
import { lstat, mkdir, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import type { Container, Pod, Volume } from '../../../shared/api/pod';
import { quantityValue } from '../../../shared/api/quantity';
import type { PersistentVolume, PersistentVolumeClaim } from '../../../shared/api/storage';
import type { KubeClient } from '../../client/client';
import { CONFIGMAPS, PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES, SECRETS } from '../../client/gvr';
import { SharedInformer } from '../../client/informer';
import type { SharedInformerFactory } from '../../client/informer-factory';
import type { ContainerRuntime, Mount } from '../../runtime/runtime';
import { clientConfigSource, type ConfigSource } from '../env';
import { KubeletError, type VolumeManager } from '../types';
import { writeAtomically } from './atomic-writer';
import { DOCKER_VOLUME_DRIVER, ensureDockerVolume } from './docker-volume';
import { ProjectionError, projectVolume, volumeSources } from './projections';

export interface VolumeEventSink {
  event(target: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface VolumeManagerDeps {
  dataDir: string;
  runtime: ContainerRuntime;
  client: KubeClient;
  labId: string;
  nodeName: string;
  /** ConfigMap/Secret/node lookups (default: the client). */
  source?: ConfigSource;
  /** FailedMount warnings on the pod. */
  recorder?: VolumeEventSink;
  /** Share the kubelet's informers for the ConfigMap/Secret watches started by start(). */
  informers?: SharedInformerFactory;
  logger?: { warn(message: string): void };
  /** Start the ConfigMap/Secret watches on the first setUp (default true); stop() ends them. */
  watchSources?: boolean;
}

const PLUGIN_DIRS: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

const pluginOf = (v: Volume): string | undefined => Object.keys(PLUGIN_DIRS).find((k) => (v as unknown as Record<string, unknown>)[k] !== undefined);
const isProjected = (v: Volume): boolean => !!(v.configMap || v.secret || v.downwardAPI || v.projected);

/** Where a PVC volume lives once resolved. */
type ClaimMount = { kind: 'volume'; name: string; mountpoint?: string } | { kind: 'bind'; path: string };

export class KubeletVolumeManager implements VolumeManager {
  private readonly source: ConfigSource;
  private readonly pods = new Map<string, Pod>();
  private readonly claims = new Map<string, Map<string, ClaimMount>>();
  /** `configmap/<ns>/<name>` → uids of pods whose volumes read it. */
  private readonly readers = new Map<string, Set<string>>();
  private readonly refreshing = new Map<string, Promise<void>>();
  private readonly stops: Array<() => void> = [];
  private watching = false;

  constructor(private readonly deps: VolumeManagerDeps) {
    this.source = deps.source ?? clientConfigSource(deps.client);
  }

  podDir(uid: string): string {
    return join(this.deps.dataDir, 'pods', uid);
  }

  volumeDir(uid: string, volume: Volume): string | undefined {
    const plugin = pluginOf(volume);
    return plugin ? join(this.podDir(uid), 'volumes', PLUGIN_DIRS[plugin], volume.name) : undefined;
  }

  async setUp(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    this.pods.set(uid, pod);
    this.index(pod);
    // ConfigMap/Secret edits should reach running pods without waiting for a resync.
    if (this.deps.watchSources !== false) this.start();
    await this.serialized(uid, () => this.setUpVolumes(pod));
  }

  private async setUpVolumes(pod: Pod): Promise<void> {
    for (const volume of pod.spec?.volumes ?? []) {
      try {
        await this.setUpVolume(pod, volume);
      } catch (e) {
        const reason = e instanceof KubeletError ? e.reason : 'FailedMount';
        const message = e instanceof KubeletError ? e.message : `MountVolume.SetUp failed for volume "${volume.name}" : ${(e as Error).message}`;
        this.deps.recorder?.event(pod, 'Warning', 'FailedMount', message);
        throw new KubeletError(reason, message);
      }
    }
  }

  private async setUpVolume(pod: Pod, volume: Volume): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const dir = this.volumeDir(uid, volume);
    if (volume.emptyDir) {
      if (volume.emptyDir.medium === 'Memory') return;
      await mkdir(dir!, { recursive: true });
      await chmod(dir!, 0o777); // any container user may write, as Kubernetes' emptyDir
      return;
    }
    if (isProjected(volume)) {
      let payload;
      try {
        payload = await projectVolume(this.source, pod, volume);
      } catch (e) {
        if (e instanceof ProjectionError) throw new Error(e.message);
        throw e;
      }
      await writeAtomically(dir!, payload ?? new Map());
      return;
    }
    if (volume.hostPath) {
      await checkHostPath(volume.hostPath.path, volume.hostPath.type ?? '');
      return;
    }
    if (volume.persistentVolumeClaim) {
      // Resolved once per pod: the kubelet calls setUp on every sync, the claim's binding never changes.
      if (this.claims.get(uid)?.has(volume.name)) return;
      const mount = await this.resolveClaim(pod, volume.persistentVolumeClaim.claimName);
      let claims = this.claims.get(uid);
      if (!claims) this.claims.set(uid, (claims = new Map()));
      claims.set(volume.name, mount);
    }
  }

  private async resolveClaim(pod: Pod, claim: string): Promise<ClaimMount> {
    const ns = pod.metadata.namespace ?? 'default';
    const fail = (why: string): never => {
      throw new KubeletError('FailedMount', `Unable to attach or mount volumes: unmounted volumes=[${claim}]: error processing PVC ${ns}/${claim}: ${why}`);
    };
    let pvc: PersistentVolumeClaim | undefined;
    try {
      pvc = await this.deps.client.resource<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS).get(ns, claim);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      fail(`failed to fetch PVC from API server: persistentvolumeclaims "${claim}" not found`);
    }
    const volumeName = pvc!.spec?.volumeName;
    if (pvc!.status?.phase !== 'Bound' || !volumeName) return fail('PVC is not bound');
    let pv: PersistentVolume | undefined;
    try {
      pv = await this.deps.client.resource<PersistentVolume>(PERSISTENTVOLUMES).get(undefined, volumeName);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      fail(`failed to fetch PV ${volumeName} from API server: persistentvolumes "${volumeName}" not found`);
    }
    const spec = pv!.spec as (PersistentVolume['spec'] & { csi?: { driver?: string; volumeHandle?: string } }) | undefined;
    if (spec?.csi?.driver === DOCKER_VOLUME_DRIVER && spec.csi.volumeHandle) {
      const mountpoint = await ensureDockerVolume(this.deps.runtime, this.deps.labId, spec.csi.volumeHandle, volumeName);
      return { kind: 'volume', name: spec.csi.volumeHandle, mountpoint };
    }
    const path = spec?.hostPath?.path ?? spec?.local?.path;
    if (path) return { kind: 'bind', path };
    return fail(`PV ${volumeName} has a volume source this lab cannot mount (supported: csi driver ${DOCKER_VOLUME_DRIVER}, hostPath, local)`);
  }

  mountsFor(pod: Pod, container: Container): Mount[] {
    const uid = pod.metadata.uid ?? '';
    const mounts: Mount[] = [];
    for (const vm of container.volumeMounts ?? []) {
      const volume = pod.spec?.volumes?.find((v) => v.name === vm.name);
      if (!volume) continue;
      const sub = (base: string): string => (vm.subPath ? join(base, vm.subPath) : base);
      const readOnly = vm.readOnly === true;
      if (volume.emptyDir?.medium === 'Memory') {
        const size = volume.emptyDir.sizeLimit ? quantityValue(volume.emptyDir.sizeLimit) : undefined;
        mounts.push({ kind: 'tmpfs', source: '', target: vm.mountPath, readOnly, ...(size ? { sizeBytes: size } : {}) });
      } else if (volume.emptyDir) {
        mounts.push({ kind: 'bind', source: sub(this.volumeDir(uid, volume)!), target: vm.mountPath, readOnly });
      } else if (isProjected(volume)) {
        // Always read-only, as Kubernetes mounts them; a subPath binds the file resolved now (never updated).
        mounts.push({ kind: 'bind', source: sub(this.volumeDir(uid, volume)!), target: vm.mountPath, readOnly: true });
      } else if (volume.hostPath) {
        mounts.push({ kind: 'bind', source: sub(volume.hostPath.path), target: vm.mountPath, readOnly });
      } else if (volume.persistentVolumeClaim) {
        const claim = this.claims.get(uid)?.get(volume.name);
        if (!claim) continue;
        const ro = readOnly || volume.persistentVolumeClaim.readOnly === true;
        if (claim.kind === 'bind') mounts.push({ kind: 'bind', source: sub(claim.path), target: vm.mountPath, readOnly: ro });
        else if (vm.subPath && claim.mountpoint) mounts.push({ kind: 'bind', source: join(claim.mountpoint, vm.subPath), target: vm.mountPath, readOnly: ro });
        else mounts.push({ kind: 'volume', source: claim.name, target: vm.mountPath, readOnly: ro });
      }
    }
    return mounts;
  }

  async refresh(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    if (!this.pods.has(uid)) return;
    this.pods.set(uid, pod);
    this.index(pod);
    await this.serialized(uid, () => this.rewrite(uid));
  }

  /** One volume writer per pod at a time (setUp from the pod worker, refreshes from watch events). */
  private async serialized(uid: string, fn: () => Promise<void>): Promise<void> {
    const previous = this.refreshing.get(uid) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.refreshing.set(uid, next);
    try {
      await next;
    } finally {
      if (this.refreshing.get(uid) === next) this.refreshing.delete(uid);
    }
  }

  private async rewrite(uid: string): Promise<void> {
    const pod = this.pods.get(uid);
    if (!pod) return;
    for (const volume of pod.spec?.volumes ?? []) {
      if (!isProjected(volume)) continue;
      try {
        const payload = await projectVolume(this.source, pod, volume);
        if (this.pods.has(uid)) await writeAtomically(this.volumeDir(uid, volume)!, payload ?? new Map());
      } catch (e) {
        // Kubernetes keeps the last good content when a source disappears or breaks.
        this.deps.logger?.warn(`volume ${volume.name} of pod ${pod.metadata.namespace}/${pod.metadata.name}: not refreshed: ${(e as Error).message}`);
      }
    }
  }

  async tearDown(podUid: string): Promise<void> {
    await this.refreshing.get(podUid)?.catch(() => undefined);
    this.pods.delete(podUid);
    this.claims.delete(podUid);
    for (const set of this.readers.values()) set.delete(podUid);
    // Only the pod's own directory: Docker volumes of PVCs (the data) are never touched here.
    await rm(this.podDir(podUid), { recursive: true, force: true });
  }

  /**
   * Watches ConfigMaps and Secrets so an edit refreshes the volumes of pods reading them right away,
   * instead of waiting for the periodic resync. Returns a stop function (also run by stop()).
   */
  start(): () => void {
    if (this.watching) return () => this.stop();
    this.watching = true;
    const onChange = (kind: 'configmap' | 'secret') => (o: KubeObject) => {
      const uids = this.readers.get(`${kind}/${o.metadata.namespace}/${o.metadata.name}`);
      // Copy: refresh() re-indexes the pod, which would re-add it to the set being iterated.
      for (const uid of [...(uids ?? [])]) {
        const pod = this.pods.get(uid);
        if (pod) void this.refresh(pod);
      }
    };
    for (const [gvr, kind] of [
      [CONFIGMAPS, 'configmap'],
      [SECRETS, 'secret'],
    ] as const) {
      const handler = onChange(kind);
      const events = { onAdd: handler, onUpdate: (_old: KubeObject, o: KubeObject) => handler(o), onDelete: handler };
      if (this.deps.informers) {
        const reg = this.deps.informers.informerFor(gvr).addEventHandler(events);
        this.stops.push(() => reg.remove());
      } else {
        const informer = new SharedInformer(this.deps.client.resource(gvr), {});
        informer.addEventHandler(events);
        informer.start();
        this.stops.push(() => informer.stop());
      }
    }
    return () => this.stop();
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s();
    this.watching = false;
  }

  private index(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    for (const set of this.readers.values()) set.delete(uid);
    for (const v of pod.spec?.volumes ?? []) {
      for (const s of volumeSources(v)) {
        const key = `${s.kind}/${pod.metadata.namespace}/${s.name}`;
        let set = this.readers.get(key);
        if (!set) this.readers.set(key, (set = new Set()));
        set.add(uid);
      }
    }
  }
}

/** hostPath type checks (pkg/volume/hostpath checkType), creating for the *OrCreate types. */
export async function checkHostPath(path: string, type: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  const st = info?.isSymbolicLink() ? await stat(path).catch(() => undefined) : info;
  const failed = (what: string): never => {
    throw new Error(`hostPath type check failed: ${path} is not a ${what}`);
  };
  switch (type) {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!st) return void (await mkdir(path, { recursive: true, mode: 0o755 }));
      if (!st.isDirectory()) failed('directory');
      return;
    case 'Directory':
      if (!st) throw new Error(`hostPath type check failed: ${path} is not a directory`);
      if (!st.isDirectory()) failed('directory');
      return;
    case 'FileOrCreate':
      if (!st) return void (await writeFile(path, '', { mode: 0o644 }));
      if (!st.isFile()) failed('file');
      return;
    case 'File':
      if (!st?.isFile()) failed('file');
      return;
    case 'Socket':
      if (!st?.isSocket()) failed('socket');
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) failed('character device');
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) failed('block device');
      return;
    default:
      throw new Error(`hostPath type check failed: unknown type ${type}`);
  }
}

export function createVolumeManager(deps: VolumeManagerDeps): KubeletVolumeManager {
  return new KubeletVolumeManager(deps);
}

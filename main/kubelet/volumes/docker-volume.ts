// Docker named volumes backing PersistentVolumes of the lab's provisioner. The PV source is a real
// Kubernetes `csi` source: driver `bosun.dev/docker-volume`, volumeHandle = the Docker volume name.
// Both the provisioner (creates, deletes) and the kubelet (ensures it exists before mounting, so a
// reset engine is survived) use these helpers.
import { RuntimeLabels, type ContainerRuntime } from '../../runtime/runtime';

export const DOCKER_VOLUME_DRIVER = 'bosun.dev/docker-volume';
/** Docker label naming the PersistentVolume a Docker volume backs. */
export const PV_LABEL = 'bosun.pv';

/** Docker volume name for a PV: `bosun-<pv name>` (dynamically provisioned PVs are `pvc-<claim uid>`). */
export const dockerVolumeNameFor = (pvName: string): string => `bosun-${pvName}`;

export function dockerVolumeLabels(labId: string, pvName: string): Record<string, string> {
  return { [RuntimeLabels.managed]: 'true', [RuntimeLabels.lab]: labId, [RuntimeLabels.role]: 'volume', [PV_LABEL]: pvName };
}

/** Creates the Docker volume unless it exists; returns its host mountpoint when the engine reports one. */
export async function ensureDockerVolume(runtime: ContainerRuntime, labId: string, name: string, pvName: string): Promise<string | undefined> {
  const existing = (await runtime.listVolumes({ [RuntimeLabels.managed]: 'true', [RuntimeLabels.lab]: labId })).find((v) => v.name === name);
  if (existing) return existing.mountpoint;
  try {
    return (await runtime.createVolume(name, dockerVolumeLabels(labId, pvName))).mountpoint;
  } catch (e) {
    // Another kubelet or the provisioner may have created it in between.
    const again = (await runtime.listVolumes({ [RuntimeLabels.managed]: 'true', [RuntimeLabels.lab]: labId })).find((v) => v.name === name);
    if (again) return again.mountpoint;
    throw e;
  }
}

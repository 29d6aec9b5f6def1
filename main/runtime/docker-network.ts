// Removing a lab's pod network from the Docker engine. The engine refuses while endpoints are attached
// ("has active endpoints"), and an endpoint detaches only once the engine has finished removing its
// container — which may still be under way right after a lab stopped (its kubelets, a cleanup, a killed
// `docker rm` whose requests the engine keeps serving). So removal waits for those containers instead of
// giving up at once and leaving the network (and its /16) behind for every later lab. It does not wait
// for containers nobody removes, and it says when the engine's own endpoint count is stale. The dockerode
// client is passed in, so this file does not import dockerode itself.

type Any = any; // dockerode objects (see docker.ts)

export interface NetworkRemovalTiming {
  /** Longest wait for endpoints to detach. */
  timeoutMs: number;
  pollMs: number;
  /** How long an attached container that is neither gone nor being removed may hold the network (a stop → remove in flight). */
  heldMs: number;
  /** How long the engine may report endpoints on a network no container is attached to (a teardown finishing). */
  staleMs: number;
}

export const NETWORK_REMOVAL_TIMING: NetworkRemovalTiming = { timeoutMs: 60_000, pollMs: 200, heldMs: 10_000, staleMs: 5_000 };

interface Attached {
  id: string;
  name: string;
  /** Docker's State.Status, or "gone" when the container no longer exists. */
  state: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function hasActiveEndpoints(err: unknown): boolean {
  const e = err as { statusCode?: number; json?: { message?: string } | null; message?: string };
  const message = (e?.json && typeof e.json === 'object' && !Buffer.isBuffer(e.json) ? e.json.message : undefined) ?? e?.message ?? '';
  return /has active endpoints/i.test(message);
}

/** The containers the engine shows on the network, each with its state ("removing" while `docker rm` runs). */
async function attachedContainers(docker: Any, name: string): Promise<Attached[]> {
  const net = await docker.getNetwork(name).inspect();
  const entries = Object.entries((net?.Containers ?? {}) as Record<string, { Name?: string }>);
  return Promise.all(
    entries.map(async ([id, c]) => {
      try {
        const info = await docker.getContainer(id).inspect();
        return { id, name: c.Name ?? id, state: String(info?.State?.Status ?? 'unknown') };
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return { id, name: c.Name ?? id, state: 'gone' };
        throw err;
      }
    }),
  );
}

const detaching = (c: Attached): boolean => c.state === 'removing' || c.state === 'dead' || c.state === 'gone';

/**
 * Removes the network once its endpoints have detached. `fail` turns an engine error into the runtime's
 * error (and throws); a missing network fails at once (NotFound), as before.
 */
export async function removeNetworkWhenDetached(
  docker: Any,
  name: string,
  fail: (err: unknown, what: string) => never,
  timing: NetworkRemovalTiming = NETWORK_REMOVAL_TIMING,
): Promise<void> {
  const what = `removing network ${name}`;
  const started = Date.now();
  let heldSince: number | undefined;
  let emptySince: number | undefined;
  for (;;) {
    try {
      await docker.getNetwork(name).remove();
      return;
    } catch (err) {
      if (!hasActiveEndpoints(err)) fail(err, what);
      const attached = await attachedContainers(docker, name).catch((e: unknown) => fail(e, `${what} (inspecting what is still attached)`));
      const now = Date.now();
      // An endpoint whose container no longer exists never detaches by itself; force it off.
      for (const c of attached.filter((a) => a.state === 'gone')) await docker.getNetwork(name).disconnect({ Container: c.id, Force: true }).catch(() => undefined);
      const holding = attached.filter((c) => !detaching(c));
      heldSince = holding.length > 0 ? (heldSince ?? now) : undefined;
      emptySince = attached.length === 0 ? (emptySince ?? now) : undefined;
      if (heldSince !== undefined && now - heldSince >= timing.heldMs) {
        const list = holding.map((c) => `${c.name} (${c.state})`).join(', ');
        fail(err, `${what}: still used by ${list}; remove those containers first`);
      }
      if (emptySince !== undefined && now - emptySince >= timing.staleMs) {
        fail(
          err,
          `${what}: no container is attached any more, yet the engine still counts endpoints on it (a Docker Engine bug ` +
            'before 28.1, seen after many containers of one network were removed at once); restarting the Docker engine clears it',
        );
      }
      if (now - started >= timing.timeoutMs) fail(err, `${what}: endpoints still attached after ${Math.round(timing.timeoutMs / 1000)} s`);
      await sleep(timing.pollMs);
    }
  }
}

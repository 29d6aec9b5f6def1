// removeNetworkWhenDetached against a scripted engine: the network goes once its containers are gone,
// waits while they are being removed, fails fast (naming them) when nobody removes them, and says so
// when the engine counts endpoints that no container holds any more.
import { describe, expect, it } from 'vitest';
import { hasActiveEndpoints, removeNetworkWhenDetached, type NetworkRemovalTiming } from '../../../main/runtime/docker-network';

const TIMING: NetworkRemovalTiming = { timeoutMs: 2_000, pollMs: 5, heldMs: 60, staleMs: 40 };

const engineError = (statusCode: number, message: string): Error & { statusCode: number; json: { message: string } } =>
  Object.assign(new Error(`(HTTP code ${statusCode}) ${message}`), { statusCode, json: { message } });
const activeEndpoints = (): Error => engineError(403, 'error while removing network: network bosun-x id 47c0 has active endpoints');

interface FakeContainer {
  name: string;
  state: string;
}

/** A network with containers attached; `detachAfter` inspections of a "removing" container later, it is gone. */
function engine(attached: Record<string, FakeContainer>, options: { detachAfter?: number; staleEndpoints?: boolean } = {}) {
  const calls: string[] = [];
  const inspections = new Map<string, number>();
  const docker = {
    getNetwork: (name: string) => ({
      remove: async () => {
        calls.push(`remove ${name}`);
        if (name === 'missing') throw engineError(404, 'network missing not found');
        if (Object.keys(attached).length > 0 || options.staleEndpoints) throw activeEndpoints();
      },
      inspect: async () => ({ Containers: Object.fromEntries(Object.entries(attached).map(([id, c]) => [id, { Name: c.name }])) }),
      disconnect: async ({ Container, Force }: { Container: string; Force: boolean }) => {
        calls.push(`disconnect ${Container} force=${Force}`);
        delete attached[Container];
      },
    }),
    getContainer: (id: string) => ({
      inspect: async () => {
        const c = attached[id];
        if (!c || c.state === 'gone') throw engineError(404, `No such container: ${id}`);
        const n = (inspections.get(id) ?? 0) + 1;
        inspections.set(id, n);
        if (c.state === 'removing' && n >= (options.detachAfter ?? 3)) delete attached[id];
        return { State: { Status: c.state } };
      },
    }),
  };
  return { docker, calls };
}

const fail = (err: unknown, what: string): never => {
  throw new Error(`${what} [${(err as Error).message}]`);
};

describe('removeNetworkWhenDetached', () => {
  it('removes a network with nothing attached in one call', async () => {
    const { docker, calls } = engine({});
    await removeNetworkWhenDetached(docker, 'bosun-x', fail, TIMING);
    expect(calls).toEqual(['remove bosun-x']);
  });

  it('waits while the attached containers are being removed, then removes the network', async () => {
    const { docker, calls } = engine({ a: { name: 'pause-a', state: 'removing' }, b: { name: 'pause-b', state: 'removing' } }, { detachAfter: 4 });
    await removeNetworkWhenDetached(docker, 'bosun-x', fail, TIMING);
    expect(calls.filter((c) => c === 'remove bosun-x').length).toBeGreaterThan(2);
    expect(calls.at(-1)).toBe('remove bosun-x');
  });

  it('fails, naming them, when attached containers keep running and nobody removes them', async () => {
    const { docker } = engine({ a: { name: 'pause-a', state: 'running' } });
    const t0 = Date.now();
    await expect(removeNetworkWhenDetached(docker, 'bosun-x', fail, TIMING)).rejects.toThrow(/still used by pause-a \(running\); remove those containers first.*active endpoints/);
    expect(Date.now() - t0).toBeLessThan(TIMING.timeoutMs);
  });

  it('forces off an endpoint whose container no longer exists', async () => {
    const { docker, calls } = engine({ gone1: { name: 'old-pause', state: 'gone' } });
    await removeNetworkWhenDetached(docker, 'bosun-x', fail, TIMING);
    expect(calls).toContain('disconnect gone1 force=true');
  });

  it('says the engine miscounted when no container is attached but endpoints are still reported', async () => {
    const { docker } = engine({}, { staleEndpoints: true });
    await expect(removeNetworkWhenDetached(docker, 'bosun-x', fail, TIMING)).rejects.toThrow(/no container is attached any more.*restarting the Docker engine clears it/);
  });

  it('fails at once on other errors (a missing network stays NotFound for the caller)', async () => {
    const { docker, calls } = engine({});
    await expect(removeNetworkWhenDetached(docker, 'missing', fail, TIMING)).rejects.toThrow(/removing network missing \[.*not found\]/);
    expect(calls).toEqual(['remove missing']);
  });

  it('recognises the engine message in both the JSON body and the error text', () => {
    expect(hasActiveEndpoints(activeEndpoints())).toBe(true);
    expect(hasActiveEndpoints(new Error('network bosun-x has active endpoints'))).toBe(true);
    expect(hasActiveEndpoints(engineError(404, 'network not found'))).toBe(false);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lab, LabOptions } from '../../../main/lab';
import { LabHost, labOptionsFromSettings } from '../../../main/app/lab-host';

function fakeStarter() {
  const started: LabOptions[] = [];
  const stopped: number[] = [];
  let taken = new Set<number>();
  const startLab = async (options: LabOptions): Promise<Lab> => {
    if (options.port && taken.has(options.port)) throw new Error(`listen EADDRINUSE: address already in use 127.0.0.1:${options.port}`);
    const port = options.port || 40_000 + started.length;
    started.push(options);
    return { port, url: `http://127.0.0.1:${port}`, dataDir: options.dataDir, stop: async () => void stopped.push(port) } as unknown as Lab;
  };
  return { startLab, started, stopped, occupy: (ports: number[]) => (taken = new Set(ports)) };
}

describe('LabHost', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const userData = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'bosun-host-'));
    dirs.push(d);
    return d;
  };

  it('maps settings onto lab options (Docker runtime; empty engine address = the default)', () => {
    const settings = { dataDir: '/d', nodes: 2, timeScale: 5, pauseImage: 'pause:1', dockerHost: '' };
    expect(labOptionsFromSettings(settings, { port: 0 })).toEqual({ dataDir: '/d', port: 0, nodes: 2, runtime: 'docker', pauseImage: 'pause:1', timeScale: 5 });
    expect(labOptionsFromSettings({ ...settings, dockerHost: 'tcp://127.0.0.1:2375' }, { port: 1, staticDir: '/s' })).toMatchObject({ dockerHost: 'tcp://127.0.0.1:2375', staticDir: '/s' });
  });

  it('saves valid changes, reports what needs a restart, and restarts on the same port', async () => {
    const dir = userData();
    const fake = fakeStarter();
    const host = new LabHost({ userDataDir: dir, startLab: fake.startLab });
    const labs: Lab[] = [];
    host.onLabStarted((lab) => labs.push(lab));
    await host.start();
    expect(fake.started[0]).toMatchObject({ dataDir: join(dir, 'lab'), nodes: 3, timeScale: 20, runtime: 'docker', port: 0 });
    expect((await host.snapshot()).restartRequired).toEqual([]);

    const rejected = await host.update({ nodes: -1 });
    expect(rejected.problems).toEqual([{ field: 'nodes', message: 'Nodes must be a whole number from 0 to 200, got -1.' }]);
    expect(rejected.snapshot.settings.nodes).toBe(3);

    const saved = await host.update({ nodes: 1, timeScale: 1 });
    expect(saved.problems).toEqual([]);
    expect(saved.snapshot.restartRequired).toEqual(['nodes', 'timeScale']);
    expect(saved.snapshot.running?.nodes).toBe(3);
    // Persisted: a new host (next app start) reads them back.
    expect((await new LabHost({ userDataDir: dir, startLab: fake.startLab }).snapshot()).settings).toMatchObject({ nodes: 1, timeScale: 1 });

    const first = host.lab!;
    const [a, b] = await Promise.all([host.restart(), host.restart()]);
    expect(a).toBe(b);
    expect(fake.stopped).toEqual([first.port]);
    expect(fake.started[1]).toMatchObject({ nodes: 1, timeScale: 1, port: first.port });
    expect(host.lab?.port).toBe(first.port);
    expect((await host.snapshot()).restartRequired).toEqual([]);
    expect(labs).toHaveLength(2);

    // The old port taken meanwhile: any free port instead of failing.
    fake.occupy([first.port]);
    await host.restart();
    expect(host.lab?.port).not.toBe(first.port);
    await host.stop();
    expect(host.lab).toBeUndefined();
  });
});

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applySettingsPatch, defaultSettings, loadSettings, saveSettings, settingsNeedingRestart, validateSettings } from '../../main/settings';

const defaults = defaultSettings('/home/me/.config/Bosun');

describe('settings validation', () => {
  it('defaults are valid and put the lab under userData', () => {
    expect(defaults).toEqual({ dataDir: '/home/me/.config/Bosun/lab', nodes: 3, timeScale: 20, pauseImage: 'registry.k8s.io/pause:3.10', dockerHost: '' });
    expect(validateSettings(defaults)).toEqual({ settings: defaults, problems: [] });
  });

  it('names each bad field with a message saying what is allowed', () => {
    const { settings, problems } = validateSettings({ dataDir: 'relative/dir', nodes: 2.5, timeScale: 0, pauseImage: 'Bad Image', dockerHost: 'http://x', extra: 1 });
    expect(settings).toBeUndefined();
    expect(problems).toEqual([
      { field: '', message: 'Unknown setting "extra" (known: dataDir, nodes, timeScale, pauseImage, dockerHost).' },
      { field: 'dataDir', message: 'Data folder must be an absolute path, got "relative/dir".' },
      { field: 'nodes', message: 'Nodes must be a whole number from 0 to 200, got 2.5.' },
      { field: 'timeScale', message: 'Time scale must be a number from 1 (real Kubernetes timing) to 1000, got 0.' },
      { field: 'pauseImage', message: 'Pause image "Bad Image" is not an image reference (e.g. registry.k8s.io/pause:3.10).' },
      { field: 'dockerHost', message: expect.stringMatching(/^Docker host must be empty .*unix:\/\/\/path\/to\/docker\.sock or tcp:\/\/host:port, got "http:\/\/x"\.$/) },
    ]);
    expect(validateSettings([]).problems[0].message).toBe('Settings must be a JSON object.');
  });

  it('accepts the engine addresses DockerRuntime understands and registry image references', () => {
    for (const dockerHost of ['', 'unix:///var/run/docker.sock', 'unix:///home/me/.docker/run/docker.sock', 'tcp://127.0.0.1:2375']) {
      expect(applySettingsPatch(defaults, { dockerHost }).problems).toEqual([]);
    }
    for (const pauseImage of ['pause', 'localhost:5000/lab/pause:3.10', `registry.k8s.io/pause@sha256:${'a'.repeat(64)}`]) {
      expect(applySettingsPatch(defaults, { pauseImage }).problems).toEqual([]);
    }
  });

  it('a patch changes only what it names, and every change needs a lab restart', () => {
    const { settings } = applySettingsPatch(defaults, { nodes: 5, timeScale: 1.5 });
    expect(settings).toEqual({ ...defaults, nodes: 5, timeScale: 1.5 });
    expect(settingsNeedingRestart(defaults, settings!)).toEqual(['nodes', 'timeScale']);
    expect(settingsNeedingRestart(defaults, defaults)).toEqual([]);
  });
});

describe('settings persistence', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const file = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'bosun-settings-'));
    dirs.push(d);
    return join(d, 'settings.json');
  };

  it('round-trips through an 0600 JSON file; a missing file means defaults', async () => {
    const path = file();
    expect(await loadSettings(path, defaults)).toEqual({ settings: defaults });
    const changed = { ...defaults, nodes: 1, dockerHost: 'tcp://127.0.0.1:2375' };
    await saveSettings(path, changed);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(changed);
    expect(await loadSettings(path, defaults)).toEqual({ settings: changed });
  });

  it('falls back per field for bad saved values and explains, leaving the file alone', async () => {
    const path = file();
    writeFileSync(path, JSON.stringify({ nodes: -1, timeScale: 5 }));
    const loaded = await loadSettings(path, defaults);
    expect(loaded.settings).toEqual({ ...defaults, timeScale: 5 });
    expect(loaded.warning).toMatch(/Ignored invalid saved settings in .*settings\.json: Nodes must be a whole number/);
    writeFileSync(path, '{ not json');
    const broken = await loadSettings(path, defaults);
    expect(broken.settings).toEqual(defaults);
    expect(broken.warning).toMatch(/is not valid JSON/);
    expect(readFileSync(path, 'utf8')).toBe('{ not json');
  });

  it('refuses to save invalid settings', async () => {
    const path = file();
    await expect(saveSettings(path, { ...defaults, nodes: 999 })).rejects.toThrow(/Nodes must be a whole number from 0 to 200/);
  });
});

import { describe, expect, it } from 'vitest';
import { desktopSettingsBridge, parseLabStatus } from '../../../renderer/composables/lab-status';
import { labStatusConfigMap } from '../../../main/lab-status';

describe('dashboard lab status', () => {
  it('reads what the lab publishes in kube-system/bosun-lab-status', () => {
    const cm = labStatusConfigMap({ runtime: 'docker', endpoint: 'unix:///var/run/docker.sock', reachable: false, error: 'ping: ENOENT', help: 'start Docker', since: '2026-01-01T00:00:00Z' });
    expect(parseLabStatus(cm.data)).toEqual({ reachable: false, endpoint: '/var/run/docker.sock', error: 'ping: ENOENT' });
    expect(parseLabStatus(labStatusConfigMap({ runtime: 'docker', endpoint: 'tcp://10.0.0.2:2375', reachable: true, since: 'x' }).data)).toEqual({ reachable: true, endpoint: 'tcp://10.0.0.2:2375' });
    // An older lab without the ConfigMap: no banner.
    expect(parseLabStatus(undefined)).toBeUndefined();
    expect(parseLabStatus({ other: 'x' })).toBeUndefined();
  });

  it('finds the settings bridge only in the desktop app', () => {
    expect(desktopSettingsBridge({})).toBeUndefined();
    expect(desktopSettingsBridge({ bosun: { connection: async () => ({}) } })).toBeUndefined();
    const settings = { get: async () => ({}), set: async () => ({}), restartLab: async () => undefined };
    expect(desktopSettingsBridge({ bosun: { settings } })).toBe(settings);
  });
});

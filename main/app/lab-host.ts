// The one lab the desktop app hosts, started from the saved settings and restarted when the person asks
// ("Restart lab" after changing a setting). No electron import: the shell passes its folders in, so this
// is unit-tested under Node with an injected startLab.
import { join } from 'node:path';
import type { DesktopSettingsSetResult, DesktopSettingsSnapshot } from '../../shared/desktop';
import { startLab, type Lab, type LabOptions } from '../lab';
import { applySettingsPatch, defaultSettings, loadSettings, saveSettings, settingsNeedingRestart, SETTINGS_FILE, type BosunSettings } from '../settings';

export interface LabHostOptions {
  /** Electron's app.getPath('userData'). */
  userDataDir: string;
  /** Built dashboard served at `/`. */
  staticDir?: string;
  /** Injected in tests; the real one otherwise. */
  startLab?: (options: LabOptions) => Promise<Lab>;
}

export function labOptionsFromSettings(settings: BosunSettings, extra: Pick<LabOptions, 'port' | 'staticDir'>): LabOptions {
  return {
    dataDir: settings.dataDir,
    port: extra.port,
    nodes: settings.nodes,
    runtime: 'docker',
    pauseImage: settings.pauseImage,
    timeScale: settings.timeScale,
    ...(settings.dockerHost ? { dockerHost: settings.dockerHost } : {}),
    ...(extra.staticDir ? { staticDir: extra.staticDir } : {}),
  };
}

export class LabHost {
  readonly settingsPath: string;
  readonly defaults: BosunSettings;
  private saved?: BosunSettings;
  private warning?: string;
  private running?: BosunSettings;
  private current?: Lab;
  private restarting?: Promise<Lab>;
  private readonly listeners = new Set<(lab: Lab) => void>();

  constructor(private readonly options: LabHostOptions) {
    this.settingsPath = join(options.userDataDir, SETTINGS_FILE);
    this.defaults = defaultSettings(options.userDataDir);
  }

  get lab(): Lab | undefined {
    return this.current;
  }

  /** Called with each lab started (the first, and every restart): the window and tray follow it. */
  onLabStarted(listener: (lab: Lab) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async settings(): Promise<BosunSettings> {
    if (!this.saved) {
      const loaded = await loadSettings(this.settingsPath, this.defaults);
      this.saved = loaded.settings;
      this.warning = loaded.warning;
    }
    return this.saved;
  }

  async snapshot(): Promise<DesktopSettingsSnapshot> {
    const settings = await this.settings();
    return {
      settings,
      defaults: this.defaults,
      ...(this.running ? { running: this.running } : {}),
      restartRequired: this.running ? settingsNeedingRestart(this.running, settings) : [],
      ...(this.warning ? { warning: this.warning } : {}),
    };
  }

  /** Validates and saves; the running lab is untouched until restart(). */
  async update(patch: unknown): Promise<DesktopSettingsSetResult> {
    const { settings, problems } = applySettingsPatch(await this.settings(), patch);
    if (settings) {
      await saveSettings(this.settingsPath, settings);
      this.saved = settings;
      this.warning = undefined;
    }
    return { problems, snapshot: await this.snapshot() };
  }

  /** Starts the lab from the saved settings on `port` (0 = any free port). */
  async start(port = 0): Promise<Lab> {
    const settings = await this.settings();
    const start = this.options.startLab ?? startLab;
    const lab = await start(labOptionsFromSettings(settings, { port, staticDir: this.options.staticDir }));
    this.current = lab;
    this.running = settings;
    for (const listener of this.listeners) listener(lab);
    return lab;
  }

  /**
   * Stops the lab and starts it with the saved settings, on the same port when it is still free so the
   * dashboard's address (and what the person bookmarked) stays. Concurrent calls share one restart.
   */
  restart(): Promise<Lab> {
    this.restarting ??= (async () => {
      const previous = this.current;
      this.current = undefined;
      if (previous) await previous.stop();
      try {
        return await this.start(previous?.port ?? 0);
      } catch (e) {
        if (!previous || !/EADDRINUSE/.test((e as Error).message)) throw e;
        return this.start(0);
      }
    })().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  async stop(): Promise<void> {
    const lab = this.current;
    this.current = undefined;
    this.running = undefined;
    await lab?.stop();
  }
}

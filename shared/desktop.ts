// The desktop shell's IPC contract (main/app ⇄ preload ⇄ renderer). IPC carries only what a browser
// cannot do (DESIGN.md rule 2): the app's own settings and restarting the lab it hosts. Under
// `bosun serve` none of this exists; the same options are CLI flags.

export const SETTINGS_GET_CHANNEL = 'bosun:settings:get';
export const SETTINGS_SET_CHANNEL = 'bosun:settings:set';
export const LAB_RESTART_CHANNEL = 'bosun:lab:restart';

/** Mirrors main/settings.ts BosunSettings (kept structural: shared/ imports nothing from main/). */
export interface DesktopSettings {
  dataDir: string;
  nodes: number;
  timeScale: number;
  pauseImage: string;
  /** Empty = DOCKER_HOST, else /var/run/docker.sock. */
  dockerHost: string;
}

export type DesktopSettingName = keyof DesktopSettings;

export interface DesktopSettingProblem {
  field: DesktopSettingName | '';
  message: string;
}

export interface DesktopSettingsSnapshot {
  /** Saved settings (what the next lab start uses). */
  settings: DesktopSettings;
  defaults: DesktopSettings;
  /** Settings the running lab was started with; undefined while no lab runs. */
  running?: DesktopSettings;
  /** Saved settings that differ from the running lab's: "Restart lab" applies them. */
  restartRequired: DesktopSettingName[];
  /** Why saved settings were ignored at load (bad JSON, out-of-range values). */
  warning?: string;
}

export interface DesktopSettingsSetResult {
  /** Empty when saved. */
  problems: DesktopSettingProblem[];
  snapshot: DesktopSettingsSnapshot;
}

/** What the preload exposes as window.bosun.settings (Electron only). */
export interface DesktopSettingsBridge {
  get(): Promise<DesktopSettingsSnapshot>;
  set(patch: Partial<DesktopSettings>): Promise<DesktopSettingsSetResult>;
  restartLab(): Promise<void>;
}

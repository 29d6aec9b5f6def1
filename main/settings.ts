// Desktop app settings: the few lab options `bosun serve` takes as flags, kept as JSON in the app's
// userData folder. Plain Node (no electron) so validation and persistence are unit-tested; the shell only
// passes the folder in. Every setting shapes the running lab, so a change applies at the next lab start.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { DEFAULT_NODES, DEFAULT_PAUSE_IMAGE } from './lab-defaults';
import { DEFAULT_TIME_SCALE, MAX_TIME_SCALE } from './lab-timing';

export const SETTINGS_FILE = 'settings.json';
export const MAX_SETTINGS_NODES = 200;

export interface BosunSettings {
  /** Where the lab keeps its store, token, certificate and kubelet files. */
  dataDir: string;
  /** Lab nodes node-1…node-N made sure of at start. */
  nodes: number;
  /** Divides Kubernetes' timers (main/lab-timing.ts); 1 = real Kubernetes. */
  timeScale: number;
  /** Image of each pod's infra container. */
  pauseImage: string;
  /** DOCKER_HOST-style engine address (unix:///path or tcp://host:port); empty = DOCKER_HOST, else /var/run/docker.sock. */
  dockerHost: string;
}

export type SettingName = keyof BosunSettings;
export const SETTING_NAMES: readonly SettingName[] = ['dataDir', 'nodes', 'timeScale', 'pauseImage', 'dockerHost'];

export interface SettingProblem {
  /** The setting at fault; '' for the document as a whole. */
  field: SettingName | '';
  message: string;
}

export function defaultSettings(userDataDir: string): BosunSettings {
  return { dataDir: join(userDataDir, 'lab'), nodes: DEFAULT_NODES, timeScale: DEFAULT_TIME_SCALE, pauseImage: DEFAULT_PAUSE_IMAGE, dockerHost: '' };
}

// An image reference as Docker accepts it: [registry[:port]/]path[:tag][@digest], lower-case path.
const IMAGE_REFERENCE = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

function checkField(name: SettingName, value: unknown): string | undefined {
  switch (name) {
    case 'dataDir':
      if (typeof value !== 'string' || !value.trim()) return 'Data folder must not be empty.';
      if (!isAbsolute(value)) return `Data folder must be an absolute path, got "${value}".`;
      return undefined;
    case 'nodes':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SETTINGS_NODES) {
        return `Nodes must be a whole number from 0 to ${MAX_SETTINGS_NODES}, got ${JSON.stringify(value)}.`;
      }
      return undefined;
    case 'timeScale':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > MAX_TIME_SCALE) {
        return `Time scale must be a number from 1 (real Kubernetes timing) to ${MAX_TIME_SCALE}, got ${JSON.stringify(value)}.`;
      }
      return undefined;
    case 'pauseImage':
      if (typeof value !== 'string' || !value.trim()) return 'Pause image must not be empty.';
      if (!IMAGE_REFERENCE.test(value)) return `Pause image "${value}" is not an image reference (e.g. ${DEFAULT_PAUSE_IMAGE}).`;
      return undefined;
    case 'dockerHost':
      if (typeof value !== 'string') return 'Docker host must be text.';
      if (value === '') return undefined;
      if (/^unix:\/\/\/\S+$/.test(value)) return undefined;
      if (/^tcp:\/\/[^\s/:]+:\d{1,5}$/.test(value)) return undefined;
      return `Docker host must be empty (use DOCKER_HOST or /var/run/docker.sock), unix:///path/to/docker.sock or tcp://host:port, got "${value}".`;
  }
}

/** Checks a whole settings document; unknown keys are problems too, so typos are not silently ignored. */
export function validateSettings(input: unknown): { settings?: BosunSettings; problems: SettingProblem[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { problems: [{ field: '', message: 'Settings must be a JSON object.' }] };
  const record = input as Record<string, unknown>;
  const problems: SettingProblem[] = [];
  for (const key of Object.keys(record)) {
    if (!(SETTING_NAMES as readonly string[]).includes(key)) problems.push({ field: '', message: `Unknown setting "${key}" (known: ${SETTING_NAMES.join(', ')}).` });
  }
  for (const name of SETTING_NAMES) {
    const message = checkField(name, record[name]);
    if (message) problems.push({ field: name, message });
  }
  if (problems.length) return { problems };
  const settings = Object.fromEntries(SETTING_NAMES.map((n) => [n, typeof record[n] === 'string' ? (record[n] as string).trim() : record[n]])) as unknown as BosunSettings;
  return { settings, problems };
}

/** `current` with `patch` applied, validated. */
export function applySettingsPatch(current: BosunSettings, patch: unknown): { settings?: BosunSettings; problems: SettingProblem[] } {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return { problems: [{ field: '', message: 'Settings must be a JSON object.' }] };
  return validateSettings({ ...current, ...(patch as Record<string, unknown>) });
}

/** Settings that differ between the running lab and the saved ones (all of them apply at the next lab start). */
export function settingsNeedingRestart(running: BosunSettings, saved: BosunSettings): SettingName[] {
  return SETTING_NAMES.filter((n) => running[n] !== saved[n]);
}

export interface LoadedSettings {
  settings: BosunSettings;
  /** Why the saved file was not used (it is left as it is, not overwritten until the user saves). */
  warning?: string;
}

/** Saved settings over the defaults; a missing file means defaults, an unreadable one means defaults plus a warning. */
export async function loadSettings(path: string, defaults: BosunSettings): Promise<LoadedSettings> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { settings: { ...defaults } };
    return { settings: { ...defaults }, warning: `Could not read ${path} (${(e as Error).message}); using the default settings.` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    return { settings: { ...defaults }, warning: `${path} is not valid JSON (${(e as Error).message}); using the default settings. Saving settings replaces the file.` };
  }
  // Settings added in later versions fill in from the defaults; a bad saved value falls back alone.
  const merged: Record<string, unknown> = { ...defaults };
  const problems: string[] = [];
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    for (const name of SETTING_NAMES) {
      const value = (parsed as Record<string, unknown>)[name];
      if (value === undefined) continue;
      const message = checkField(name, value);
      if (message) problems.push(message);
      else merged[name] = value;
    }
  } else problems.push('the file is not a JSON object');
  const { settings } = validateSettings(merged);
  return { settings: settings ?? { ...defaults }, ...(problems.length ? { warning: `Ignored invalid saved settings in ${path}: ${problems.join(' ')} Using the defaults for those.` } : {}) };
}

/** Validates, then writes atomically (a crash mid-write never leaves half a file). */
export async function saveSettings(path: string, settings: BosunSettings): Promise<void> {
  const { problems } = validateSettings(settings);
  if (problems.length) throw new Error(`refusing to save invalid settings: ${problems.map((p) => p.message).join(' ')}`);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

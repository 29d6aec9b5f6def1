// Defaults of the lab, shared by the CLI, the Electron shell and their help texts.
import { homedir } from 'node:os';
import { join } from 'node:path';

export type RuntimeKind = 'docker' | 'fake';

export const DEFAULT_PORT = 6443;
export const DEFAULT_NODES = 3;
export const DEFAULT_PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

export function defaultDataDir(): string {
  return join(homedir(), '.bosun');
}

// Parsing of `bosun serve` flags, kept apart from cli.ts so it can be tested without starting a lab.
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_NODES, DEFAULT_PAUSE_IMAGE, DEFAULT_PORT, defaultDataDir, type RuntimeKind } from './lab-defaults';
import { DEFAULT_TIME_SCALE, MAX_TIME_SCALE } from './lab-timing';

export const USAGE = `Usage: bosun serve [options]

Runs the Bosun lab headless: the Kubernetes API (for kubectl and client libraries) and the dashboard on one
port of 127.0.0.1.

Options:
  --port N               port on 127.0.0.1 (0 = any free port; default ${DEFAULT_PORT})
  --data-dir DIR         where the lab keeps its state (default ~/.bosun)
  --kubeconfig PATH      kubeconfig to write (default <data-dir>/kubeconfig)
  --nodes N              number of lab nodes (default ${DEFAULT_NODES})
  --runtime docker|fake  run pods on the Docker engine, or simulate them (default docker)
  --pause-image IMAGE    image of each pod's infra container (default ${DEFAULT_PAUSE_IMAGE})
  --time-scale N         divide Kubernetes' timers by N: node grace period, default tolerationSeconds,
                         crash and Job backoffs… (1 = real Kubernetes, up to ${MAX_TIME_SCALE}; default ${DEFAULT_TIME_SCALE}).
                         The values in force: kubectl -n kube-system get configmap bosun-lab-timing -o yaml
  -h, --help             show this help
`;

/** A mistake in how bosun was invoked: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

export interface ServeOptions {
  port: number;
  dataDir: string;
  kubeconfig: string;
  nodes: number;
  runtime: RuntimeKind;
  pauseImage: string;
  timeScale: number;
}

function integerFlag(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return Number(raw);
}

function timeScaleFlag(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIME_SCALE;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_TIME_SCALE) {
    throw new UsageError(`--time-scale must be a number from 1 (real Kubernetes timing) to ${MAX_TIME_SCALE}, got '${raw}'`);
  }
  return Number(raw);
}

export function parseServeArgs(argv: string[]): ServeOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        kubeconfig: { type: 'string' },
        nodes: { type: 'string' },
        runtime: { type: 'string' },
        'pause-image': { type: 'string' },
        'time-scale': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    // node:util's messages name the flag ("Unknown option '--prot'"); add the way out.
    throw new UsageError(`${(e as Error).message.replace(/\.$/, "")}. Run 'bosun serve --help' for the options.`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const runtime = v.runtime ?? 'docker';
  if (runtime !== 'docker' && runtime !== 'fake') {
    throw new UsageError(`--runtime must be 'docker' or 'fake', got '${runtime}'`);
  }
  if (v['pause-image'] !== undefined && !v['pause-image'].trim()) throw new UsageError('--pause-image must not be empty');
  const dataDir = resolve(v['data-dir'] ?? defaultDataDir());
  const kubeconfig = v.kubeconfig ?? join(dataDir, 'kubeconfig');
  return {
    port: integerFlag('port', v.port, DEFAULT_PORT, 0, 65535),
    dataDir,
    kubeconfig: isAbsolute(kubeconfig) ? kubeconfig : resolve(kubeconfig),
    nodes: integerFlag('nodes', v.nodes, DEFAULT_NODES, 0, 200),
    runtime,
    pauseImage: v['pause-image'] ?? DEFAULT_PAUSE_IMAGE,
    timeScale: timeScaleFlag(v['time-scale']),
  };
}

// Vitest global setup: the suite needs a Docker engine (integration, conformance and e2e tests drive
// real containers) and must leave nothing behind. Everything the lab creates carries the Docker label
// `bosun.managed=true`; teardown removes whatever of that is left and fails the run if there was any,
// because a leak in a test is a leak in the product.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MANAGED = 'label=bosun.managed=true';
const ENGINE_HOWTO = [
  'Bosun tests need a running Docker engine and none answers `docker info`.',
  'Run `node scripts/test-env.mjs` (as root on Debian it installs docker.io and starts dockerd), or:',
  '  - Debian/Ubuntu: sudo apt-get install -y docker.io && sudo dockerd &   (or: sudo systemctl start docker)',
  '  - macOS/Windows: install and start Docker Desktop',
  'If your engine listens elsewhere, set DOCKER_HOST.',
].join('\n');

type Kind = 'container' | 'network' | 'volume';

interface ManagedSet {
  container: string[];
  network: string[];
  volume: string[];
}

/** Present before this run started: another lab (or another run) owns them, so they are not ours to judge. */
let baseline: ManagedSet = { container: [], network: [], volume: [] };
let engineChecked = false;

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
}

function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

function listManaged(): ManagedSet {
  return {
    container: lines(docker(['ps', '-a', '-q', '--no-trunc', '--filter', MANAGED])),
    network: lines(docker(['network', 'ls', '-q', '--no-trunc', '--filter', MANAGED])),
    volume: lines(docker(['volume', 'ls', '-q', '--filter', MANAGED])),
  };
}

function describe(kind: Kind, id: string): string {
  const format =
    kind === 'container' ? '{{.Name}} ({{.Config.Image}}, {{.State.Status}}) {{json .Config.Labels}}' : '{{.Name}} {{json .Labels}}';
  try {
    return `${kind} ${docker([kind, 'inspect', '--format', format, id])}`;
  } catch {
    return `${kind} ${id}`;
  }
}

/** True when every test path named on the command line is a unit test: those never touch Docker. */
function unitTestsOnly(argv: string[]): boolean {
  const paths = argv.filter((a) => !a.startsWith('-') && /(^|\/)tests\//.test(a));
  return paths.length > 0 && paths.every((p) => /(^|\/)tests\/unit(\/|$)/.test(p));
}

export function setup(): void {
  if (unitTestsOnly(process.argv)) return;
  const probe = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 15_000 });
  if (probe.status !== 0) {
    const why = probe.error ? String(probe.error.message) : probe.stderr.trim();
    throw new Error(`${ENGINE_HOWTO}\n(docker info: ${why})`);
  }
  engineChecked = true;
  // Idempotent and fast when the images exist; lets `npx vitest run` work without `npm test` first.
  const images = spawnSync('sh', [fileURLToPath(new URL('./fixtures/build-images.sh', import.meta.url))], { encoding: 'utf8' });
  if (images.status !== 0) throw new Error(`building the offline test images failed:\n${images.stderr}`);
  baseline = listManaged();
  const before = baseline.container.length + baseline.network.length + baseline.volume.length;
  if (before > 0) {
    console.warn(
      `[global-setup] ${before} bosun.managed Docker object(s) existed before this run (a running lab or an earlier run); ` +
        'they are left alone and not counted as leaks.',
    );
  }
}

function leaked(): ManagedSet {
  const now = listManaged();
  return {
    container: now.container.filter((id) => !baseline.container.includes(id)),
    network: now.network.filter((id) => !baseline.network.includes(id)),
    volume: now.volume.filter((id) => !baseline.volume.includes(id)),
  };
}

const count = (s: ManagedSet): number => s.container.length + s.network.length + s.volume.length;

async function removeLeaks(): Promise<void> {
  let left = leaked();
  // A lab stopped in the last afterAll may still be removing its containers; give it a moment.
  for (let i = 0; i < 10 && count(left) > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    left = leaked();
  }
  if (count(left) === 0) return;
  // On a shared developer machine other suites' labs come and go while this run lasts: report, but
  // removing their containers would break them. CI runs alone on its engine, so there it cleans and fails.
  const strict = process.env.CI === 'true' || process.env.BOSUN_TEST_STRICT_LEAKS === '1';
  const report = [
    ...left.container.map((id) => describe('container', id)),
    ...left.network.map((id) => describe('network', id)),
    ...left.volume.map((id) => describe('volume', id)),
  ];
  if (!strict) {
    console.warn(`\n[global-setup] ${count(left)} bosun.managed Docker object(s) appeared during this run and remain (another suite's, or a leak; CI fails on these):\n  ${report.join('\n  ')}\n`);
    return;
  }
  // Containers first: networks and volumes in use cannot be removed.
  for (const id of left.container) spawnSync('docker', ['rm', '-f', '-v', id]);
  for (const id of left.network) spawnSync('docker', ['network', 'rm', id]);
  for (const id of left.volume) spawnSync('docker', ['volume', 'rm', '-f', id]);
  const message = `Tests left ${count(left)} bosun.managed Docker object(s) behind (now removed):\n  ${report.join('\n  ')}`;
  console.error(`\n[global-setup] ${message}\n`);
  throw new Error(message);
}

export async function teardown(): Promise<void> {
  if (!engineChecked) return;
  try {
    await removeLeaks();
  } catch (e) {
    // Vitest only logs errors thrown from global teardown ("error during close") and keeps exit code 0,
    // so set the exit code ourselves: a leak, or an engine gone mid-run, must fail the run.
    process.exitCode = 1;
    throw e;
  }
}

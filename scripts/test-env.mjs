#!/usr/bin/env node
// Prepares what the test suite needs on this machine: a Docker engine that answers, the offline test
// images, Chromium for e2e and kubectl. Runs first in `npm test`, so it must be idempotent and quiet
// when everything is already there, and loud (non-zero exit, how-to message) when it cannot help:
// tests are never silently skipped for a missing engine.
//
// On a fresh Debian machine as root (CI) it installs docker.io / busybox-static / chromium with apt and
// starts dockerd itself, detached, because CI has no systemd and the engine must outlive this script.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const DOCKER_WAIT_MS = 60_000;
const DOCKERD_LOG = isRoot ? '/var/log/bosun-dockerd.log' : '/tmp/bosun-dockerd.log';

const ENGINE_HOWTO = [
  'Bosun tests need a running Docker engine and none answers `docker info`.',
  'Get one:',
  '  - Debian/Ubuntu: sudo apt-get install -y docker.io && sudo dockerd &   (or: sudo systemctl start docker)',
  '  - macOS/Windows: install and start Docker Desktop',
  '  - or run `npm test` as root on Debian: scripts/test-env.mjs installs and starts the engine itself.',
  'If your engine listens elsewhere, set DOCKER_HOST.',
].join('\n');

function log(message) {
  process.stdout.write(`[test-env] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`[test-env] ERROR: ${message}\n`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

function which(cmd) {
  const r = run('sh', ['-c', `command -v ${cmd}`]);
  return r.status === 0 ? r.stdout.trim() : '';
}

function dockerAnswers() {
  if (!which('docker')) return false;
  return run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000 }).status === 0;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// One apt transaction for everything missing; a failure usually means a stale package list, so
// refresh once and retry rather than always paying for `apt-get update`.
function aptInstall(packages) {
  if (packages.length === 0) return;
  if (!isRoot) fail(`missing packages (${packages.join(', ')}); install them: sudo apt-get install -y ${packages.join(' ')}`);
  if (!which('apt-get')) fail(`missing packages (${packages.join(', ')}) and no apt-get here to install them.`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const args = ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', ...packages];
  log(`apt-get install ${packages.join(' ')}`);
  let r = run('apt-get', args, { env });
  if (r.status !== 0) {
    log('install failed; refreshing package lists (apt-get update) and retrying');
    const update = run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update'], { env });
    if (update.status !== 0) fail(`apt-get update failed:\n${update.stderr}`);
    r = run('apt-get', args, { env });
  }
  if (r.status !== 0) fail(`apt-get install ${packages.join(' ')} failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
}

function dpkgInstalled(pkg) {
  return run('dpkg-query', ['-W', '-f', '${Status}', pkg]).stdout.includes('install ok installed');
}

function runningDockerdPid() {
  try {
    const pid = Number(readFileSync('/var/run/docker.pid', 'utf8').trim());
    if (pid > 0) {
      process.kill(pid, 0);
      return pid;
    }
  } catch {
    // No pid file or a stale one: no daemon of ours is starting.
  }
  return 0;
}

function startDockerd() {
  const dockerd = which('dockerd');
  if (!dockerd) fail('dockerd not found even after installing docker.io.');
  mkdirSync(dirname(DOCKERD_LOG), { recursive: true });
  const out = openSync(DOCKERD_LOG, 'a');
  // detached + unref + file descriptors (not pipes): the daemon keeps running after this script and
  // npm exit, and never blocks on a full pipe.
  const child = spawn(dockerd, [], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  closeSync(out);
  log(`started dockerd (pid ${child.pid}), log: ${DOCKERD_LOG}`);
}

async function waitForEngine() {
  const deadline = Date.now() + DOCKER_WAIT_MS;
  while (Date.now() < deadline) {
    if (existsSync('/var/run/docker.sock') && dockerAnswers()) return;
    await sleep(500);
  }
  let tail = '';
  try {
    tail = readFileSync(DOCKERD_LOG, 'utf8').split('\n').slice(-25).join('\n');
  } catch {
    // No log to show.
  }
  fail(`dockerd did not answer within ${DOCKER_WAIT_MS / 1000}s. Last lines of ${DOCKERD_LOG}:\n${tail}\n\n${ENGINE_HOWTO}`);
}

async function ensureDockerEngine(missingPackages) {
  if (dockerAnswers()) return;
  if (!isRoot) fail(ENGINE_HOWTO);
  if (!which('dockerd') || !which('docker')) missingPackages.push('docker.io');
  return async () => {
    if (dockerAnswers()) return;
    if (runningDockerdPid()) log('dockerd is already starting; waiting for it');
    else startDockerd();
    await waitForEngine();
    log('Docker engine is up');
  };
}

function ensureKubectl(missingPackages) {
  if (which('kubectl')) return;
  log("kubectl not found; falling back to Debian's kubernetes-client (older than 1.32: tests needing newer kubectl say so)");
  missingPackages.push('kubernetes-client');
}

function buildTestImages() {
  const r = spawnSync('sh', [join(root, 'tests/fixtures/build-images.sh')], { stdio: 'inherit' });
  if (r.status !== 0) fail('building the offline test images failed (tests/fixtures/build-images.sh).');
}

async function main() {
  const missing = [];
  const startEngine = await ensureDockerEngine(missing);
  // busybox-static, not busybox: the test images are `docker import`ed from this one binary, so it
  // must be statically linked.
  if (!dpkgInstalled('busybox-static')) missing.push('busybox-static');
  if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
  // The dashboard speaks zh-CN too; without a CJK font its e2e screenshots show empty boxes.
  if (which('fc-list') ? !run('fc-list', [':lang=zh']).stdout.trim() : !dpkgInstalled('fonts-wqy-microhei')) missing.push('fonts-wqy-microhei');
  ensureKubectl(missing);
  aptInstall(missing);
  if (startEngine) await startEngine();
  buildTestImages();
}

await main();

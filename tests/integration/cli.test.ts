// The `bosun serve` process as a user meets it: flags, kubeconfig, signals, taken ports.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serveCommand, startServe } from '../support/serve';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { command, args: full } = serveCommand(args);
  return new Promise((res) => {
    const p = spawn(command, full, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, stdout, stderr });
    });
  });
}

describe('bosun serve', () => {
  it('prints the API line and the dashboard link, writes a 0600 kubeconfig, and stops cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const serve = await startServe();
      dirs.push(serve.dataDir);
      expect(serve.output[0]).toBe(`Bosun API ready at ${serve.url}`);
      expect(serve.output[1]).toBe(`Dashboard: ${serve.url}/#token=${serve.token}`);
      expect(statSync(serve.kubeconfig).mode & 0o777).toBe(0o600);
      const cfg = parse(readFileSync(serve.kubeconfig, 'utf8'));
      expect(cfg.clusters[0].cluster.server).toBe(serve.url.replace('http://', 'https://'));
      expect(cfg.clusters[0].cluster['certificate-authority-data']).toBeTruthy();
      expect(cfg.users[0].user.token).toBe(serve.token);
      expect(await serve.stop(signal)).toBe(0);
    }
  });

  it('keeps the same token across restarts of one data dir', async () => {
    const a = await startServe();
    dirs.push(a.dataDir);
    await a.stop();
    const b = await startServe({ dataDir: a.dataDir });
    await b.stop();
    expect(b.token).toBe(a.token);
  });

  it('fails clearly on an unknown flag', async () => {
    const r = await run(['--prot', '8080']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bosun: Unknown option '--prot'");
  });

  it('fails clearly when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'bosun-it-'));
    dirs.push(dataDir);
    const r = await run(['--port', String(port), '--data-dir', dataDir, '--runtime', 'fake']);
    blocker.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${port}`);
    expect(r.stderr).toMatch(/already in use/);
  });
});

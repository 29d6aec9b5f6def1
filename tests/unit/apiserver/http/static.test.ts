import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHttpServer, startApiHttpServer } from '../../../../main/apiserver/http/server';
import { hasCorsHeader, send, StubHandler, testResources, TOKEN } from './helpers';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('static dashboard serving', () => {
  let server: ApiHttpServer;
  let bare: ApiHttpServer;
  let root: string;
  let dir: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'bosun-static-'));
    dir = join(root, 'dist');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(join(dir, 'assets', 'app-1a2b.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.ico'), 'ico');
    writeFileSync(join(root, 'secret.txt'), 'top secret');
    symlinkSync(join(root, 'secret.txt'), join(dir, 'assets', 'link.txt'));
    server = await startApiHttpServer({ handler: new StubHandler(), resources: testResources, token: TOKEN, port: 0, staticDir: dir });
    bare = await startApiHttpServer({ handler: new StubHandler(), resources: testResources, token: TOKEN, port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await bare.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html and assets without a token, with strict security headers', async () => {
    for (const path of ['/', '/index.html']) {
      const res = await send(server.port, path, { token: null, headers: HTML });
      expect(res.status).toBe(200);
      expect(res.body).toContain('id="app"');
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(hasCorsHeader(res)).toBe(false);
    }
    const js = await send(server.port, '/assets/app-1a2b.js', { token: null });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await send(server.port, '/favicon.ico', { token: null })).body).toBe('ico');
  });

  it('falls back to index.html for client-side routes a browser navigates to', async () => {
    const res = await send(server.port, '/workloads/deployments/default/web', { token: null, headers: HTML });
    expect(res.status).toBe(200);
    expect(res.body).toContain('id="app"');
  });

  it('does not turn API-ish or non-browser misses into the dashboard', async () => {
    expect((await send(server.port, '/nope', { token: null })).status).toBe(401);
    const missing = await send(server.port, '/assets/missing.js');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ kind: 'Status', code: 404 });
    expect((await send(server.port, '/api/v1/nonexistent', { token: null, headers: HTML })).status).toBe(401);
  });

  it('never escapes the static directory', async () => {
    for (const path of ['/..%2f..%2fetc/passwd', '/../secret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/link.txt', '/assets/%2e%2e%5c..%5csecret.txt', '/.%00./secret.txt']) {
      for (const headers of [{}, HTML]) {
        const res = await send(server.port, path, { token: null, headers });
        expect(res.body, path).not.toContain('top secret');
        expect(res.body, path).not.toContain('root:');
      }
    }
  });

  it('explains how to build the dashboard when there is none', async () => {
    const res = await send(bare.port, '/', { token: null, headers: HTML });
    expect(res.status).toBe(200);
    expect(res.body).toContain('dashboard is not built');
    expect(res.body).toContain('npm run build');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect((await send(bare.port, '/workloads', { token: null, headers: HTML })).body).toContain('not built');
  });
});

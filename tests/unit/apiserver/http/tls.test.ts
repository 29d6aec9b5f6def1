import { createPrivateKey, X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHttpServer, startApiHttpServer } from '../../../../main/apiserver/http/server';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServingCertificate, loadOrCreateServingCertificate } from '../../../../main/apiserver/http/tls-certificate';
import { send, StubHandler, testResources, TOKEN } from './helpers';

function httpsGet(port: number, path: string, ca: string | undefined, servername?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ca, servername, headers: { authorization: `Bearer ${TOKEN}`, host: `localhost:${port}` } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('self-signed serving certificate', () => {
  it('is a valid self-signed certificate for the loopback names', () => {
    const { cert, key } = generateServingCertificate();
    const x = new X509Certificate(cert);
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkIP('::1')).toBe('::1');
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkHost('evil.com')).toBeUndefined();
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.ca).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 86400_000);
  });
});

describe('persisted serving certificate', () => {
  it('is created once, reused, and replaced when damaged or about to expire', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bosun-cert-'));
    try {
      const first = await loadOrCreateServingCertificate(dir);
      expect(statSync(join(dir, 'apiserver.key')).mode & 0o777).toBe(0o600);
      expect(await loadOrCreateServingCertificate(dir)).toEqual(first);
      const inTenYears = new Date(Date.now() + 3640 * 86400_000);
      expect((await loadOrCreateServingCertificate(dir, inTenYears)).cert).not.toBe(first.cert);
      writeFileSync(join(dir, 'apiserver.crt'), 'garbage');
      const replaced = await loadOrCreateServingCertificate(dir);
      expect(replaced.cert).toContain('BEGIN CERTIFICATE');
      expect(readFileSync(join(dir, 'apiserver.crt'), 'utf8')).toBe(replaced.cert);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('HTTP and HTTPS on one port', () => {
  let server: ApiHttpServer;

  beforeAll(async () => {
    server = await startApiHttpServer({ handler: new StubHandler(), resources: testResources, token: TOKEN, port: 0 });
  });
  afterAll(() => server.close());

  it('answers plain HTTP and TLS verified against caCertificate', async () => {
    expect(server.httpsUrl).toBe(`https://127.0.0.1:${server.port}`);
    expect((await send(server.port, '/api/v1/namespaces/default/pods')).status).toBe(200);
    const res = await httpsGet(server.port, '/api/v1/namespaces/default/pods', server.caCertificate);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).kind).toBe('List');
    expect((await httpsGet(server.port, '/healthz', server.caCertificate, 'localhost')).body).toBe('ok');
  });

  it('is rejected by clients that do not trust the certificate', async () => {
    await expect(httpsGet(server.port, '/healthz', undefined)).rejects.toThrow(/self[- ]signed/i);
  });

  it('can run plain HTTP only', async () => {
    const plain = await startApiHttpServer({ handler: new StubHandler(), resources: testResources, token: TOKEN, port: 0, tls: false });
    try {
      expect(plain.httpsUrl).toBeUndefined();
      expect(plain.caCertificate).toBeUndefined();
      expect((await send(plain.port, '/healthz')).status).toBe(200);
    } finally {
      await plain.close();
    }
  });
});

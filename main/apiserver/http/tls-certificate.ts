// A self-signed serving certificate for 127.0.0.1/localhost. kubectl (client-go) sends a bearer token
// only over https, so the apiserver also speaks TLS on its port; the certificate goes into the
// kubeconfig as certificate-authority-data. Node can make keys and signatures but not certificates,
// hence this small DER encoder for exactly one certificate shape (ECDSA P-256, SHA-256).
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { join } from 'node:path';

export interface ServingCertificate {
  /** PEM certificate; also the CA clients should trust (it is self-signed). */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};
const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
const set = (...c: Buffer[]): Buffer => tlv(0x31, ...c);
const explicit = (n: number, ...c: Buffer[]): Buffer => tlv(0xa0 + n, ...c);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bitString = (b: Buffer): Buffer => tlv(0x03, Buffer.from([0]), b);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));

function integer(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && b[1] < 0x80) b = b.subarray(1);
  if (b[0] >= 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return Buffer.concat(groups.map((g) => Buffer.from([parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff])));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

/** Generates a fresh key and a self-signed certificate valid for the given DNS names and IPs. */
export function generateServingCertificate(hosts: string[] = ['localhost', '127.0.0.1', '::1'], now = new Date(), validDays = 3650): ServingCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = seq(set(seq(oid('2.5.4.3'), utf8('bosun-apiserver'))), set(seq(oid('2.5.4.10'), utf8('bosun'))));
  const altNames = hosts.map((h) => (isIPv4(h) || isIPv6(h) ? tlv(0x87, ipBytes(h)) : tlv(0x82, Buffer.from(h, 'ascii'))));
  const extensions = seq(
    // basicConstraints CA:TRUE, critical: the certificate is its own trust anchor.
    seq(oid('2.5.29.19'), bool(true), octets(seq(bool(true)))),
    // keyUsage digitalSignature + keyCertSign, critical.
    seq(oid('2.5.29.15'), bool(true), octets(tlv(0x03, Buffer.from([0x02, 0x84])))),
    // extKeyUsage serverAuth.
    seq(oid('2.5.29.37'), octets(seq(oid('1.3.6.1.5.5.7.3.1')))),
    seq(oid('2.5.29.17'), octets(seq(...altNames))),
  );
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_SHA256,
    name,
    seq(time(new Date(now.getTime() - 3600_000)), time(new Date(now.getTime() + validDays * 86400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, ECDSA_SHA256, bitString(signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  return { cert: pem, key: createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })).export({ type: 'pkcs8', format: 'pem' }) as string };
}

export const SERVING_CERT_FILE = 'apiserver.crt';
export const SERVING_KEY_FILE = 'apiserver.key';

/**
 * The lab's serving certificate, kept in dataDir so kubeconfigs written earlier stay valid across
 * restarts; a missing, unreadable or soon-expiring pair is replaced (the key file is mode 0600).
 */
export async function loadOrCreateServingCertificate(dataDir: string, now = new Date()): Promise<ServingCertificate> {
  const certPath = join(dataDir, SERVING_CERT_FILE);
  const keyPath = join(dataDir, SERVING_KEY_FILE);
  try {
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    const x509 = new X509Certificate(cert);
    const renewBy = now.getTime() + 30 * 86400_000;
    if (x509.checkPrivateKey(createPrivateKey(key)) && new Date(x509.validTo).getTime() > renewBy) return { cert, key };
  } catch {
    // Absent or damaged: make a new pair below.
  }
  const fresh = generateServingCertificate(undefined, now);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(keyPath, fresh.key, { mode: 0o600 });
  await writeFile(certPath, fresh.cert, { mode: 0o644 });
  return fresh;
}

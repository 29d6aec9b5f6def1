// Who may talk to the lab's apiserver: only this machine (bound to 127.0.0.1), only with the token, and
// never a web page from another origin. The Host check defeats DNS rebinding (a foreign page whose name
// resolves to 127.0.0.1 still sends its own Host); the Origin check stops cross-site requests that a
// browser would send with ambient credentials. CORS headers are never emitted, so browsers refuse to
// hand cross-origin responses to scripts either way.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../../shared/api/errors';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Host header without its port, lower-cased; undefined when absent or malformed. */
export function hostName(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(hostHeader.trim());
  return m ? m[1].toLowerCase() : undefined;
}

export function checkHost(hostHeader: string | undefined): void {
  const name = hostName(hostHeader);
  if (!name || !LOOPBACK_HOSTS.has(name)) {
    throw ApiError.forbidden(`forbidden: Host header ${JSON.stringify(hostHeader ?? '')} is not a loopback name (localhost, 127.0.0.1, [::1])`);
  }
}

/** Origins a browser reports for pages served by this very server. */
export function ownOrigins(port: number, extra: string[] = []): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`, ...extra.map((o) => o.replace(/\/$/, ''))]);
}

export function checkOrigin(originHeader: string | undefined, allowed: Set<string>): void {
  if (originHeader === undefined) return;
  if (!allowed.has(originHeader.replace(/\/$/, ''))) {
    throw ApiError.forbidden(`forbidden: requests from origin ${JSON.stringify(originHeader)} are not allowed`);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time token comparison; hashing first hides the length of the expected token too. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || expected === '') return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

/** WebSocket protocol prefix a browser uses to carry a bearer token (browsers cannot set headers there). */
const WS_TOKEN_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/** The bearer token of a request: the Authorization header, or for WebSockets the k8s token subprotocol. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : undefined;
  }
  const protocols = req.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',').map((s) => s.trim())) {
      if (p.startsWith(WS_TOKEN_PREFIX)) {
        try {
          return Buffer.from(p.slice(WS_TOKEN_PREFIX.length), 'base64url').toString('utf8');
        } catch {
          return undefined;
        }
      }
    }
  }
  return undefined;
}

export function authenticate(req: IncomingMessage, token: string): void {
  if (!tokenMatches(presentedToken(req), token)) throw ApiError.unauthorized();
}

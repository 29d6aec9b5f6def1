// The dashboard's built files. Served without the token (the page itself holds no secrets and a browser
// navigation cannot send a bearer header), behind a strict CSP so that even an injected script could
// only talk to this server, and with every path confined to staticDir.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pathSegments } from './routing';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * 'self' only. Styles allow 'unsafe-inline' because the component library sets style attributes in
 * markup; scripts never do. connect-src 'self' keeps API calls and WebSockets on this server.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bosun</title></head>
<body>
<h1>The Bosun dashboard is not built</h1>
<p>The API server is running, but there are no dashboard files to serve.</p>
<p>Build them with <code>npm run build</code> in the Bosun source tree, then restart with <code>npm run serve</code>
(or pass the built renderer directory to <code>bosun serve</code>).</p>
</body></html>
`;

/** The file a request path names inside root, or undefined when the path is malformed or escapes root. */
export async function resolveStaticFile(root: string, pathname: string): Promise<string | undefined> {
  const segs = pathSegments(pathname);
  if (!segs || segs.some((s) => s === '..' || s === '.' || s.includes('\\') || s.startsWith('.'))) return undefined;
  let base: string;
  try {
    base = await realpath(resolve(root));
  } catch {
    return undefined;
  }
  const candidate = join(base, ...(segs.length ? segs : ['index.html']));
  try {
    // realpath also defeats symlinks pointing out of the directory.
    const real = await realpath(candidate);
    if (real !== base && !real.startsWith(base + sep)) return undefined;
    const info = await stat(real);
    if (info.isDirectory()) return resolveStaticFile(root, `${pathname.replace(/\/$/, '')}/index.html`);
    return info.isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, size: number, immutable: boolean): void {
  res.writeHead(200, {
    ...STATIC_SECURITY_HEADERS,
    'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

export function sendNotBuilt(req: IncomingMessage, res: ServerResponse, code = 200): void {
  res.writeHead(code, { ...STATIC_SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(NOT_BUILT_PAGE), 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
}

/**
 * Serves `pathname` from staticDir. With `spaFallback`, unknown paths get index.html (client-side
 * routes). Returns false when nothing was served so the caller can answer 404.
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, staticDir: string | undefined, pathname: string, spaFallback: boolean): Promise<boolean> {
  const isIndex = pathname === '/' || pathname === '/index.html';
  if (!staticDir) {
    if (!isIndex && !spaFallback) return false;
    sendNotBuilt(req, res);
    return true;
  }
  let file = await resolveStaticFile(staticDir, pathname);
  if (!file && spaFallback) file = await resolveStaticFile(staticDir, '/index.html');
  if (!file) {
    if (!isIndex && !spaFallback) return false;
    sendNotBuilt(req, res);
    return true;
  }
  const info = await stat(file);
  sendFile(req, res, file, info.size, pathname.startsWith('/assets/'));
  return true;
}

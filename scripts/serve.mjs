// A tiny static file server for the page (no dependencies).
// usage: node scripts/serve.mjs [--port N] [--root DIR] [--base /sub/path/]
// Serves DIR (default: the repository root) on 127.0.0.1, under the URL path
// --base (default /: a sub-path checks that the page uses relative URLs only).
// Port 0 picks a free port. Prints "serving http://127.0.0.1:PORT/BASE" once listening.
//
// Every response carries the page's Content-Security-Policy (the same as the
// meta tag in index.html, plus frame-ancestors, which only a header can set).
// A malformed path gets 400; files are sent gzip- or brotli-compressed when the
// client accepts it (the wasm module: 3 MB raw, a fifth of that compressed).
import { createServer } from 'node:http';
import { stat, readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlib } from 'node:zlib';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const root = resolve(opt('root', join(fileURLToPath(new URL('.', import.meta.url)), '..')));
const port = Number(opt('port', process.env.PORT ?? 8000));
let base = opt('base', '/');
if (!base.startsWith('/')) base = `/${base}`;
if (!base.endsWith('/')) base += '/';

/** The page's policy (index.html's meta tag holds the same, without frame-ancestors). */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self' https: http://127.0.0.1:* http://localhost:*",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};
// Worth compressing (images are compressed already).
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.csv', '.svg', '.map', '.md', '.txt']);

/** Compressed bodies (promises), by file, modification time and encoding: compressed once. */
const compressed = new Map();
function encode(file, mtimeMs, body, encoding) {
  const key = `${encoding} ${mtimeMs} ${file}`;
  let out = compressed.get(key);
  if (!out) {
    // Brotli quality 6: within a few % of 11 on the wasm, and fast enough to do on the first request.
    out =
      encoding === 'br'
        ? brotliAsync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 6, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } })
        : gzipAsync(body, { level: 9 });
    compressed.set(key, out);
    out.catch(() => compressed.delete(key));
  }
  return out;
}

/** The encoding to answer with: brotli if accepted, else gzip, else none (q=0 refuses). */
function chooseEncoding(header = '') {
  const accepted = new Map();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name, q ? Number(q.slice(2)) : 1);
  }
  const ok = (n) => (accepted.get(n) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

const headers = (extra) => ({ 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', ...extra });
const text = (res, status, msg) => res.writeHead(status, headers({ 'Content-Type': 'text/plain; charset=utf-8' })).end(msg);

/** The file a request path names, or {status, msg} when it names none. */
function resolvePath(url) {
  let pathname;
  try {
    // Only origin-form targets ("/a/b?q"); the URL parser would read "//host/x" as a host.
    if (!url.startsWith('/') || url.startsWith('//')) return { status: 400, msg: 'bad request: the path must start with a single /' };
    pathname = decodeURIComponent(new URL(url, 'http://x').pathname);
  } catch {
    return { status: 400, msg: 'bad request: malformed percent-encoding in the path' };
  }
  if (pathname.includes('\0')) return { status: 400, msg: 'bad request: NUL in the path' };
  if (`${pathname}/` === base) return { redirect: base };
  if (!pathname.startsWith(base)) return { status: 404, msg: `not found: ${pathname}` };
  let path = pathname.slice(base.length - 1);
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(root, path));
  if (file !== root && !file.startsWith(root + sep)) return { status: 403, msg: 'forbidden' };
  return { file, path };
}

const server = createServer(async (req, res) => {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers({ Allow: 'GET, HEAD' })).end();
      return;
    }
    const r = resolvePath(req.url ?? '');
    if (r.redirect) {
      res.writeHead(301, headers({ Location: r.redirect })).end();
      return;
    }
    if (r.status) {
      text(res, r.status, r.msg);
      return;
    }
    const st = await stat(r.file).catch(() => null);
    if (!st || !st.isFile()) {
      text(res, 404, `not found: ${r.path}`);
      return;
    }
    const ext = extname(r.file).toLowerCase();
    let body = await readFile(r.file);
    const extra = { 'Content-Type': MIME[ext] ?? 'application/octet-stream', 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding' };
    const encoding = COMPRESSIBLE.has(ext) && body.length > 1024 ? chooseEncoding(req.headers['accept-encoding']) : null;
    if (encoding) {
      body = await encode(r.file, st.mtimeMs, body, encoding);
      extra['Content-Encoding'] = encoding;
    }
    extra['Content-Length'] = body.length;
    res.writeHead(200, headers(extra));
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (e) {
    // Only a server-side fault gets here (bad requests are answered above).
    text(res, 500, String(e));
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`serving http://127.0.0.1:${server.address().port}${base}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));

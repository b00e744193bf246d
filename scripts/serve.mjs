#!/usr/bin/env node
// A static file server for dist/ that sends the headers which make the page cross-origin isolated
// (COOP/COEP), so SharedArrayBuffer — and with it real threads — is available, and a
// Content-Security-Policy (scripts, workers and connections from this origin only; wasm compilation).
//   node scripts/serve.mjs [--port 8080] [--dir dist] [--no-isolation] [--frame-ancestors "<sources>"]
// --no-isolation serves without those headers, to see (and test) how the page copes without threads.
// Which sites may embed the page in a frame: --frame-ancestors or the FRAME_ANCESTORS environment variable
// (CSP source list, e.g. "'self' https://tutorial.example"); the default, "* file:", lets any site
// embed it, and a page opened from a file (which * does not cover).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.txt': 'text/plain; charset=utf-8', '.bin': 'application/octet-stream',
};

/** The Content-Security-Policy the page needs and nothing more (keep www/_headers in step). */
export function contentSecurityPolicy(frameAncestors = process.env.FRAME_ANCESTORS || '* file:', { blobWorkers = false } = {}) {
  // A CSP source list: no characters that could end the directive or the header.
  const ancestors = String(frameAncestors).replace(/[;,\r\n]/g, ' ').trim() || "'none'";
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    blobWorkers ? "worker-src 'self' blob:" : "worker-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

export function startServer({ dir = 'dist', port = 8080, isolation = true, host = '127.0.0.1', frameAncestors } = {}) {
  const root = path.resolve(dir);
  const csp = contentSecurityPolicy(frameAncestors);
  // The benchmark worker times an empty blob: worker (Chromium's floor for any worker); only its own
  // files may start one. The playground itself never needs blob:.
  const benchCsp = contentSecurityPolicy(frameAncestors, { blobWorkers: true });
  const server = http.createServer((req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    let file = path.join(root, pathname);
    if (!file.startsWith(root)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    // no-cache: the browser revalidates every time, so a rebuild is never served stale; the ETag makes a
    // revalidation a 304 without the body, and lets the browser reuse its compiled copy of a script. That
    // matters for process workers, which load their module scripts anew (npm run bench: ~10 ms each).
    const stat = fs.statSync(file);
    const etag = `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`;
    const headers = {
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache', ETag: etag,
      'Content-Security-Policy': pathname.startsWith('/www/bench/') ? benchCsp : csp,
      'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer',
    };
    if (isolation) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      // cross-origin: other sites' isolated pages may embed the playground (iframe, embed.js).
      headers['Cross-Origin-Resource-Policy'] = 'cross-origin';
    }
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, headers);
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const isolation = !args.includes('--no-isolation');
  const dir = option('--dir', 'dist');
  const frameAncestors = option('--frame-ancestors', undefined);
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    console.error(`[serve] ${dir}/index.html is missing: build first (npm run build)`);
    process.exit(1);
  }
  let port = Number(option('--port', process.env.PORT ?? 8080));
  for (let attempt = 0; ; attempt++) {
    try {
      await startServer({ dir, port, isolation, frameAncestors });
      break;
    } catch (e) {
      if (e.code !== 'EADDRINUSE' || attempt > 20) throw e;
      port += 1;
    }
  }
  console.log(`[serve] playground at http://localhost:${port}/  (${isolation ? 'cross-origin isolated: threads available' : 'NOT isolated: threads unavailable'})`);
}

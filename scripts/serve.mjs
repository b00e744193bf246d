#!/usr/bin/env node
// A static file server for dist/ that sends the headers which make the page cross-origin isolated
// (COOP/COEP), so SharedArrayBuffer — and with it real threads — is available.
//   node scripts/serve.mjs [--port 8080] [--dir dist] [--no-isolation] [--quiet]
// --no-isolation serves without those headers, to see (and test) how the page copes without threads.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.txt': 'text/plain; charset=utf-8', '.bin': 'application/octet-stream',
};

export function startServer({ dir = 'dist', port = 8080, isolation = true, host = '127.0.0.1' } = {}) {
  const root = path.resolve(dir);
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
    const headers = { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' };
    if (isolation) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      // cross-origin: other sites' isolated pages may embed the playground (iframe, embed.js).
      headers['Cross-Origin-Resource-Policy'] = 'cross-origin';
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
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    console.error(`[serve] ${dir}/index.html is missing: build first (npm run build)`);
    process.exit(1);
  }
  let port = Number(option('--port', process.env.PORT ?? 8080));
  for (let attempt = 0; ; attempt++) {
    try {
      await startServer({ dir, port, isolation });
      break;
    } catch (e) {
      if (e.code !== 'EADDRINUSE' || attempt > 20) throw e;
      port += 1;
    }
  }
  console.log(`[serve] playground at http://localhost:${port}/  (${isolation ? 'cross-origin isolated: threads available' : 'NOT isolated: threads unavailable'})`);
}

#!/usr/bin/env node
// Starts Debian's stock Firefox ESR for Playwright's WebDriver BiDi driver (channel "moz-firefox").
// Playwright passes this file as the browser executable; it runs Firefox with the same arguments and sits
// between the two as a WebDriver BiDi proxy. It changes one thing only: Playwright sets up every new
// browser context with emulation commands (media features such as prefers-color-scheme) that a Firefox
// ESR can be too old to know; when Firefox answers "unknown command" to an `emulation.*` command, the proxy
// answers success instead and says so once on stderr. Everything else passes through unchanged, so the
// tests drive the real browser. FIREFOX_BIN overrides the browser (default /usr/bin/firefox-esr).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ws as WebSocket, wsServer as WebSocketServer } from 'playwright-core/lib/utilsBundle';

const FIREFOX = process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr';
const firefox = spawn(FIREFOX, process.argv.slice(2), { stdio: ['ignore', 'inherit', 'pipe'] });
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => firefox.kill(signal));
firefox.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
firefox.on('error', (e) => { process.stderr.write(`[firefox-shim] cannot start ${FIREFOX}: ${e.message}\n`); process.exit(1); });

const ignored = new Set();

function proxy(upstreamBase) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (client, request) => {
    const upstream = new WebSocket(upstreamBase + request.url, { perMessageDeflate: false });
    const pending = [];
    const emulation = new Map(); // command id -> method, for emulation.* commands in flight
    upstream.on('open', () => { for (const m of pending.splice(0)) upstream.send(m); });
    upstream.on('message', (data) => {
      const text = data.toString();
      let message;
      try { message = JSON.parse(text); } catch { client.send(text); return; }
      const method = emulation.get(message.id);
      if (method) {
        emulation.delete(message.id);
        if (message.type === 'error' && message.error === 'unknown command') {
          if (!ignored.has(method)) process.stderr.write(`[firefox-shim] this Firefox lacks ${method}; treated as done (the tests do not use it)\n`);
          ignored.add(method);
          client.send(JSON.stringify({ type: 'success', id: message.id, result: {} }));
          return;
        }
      }
      client.send(text);
    });
    client.on('message', (data) => {
      const text = data.toString();
      try {
        const message = JSON.parse(text);
        if (typeof message.method === 'string' && message.method.startsWith('emulation.')) emulation.set(message.id, message.method);
      } catch { /* not JSON: pass it on as it is */ }
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text); else pending.push(text);
    });
    const closeBoth = () => { client.close(); upstream.close(); };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    upstream.on('error', closeBoth);
    client.on('error', closeBoth);
  });
  return new Promise((resolve) => server.on('listening', () => resolve(server.address().port)));
}

createInterface({ input: firefox.stderr }).on('line', async (line) => {
  const match = line.match(/^(.*WebDriver BiDi listening on )(ws:\/\/[^/]+)(.*)$/);
  if (!match) { process.stderr.write(line + '\n'); return; }
  const port = await proxy(match[2]);
  process.stderr.write(`${match[1]}ws://127.0.0.1:${port}${match[3]}\n`);
});

// "Tried as a new user would": the embed snippets of README.md, read from the README as they are, pasted into
// plain HTML files and opened the ways a tutorial author would host them:
//   - a plain static server that sends no headers of its own (like `python3 -m http.server`);
//   - a server sending the two headers the README gives;
//   - the plain server again, with the README's coi-serviceworker line in the page;
//   - straight from a file (file://).
// The only edits are the README's own instructions: `https://PLAYGROUND` becomes where dist/ is served and
// `https://your.site` the page's origin. If the README's snippets change, this test runs the new ones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve, launch, newContext, collectErrors, waitForFrame } from './harness.mjs';

const SHOTS = 'tests/e2e/screenshots';
let browser, play, PLAY, dir, plainHost, isolatedHost;

/** The fenced code blocks of the README's "Embedding" section, with their language. */
function embeddingSnippets() {
  const readme = fs.readFileSync('README.md', 'utf8');
  const start = readme.indexOf('\n## Embedding');
  assert.ok(start >= 0, 'the README has an "Embedding" section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 5));
  const blocks = [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map(([, lang, code]) => ({ lang, code }));
  const find = (what, test) => {
    const found = blocks.filter(test);
    assert.equal(found.length, 1, `exactly one README snippet ${what} (found ${found.length})`);
    return found[0].code;
  };
  return {
    element: find('with the custom element', (b) => b.lang === 'html' && b.code.includes('<concurrency-playground')),
    script: find('scripting the element', (b) => b.lang === 'js' && b.code.includes("querySelector('concurrency-playground')")),
    iframe: find('with a plain iframe', (b) => b.lang === 'html' && b.code.includes('<iframe')),
    headers: find('with the isolation headers', (b) => b.lang === '' && b.code.includes('Cross-Origin-Embedder-Policy')),
    serviceWorker: find('loading coi-serviceworker', (b) => b.lang === 'html' && b.code.includes('coi-serviceworker.js')),
  };
}

/** An otherwise empty page around pasted snippets, as an author would write it. */
const htmlPage = (head, body) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>My tutorial</title>
${head}
</head>
<body>
<h1>My tutorial on threads</h1>
${body}
</body>
</html>
`;

const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>';

/** A static file server for `dir`, sending only Content-Type plus `headers`. */
function staticServer(headers) {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript' };
  const server = http.createServer((req, res) => {
    const name = path.basename(new URL(req.url, 'http://x').pathname);
    // The browser asks; an author's site has one. (A 204 here would fail through coi-serviceworker, which
    // re-creates each response with a body: a console error of the test server's making.)
    if (name === 'favicon.ico') return res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end(FAVICON);
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) return res.writeHead(404).end('not found');
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream', ...headers }).end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The README's header block as an object (`Name: value` lines). */
const parseHeaders = (block) => Object.fromEntries(block.trim().split('\n').map((l) => l.split(/:\s*/, 2)));

before(async () => {
  play = await serve({ isolation: true });
  PLAY = play.url.replace(/\/$/, '');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutorial-'));
  const s = embeddingSnippets();
  const withPlayground = (code) => code.replaceAll('https://PLAYGROUND', PLAY);
  const elementBody = `${withPlayground(s.element)}\n<script>\n${s.script}</script>`;
  fs.writeFileSync(path.join(dir, 'element.html'), htmlPage('', elementBody));
  fs.writeFileSync(path.join(dir, 'element-sw.html'), htmlPage(s.serviceWorker.trim(), elementBody));
  fs.copyFileSync('dist/coi-serviceworker.js', path.join(dir, 'coi-serviceworker.js'));
  plainHost = await staticServer({});
  isolatedHost = await staticServer(parseHeaders(s.headers));
  // The iframe snippet names the page's own origin, so each host gets its copy.
  for (const [name, server] of [['plain', plainHost], ['isolated', isolatedHost]]) {
    const origin = `http://127.0.0.1:${server.address().port}`;
    fs.writeFileSync(path.join(dir, `iframe-${name}.html`), htmlPage('', withPlayground(s.iframe).replaceAll('https://your.site', origin)));
  }
  browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  play?.server.close();
  plainHost?.close();
  isolatedHost?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Opens a tutorial page; collects its console.log lines (with their arguments as values) and its errors. */
async function openTutorial(url, { serviceWorkers = false } = {}) {
  const context = await newContext(browser, { viewport: { width: 1100, height: 1000 }, serviceWorkers });
  const page = await context.newPage();
  const logs = [];
  const errors = collectErrors(page);
  page.on('console', async (m) => {
    if (m.type() !== 'log') return;
    const entry = { text: m.text(), args: null };
    logs.push(entry);
    entry.args = await Promise.all(m.args().map((a) => a.jsonValue().catch(() => null)));
  });
  await page.goto(url);
  return { context, page, logs, errors };
}

/** Waits for a console.log call matching `test(args)`; returns its arguments. */
async function logged(page, logs, test, what, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const hit = logs.find((l) => l.args && test(l.args));
    if (hit) return hit.args;
    if (Date.now() > deadline) throw new Error(`no console.log of ${what}; got ${JSON.stringify(logs.map((l) => l.text))}`);
    await page.waitForTimeout(100);
  }
}

const playgroundFrame = async (page) => {
  const frame = await waitForFrame(page, `${PLAY}/index.html`);
  await frame.waitForSelector('#run', { timeout: 30_000 });
  return frame;
};

const lockedTotals = (values) => values.variants.find((v) => v.variant === 'locked').trials.map((t) => t.actual);

test('the custom-element snippets on a page sent with the README\'s two headers: 8 threads run, results reach the page', async () => {
  const { context, page, logs, errors } = await openTutorial(`http://127.0.0.1:${isolatedHost.address().port}/element.html`);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  const [values, ms] = await logged(page, logs, (a) => a.length === 2 && a[0]?.variants, 'the run-finished values');
  const locked = lockedTotals(values);
  assert.ok(locked.length >= 1);
  assert.deepEqual(locked, locked.map(() => 8 * 50000), 'setParams({threads: 8}) and run({increments: 50000}) took effect');
  assert.ok(ms > 0);
  const frame = await playgroundFrame(page);
  assert.equal(await frame.inputValue('#param-threads'), '8');
  await frame.waitForSelector('.timeline-svg');
  await page.screenshot({ path: `${SHOTS}/readme-element-isolated.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the custom-element snippets on a plain page (no headers): the lesson shows, the refusal says why, processes run', async () => {
  const { context, page, logs, errors } = await openTutorial(`http://127.0.0.1:${plainHost.address().port}/element.html`);
  const [message] = await logged(page, logs, (a) => typeof a[0] === 'string', 'the refusal');
  assert.match(message, /needs threads.*not cross-origin isolated/);
  const frame = await playgroundFrame(page);
  assert.match(await frame.textContent('#embed-blocked'), /not isolated/);
  assert.equal(await frame.isVisible('#embed-new-tab'), true);
  // The README's other line: a process lesson runs on such a page.
  await page.evaluate(() => {
    const pg = document.querySelector('concurrency-playground');
    pg.setParams({ processes: 2 }, 'process-counter');
    pg.run();
  });
  const [values] = await logged(page, logs, (a) => a.length === 2 && a[0]?.rounds, 'the process-counter values');
  assert.equal(values.parent_counter, 0);
  assert.equal(values.processes, 2);
  assert.ok(values.expected_total > 0);
  assert.deepEqual(values.rounds.map((r) => r.total_via_messages), values.rounds.map(() => values.expected_total), 'the children\'s counts came back by message');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the custom-element snippets with the README\'s coi-serviceworker line on a plain page: isolated after one reload, threads run', async () => {
  const { context, page, logs, errors } = await openTutorial(`http://127.0.0.1:${plainHost.address().port}/element-sw.html`, { serviceWorkers: true });
  await page.waitForFunction(() => crossOriginIsolated === true, null, { timeout: 30_000 });
  const [values] = await logged(page, logs, (a) => a.length === 2 && a[0]?.variants, 'the run-finished values');
  assert.deepEqual(lockedTotals(values), lockedTotals(values).map(() => 400000));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the iframe snippet: its button runs 8 threads on an isolated page and shows the refusal on a plain one', async () => {
  for (const [name, server] of [['isolated', isolatedHost], ['plain', plainHost]]) {
    const { context, page, errors } = await openTutorial(`http://127.0.0.1:${server.address().port}/iframe-${name}.html`);
    await page.waitForSelector('#run-8:not([disabled])', { timeout: 30_000 });
    await page.click('#run-8');
    await page.waitForFunction(() => document.getElementById('result').textContent !== '', null, { timeout: 60_000 });
    const result = await page.textContent('#result');
    if (name === 'isolated') assert.match(result, /^8 threads: \d+ ms$/);
    else assert.match(result, /needs threads.*not cross-origin isolated/);
    const frame = await playgroundFrame(page);
    assert.equal(await frame.inputValue('#param-threads'), '8', 'the command\'s parameters were applied');
    if (name === 'isolated') await page.screenshot({ path: `${SHOTS}/readme-iframe-isolated.png` });
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the custom-element snippets in a page opened from a file: the embed answers the page', async () => {
  const { context, page, logs, errors } = await openTutorial(pathToFileURL(path.join(dir, 'element.html')).href);
  const [message] = await logged(page, logs, (a) => typeof a[0] === 'string', 'the refusal');
  assert.match(message, /needs threads/);
  await page.evaluate(() => {
    const pg = document.querySelector('concurrency-playground');
    pg.setParams({ processes: 2 }, 'process-counter');
    pg.run();
  });
  const [values] = await logged(page, logs, (a) => a.length === 2 && a[0]?.rounds, 'the process-counter values');
  assert.equal(values.rounds[0].total_via_messages, values.expected_total);
  assert.deepEqual(errors, []);
  await context.close();
});

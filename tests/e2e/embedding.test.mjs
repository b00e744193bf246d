// End-to-end tests of embedding, sharing and static hosting, across real origins on this machine:
//   - the playground, served from 127.0.0.1:P (with the isolation headers), and from another port without
//     any headers (the service-worker fallback);
//   - host pages that embed it, served from localhost:H (an allowed origin) and 127.0.0.1:H (a foreign one),
//     with or without COOP/COEP of their own.
// Screenshots land in tests/e2e/screenshots/ (not tracked).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { serve, launch, openPlayground, newContext, fixFill, runLesson, BROWSER, collectErrors, waitForFrame } from './harness.mjs';

const SHOTS = 'tests/e2e/screenshots';
let browser, play, plain, host, PLAY, HOST, FOREIGN;

/** Pages that embed the playground. /iso/… are cross-origin isolated, /plain/… are not. */
function hostPage(kind, search) {
  const q = new URLSearchParams(search);
  const lesson = q.get('lesson') ?? 'counter';
  const listen = `
    window.events = [];
    const PLAYGROUND = ${JSON.stringify(PLAY)};
    addEventListener('message', (e) => {
      if (e.origin === PLAYGROUND && e.data && e.data.source === 'concurrency-playground') events.push(e.data);
    });
    window.send = (m) => document.getElementById('pg').contentWindow.postMessage({ target: 'concurrency-playground', ...m }, PLAYGROUND);`;
  if (kind === 'element') {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>A tutorial page</title>
      <script src="${PLAY}/embed.js"></script></head>
      <body style="font-family: system-ui; max-width: 900px; margin: 20px auto">
      <h1>Race conditions, live</h1><p>Press Run below: four real threads increment one counter.</p>
      <concurrency-playground id="el" lesson="${lesson}" threads="2" increments="40000" repeats="1"></concurrency-playground>
      <script>
        window.events = [];
        for (const type of ['ready', 'lesson', 'run-started', 'run-finished', 'error'])
          document.getElementById('el').addEventListener(type, (e) => events.push(e.detail));
      </script></body></html>`;
  }
  const src = `${PLAY}/index.html?lesson=${encodeURIComponent(lesson)}&embed=1&origins=${encodeURIComponent(HOST)}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>A tutorial page</title>
    <script>${listen}</script></head>
    <body style="font-family: system-ui; max-width: 900px; margin: 20px auto">
    <h1>Threads in your tutorial</h1><p>The playground below is an iframe from another origin.</p>
    <iframe id="pg" src="${src}" allow="cross-origin-isolated; clipboard-write" title="Playground"
      style="width: 100%; height: 900px; border: 1px solid #ccc; border-radius: 8px"></iframe>
    </body></html>`;
}

function startHost() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const [, kind, page] = url.pathname.split('/');
    if (!['iso', 'plain'].includes(kind) || !['frame.html', 'element.html'].includes(page)) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' };
    if (kind === 'iso') Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    res.writeHead(200, headers).end(hostPage(page === 'element.html' ? 'element' : 'frame', url.search));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  play = await serve({ isolation: true });
  plain = await serve({ isolation: false });
  host = await startHost();
  PLAY = play.url.replace(/\/$/, '');
  HOST = `http://localhost:${host.address().port}`; // allowed by the embeds below
  FOREIGN = `http://127.0.0.1:${host.address().port}`; // the same pages from an origin that is not
  browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  play?.server.close();
  plain?.server.close();
  host?.close();
});

/** A host page, its errors (its own and the embed's), and the playground frame inside it once booted. */
async function openHost(path, { viewport = { width: 1280, height: 1000 } } = {}) {
  const context = await newContext(browser, { viewport });
  const page = fixFill(await context.newPage());
  const errors = collectErrors(page);
  await page.goto(path);
  const frame = await waitForFrame(page, `${PLAY}/index.html`);
  await frame.waitForFunction(() => window.playground !== undefined && document.getElementById('run').textContent === 'Run', null, { timeout: 30_000 });
  return { context, page, frame, errors };
}

const eventOf = (page, type, timeout = 60_000) =>
  page.waitForFunction((t) => window.events.find((e) => e.type === t), type, { timeout }).then((h) => h.jsonValue());

test('iframe embed on an isolated host page: compact, threads available, a run command returns its results', async () => {
  const { context, page, frame, errors } = await openHost(`${HOST}/iso/frame.html?lesson=counter`);
  const ready = await eventOf(page, 'ready');
  assert.equal(ready.lesson, 'counter');
  assert.ok(ready.lessons.includes('process-counter'));
  const seen = await frame.evaluate(() => ({
    isolated: crossOriginIsolated,
    nav: getComputedStyle(document.getElementById('lesson-nav')).display,
    header: getComputedStyle(document.querySelector('.top')).display,
    params: document.querySelectorAll('#params input, #params select').length,
    open: document.getElementById('embed-open').href,
  }));
  assert.equal(seen.nav, 'none', 'no navigation in the embed');
  assert.equal(seen.header, 'none');
  assert.ok(seen.params >= 3, `${seen.params} parameter fields`);
  assert.ok(!new URL(seen.open).searchParams.has('embed'), 'the link out opens the full page');
  assert.equal(seen.isolated, true, 'an isolated host page with allow="cross-origin-isolated" gives the embed threads');
  assert.equal(ready.threads, true);

  await page.evaluate(() => window.send({ type: 'set-params', params: { threads: 3, nonsense: '<b>' } }));
  await frame.waitForFunction(() => document.getElementById('param-threads').value === '3');
  await page.evaluate(() => window.send({ type: 'run', id: 7, params: { increments: 50000, repeats: 1 } }));
  const started = await eventOf(page, 'run-started');
  assert.equal(started.command, 7);
  assert.deepEqual([started.params.threads, started.params.increments, started.params.repeats], [3, 50000, 1]);
  const finished = await eventOf(page, 'run-finished');
  assert.equal(finished.command, 7);
  assert.equal(finished.error, null);
  assert.equal(finished.lesson, 'counter');
  const locked = finished.values.variants.find((v) => v.variant === 'locked');
  assert.deepEqual(locked.trials.map((t) => t.actual), [150000], 'the results came back through postMessage');
  assert.ok(finished.duration_ms > 0);
  await frame.waitForSelector('.timeline-svg');
  await page.screenshot({ path: `${SHOTS}/embed-iframe-isolated.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('iframe embed on a non-isolated host page: thread lessons say why and open in a new tab; process lessons run', async () => {
  const { context, page, frame, errors } = await openHost(`${HOST}/plain/frame.html?lesson=counter`);
  const ready = await eventOf(page, 'ready');
  assert.equal(ready.threads, false);
  assert.equal(await frame.evaluate(() => crossOriginIsolated), false);
  assert.equal(await frame.isDisabled('#run'), true);
  const note = await frame.textContent('#embed-blocked');
  assert.match(note, /runs real threads on shared memory/);
  assert.match(note, /not isolated/);
  const href = await frame.getAttribute('#embed-new-tab', 'href');
  assert.equal(new URL(href).searchParams.get('lesson'), 'counter');
  assert.ok(!new URL(href).searchParams.has('embed'));
  assert.equal(await frame.getAttribute('#embed-new-tab', 'target'), '_blank');

  // A run command for a thread lesson is refused with the reason...
  await page.evaluate(() => window.send({ type: 'run', id: 1 }));
  const refused = await eventOf(page, 'error');
  assert.equal(refused.command, 1);
  assert.match(refused.message, /needs threads/);
  // ...while a process lesson runs here.
  await page.evaluate(() => window.send({ type: 'run', id: 2, lesson: 'process-counter', params: { processes: 2, increments: 1000, repeats: 1 } }));
  const finished = await eventOf(page, 'run-finished');
  assert.equal(finished.command, 2);
  assert.equal(finished.error, null);
  assert.equal(finished.values.parent_counter, 0);
  assert.equal(finished.values.rounds[0].total_via_messages, 2000);

  // "Open in a new tab" gives the lesson a page of its own, which is isolated.
  await page.evaluate(() => window.send({ type: 'set-params', id: 3, lesson: 'counter', params: { threads: 5 } }));
  await frame.waitForFunction(() => document.getElementById('param-threads')?.value === '5');
  let tab;
  if (BROWSER === 'firefox') {
    // Playwright over WebDriver BiDi does not report a noopener tab opened from a cross-origin iframe as a
    // new page; open the link's own address instead (its href is refreshed on click, as checked here).
    await frame.dispatchEvent('#embed-new-tab', 'contextmenu');
    tab = await context.newPage();
    await tab.goto(await frame.getAttribute('#embed-new-tab', 'href'));
  } else {
    [tab] = await Promise.all([context.waitForEvent('page'), frame.click('#embed-new-tab')]);
  }
  await tab.waitForFunction(() => window.playground !== undefined, null, { timeout: 30_000 });
  assert.equal(await tab.evaluate(() => crossOriginIsolated), true);
  assert.equal(await tab.inputValue('#param-threads'), '5');
  assert.equal(await tab.isDisabled('#run'), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('iframe embed on a non-isolated host page: your own Python runs with its processes, a thread is refused with the reason; Stop, the time limit and deep recursion leave it working', async () => {
  const { context, page, frame, errors } = await openHost(`${HOST}/plain/frame.html?lesson=counter`);
  assert.equal(await frame.evaluate(() => crossOriginIsolated), false);
  assert.match(await frame.textContent('#isolation-banner'), /your own Python runs with its processes, on one thread each/);
  // A host command runs a program in "Your code": it is not refused, and it prints what CPython prints.
  const program = [
    'import threading, time, queue',
    'from multiprocessing import Value',
    'q = queue.Queue(); q.put(20); v = Value("i", 1)',
    'with threading.Lock():',
    '    v.value += q.get() * 2',
    't0 = time.perf_counter(); time.sleep(0.2)',
    'print("value", v.value, "slept", round(time.perf_counter() - t0, 1))',
    'threading.Thread(target=print).start()',
  ].join('\n');
  await page.evaluate((code) => window.send({ type: 'run', id: 7, code }), program);
  const finished = await eventOf(page, 'run-finished', 120_000);
  assert.equal(finished.command, 7);
  assert.ok(Array.isArray(finished.output), JSON.stringify(finished));
  const out = finished.output.filter((l) => l.stream === 'stdout').map((l) => l.text);
  const err = finished.output.filter((l) => l.stream === 'stderr').map((l) => l.text).join('\n');
  assert.deepEqual(out, ['value 41 slept 0.2']);
  assert.equal(finished.exitCode, 1);
  assert.match(err, /RuntimeError: can't start new thread: this page is not cross-origin isolated/);
  assert.match(await frame.textContent('#output'), /value 41 slept 0\.2/);

  // A process runs, in a worker of its own, and its message reaches the main process (python/src/solo/).
  const run = (source, options = {}) => frame.evaluate(([s, o]) => window.playground.runPython(s, o), [source, options]);
  const stdout = (r) => r.output.filter((l) => l.stream === 'stdout').map((l) => l.text);
  const proc = await run([
    'from multiprocessing import Process, Queue, current_process',
    'def hello(q):',
    '    q.put(f"hello from {current_process().name}")',
    'if __name__ == "__main__":',
    '    q = Queue()',
    '    p = Process(target=hello, args=(q,))',
    '    p.start()',
    '    print(q.get())',
    '    p.join()',
    '    print("exit code", p.exitcode)',
  ].join('\n'));
  assert.deepEqual(stdout(proc), ['hello from Process-1', 'exit code 0'], JSON.stringify(proc.output));
  assert.deepEqual(proc.lanes.filter((l) => l.kind === 'process').map((l) => l.name), ['Process-1']);

  // An endless loop is asked to stop at its time limit and stops at a switch point, with the GIL and
  // free-threaded: no restart, output streamed so far kept; the next program runs.
  for (const gil of [true, false]) {
    const t0 = Date.now();
    const loop = await run('print("looping", flush=True)\nwhile True:\n    pass\n', { timeLimitS: 1, gil });
    assert.match(loop.stopped, /time limit of 1 s/);
    assert.equal(loop.restarted, false, `gil=${gil}: ${loop.stopped}`);
    assert.ok(Date.now() - t0 < 20_000, `the loop ended after ${Date.now() - t0} ms`);
    assert.deepEqual(stdout(loop), ['looping']);
  }
  // Deep recursion raises RecursionError (the runtime worker's stack is as large as a thread worker's), and a
  // wait at nearly that depth suspends and resumes (the suspended frames stay on the browser's stack).
  const deep = await run('import sys\ndef f(n):\n    return f(n + 1)\ntry:\n    f(0)\nexcept RecursionError as e:\n    print("RecursionError", sys.getrecursionlimit())\n');
  assert.equal(deep.stopped, null, JSON.stringify(deep.stopped));
  assert.deepEqual(stdout(deep), ['RecursionError 200']);
  const deepWait = await run('import sys, time\ndef f(n):\n    if n == 0:\n        time.sleep(0.01)\n        return 0\n    return f(n - 1) + 1\nprint(f(sys.getrecursionlimit() - 10))\n');
  assert.equal(deepWait.stopped, null, JSON.stringify(deepWait));
  assert.deepEqual(stdout(deepWait), ['190']);
  // A program that raises the recursion limit runs the browser's own stack out (Chromium's RangeError,
  // Firefox's InternalError): the runtime says so and restarts, and the next program runs.
  const raised = await run('import sys\nsys.setrecursionlimit(100000)\ndef f(n):\n    return f(n + 1)\nf(0)\n');
  assert.match(raised.stopped ?? '', /the browser's stack for the thread ran out/, JSON.stringify(raised.stopped));
  assert.equal(raised.restarted, true);
  const after = await run('print(sum(range(10)))');
  assert.deepEqual(after.output.map((l) => l.text), ['45']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a page from a foreign origin can neither control the embed nor read its results', async () => {
  const { context, page, frame } = await openHost(`${FOREIGN}/iso/frame.html?lesson=counter`);
  assert.notEqual(FOREIGN, HOST);
  await page.evaluate(() => window.send({ type: 'set-params', params: { threads: 9 } }));
  await page.evaluate(() => window.send({ type: 'run', id: 1, params: { increments: 1000, repeats: 1 } }));
  await page.waitForTimeout(1500);
  const seen = await frame.evaluate(() => ({
    threads: document.getElementById('param-threads').value,
    status: document.getElementById('run-status').textContent,
    results: document.getElementById('results').textContent,
  }));
  assert.equal(seen.threads, '4', 'set-params from a foreign origin was ignored');
  assert.equal(seen.status, '', 'run from a foreign origin was ignored');
  assert.match(seen.results, /Run the lesson to see measured results/);
  assert.deepEqual(await page.evaluate(() => window.events), [], 'no event reaches a page outside the allow-list');
  // The same page from the allowed origin is obeyed (so the check above is the origin check).
  const allowed = await openHost(`${HOST}/iso/frame.html?lesson=counter`);
  await allowed.page.evaluate(() => window.send({ type: 'set-params', params: { threads: 9 } }));
  await allowed.frame.waitForFunction(() => document.getElementById('param-threads').value === '9', null, { timeout: 10_000 });
  await allowed.context.close();
  await context.close();
});

test('the custom element: one script tag, attributes become parameters, run() returns results as events', async () => {
  const { context, page, frame, errors } = await openHost(`${HOST}/iso/element.html?lesson=counter`);
  const ready = await eventOf(page, 'ready');
  assert.equal(ready.lesson, 'counter');
  const src = await page.getAttribute('concurrency-playground iframe', 'src');
  assert.equal(new URL(src).searchParams.get('origins'), HOST, 'the element allows its own page');
  assert.equal(await frame.inputValue('#param-threads'), '2');
  assert.equal(await frame.inputValue('#param-increments'), '40000');
  // The iframe sizes itself to the embedded page.
  await page.waitForFunction(() => document.querySelector('concurrency-playground iframe').style.height !== '640px', null, { timeout: 10_000 });
  await page.evaluate(() => document.getElementById('el').setParams({ threads: 3 }));
  await frame.waitForFunction(() => document.getElementById('param-threads').value === '3');
  const id = await page.evaluate(() => document.getElementById('el').run({ repeats: 2 }));
  const finished = await eventOf(page, 'run-finished');
  assert.equal(finished.command, id);
  assert.equal(finished.error, null);
  const locked = finished.values.variants.find((v) => v.variant === 'locked');
  assert.deepEqual(locked.trials.map((t) => t.actual), [120000, 120000]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('permalink round trip: Share copies a link that restores the lesson, its parameters and the timeline view', async () => {
  const { page, errors, context } = await openPlayground(browser, `${play.url}?lesson=counter`, { viewport: { width: 1280, height: 900 } });
  await page.fill('#param-threads', '3');
  await page.fill('#param-increments', '12345');
  await page.fill('#param-repeats', '2');
  await page.click('#run');
  await page.waitForFunction(() => /Finished/.test(document.getElementById('run-status').textContent), null, { timeout: 60_000 });
  const views = await page.$$eval('#timeline-group option', (o) => o.map((x) => x.value));
  assert.ok(views.length > 1, JSON.stringify(views));
  const view = views.at(-1);
  await page.selectOption('#timeline-group', view);
  // Make the clipboard refuse, as an iframe without permission would: the link is selected in a field.
  await page.evaluate(() => { navigator.clipboard.writeText = () => Promise.reject(new Error('denied')); });
  await page.click('#share');
  await page.waitForFunction(() => document.getElementById('share-panel').dataset.copied);
  const shared = await page.evaluate(() => {
    const f = document.getElementById('share-link');
    return { link: f.value, copied: document.getElementById('share-panel').dataset.copied, focused: document.activeElement === f,
      selected: f.selectionStart === 0 && f.selectionEnd === f.value.length, status: document.getElementById('share-status').textContent };
  });
  assert.equal(shared.copied, 'manual');
  assert.ok(shared.focused && shared.selected, 'the link is selected for copying by hand');
  assert.match(shared.status, /Copy the selected link/);
  const link = new URL(shared.link);
  assert.equal(link.searchParams.get('lesson'), 'counter');
  assert.equal(link.searchParams.get('threads'), '3');
  assert.equal(link.searchParams.get('view'), view);
  assert.equal(page.url(), shared.link, 'the address bar holds the same state');
  await page.screenshot({ path: `${SHOTS}/share.png`, fullPage: false });
  // With a working clipboard the same link is copied.
  await page.evaluate(() => {
    window.copied = null;
    navigator.clipboard.writeText = (text) => { window.copied = text; return Promise.resolve(); };
  });
  await page.click('#share');
  await page.waitForFunction(() => document.getElementById('share-panel').dataset.copied === 'clipboard');
  assert.equal(await page.evaluate(() => window.copied), shared.link);
  assert.match(await page.textContent('#share-status'), /copied/);
  await context.close();

  const other = await openPlayground(browser, shared.link);
  assert.equal(await other.page.textContent('#lesson-title'), 'Shared counter: race and lock');
  assert.deepEqual(await Promise.all(['threads', 'increments', 'repeats'].map((n) => other.page.inputValue(`#param-${n}`))), ['3', '12345', '2']);
  assert.deepEqual(await other.page.$$eval('#notices li', (l) => l.map((x) => x.textContent)), []);
  await other.page.click('#run');
  await other.page.waitForSelector('#timeline-group', { timeout: 60_000 });
  assert.equal(await other.page.inputValue('#timeline-group'), view, 'the timeline opens on the shared view');
  assert.deepEqual([...errors, ...other.errors], []);
  await other.context.close();
});

test('a malformed or oversized link opens the defaults with a visible notice, never markup', async () => {
  const evil = '<img src=x onerror="window.pwned=1">';
  const url = `${play.url}?lesson=counter&threads=${encodeURIComponent(evil)}&bogus=1&view=${encodeURIComponent('<b>x</b>')}&increments=2000`;
  const { page, errors, context } = await openPlayground(browser, url);
  const notices = await page.$$eval('#notices li', (l) => l.map((x) => x.textContent));
  assert.ok(notices.some((n) => /Threads must be a whole number, not "<img src=x onerror=/.test(n)), JSON.stringify(notices));
  assert.ok(notices.some((n) => /Ignored unknown parameter "bogus"/.test(n)), JSON.stringify(notices));
  assert.ok(notices.some((n) => /timeline view/.test(n)), JSON.stringify(notices));
  assert.equal(await page.inputValue('#param-threads'), '4', 'the default');
  assert.equal(await page.inputValue('#param-increments'), '2000', 'the valid parameter is kept');
  const injected = await page.evaluate(() => ({ imgs: document.querySelectorAll('img').length, bold: document.querySelectorAll('#notices b').length, pwned: window.pwned }));
  assert.deepEqual(injected, { imgs: 0, bold: 0, pwned: undefined });
  assert.ok(!/bogus|%3Cimg/i.test(page.url()), 'the address bar is cleaned up');
  await context.close();

  const long = await openPlayground(browser, `${play.url}?lesson=counter&threads=3&pad=${'x'.repeat(14000)}`);
  assert.match(await long.page.textContent('#notices'), /This link is too long to read \(\d+ characters; at most 12000\)/);
  assert.equal(await long.page.textContent('#lesson-title'), 'Threads start and join', 'the default lesson');
  await long.context.close();

  const script = await openPlayground(browser, `${play.url}?lesson=${encodeURIComponent('<script>window.pwned=1</script>')}&embed=1&origins=javascript:alert(1)`);
  const text = await script.page.textContent('#notices');
  assert.match(text, /There is no lesson "<script>window.pwned=1<\/script>"/);
  assert.match(text, /Ignored the origin "javascript:alert\(1\)"/);
  assert.deepEqual(await script.page.evaluate(() => [document.querySelectorAll('#notices script').length, window.pwned]), [0, undefined]);
  assert.deepEqual([...errors, ...long.errors, ...script.errors], []);
  await script.context.close();
});

test('static hosting without headers: the service worker isolates the page and threads run', async () => {
  const headers = await new Promise((resolve) => http.get(plain.url, (res) => { res.resume(); resolve(res.headers); }));
  assert.equal(headers['cross-origin-embedder-policy'], undefined, 'this server sends no isolation headers');
  const sw = await new Promise((resolve) => http.get(`${plain.url}coi-serviceworker.js`, (res) => { res.resume(); resolve(res.statusCode); }));
  assert.equal(sw, 200, 'the build copied the service worker into dist/');
  const { page, errors, context } = await openPlayground(browser, plain.url, {
    serviceWorkers: true,
    waitFor: () => window.crossOriginIsolated === true && window.playground !== undefined,
  });
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true, 'the page is controlled by the service worker');
  assert.equal(await page.evaluate(() => window.playground.threads), true);
  assert.equal(await page.isVisible('#isolation-banner'), false);
  const outcome = await runLesson(page, 'counter', { threads: 2, increments: 20000, repeats: 1 });
  assert.equal(outcome.error, null);
  assert.deepEqual(outcome.values.variants.find((v) => v.variant === 'locked').trials.map((t) => t.actual), [40000]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('screenshots: the embed at 375 px and the element on a tutorial page', async () => {
  const phone = await openHost(`${HOST}/iso/frame.html?lesson=process-counter`, { viewport: { width: 375, height: 800 } });
  const overflow = await phone.frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the embed is ${overflow}px wider than its frame`);
  await phone.frame.waitForSelector('#run', { state: 'visible' });
  await phone.page.screenshot({ path: `${SHOTS}/embed-375.png` });
  await phone.context.close();
  const element = await openHost(`${HOST}/plain/element.html?lesson=counter`);
  await element.page.screenshot({ path: `${SHOTS}/embed-element-not-isolated.png`, fullPage: true });
  await element.context.close();
  console.log(`# screenshots in ${SHOTS} (${BROWSER})`);
});

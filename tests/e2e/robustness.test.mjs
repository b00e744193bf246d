// Never hang, never lose the page (issue 7): Stop and the time limit (cooperative and hard), panics in
// threads and processes, memory limits, hostile input from the URL and the programmatic entry point, and
// the Content-Security-Policy. Faults are injected with the hidden lessons in src/lessons/debug.rs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve, launch } from './harness.mjs';
import { startServer, contentSecurityPolicy } from '../../scripts/serve.mjs';

let browser, site, pg;

/** Opens the page with CSP violations and console errors recorded (from the page and its workers). */
async function open(path = '?debug=1') {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(site.url + path);
  await page.waitForFunction(() => window.playground !== undefined, null, { timeout: 30_000 });
  return { page, errors, context };
}

const status = (page) => page.evaluate(() => window.playground.status());
const workerUrls = (page) => page.workers().map((w) => new URL(w.url()).pathname.split('/').pop());
const cspErrors = (errors) => errors.filter((e) => /Content Security Policy|Refused to/i.test(e));

/** Runs `lesson` in the page and calls stop() `afterMs` after it started; returns the outcome and timings. */
function runAndStop(page, lesson, params, afterMs) {
  return page.evaluate(async ([lesson, params, afterMs]) => {
    const pg = window.playground;
    const t0 = performance.now();
    const outcome = await pg.run(lesson, params, { onStarted: () => setTimeout(() => pg.stop(), afterMs) });
    const resolvedAt = performance.now();
    await pg.ready();
    return { outcome, took: resolvedAt - t0, readyAfterStop: performance.now() - resolvedAt + outcome.stop_ms };
  }, [lesson, params, afterMs]);
}

async function nextRunWorks(page) {
  const outcome = await page.evaluate(() => window.playground.run('threads-join', { threads: 2, wait_ms: 50, time_scale: 100 }));
  assert.equal(outcome.error, null, 'the next run works');
  assert.equal(outcome.lanes.filter((l) => l.kind === 'thread').length, 2, 'two threads ran');
}

before(async () => {
  site = await serve({ isolation: true });
  browser = await launch();
  pg = await open();
});

after(async () => {
  await browser?.close();
  site?.server.close();
});

test('the Content-Security-Policy is sent with every file; frame-ancestors is configurable', async () => {
  for (const path of ['', 'www/app.js', 'www/runtime/runtime-worker.js', 'pkg/playground_bg.wasm']) {
    const csp = (await fetch(site.url + path)).headers.get('content-security-policy');
    assert.ok(csp, `no CSP on /${path}`);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(csp, /worker-src 'self'/);
    assert.match(csp, /frame-ancestors \*/);
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|blob:/);
  }
  // Configurable, and a hostile value cannot add directives.
  const custom = await startServer({ dir: 'dist', port: 0, frameAncestors: "'self' https://tutorial.example; script-src *" });
  const csp = (await fetch(`http://127.0.0.1:${custom.address().port}/`)).headers.get('content-security-policy');
  custom.close();
  assert.match(csp, /frame-ancestors 'self' https:\/\/tutorial\.example {2}script-src \*$/);
  assert.equal(csp.split(';').filter((d) => d.trim().startsWith('script-src')).length, 1);
  // The static hosts' file says the same as the server.
  const headers = fs.readFileSync('dist/_headers', 'utf8');
  assert.ok(headers.includes(`Content-Security-Policy: ${contentSecurityPolicy('*')}`), 'dist/_headers and serve.mjs differ');
});

test('an endless loop: the hard stop terminates its workers and a fresh engine is ready within 1 s', async () => {
  const { page } = pg;
  await nextRunWorks(page); // some thread workers exist
  const { outcome, readyAfterStop } = await runAndStop(page, 'debug-threads', { mode: 0, threads: 2 }, 300);
  console.log(`# endless loop: outcome ${outcome.stop_ms.toFixed(0)} ms after stop(); new engine ready ${readyAfterStop.toFixed(0)} ms after stop()`);
  assert.equal(outcome.restarted, true);
  assert.match(outcome.stopped, /^Stopped by you after 0\.\d s\. It did not stop by itself/);
  assert.ok(readyAfterStop < 1000, `the fresh engine was ready ${readyAfterStop} ms after stop()`);
  // The spinning thread workers are gone (the new runtime has started none yet). Chromium terminates a
  // worker that is busy in a loop only after a 2 s grace of its own, so allow 3 s (and print the time).
  const t0 = Date.now();
  while (workerUrls(page).filter((u) => u !== 'workerHelpers.no-bundler.js').length > 1 && Date.now() - t0 < 3000) {
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(`# endless loop: the old workers were gone ${Date.now() - t0} ms after the new engine was ready`);
  assert.deepEqual(workerUrls(page).filter((u) => u !== 'workerHelpers.no-bundler.js'), ['runtime-worker.js']);
  const s = await status(page);
  assert.equal(s.thread_workers, 0);
  assert.ok(s.restarts >= 1);
  await nextRunWorks(page);
});

test('Stop ends a run whose threads wait, cooperatively, within 100 ms', async () => {
  const { page } = pg;
  const debug = await runAndStop(page, 'debug-threads', { mode: 1, ms: 60_000 }, 400);
  const lesson = await runAndStop(page, 'threads-join', { threads: 3, wait_ms: 10_000, time_scale: 100 }, 300);
  console.log(`# cooperative stop: waits of every kind ${debug.outcome.stop_ms.toFixed(1)} ms, threads-join ${lesson.outcome.stop_ms.toFixed(1)} ms`);
  for (const { outcome } of [debug, lesson]) {
    assert.equal(outcome.restarted, undefined, 'no restart was needed');
    assert.match(outcome.stopped, /^Stopped by you after 0\.\d s\.$/);
    assert.equal(outcome.error, outcome.stopped);
    assert.equal(outcome.values, null, 'values cut short are not reported');
    // Generous for 2 shared cores; the measured latency is printed above.
    assert.ok(outcome.stop_ms < 200, `the run ended ${outcome.stop_ms} ms after stop()`);
  }
  // The output marks where the stop came, before the lines of the threads it woke.
  const out = lesson.outcome.output.map((l) => l.text);
  const marker = out.findIndex((t) => t.startsWith('■ Stopped by you'));
  assert.ok(marker >= 0, JSON.stringify(out));
  assert.ok(out.slice(0, marker).every((t) => !t.includes('finishing')), JSON.stringify(out));
  assert.ok(out.slice(marker).some((t) => t.includes('finishing')), JSON.stringify(out));
  // Every waiting thread's lane ended: the stop reached the sleep, lock, event, queue and work.
  assert.equal(debug.outcome.lanes.length, 6);
  const s = await status(page);
  assert.equal(s.busy, 0);
  assert.equal(s.outstanding, 0);
  assert.equal(s.restarts, 1, 'only the endless loop needed a restart');
  // Processes are terminated; their exit code is -15, as Python's p.terminate() leaves it.
  const procs = await runAndStop(page, 'processes-join', { processes: 3, wait_ms: 10_000, time_scale: 100 }, 400);
  console.log(`# processes stopped after ${procs.outcome.stop_ms.toFixed(1)} ms`);
  assert.match(procs.outcome.stopped, /^Stopped by you/);
  assert.equal(procs.outcome.restarted, undefined);
  assert.equal((await status(page)).processes, 0);
  await nextRunWorks(page);
});

test('waits written inside lessons stop cooperatively too: join-timeout\'s daemon, the primitives\' semaphore holders', async () => {
  const { page } = pg;
  const before = await status(page);
  const join = await runAndStop(page, 'join-timeout', { worker_ms: 10_000, timeout_ms: 10_000, tick_ms: 5000, time_scale: 100 }, 300);
  const prim = await runAndStop(page, 'primitives', { threads: 4, permits: 2, hold_ms: 3000, timer_ms: 5000, poll_ms: 0, time_scale: 100 }, 300);
  console.log(`# cooperative stop: join-timeout ${join.outcome.stop_ms.toFixed(1)} ms, primitives ${prim.outcome.stop_ms.toFixed(1)} ms`);
  for (const { outcome } of [join, prim]) {
    assert.equal(outcome.restarted, undefined, `${outcome.lesson}: no restart was needed`);
    assert.match(outcome.stopped, /^Stopped by you/);
    assert.ok(outcome.stop_ms < 200, `${outcome.lesson} ended ${outcome.stop_ms} ms after stop()`);
  }
  assert.equal((await status(page)).restarts, before.restarts);
  await nextRunWorks(page);
});

test('the time limit stops a run, and an out-of-range limit is clamped with a notice', async () => {
  const { page } = pg;
  const r = await page.evaluate(async () => {
    const t0 = performance.now();
    const outcome = await window.playground.run('debug-threads', { mode: 1, ms: 60_000 }, { timeLimitS: -5 });
    return { outcome, took: performance.now() - t0 };
  });
  console.log(`# time limit 1 s: the run ended after ${r.took.toFixed(0)} ms`);
  assert.equal(r.outcome.stopped, 'Stopped: the run reached its time limit of 1 s.');
  assert.ok(r.outcome.notices.some((n) => /time limit must be 1–600 s, not -5; using 1 s/.test(n)), JSON.stringify(r.outcome.notices));
  assert.ok(r.took >= 1000 && r.took < 2500, `took ${r.took} ms`);
  // An endless loop under a time limit is ended the hard way.
  const spin = await page.evaluate(() => window.playground.run('debug-threads', { mode: 0, threads: 1 }, { timeLimitS: 1 }));
  assert.equal(spin.restarted, true);
  assert.match(spin.stopped, /time limit of 1 s\. It did not stop by itself/);
  await nextRunWorks(page);
});

test('a panicking thread is reported like threading.excepthook while the others finish; its worker is replaced', async () => {
  const { page, errors } = pg;
  const before = await status(page);
  const outcome = await page.evaluate(() => window.playground.run('debug-threads', { mode: 2, threads: 3, ms: 100 }));
  assert.equal(outcome.error, null, 'the run finished');
  assert.deepEqual(outcome.values.finished, ['Thread-1 (worker)', 'Thread-3 (worker)']);
  assert.equal(outcome.exceptions.length, 1);
  assert.equal(outcome.exceptions[0].thread, 'Thread-2 (worker)');
  assert.match(outcome.exceptions[0].message, /^ValueError: thread 2 was given bad input/);
  assert.ok(outcome.output.some((l) => l.text.startsWith('Exception in thread Thread-2 (worker): ValueError')));
  // console_error_panic_hook: a readable message, not "unreachable executed".
  assert.ok(errors.some((e) => e.includes('ValueError: thread 2 was given bad input')), 'readable panic message in the console');
  // The lost worker is replaced: the pool is back to full strength.
  await page.waitForFunction(async () => {
    const s = await window.playground.status();
    return s.workers === s.thread_workers;
  }, null, { timeout: 5000 });
  const after = await status(page);
  assert.equal(after.replaced_workers, before.replaced_workers + 1);
  assert.equal(after.restarts, before.restarts, 'no engine restart for a thread panic');
  await nextRunWorks(page);
});

test('a panicking main thread ends the run with its exception; the page carries on', async () => {
  const { page } = pg;
  const outcome = await page.evaluate(() => window.playground.run('debug-threads', { mode: 3, threads: 2, ms: 60_000 }));
  assert.match(outcome.error, /^Exception in thread MainThread: RuntimeError: the main thread gave up/);
  assert.equal(outcome.exceptions[0].thread, 'MainThread');
  const s = await status(page);
  assert.equal(s.busy, 0, 'the other threads (sleeping for a minute) were stopped');
  await nextRunWorks(page);
});

test('a panicking process exits with code 1 and reports its exception; its siblings exit 0', async () => {
  const { page } = pg;
  const outcome = await page.evaluate(() => window.playground.run('debug-processes', { processes: 3 }));
  assert.equal(outcome.error, null);
  assert.deepEqual(outcome.values.exits.map((e) => e.exit_code), [1, 0, 0]);
  assert.equal(outcome.values.messages.length, 2);
  assert.ok(outcome.output.some((l) => l.text.startsWith('Exception in process Process-1: ValueError: Process-1 was given bad input')));
  assert.equal((await status(page)).processes, 0);
});

test('a trap in the runtime itself (a process lesson\'s parent program panics) restarts the engine; the page carries on', async () => {
  const { page } = pg;
  const before = await status(page);
  const outcome = await page.evaluate(() => window.playground.run('debug-processes', { processes: 2, parent_panics: 1 }));
  assert.match(outcome.error, /^The run could not finish: the engine hit an internal error \(.+\)\. The engine was restarted\.$/);
  assert.equal(outcome.restarted, true);
  assert.equal(outcome.values, null);
  await page.evaluate(() => window.playground.ready());
  const after = await status(page);
  assert.equal(after.restarts, before.restarts + 1);
  assert.equal(after.processes, 0);
  await nextRunWorks(page);
});

test('memory: a request that cannot fit is refused up front; running out at run time is reported', async () => {
  const { page } = pg;
  const refused = await page.evaluate(() => window.playground.run('debug-threads', { mode: 5, alloc_mib: 1500 }).then(() => null, (e) => e.message));
  assert.match(refused, /^Refused: this run would need about \d+ MiB of memory .* more than the 1024 MiB/);
  const fits = await page.evaluate(() => window.playground.run('debug-threads', { mode: 5, alloc_mib: 64 }));
  assert.equal(fits.values.allocated, 64 << 20);
  const oom = await page.evaluate(() => window.playground.run('debug-threads', { mode: 4, alloc_mib: 1500 }));
  assert.equal(oom.error, null);
  assert.match(oom.values.raised, /^out of memory: could not allocate 1572864000 bytes \(the shared memory is limited to 1024 MiB\)/);
  assert.equal(oom.exceptions[0].thread, 'Thread-1 (alloc)');
  await nextRunWorks(page);
});

test('the Stop button works from the keyboard, and the page shows why the run ended', async () => {
  const { page, context } = await open('?lesson=threads-join&threads=2&wait_ms=10000&time_scale=100');
  await page.locator('#time-limit').fill('5000');
  await page.locator('#run').click();
  await page.waitForFunction(() => document.getElementById('run-status').textContent.startsWith('Running'));
  assert.equal(await page.locator('#stop').isDisabled(), false);
  await page.locator('#stop').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('run-status').textContent === 'Stopped.', null, { timeout: 3000 });
  assert.match(await page.locator('#results .stopped').textContent(), /^Stopped by you after \d+\.\d s\.$/);
  assert.equal(await page.locator('#time-limit').inputValue(), '600', 'the time limit was clamped');
  assert.ok((await page.locator('#notices').textContent()).includes('time limit must be 1–600 s'));
  assert.equal(await page.locator('#stop').isDisabled(), true);
  // Escape stops too.
  await page.locator('#run').click();
  await page.waitForFunction(() => document.getElementById('run-status').textContent.startsWith('Running'));
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.getElementById('run-status').textContent === 'Stopped.', null, { timeout: 3000 });
  await context.close();
});

// Hostile links: each must produce a visible notice, inject nothing, and leave a working page.
const LONG = '9'.repeat(5000);
const URL_CORPUS = [
  ['lesson=nope', /There is no lesson "nope"/],
  ['lesson=', /There is no lesson ""/],
  ['lesson=COUNTER', /There is no lesson "COUNTER"/],
  ['lesson=debug-threads', /There is no lesson "debug-threads"/],
  ['lesson=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E', /There is no lesson "<script>/],
  ['lesson=%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D1%22%3E', /There is no lesson "<img/],
  [`lesson=${'x'.repeat(10000)}`, /There is no lesson "x{40}"/],
  ['lesson=%F0%9F%A7%B5%E2%80%AE', /There is no lesson/],
  ['lesson=counter&threads=NaN', /Threads must be a whole number, not "NaN"/],
  ['lesson=counter&threads=Infinity', /Threads must be a whole number, not "Infinity"/],
  ['lesson=counter&threads=-5', /Threads = -5 is below the minimum 1/],
  ['lesson=counter&threads=0', /Threads = 0 is below the minimum 1/],
  ['lesson=counter&threads=1e309', /Threads must be a whole number, not "1e309"/],
  ['lesson=counter&threads=99999999999999999999999', /Threads = 99999999999999999999999 is above the maximum 64/],
  ['lesson=counter&threads=-99999999999999999999999', /is below the minimum 1/],
  ['lesson=counter&threads=3.7', /whole number, not "3.7"/],
  ['lesson=counter&threads=0x10', /whole number, not "0x10"/],
  ['lesson=counter&threads=', /whole number, not ""/],
  ['lesson=counter&threads=%20%20', /whole number, not/],
  ['lesson=counter&threads=%3Cb%3Ebold%3C%2Fb%3E', /whole number, not "<b>bold<\/b>"/],
  ['lesson=counter&threads=%22%3E%3Csvg%20onload%3Dwindow.__pwned%3D1%3E', /whole number, not/],
  [`lesson=counter&threads=${LONG}`, /Threads = 9{40}… is above the maximum 64/],
  [`lesson=counter&threads=x${'y'.repeat(300)}`, /whole number, not "\(a string of 301 characters\)"/],
  [`lesson=counter&${'k'.repeat(3000)}=1`, /Ignored unknown parameter/],
  ['lesson=counter&threads=%D9%A3', /whole number, not "٣"/],
  ['lesson=counter&threads=%EF%BC%94', /whole number, not "４"/],
  ['lesson=counter&threads=%F0%9F%A7%B5', /whole number, not "🧵"/],
  ['lesson=counter&threads=%00', /whole number, not ""/],
  ['lesson=counter&threads=%E2%80%AE4', /whole number, not/],
  ['lesson=counter&threads=%ZZ', /whole number, not "%ZZ"/],
  ['lesson=counter&threads[]=4', /Ignored unknown parameter "threads\[\]"/],
  ['lesson=counter&__proto__=1', /Ignored unknown parameter "__proto__"/],
  ['lesson=counter&constructor=1', /Ignored unknown parameter "constructor"/],
  ['lesson=counter&threads=1_000', /Threads = 1000 is above the maximum 64/],
  ['lesson=counter&increments=-1', /below the minimum 1/],
  ['lesson=counter&time_scale=50', /Ignored unknown parameter "time_scale"/],
  ['lesson=threads-join&time_scale=0', /below the minimum 1/],
  ['lesson=threads-join&threads=true', /whole number, not "true"/],
  ['lesson=threads-join&threads=null', /whole number, not "null"/],
  ['lesson=threads-join&threads=[1,2]', /whole number, not "\[1,2\]"/],
  ['lesson=threads-join&threads={"a":1}', /whole number, not/],
  ['lesson=threads-join&javascript:alert(1)=1', /Ignored unknown parameter "javascript:alert\(1\)"/],
];

test(`a corpus of ${URL_CORPUS.length} malformed links: each gets a clear notice, nothing is injected, the page works`, async () => {
  const { page, errors, context } = await open('?lesson=threads-join');
  for (const [query, expected] of URL_CORPUS) {
    await page.goto(`${site.url}?${query}`);
    await page.waitForFunction(() => window.playgroundReady && document.getElementById('notices').children.length > 0,
      null, { timeout: 15_000 }).catch(() => {});
    const seen = await page.evaluate(async () => {
      await window.playgroundReady;
      return {
        notices: [...document.querySelectorAll('#notices li')].map((li) => li.textContent),
        injected: document.querySelectorAll('main img, main svg[onload], script:not([src]), iframe, object, embed, b').length,
        pwned: window.__pwned ?? null,
        title: document.getElementById('lesson-title').textContent,
        runnable: !document.getElementById('run').disabled,
        inputs: [...document.querySelectorAll('#params input')].map((i) => i.value),
      };
    });
    const label = query.slice(0, 80);
    assert.ok(seen.notices.some((n) => expected.test(n)), `${label}: ${JSON.stringify(seen.notices)}`);
    assert.ok(seen.notices.every((n) => n.length < 300), `${label}: a notice is too long`);
    assert.equal(seen.injected, 0, `${label}: markup was injected`);
    assert.equal(seen.pwned, null, `${label}: a script ran`);
    assert.ok(seen.title && seen.title !== 'Loading…', `${label}: no lesson shown`);
    assert.ok(seen.runnable, `${label}: Run is disabled`);
    assert.ok(seen.inputs.every((v) => /^\d+$/.test(v)), `${label}: inputs ${seen.inputs}`);
  }
  // The last page still runs a lesson.
  const outcome = await page.evaluate(() => window.playground.run('threads-join', { threads: 2, wait_ms: 20, time_scale: 100 }));
  assert.equal(outcome.error, null);
  assert.deepEqual(errors, []);
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  await context.close();
});

test('a corpus of malformed calls to the programmatic entry point: each is refused or clamped with a clear message', async () => {
  const { page } = pg;
  const results = await page.evaluate(async () => {
    const pg = window.playground;
    const huge = {};
    for (let i = 0; i < 5000; i++) huge[`k${i}`] = i;
    const throwing = { get threads() { throw new Error('boom'); } };
    const cases = [
      ['run', undefined], ['run', null], ['run', 42], ['run', {}], ['run', []], ['run', ''], ['run', 'nope'],
      ['run', '<img src=x onerror="window.__pwned=1">'], ['run', 'x'.repeat(100_000)], ['run', 'counter\u0000'],
      ['run', Symbol('counter')], ['run', () => 'counter'],
      ['validate', 'counter', { threads: NaN }], ['validate', 'counter', { threads: Infinity }],
      ['validate', 'counter', { threads: -Infinity }], ['validate', 'counter', { threads: -1 }],
      ['validate', 'counter', { threads: 1e300 }], ['validate', 'counter', { threads: 2 ** 53 + 2 }],
      ['validate', 'counter', { threads: 4.5 }], ['validate', 'counter', { threads: '1e3' }],
      ['validate', 'counter', { threads: [4] }], ['validate', 'counter', { threads: { valueOf: () => 4 } }],
      ['validate', 'counter', { threads: () => 4 }], ['validate', 'counter', { threads: Symbol('4') }],
      ['validate', 'counter', { threads: 10n ** 400n }], ['validate', 'counter', { threads: true }],
      ['validate', 'counter', { threads: 'x'.repeat(1_000_000) }], ['validate', 'counter', { ['<b>'.repeat(100)]: 1 }],
      ['validate', 'counter', 'threads=4'], ['validate', 'counter', [1, 2]], ['validate', 'counter', huge],
      ['validate', 'counter', throwing], ['validate', 'counter', JSON.parse('{"__proto__": 5}')],
      ['validate', 'counter', { threads: new Date() }], ['validate', 'counter', { threads: '<script>window.__pwned=1</script>' }],
      ['validate', 'debug-threads', { mode: 5, alloc_mib: 1e9 }],
    ];
    const out = [];
    for (const [method, lesson, params] of cases) {
      try {
        const prepared = await pg[method](lesson, params);
        out.push({ method, ok: true, notices: method === 'validate' ? prepared.notices : prepared.notices });
      } catch (error) {
        out.push({ method, ok: false, message: String(error?.message ?? error) });
      }
    }
    // Valid-but-odd options: a time limit that is not a number.
    const o = await pg.run('debug-threads', { mode: 1, ms: 5 }, { timeLimitS: 'soon' });
    out.push({ method: 'run options', ok: true, notices: o.notices });
    return { out, pwned: window.__pwned ?? null };
  });
  assert.ok(results.out.length >= 30, `${results.out.length} cases`);
  for (const [i, r] of results.out.entries()) {
    const shown = JSON.stringify(r).slice(0, 300);
    if (r.ok) {
      assert.ok(r.notices.length >= 1, `case ${i} (${r.method}) passed silently: ${shown}`);
      assert.ok(r.notices.every((n) => n.length < 300), `case ${i}: a notice is too long: ${shown}`);
    } else {
      assert.ok(r.message.length > 10 && r.message.length < 1200, `case ${i}: ${shown}`);
      assert.match(r.message, /lesson|Refused|There is no lesson/, `case ${i}: ${shown}`);
    }
  }
  assert.equal(results.pwned, null);
  // Clamped values, spot-checked: the big ones to the maximum, the huge refused allocation refused.
  const byIndex = results.out;
  assert.ok(byIndex[16].notices.some((n) => /above the maximum 64/.test(n)), JSON.stringify(byIndex[16]));
  assert.ok(byIndex[24].notices.some((n) => /above the maximum 64/.test(n)), JSON.stringify(byIndex[24]));
  assert.match(byIndex[35].message, /^Refused/);
  assert.ok(byIndex.at(-1).notices.some((n) => /time limit must be a number of seconds, not "soon"; using 60 s/.test(n)));
  await nextRunWorks(page);
});

test('no Content-Security-Policy violation across lesson runs, and the policy is really enforced', async () => {
  const { page, errors } = pg;
  for (const [lesson, params] of [
    ['counter', { threads: 2, increments: 1000, repeats: 1 }],
    ['process-counter', { processes: 2, increments: 1000, repeats: 1 }],
    ['downloads', { files: 2, file_kib: 16, wait_ms: 50, time_scale: 10 }],
  ]) {
    const outcome = await page.evaluate(([l, p]) => window.playground.run(l, p), [lesson, params]);
    assert.equal(outcome.error, null, `${lesson}: ${outcome.error}`);
  }
  assert.ok((await page.evaluate(() => window.playground.rayonProbe(1 << 16))).threads_used >= 1, 'the rayon pool started under the CSP');
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(cspErrors(errors), []);
  // The detector is real: an inline script is refused and reported.
  const blocked = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
    await new Promise((r) => setTimeout(r, 100));
    return { ran: window.__inline ?? null, violations: window.__violations.splice(0) };
  });
  assert.equal(blocked.ran, null);
  assert.ok(blocked.violations.some((v) => v.startsWith('script-src')), JSON.stringify(blocked.violations));
});

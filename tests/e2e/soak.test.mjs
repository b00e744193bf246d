// A long session (issue 7): 500 consecutive runs of mixed short lessons in one page — threads, processes,
// synchronization, a panicking thread now and then, a run stopped by the Stop button now and then. At the
// end no extra workers are alive and memory stays within a stated bound. Takes about 2–3 minutes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSER, serve, launch, openPlayground } from './harness.mjs';

const RUNS = 500;
/** The bounds this test states (README, "Limits and safety"). */
const MAX_WASM_GROWTH = 64 << 20; // the shared memory may grow this much over the session…
const MAX_JS_HEAP_GROWTH = 32 << 20; // …and the page's JavaScript heap this much, after garbage collection

const MIX = [
  ['threads-join', { threads: 2, wait_ms: 10, time_scale: 10 }],
  ['counter', { threads: 2, increments: 2000, repeats: 1 }],
  ['processes-join', { processes: 1, wait_ms: 10, time_scale: 10 }],
  ['logging', { threads: 2, steps: 1, step_ms: 10, time_scale: 10 }],
  ['thread-subclass', { threads: 2, wait_ms: 10, time_scale: 10 }],
  ['thread-pool', { max_workers: 2, tasks: 2, task_ms: 10, time_scale: 10 }],
  ['process-counter', { processes: 1, increments: 1000, repeats: 1 }],
  ['producer-consumer', { items: 3, maxsize: 1, max_consumers: 1, produce_ms: 10, consume_ms: 10, time_scale: 10 }],
  ['queue-pipe', { items: 2, messages: 2 }],
  ['db-queries', { q1_ms: 10, q2_ms: 20, q3_ms: 30, time_scale: 10 }],
  ['primitives', { threads: 2, permits: 1, hold_ms: 10, timer_ms: 10, time_scale: 10 }],
  ['deadlock', { hold_ms: 20, time_scale: 10 }],
  ['join-timeout', { worker_ms: 60, timeout_ms: 20, tick_ms: 10, time_scale: 100 }],
];
/** The injected faults, warmed up too: they need their own numbers of thread workers. */
const FAULTS = [
  ['debug-threads', { mode: 2, threads: 3, ms: 10 }],
  ['debug-threads', { mode: 1, ms: 10 }],
];

let browser, site;

before(async () => {
  site = await serve({ isolation: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  site?.server.close();
});

test(`${RUNS} consecutive runs: no worker left over, memory within bounds, the page still responsive`, { timeout: 600_000 }, async () => {
  const { page, errors, context } = await openPlayground(browser, `${site.url}?debug=1`);
  // The JS heap is measured over the Chrome DevTools Protocol, which Firefox does not have (null there).
  const cdp = BROWSER === 'chromium' ? await context.newCDPSession(page) : null;
  const jsHeap = async () => {
    if (!cdp) return null;
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  const workers = () => page.workers().map((w) => new URL(w.url()).pathname.split('/').pop());
  // Warm up: every lesson of the mix once, so the thread workers the mix needs exist.
  for (const [lesson, params] of [...MIX, ...FAULTS]) {
    const o = await page.evaluate(([l, p]) => window.playground.run(l, p), [lesson, params]);
    assert.equal(o.error, null, `${lesson}: ${o.error}`);
  }
  await page.waitForFunction(async () => {
    const s = await window.playground.status();
    return s.workers === s.thread_workers;
  }, null, { timeout: 10_000 });
  const first = await page.evaluate(() => window.playground.status());
  const heapBefore = await jsHeap();
  const t0 = Date.now();
  const summary = await page.evaluate(async ([mix, runs]) => {
    const pg = window.playground;
    const counts = { ok: 0, stopped: 0, panics: 0, failed: [] };
    for (let i = 0; i < runs; i++) {
      let outcome;
      if (i % 50 === 25) {
        outcome = await pg.run('debug-threads', { mode: 2, threads: 3, ms: 10 });
        if (outcome.exceptions.length === 1 && outcome.error === null) counts.panics++;
        else counts.failed.push(`${i} panic: ${outcome.error}`);
        continue;
      }
      if (i % 50 === 40) {
        outcome = await pg.run('debug-threads', { mode: 1, ms: 60_000 }, { onStarted: () => setTimeout(() => pg.stop(), 20) });
        if (outcome.stopped && !outcome.restarted) counts.stopped++;
        else counts.failed.push(`${i} stop: ${outcome.error}`);
        continue;
      }
      const [lesson, params] = mix[i % mix.length];
      outcome = await pg.run(lesson, params);
      if (outcome.error === null) counts.ok++;
      else counts.failed.push(`${i} ${lesson}: ${outcome.error}`);
    }
    return counts;
  }, [MIX, RUNS]);
  const seconds = (Date.now() - t0) / 1000;
  // Let the replacement of the last panicked worker finish, then look.
  await page.waitForFunction(async () => {
    const s = await window.playground.status();
    return s.workers === s.thread_workers && s.busy === 0 && s.processes === 0;
  }, null, { timeout: 10_000 });
  const last = await page.evaluate(() => window.playground.status());
  const heapAfter = await jsHeap();
  const alive = workers();
  console.log(`# soak: ${RUNS} runs in ${seconds.toFixed(1)} s (${summary.ok} lessons, ${summary.panics} thread panics, ${summary.stopped} stops)`);
  const mib = (bytes) => (bytes === null ? 'n/a' : (bytes / 1048576).toFixed(1));
  console.log(`# soak: wasm memory ${mib(first.memory_bytes)} → ${mib(last.memory_bytes)} MiB; JS heap ${mib(heapBefore)} → ${mib(heapAfter)} MiB`);
  console.log(`# soak: thread workers ${first.thread_workers} → ${last.thread_workers}, replaced after panics ${last.replaced_workers}, process workers ${last.processes}, restarts ${last.restarts}; browser sees ${alive.length} workers: ${[...new Set(alive)].map((u) => `${alive.filter((x) => x === u).length}× ${u}`).join(', ')}`);
  assert.deepEqual(summary.failed, []);
  assert.equal(summary.panics, RUNS / 50);
  assert.equal(summary.stopped, RUNS / 50);
  // No extra workers: the same thread workers as after the warm-up, no process worker, no restart.
  assert.equal(last.thread_workers, first.thread_workers, 'thread workers grew');
  assert.equal(last.workers, last.thread_workers);
  assert.equal(last.processes, 0);
  assert.equal(last.busy, 0);
  assert.equal(last.outstanding, 0);
  assert.equal(last.restarts, 0, 'no run needed an engine restart');
  assert.equal(last.replaced_workers, first.replaced_workers + RUNS / 50, 'one replacement per panic');
  if (BROWSER === 'chromium') {
    // What the browser itself sees: the runtime, its thread workers and the rayon pool, nothing else.
    assert.equal(alive.filter((u) => u === 'runtime-worker.js').length, 1);
    assert.equal(alive.filter((u) => u === 'process-worker.js').length, 0);
    assert.ok(alive.filter((u) => u === 'thread-worker.js').length <= last.thread_workers, alive.join(', '));
    assert.ok(heapAfter - heapBefore <= MAX_JS_HEAP_GROWTH, `JS heap grew ${heapAfter - heapBefore} bytes`);
  } else {
    // Firefox: the page holds every worker the runtime asked for (www/worker-host.js): exactly its thread
    // workers and the rayon pool, so none was left over (no process worker, no panicked thread worker).
    assert.equal(last.page_workers, last.thread_workers + last.rayon_threads, 'workers the page holds for the runtime');
  }
  assert.ok(last.memory_bytes - first.memory_bytes <= MAX_WASM_GROWTH, `wasm memory grew ${last.memory_bytes - first.memory_bytes} bytes`);
  // Still responsive: the page's own Run button runs a lesson.
  const outcome = await page.evaluate(() => window.playground.run('threads-join', { threads: 2, wait_ms: 10, time_scale: 10 }));
  assert.equal(outcome.error, null);
  assert.deepEqual(errors.filter((e) => !/ValueError: thread 2 was given bad input/.test(e)), [], 'only the injected panics log errors');
  await context.close();
});

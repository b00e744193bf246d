// End-to-end tests of the basic lessons (curriculum rows 1–4 and 9) in a real browser: threads that start
// and join, a Thread subclass, processes that start and join (with and without cross-origin isolation),
// join(timeout) and a daemon thread, and parallel database queries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPlayground, runLesson } from './harness.mjs';

let browser, isolated, plain, pg;

before(async () => {
  isolated = await serve({ isolation: true });
  plain = await serve({ isolation: false });
  browser = await launch();
  pg = await openPlayground(browser, isolated.url);
});

after(async () => {
  await pg?.context.close();
  await browser?.close();
  isolated?.server.close();
  plain?.server.close();
});

const threadLanes = (outcome) => outcome.lanes.filter((l) => l.kind === 'thread');
const status = (page) => page.evaluate(() => window.playground.status());

/** Asserts the threads-vs-sequential claim: 3 threads × 200 ms in under 400 ms, sequentially ≥ 600 ms. */
function assertOverlap(outcome) {
  assert.equal(outcome.error, null);
  const v = outcome.values;
  console.log(`# ${outcome.lesson}: threads ${v.threaded_ms.toFixed(1)} ms, sequential ${v.sequential_ms.toFixed(1)} ms`);
  assert.ok(v.threaded_ms >= 200, `threads took ${v.threaded_ms} ms, less than one wait`);
  assert.ok(v.threaded_ms < 400, `3 threads × 200 ms took ${v.threaded_ms} ms: the waits did not overlap`);
  assert.ok(v.sequential_ms >= 600, `sequential took ${v.sequential_ms} ms`);
  for (const t of v.threaded) assert.ok(t.slept_ms >= 200, `${t.thread} slept ${t.slept_ms} ms`);
  for (const t of v.sequential) assert.equal(t.thread, 'MainThread');
  assert.match(v.report.verdict, /3 threads each slept 200 ms/);
  // Interleaved output: every thread printed "starting" before any thread printed "finishing".
  const ids = new Set(threadLanes(outcome).map((l) => l.id));
  const lines = outcome.output.filter((o) => ids.has(o.lane));
  assert.equal(lines.length, 6);
  const lastStart = Math.max(...lines.filter((o) => o.text === 'starting').map((o) => o.t));
  const firstFinish = Math.min(...lines.filter((o) => o.text.startsWith('finishing')).map((o) => o.t));
  assert.ok(lastStart < firstFinish, 'the threads\' output interleaves');
  // Each thread ran on its own worker, at the same time.
  assert.equal(new Set(threadLanes(outcome).map((l) => l.worker)).size, 3);
}

test('threads-join: 3 threads × 200 ms finish in under 400 ms, sequentially ≥ 600 ms', async () => {
  const outcome = await runLesson(pg.page, 'threads-join', { threads: 3, wait_ms: 200, time_scale: 100 });
  assertOverlap(outcome);
  assert.deepEqual(threadLanes(outcome).map((l) => l.name), ['Thread-1 (worker)', 'Thread-2 (worker)', 'Thread-3 (worker)']);
  assert.deepEqual(pg.errors, []);
});

test('thread-subclass: the same timing, and the threads are named by the class', async () => {
  const outcome = await runLesson(pg.page, 'thread-subclass', { threads: 3, wait_ms: 200, time_scale: 100 });
  assertOverlap(outcome);
  assert.deepEqual(threadLanes(outcome).map((l) => l.name), ['Worker-1', 'Worker-2', 'Worker-3']);
  assert.deepEqual(outcome.values.threaded.map((t) => t.thread), ['Worker-1', 'Worker-2', 'Worker-3']);
  assert.deepEqual(pg.errors, []);
});

/** 3 processes × 300 ms: about one wait plus start costs, each measured and above zero. */
async function assertProcessesJoin(page) {
  const outcome = await runLesson(page, 'processes-join', { processes: 3, wait_ms: 300, time_scale: 100 });
  assert.equal(outcome.error, null);
  const v = outcome.values;
  console.log(`# processes-join: total ${v.total_ms.toFixed(1)} ms, start costs ${v.children.map((c) => c.start_ms.toFixed(1)).join(', ')} ms`);
  assert.ok(v.total_ms >= 300, `total ${v.total_ms} ms is less than one wait`);
  assert.ok(v.total_ms < 900, `total ${v.total_ms} ms: the processes did not run at the same time`);
  assert.equal(v.children.length, 3);
  for (const c of v.children) {
    assert.ok(c.start_ms > 0, `${c.name} has no measured start cost`);
    assert.ok(c.slept_ms >= 300, `${c.name} slept ${c.slept_ms} ms`);
    assert.equal(c.exit_code, 0);
  }
  assert.ok(Math.abs(v.overhead_ms - (v.total_ms - 300)) < 1e-6);
  assert.deepEqual(outcome.lanes.filter((l) => l.kind === 'process').map((l) => l.name), ['Process-1', 'Process-2', 'Process-3']);
  assert.equal(outcome.output.filter((o) => o.text === 'starting').length, 3, 'each process prints into the one log');
  assert.equal((await status(page)).processes, 0, 'process workers end');
  return outcome;
}

test('processes-join: total ≥ one wait and < the sum; each process has a measured start cost', async () => {
  await assertProcessesJoin(pg.page);
  assert.deepEqual(pg.errors, []);
});

test('processes-join also runs on a page without cross-origin isolation', async () => {
  const { page, errors, context } = await openPlayground(browser, plain.url);
  assert.equal(await page.evaluate(() => crossOriginIsolated), false);
  await assertProcessesJoin(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test('join-timeout: join returns after the timeout while the thread is alive; the daemon is abandoned at exit', async () => {
  const params = { worker_ms: 600, timeout_ms: 200, tick_ms: 50, time_scale: 100 };
  const outcome = await runLesson(pg.page, 'join-timeout', params);
  assert.equal(outcome.error, null);
  const v = outcome.values;
  console.log(`# join-timeout: join returned after ${v.join_returned_after_ms.toFixed(1)} ms; main ended ${v.main_ended_ms.toFixed(1)} ms; worker joined at exit ${v.worker_finished_ms.toFixed(1)} ms; daemon abandoned ${v.daemon_abandoned_ms.toFixed(1)} ms after ${v.daemon_ticks} ticks, stopped ${v.daemon_stop_latency_ms.toFixed(2)} ms later`);
  assert.ok(v.join_returned_after_ms >= 199 && v.join_returned_after_ms < 350, `join(timeout=200 ms) returned after ${v.join_returned_after_ms} ms`);
  assert.equal(v.alive_after_join, true, 'is_alive() is True after join(timeout)');
  assert.equal(v.daemon_alive_at_main_end, true, 'the daemon was alive when the main program finished');
  // The exit still waited for the non-daemon worker, then abandoned the daemon, still alive.
  assert.ok(v.main_ended_ms < 400 && v.worker_finished_ms >= 600, JSON.stringify(v));
  assert.ok(v.exit_waited_for_worker_ms > 150);
  assert.equal(v.daemon_alive_at_exit, true);
  assert.ok(v.daemon_abandoned_ms >= v.worker_finished_ms);
  assert.ok(v.daemon_ticks >= 5, `the daemon ticked ${v.daemon_ticks} times`);
  assert.match(v.report.verdict, /while the worker was still alive/);
  // The daemon's lane ends, and it printed nothing after it was abandoned.
  const daemon = outcome.lanes.find((l) => l.name === 'Thread-2 (heartbeat)');
  assert.equal(outcome.events.filter((e) => e.lane === daemon.id).at(-1).state, 'finished');
  const abandonedAt = outcome.started_at + v.daemon_abandoned_ms;
  assert.ok(!outcome.output.some((o) => o.lane === daemon.id && o.t > abandonedAt));
  // No worker is left busy, and the next run works.
  assert.equal((await status(pg.page)).busy, 0, 'a worker is still busy after the run');
  const again = await runLesson(pg.page, 'join-timeout', { ...params, worker_ms: 300, timeout_ms: 100 });
  assert.equal(again.error, null);
  assert.equal(again.values.alive_after_join, true);
  const next = await runLesson(pg.page, 'threads-join', { threads: 2, wait_ms: 50, time_scale: 100 });
  assert.equal(next.error, null);
  assert.equal((await status(pg.page)).busy, 0);
  assert.deepEqual(pg.errors, []);
});

test('db-queries: on threads the total is about the longest query, well under the sequential sum', async () => {
  const outcome = await runLesson(pg.page, 'db-queries', { q1_ms: 300, q2_ms: 500, q3_ms: 700, time_scale: 100 });
  assert.equal(outcome.error, null);
  const v = outcome.values;
  console.log(`# db-queries: sequential ${v.sequential_ms.toFixed(1)} ms, threads ${v.threaded_ms.toFixed(1)} ms`);
  assert.equal(v.longest_ms, 700);
  assert.equal(v.sum_ms, 1500);
  assert.ok(v.sequential_ms >= 1500, `sequential ${v.sequential_ms} ms`);
  assert.ok(v.threaded_ms >= 700, `threads ${v.threaded_ms} ms is less than the longest query`);
  assert.ok(v.threaded_ms < 0.8 * v.sequential_ms, `threads ${v.threaded_ms} ms vs sequential ${v.sequential_ms} ms`);
  assert.deepEqual(v.threaded.map((q) => q.sql), ['SELECT * FROM users', 'SELECT * FROM orders', 'SELECT * FROM products']);
  assert.ok(v.threaded.every((q) => q.thread.startsWith('ThreadPoolExecutor-0_')));
  assert.equal(v.report.tables.length, 2);
  assert.deepEqual(pg.errors, []);
});

// End-to-end tests of the emulated GIL (curriculum row 11) and of the counter lesson's Python-build toggle,
// on real thread workers and real process workers in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedPlayground, openPlayground, runLesson } from './harness.mjs';

const shared = sharedPlayground();

/** Spans of one state per lane of a group: [[start, end], ...] for each lane. */
function spansOf(outcome, group, state) {
  return outcome.lanes.filter((l) => l.group === group).map((lane) => {
    const events = outcome.events.filter((e) => e.lane === lane.id);
    return events.flatMap((e, i) => (e.state === state && events[i + 1] ? [[e.t, events[i + 1].t]] : []));
  });
}

test('GIL: 2 CPU-bound threads are no faster than sequential; I/O still overlaps; the hand-offs are on the timeline', async () => {
  const outcome = await runLesson(shared.page, 'gil', { python: 0, cpu_ms: 150, io_ms: 100, repeats: 3, switch_interval_ms: 5 });
  assert.equal(outcome.error, null);
  const { cpu, io, gil } = outcome.values;
  assert.equal(cpu.threads_free_ms, null, 'only the GIL build was asked for');
  // No faster than sequential (a generous 0.9× floor: the threads must take turns).
  assert.ok(cpu.threads_gil_ms >= 0.9 * cpu.sequential_ms, `GIL threads ${cpu.threads_gil_ms} ms vs sequential ${cpu.sequential_ms} ms`);
  assert.ok(gil.forced_drops >= 10, `the holder was asked to drop the GIL only ${gil.forced_drops} times`);
  // I/O: two 100 ms waits on 2 threads overlap under the GIL.
  assert.ok(io.threads_gil_ms < 0.75 * io.sequential_ms, `I/O threads ${io.threads_gil_ms} ms vs sequential ${io.sequential_ms} ms`);
  // The timeline: while one CPU thread runs, the other waits for the GIL, and they swap.
  const group = 'CPU: 2 threads, CPython (with GIL), run 1';
  const waits = spansOf(outcome, group, 'waiting_gil');
  assert.equal(waits.length, 2);
  assert.ok(waits.every((w) => w.length >= 3), `each thread waited for the GIL several times: ${waits.map((w) => w.length)}`);
  // The two threads never run Python code at the same time: their running spans do not overlap
  // (0.05 ms of slack for the two clocks' readings around a hand-off).
  const running = spansOf(outcome, group, 'running');
  const overlap = running[0].some(([a, b]) => running[1].some(([c, d]) => a + 0.05 < d && c + 0.05 < b));
  assert.ok(!overlap, 'two threads ran at once under the GIL');
  assert.match(outcome.values.report.verdict, /Under the GIL, 2 CPU-bound threads took/);
  assert.deepEqual(shared.errors, []);
});

test('free-threaded threads and processes are faster than sequential on 2+ cores', async (t) => {
  if (shared.cores < 2) { t.skip(`this machine reports ${shared.cores} core: nothing can run in parallel`); return; }
  // Tasks of 400 ms: a process's start (about 150 ms in Firefox, 80 ms in Chromium) is then small beside
  // the work it saves (with 200 ms tasks Firefox's two processes once took 0.96 × sequential).
  const outcome = await runLesson(shared.page, 'gil', { python: 2, cpu_ms: 400, io_ms: 50, repeats: 3, switch_interval_ms: 5 });
  assert.equal(outcome.error, null);
  const { cpu, io, ratios } = outcome.values;
  assert.ok(cpu.threads_free_ms < 0.8 * cpu.sequential_ms, `free-threaded ${cpu.threads_free_ms} ms vs sequential ${cpu.sequential_ms} ms`);
  assert.ok(cpu.processes_ms < 0.9 * cpu.sequential_ms, `processes ${cpu.processes_ms} ms vs sequential ${cpu.sequential_ms} ms`);
  assert.ok(cpu.threads_gil_ms > cpu.threads_free_ms * 1.3, `the GIL made no difference: ${cpu.threads_gil_ms} vs ${cpu.threads_free_ms} ms`);
  // I/O overlap is unchanged by the GIL.
  assert.ok(io.threads_gil_ms < 0.8 * io.sequential_ms && io.threads_free_ms < 0.8 * io.sequential_ms, JSON.stringify(io));
  assert.ok(Math.abs(ratios.io_threads_gil - ratios.io_threads_free) < 0.2, JSON.stringify(ratios));
  assert.equal(outcome.lanes.filter((l) => l.kind === 'process').length, 6, '2 processes × 3 repeats');
  assert.deepEqual(shared.errors, []);
});

test('counter: under the GIL the unlocked loop loses nothing; free-threaded it loses updates', async (t) => {
  const gil = await runLesson(shared.page, 'counter', { threads: 4, increments: 500_000, repeats: 3, python: 0 });
  assert.equal(gil.error, null);
  const unlockedGil = gil.values.variants.find((v) => v.variant === 'unlocked');
  assert.equal(unlockedGil.trials_losing_updates, 0, JSON.stringify(unlockedGil.trials.map((x) => x.lost)));
  assert.ok(unlockedGil.trials.every((x) => x.gil.switches >= 4), 'the threads really took turns');
  if (shared.cores < 2) { t.diagnostic(`1 core: the free-threaded half is skipped`); return; }
  const free = await runLesson(shared.page, 'counter', { threads: 4, increments: 1_000_000, repeats: 5, python: 1 });
  const unlockedFree = free.values.variants.find((v) => v.variant === 'unlocked');
  assert.ok(unlockedFree.trials_losing_updates >= 1, 'free-threaded, the race lost no update in 5 runs');
  for (const v of [...gil.values.variants, ...free.values.variants]) {
    if (v.variant !== 'unlocked') assert.ok(v.trials.every((x) => x.lost === 0), v.variant);
  }
  assert.deepEqual(shared.errors, []);
});

test('the page: the Python build is a drop-down; under the GIL the counter verdict tells the truth', async () => {
  const { page: p, errors: errs, context: c } = await openPlayground(shared.browser, `${shared.site.url}?lesson=counter&threads=2&increments=200000&repeats=1`);
  await p.selectOption('#param-python', '0');
  assert.match(await p.textContent('#python'), /Python build: CPython \(with GIL\)/);
  await p.click('#run');
  await p.waitForSelector('#results .verdict', { timeout: 60_000 });
  assert.match(await p.textContent('#results .verdict'), /Under CPython's GIL no run without a lock lost an update/);
  assert.match(p.url(), /python=0/);
  await p.screenshot({ path: 'tests/e2e/screenshots/counter-gil.png', fullPage: true });
  await p.click('a[data-lesson="gil"]');
  await p.fill('#param-cpu_ms', '100');
  await p.fill('#param-repeats', '1');
  await p.click('#run');
  await p.waitForSelector('#results .verdict', { timeout: 60_000 });
  assert.match(await p.textContent('#results'), /2 threads, CPython \(with GIL\)/);
  assert.ok(await p.locator('#timeline-controls select option', { hasText: 'CPU: 2 threads, CPython (with GIL)' }).count() >= 1);
  await p.screenshot({ path: 'tests/e2e/screenshots/gil.png', fullPage: true });
  assert.deepEqual(errs, []);
  await c.close();
});

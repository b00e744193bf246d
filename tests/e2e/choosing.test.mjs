// End-to-end tests of the lessons on choosing an approach and on thread pools in practice: web scraping
// with a bounded pool (real requests), how many threads (I/O vs CPU sweep), logging from threads, and why
// concurrency at all. One browser page runs them all, in a real Chromium against dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedPlayground, openPlayground, runLesson } from './harness.mjs';

const shared = sharedPlayground();

const ms = (v) => `${v.toFixed(1)} ms`;

test('scraping: every page arrives with its exact bytes; a pool of 4 beats 1 thread by over 2×', async () => {
  const pages = 12;
  const outcome = await runLesson(shared.page, 'scraping', { pages, page_kib: 16, latency_ms: 100, max_pool: 4, time_scale: 100 });
  assert.equal(outcome.error, null);
  const v = outcome.values;
  assert.equal(v.expected_bytes, 16 * 1024);
  const runs = v.runs;
  assert.deepEqual(runs.map((r) => [r.mode, r.threads]), [['pool', 1], ['pool', 2], ['pool', 4], ['thread_per_page', pages]]);
  for (const r of runs) {
    assert.equal(r.failed, 0, `${r.mode} ${r.threads}: ${JSON.stringify(r.pages.find((p) => p.error))}`);
    assert.equal(r.pages.length, pages);
    assert.deepEqual(r.pages.map((p) => p.index).sort((a, b) => a - b), [...Array(pages).keys()]);
    for (const p of r.pages) assert.equal(p.bytes, 16 * 1024, `page ${p.index} of ${r.mode} ${r.threads}`);
    assert.ok(r.ms > 0);
  }
  const [one, , four, perPage] = runs;
  console.log(`# scraping ${pages} pages: 1 thread ${ms(one.ms)}, 2: ${ms(runs[1].ms)}, 4: ${ms(four.ms)}, ` +
    `one per page: ${ms(perPage.ms)}; request median alone ${ms(one.median_request_ms)}, ` +
    `${perPage.max_in_flight} at once ${ms(perPage.median_request_ms)}`);
  assert.ok(one.ms >= pages * 100, 'one thread waits out every latency in turn');
  assert.ok(four.ms < 0.5 * one.ms, `pool of 4 ${ms(four.ms)} vs 1 thread ${ms(one.ms)}`);
  // The pool reuses its threads: 4 threads fetched all 12 pages.
  assert.equal(four.threads_used, 4);
  assert.equal(perPage.threads_used, pages);
  // Requests were really on the wire and counted while blocked ("io" on the timeline).
  assert.ok(outcome.events.some((e) => e.state === 'io'));
  assert.ok(v.report.verdict.includes('1 thread took'), v.report.verdict);
  assert.equal(v.report.charts.length, 1);
  assert.deepEqual(shared.errors, []);
});

test('how many threads: I/O keeps falling; CPU falls to the core count and no further', async () => {
  const outcome = await runLesson(shared.page, 'how-many-threads', {
    max_threads: 8, io_tasks: 16, io_ms: 50, cpu_ms: 400, repeats: 3, cores: 0, time_scale: 100,
  });
  assert.equal(outcome.error, null);
  const v = outcome.values;
  assert.equal(v.cores, shared.cores, 'the engine reads navigator.hardwareConcurrency');
  assert.equal(v.cores_source, 'navigator.hardwareConcurrency');
  const at = (points, n) => points.find((p) => p.threads === n)?.ms;
  for (const n of [1, 2, 4, 8]) {
    assert.ok(at(v.io, n) > 0 && at(v.cpu, n) > 0, `results for ${n} threads`);
  }
  console.log(`# I/O: ${v.io.map((p) => `${p.threads}→${ms(p.ms)}`).join(', ')}`);
  console.log(`# CPU (${shared.cores} shared.cores): ${v.cpu.map((p) => `${p.threads}→${ms(p.ms)}`).join(', ')}; Amdahl p = ${v.amdahl_p}`);
  assert.ok(at(v.io, 1) >= 16 * 50, 'sixteen 50 ms waits in turn');
  assert.ok(at(v.io, 8) < 0.4 * at(v.io, 1), `I/O at 8 threads ${ms(at(v.io, 8))} vs 1 ${ms(at(v.io, 1))}`);
  if (shared.cores >= 2) {
    assert.ok(at(v.cpu, 2) < 0.8 * at(v.cpu, 1), `CPU at 2 threads ${ms(at(v.cpu, 2))} vs 1 ${ms(at(v.cpu, 1))}`);
    assert.ok(typeof v.amdahl_p === 'number' && v.amdahl_p > 0, 'a fitted parallel fraction');
  } else {
    console.log('# one core: no CPU speedup to check');
  }
  const atCores = at(v.cpu, Math.min(shared.cores, 8));
  assert.ok(atCores !== undefined, 'the core count is one of the measured thread counts');
  assert.ok(at(v.cpu, 8) >= 0.7 * atCores, `CPU at 8 threads ${ms(at(v.cpu, 8))} vs at ${shared.cores} shared.cores ${ms(atCores)}`);
  const chart = v.report.charts[0];
  assert.deepEqual(chart.markers.map((m) => m.x), [shared.cores]);
  assert.deepEqual(chart.series.filter((s) => s.style === 'measured').length, 2);
  if (shared.cores >= 2) assert.ok(chart.series.some((s) => s.style === 'model' && /Amdahl/.test(s.name)));
  assert.ok(v.report.notes.some((n) => /fitted/.test(n)));
  assert.deepEqual(shared.errors, []);
});

test('logging: each record names the thread that printed it, in time order, from every thread', async () => {
  const threads = 4;
  const steps = 3;
  const outcome = await runLesson(shared.page, 'logging', { threads, steps, step_ms: 40, time_scale: 100 });
  assert.equal(outcome.error, null);
  const lanes = new Map(outcome.lanes.map((l) => [l.id, l]));
  assert.equal(outcome.output.length, threads * steps + 2);
  for (const line of outcome.output) {
    const lane = lanes.get(line.lane);
    const named = line.text.match(/ ms (MainThread|Thread-\d+ \(worker\)) \[worker /)?.[1];
    assert.equal(named, lane.name, `"${line.text}" was printed by ${lane.name}`);
  }
  const records = outcome.values.records;
  assert.equal(records.length, threads * steps + 2);
  // Records are made under the handler's lock, so each is later than the one before; but every worker reads
  // the one clock through its own time origin, rounded to the browser's step (Firefox, isolated: 20 µs; 40
  // runs there gave 5 pairs 20 µs apart in the wrong order, Chromium none). One step of slack.
  const STEP_MS = 0.025;
  for (let i = 1; i < records.length; i++) {
    assert.ok(records[i - 1].t <= records[i].t + STEP_MS, `record ${i} out of order by ${records[i - 1].t - records[i].t} ms`);
  }
  for (let i = 1; i < outcome.output.length; i++) assert.ok(outcome.output[i - 1].t <= outcome.output[i].t + STEP_MS);
  for (const r of records) {
    assert.equal(lanes.get(r.lane).name, r.thread_name);
    assert.equal(lanes.get(r.lane).worker, r.worker, 'the record carries the worker that ran its thread');
  }
  for (let i = 1; i <= threads; i++) {
    assert.equal(records.filter((r) => r.thread_name === `Thread-${i} (worker)`).length, steps, `Thread-${i}`);
  }
  assert.equal(new Set(records.filter((r) => r.thread_name !== 'MainThread').map((r) => r.worker)).size, threads,
    'each thread ran on its own worker');
  assert.deepEqual(shared.errors, []);
});

test('why concurrency: overlapping beats sequential; parallel on the cores beats it by over 25 %', async () => {
  const outcome = await runLesson(shared.page, 'why-concurrency', { items: 8, read_ms: 400, compute_ms: 600, cores: 0, time_scale: 10 });
  assert.equal(outcome.error, null);
  const v = outcome.values;
  const [seq, over, par] = v.runs;
  assert.deepEqual(v.runs.map((r) => r.mode), ['sequential', 'overlapped', 'parallel']);
  for (const r of v.runs) assert.equal(r.items_done, 8);
  console.log(`# why-concurrency (${shared.cores} shared.cores): sequential ${ms(seq.ms)}, overlapped ${ms(over.ms)}, ` +
    `parallel ${ms(par.ms)} on ${par.threads} threads; full scale ${v.full_scale.sequential_s} s`);
  assert.ok(seq.ms >= 8 * 40, 'the reading alone takes 8 × 40 ms sequentially');
  assert.ok(over.ms < seq.ms, `overlapped ${ms(over.ms)} vs sequential ${ms(seq.ms)}`);
  if (shared.cores >= 2) assert.ok(par.ms < 0.75 * seq.ms, `parallel ${ms(par.ms)} vs sequential ${ms(seq.ms)}`);
  assert.equal(v.full_scale.sequential_s, 10_000);
  assert.match(v.report.verdict, /10,000 items one after another would take .* = 10,000 s .* computed, not measured/);
  // At the lesson's defaults the tutorial's job is 11,000 s.
  const info = await shared.page.evaluate(() => window.playground.lessons.find((l) => l.id === 'why-concurrency'));
  assert.equal(info.params.find((p) => p.name === 'time_scale').default, 10);
  assert.deepEqual(shared.errors, []);
});

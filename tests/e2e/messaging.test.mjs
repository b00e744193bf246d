// End-to-end tests of the bridge between thread lessons and processes/event loops, and of message passing:
// parallel downloads (row 7), inter-process queue and pipe (row 16), threads vs processes vs asyncio (row 20).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPlayground, runLesson } from './harness.mjs';

let browser, isolated, plain, shared;

before(async () => {
  isolated = await serve({ isolation: true });
  plain = await serve({ isolation: false });
  browser = await launch();
  shared = await openPlayground(browser, isolated.url);
});

after(async () => {
  await shared?.context.close();
  await browser?.close();
  isolated?.server.close();
  plain?.server.close();
});

const fmt = (v) => `${v.toFixed(1)} ms`;

test('downloads: simulated waits overlap on threads, processes and an event loop; real fetches return every byte', async () => {
  const { page, errors } = shared;
  const outcome = await runLesson(page, 'downloads', { files: 3, wait_ms: 200, file_kib: 64, time_scale: 100 });
  assert.equal(outcome.error, null);
  const { simulated: s, real: r } = outcome.values;
  console.log(`# simulated 3 × 200 ms: sequential ${fmt(s.sequential.ms)}, threads ${fmt(s.threads.ms)}, `
    + `processes ${fmt(s.processes.ms)} (start-up ${fmt(s.processes.start_cost_ms)}), event loop ${fmt(s.event_loop.ms)}`);
  console.log(`# real 3 × 64 KiB: sequential ${fmt(r.sequential.ms)}, threads ${fmt(r.threads.ms)}, `
    + `processes ${fmt(r.processes.ms)}, event loop ${fmt(r.event_loop.ms)}`);
  assert.ok(s.sequential.ms >= 600, `sequential took ${s.sequential.ms} ms`);
  assert.ok(s.threads.ms < 0.7 * s.sequential.ms, 'threads overlap the waits');
  assert.ok(s.processes.ms_without_start < 0.7 * s.sequential.ms, 'processes overlap the waits once started');
  assert.ok(s.processes.start_cost_ms > 0, 'starting a process costs time');
  assert.ok(s.event_loop.ms < 0.7 * s.sequential.ms, 'one event loop overlaps the waits');
  assert.equal(s.sequential.peak_in_flight, 1);
  for (const mode of ['threads', 'processes', 'event_loop']) assert.equal(s[mode].peak_in_flight, 3, `${mode} had all 3 in flight`);
  for (const mode of ['sequential', 'threads', 'processes', 'event_loop']) {
    assert.equal(r[mode].bytes, 3 * 64 * 1024, `${mode} received every byte`);
    assert.equal(r[mode].downloads.length, 3);
    for (const d of r[mode].downloads) assert.equal(d.bytes, 64 * 1024);
  }
  // The work really happened where the lesson says: threads on distinct workers, processes in their own lanes.
  const threadLanes = outcome.lanes.filter((l) => l.group === 'simulated: threads');
  assert.equal(new Set(threadLanes.map((l) => l.worker)).size, 3);
  const processLanes = outcome.lanes.filter((l) => l.kind === 'process');
  assert.equal(processLanes.length, 6);
  for (const lane of processLanes) {
    const states = outcome.events.filter((e) => e.lane === lane.id).map((e) => e.state);
    assert.ok(states.includes('running') && states.at(-1) === 'finished', `${lane.name}: ${states}`);
  }
  assert.ok(outcome.events.some((e) => e.state === 'io'), 'real requests are drawn as I/O');
  assert.ok(outcome.output.some((o) => /file 2: 64\.0 KiB/.test(o.text)));
  assert.ok(outcome.values.report.verdict.includes('sequential'));
  assert.equal((await page.evaluate(() => window.playground.status())).processes, 0, 'every child process ended');
  assert.deepEqual(errors, []);
});

function checkQueuePipe(outcome, items, messages) {
  assert.equal(outcome.error, null);
  const v = outcome.values;
  assert.deepEqual(v.queue.items, [...Array(items).keys()], 'the items arrive in the order they were put');
  assert.equal(v.in_order, true);
  assert.equal(v.pipe.messages.length, messages);
  assert.deepEqual(v.pipe.messages.map((m) => m.value.seq), [...Array(messages).keys()], 'pipe messages in order');
  for (const m of [...v.queue.messages, ...v.pipe.messages]) {
    assert.ok(m.bytes > 0, 'every message has a size');
    assert.equal(m.bytes, new TextEncoder().encode(m.payload).length, 'the size is the bytes that crossed');
    // Each worker's clock (its time origin plus performance.now()) is rounded: to 5 µs when isolated, to
    // 100 µs (Chromium) or 1 ms (Firefox) otherwise. Two rounded readings can put a tiny delay up to two
    // steps below 0 (Firefox gave -1 ms on a non-isolated page).
    assert.ok(m.delay_ms >= -2.5 && m.delay_ms < 10_000, `delay ${m.delay_ms}`);
  }
  const sizes = v.pipe.messages.map((m) => m.bytes);
  for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i] > sizes[i - 1], `pipe messages grow: ${sizes}`);
  assert.equal(v.pipe.messages.at(-1).value.squares.length, 10 * (messages - 1));
  // Both children ran as separate processes and printed into the one log.
  assert.deepEqual(outcome.lanes.filter((l) => l.kind === 'process').map((l) => l.name), ['Process-1', 'Process-2']);
  assert.ok(outcome.output.some((o) => o.text === `q.put(${items - 1})`));
  assert.ok(outcome.output.some((o) => o.text.startsWith(`q.get() -> ${items - 1} (`)));
  return v;
}

test('queue-pipe: items arrive in order with their sizes and delays (isolated page)', async () => {
  const { page, errors } = shared;
  const outcome = await runLesson(page, 'queue-pipe', { items: 5, messages: 3 });
  const v = checkQueuePipe(outcome, 5, 3);
  console.log(`# queue: ${v.queue.messages.map((m) => `${m.payload} ${m.bytes} B ${fmt(m.delay_ms)}`).join('; ')}`);
  console.log(`# pipe: ${v.pipe.messages.map((m) => `${m.bytes} B ${fmt(m.delay_ms)}`).join('; ')}`);
  assert.equal((await page.evaluate(() => window.playground.status())).processes, 0, 'every child process ended');
  assert.deepEqual(errors, []);
});

test('queue-pipe: also runs on a page served without cross-origin isolation', async () => {
  const { page, errors, context } = await openPlayground(browser, plain.url);
  assert.equal(await page.evaluate(() => crossOriginIsolated), false);
  checkQueuePipe(await runLesson(page, 'queue-pipe', { items: 7, messages: 2 }), 7, 2);
  assert.deepEqual(errors, []);
  await context.close();
});

test('compare: one table of measured numbers; processes cost more to start; threads beat the event loop on CPU', async () => {
  const { page, errors } = shared;
  const outcome = await runLesson(page, 'compare', { tasks: 2, wait_ms: 200, work_ms: 300, time_scale: 100 });
  assert.equal(outcome.error, null);
  const v = outcome.values;
  const m = v.measured;
  console.log(`# ${Object.entries(m).map(([k, x]) => `${k}=${x < 1 ? x.toPrecision(3) : x.toFixed(1)}`).join(', ')}`);
  const expected = ['thread_start_ms', 'process_start_ms', 'process_start_join_ms', 'task_start_ms', 'process_memory_bytes',
    'task_memory_bytes', 'io_threads_ms', 'io_processes_ms', 'io_event_loop_ms', 'cpu_threads_ms', 'cpu_processes_ms', 'cpu_event_loop_ms'];
  assert.deepEqual(Object.keys(m).sort(), [...expected].sort(), 'every measured cell is reported');
  for (const [name, value] of Object.entries(m)) assert.ok(Number.isFinite(value) && value > 0, `${name} = ${value}`);
  assert.ok(m.process_start_ms > m.thread_start_ms, 'a process costs more to start than a thread');
  assert.ok(m.process_memory_bytes >= 64 * 1024, 'a process has a memory of its own');
  // Two waits of 200 ms overlap on every approach.
  for (const k of ['io_threads_ms', 'io_event_loop_ms']) assert.ok(m[k] >= 200 && m[k] < 0.7 * 400, `${k} = ${m[k]}`);
  assert.ok(m.io_processes_ms - v.io.processes_start_ms < 0.7 * 400, 'processes overlap the waits once started');
  // The event loop computes one task after another: about twice one task.
  assert.ok(m.cpu_event_loop_ms >= 1.5 * 300 * 0.8, `event loop CPU ${m.cpu_event_loop_ms}`);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  if (cores >= 2) assert.ok(m.cpu_threads_ms < m.cpu_event_loop_ms, `2 CPU tasks: threads ${m.cpu_threads_ms} vs event loop ${m.cpu_event_loop_ms}`);
  else console.log('# skip: one core, threads cannot compute in parallel');
  const table = v.report.tables[0];
  assert.deepEqual(table.headers, ['', 'Threads', 'Processes', 'asyncio (one event loop)']);
  assert.equal(table.rows.length, 5);
  assert.match(table.rows[1][1], /configured, not measured/);
  assert.match(table.rows[1][2], /measured in the child/);
  assert.deepEqual(errors, []);
});

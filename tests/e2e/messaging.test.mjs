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

// End-to-end tests for the synchronization lessons (curriculum rows 13, 14, 17, 18), in a real browser:
// real locks, queues, pools and primitives on thread workers sharing one memory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPlayground, runLesson } from './harness.mjs';

let browser, isolated, page, errors, context;

before(async () => {
  isolated = await serve({ isolation: true });
  browser = await launch();
  ({ page, errors, context } = await openPlayground(browser, isolated.url));
});

after(async () => {
  await context?.close();
  await browser?.close();
  isolated?.server.close();
});

/** The lanes of `group` and, from the recorded events in order, the most of them in `state` at once. */
function mostInState(outcome, group, state) {
  const lanes = new Set(outcome.lanes.filter((l) => l.group === group).map((l) => l.id));
  const inState = new Set();
  let most = 0;
  for (const e of outcome.events) {
    if (!lanes.has(e.lane)) continue;
    if (e.state === state) inState.add(e.lane); else inState.delete(e.lane);
    most = Math.max(most, inState.size);
  }
  return { lanes, most };
}

/** The most intervals [start, end) open at once (an end at the same instant as a start comes first). */
function maxOverlap(runs) {
  const edges = runs.flatMap((r) => [[r.start, 1], [r.end, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0, most = 0;
  for (const [, d] of edges) { now += d; most = Math.max(most, now); }
  return most;
}

test('deadlock: the cycle is detected within 1 s, the run recovers, both fixes complete', async () => {
  const outcome = await runLesson(page, 'deadlock', { hold_ms: 60, time_scale: 100 });
  assert.equal(outcome.error, null);
  const { deadlock, fixes } = outcome.values;
  assert.equal(deadlock.formed, true, 'the two threads must really deadlock');
  assert.equal(deadlock.cycle.length, 2);
  assert.deepEqual(deadlock.cycle.map((e) => e.holds).sort(), ['lock_a', 'lock_b']);
  assert.deepEqual(deadlock.cycle.map((e) => e.waits_for).sort(), ['lock_a', 'lock_b']);
  for (const e of deadlock.cycle) assert.notEqual(e.holds, e.waits_for, JSON.stringify(e));
  assert.ok(deadlock.detect_ms >= 0 && deadlock.detect_ms < 1000, `detected ${deadlock.detect_ms} ms after forming`);
  assert.equal(deadlock.threads.filter((t) => t.gave_up).length, 1, 'one victim gives up');
  assert.equal(deadlock.survivor_completed, true, 'the other thread finishes');
  // Both threads of the deadlock run were really blocked on a lock.
  const lanes = outcome.lanes.filter((l) => l.group === 'deadlock').map((l) => l.id);
  assert.equal(lanes.length, 2);
  for (const id of lanes) {
    assert.ok(outcome.events.some((e) => e.lane === id && e.state === 'waiting_lock'), `lane ${id} never waited for a lock`);
  }
  assert.equal(fixes.lock_order.completed, true);
  assert.equal(fixes.timeout_retry.completed, true);
  assert.ok(fixes.lock_order.ms >= 2 * 60 * 0.95, `one lock order serializes the two holds: ${fixes.lock_order.ms} ms`);
  console.log(`# deadlock detected after ${deadlock.detect_ms.toFixed(1)} ms; lock order ${fixes.lock_order.ms.toFixed(0)} ms; ` +
    `timeout+retry ${fixes.timeout_retry.ms.toFixed(0)} ms with ${fixes.timeout_retry.retries} retries`);
  assert.deepEqual(errors, []);
});

test('thread pool: at most M tasks at once, map in input order, the failure surfaces at result()', async () => {
  const M = 3, T = 8, TASK = 100;
  const outcome = await runLesson(page, 'thread-pool', { max_workers: M, tasks: T, task_ms: TASK, fail_task: 3, time_scale: 100 });
  assert.equal(outcome.error, null);
  const v = outcome.values;
  assert.equal(v.task_runs.length, 2 * T);
  for (const part of ['submit', 'map']) {
    const runs = v.task_runs.filter((r) => r.part === part);
    assert.equal(maxOverlap(runs), M, `${part}: tasks running at once`);
  }
  const workers = new Set(v.task_runs.map((r) => r.worker));
  assert.equal(workers.size, M);
  const laneNames = new Set(outcome.lanes.filter((l) => l.group === 'pool').map((l) => l.name));
  assert.equal(laneNames.size, M, 'the lanes are the pool\'s worker threads');
  for (const w of workers) assert.ok(laneNames.has(w), w);
  // map: input order, though finished in another order.
  assert.deepEqual(v.map.results, Array.from({ length: T }, (_, i) => (i + 1) ** 2));
  assert.notDeepEqual(v.map.completion_order, v.map.input_order, 'tasks of varying length finish out of order');
  // The exception: only task 3's result() raised, after the task had raised it on a worker.
  const results = v.submit.results;
  assert.deepEqual(results.filter((r) => r.error).map((r) => r.task), [3]);
  assert.equal(results[2].error, 'ValueError: task 3 failed');
  assert.equal(results[3].value, 16, 'later tasks still ran');
  assert.ok(v.submit.exception.surfaced_at >= v.submit.exception.raised_at);
  assert.ok(v.submit.submit_ms < TASK, `submit() returns at once (${v.submit.submit_ms} ms for all)`);
  // About ⌈T/M⌉ × task length per part.
  const model = Math.ceil(T / M) * TASK;
  for (const part of ['submit', 'map']) {
    assert.ok(v[part].ms > 0.8 * model && v[part].ms < 2.5 * model, `${part}: ${v[part].ms} ms vs ${model}`);
  }
  console.log(`# pool: part 1 ${v.submit.ms.toFixed(0)} ms, map ${v.map.ms.toFixed(0)} ms (model ${model}); ` +
    `map finished ${v.map.completion_order.join(',')}`);
  assert.deepEqual(errors, []);
});

test('producer and consumer: every item once, the queue stays bounded, 2 consumers beat 1', async () => {
  const outcome = await runLesson(page, 'producer-consumer',
    { items: 12, maxsize: 2, max_consumers: 3, produce_ms: 10, consume_ms: 60, time_scale: 100 });
  assert.equal(outcome.error, null);
  const runs = outcome.values.runs;
  assert.equal(runs.length, 3);
  for (const r of runs) {
    assert.deepEqual(r.consumed, Array.from({ length: 12 }, (_, i) => i), `${r.consumers} consumers: each item exactly once`);
    assert.ok(r.max_queue_len <= 2 && r.max_queue_len >= 1, `queue held ${r.max_queue_len}`);
    assert.equal(r.per_consumer.length, r.consumers);
  }
  assert.ok(runs[1].items_per_s > runs[0].items_per_s, `${runs[1].items_per_s} items/s with 2 vs ${runs[0].items_per_s} with 1`);
  assert.ok(runs[0].producer_full_blocks >= 1 && runs[0].producer_blocked_ms > 0, 'the producer blocked on a full queue');
  // The same block is on the timeline: the 1-consumer run's producer lane was waiting.
  const producer = outcome.lanes.find((l) => l.group === '1 consumer' && l.name.endsWith('(producer)'));
  assert.ok(outcome.events.some((e) => e.lane === producer.id && e.state === 'waiting'));
  console.log(`# items/s by consumers: ${runs.map((r) => r.items_per_s.toFixed(1)).join(', ')}; ` +
    `producer blocked ${runs[0].producer_blocked_ms.toFixed(0)} ms with 1`);
  assert.deepEqual(errors, []);
});

test('primitives: RLock, Lock, Event, Condition, Semaphore, BoundedSemaphore and Timer do what they claim', async () => {
  const N = 5, K = 2, HOLD = 80;
  const outcome = await runLesson(page, 'primitives', { threads: N, permits: K, hold_ms: HOLD, timer_ms: 100, time_scale: 100 });
  assert.equal(outcome.error, null);
  const v = outcome.values;
  assert.equal(v.rlock.reentered, true);
  assert.equal(v.lock.second_acquire, false, 'a plain Lock blocks its own holder');
  assert.ok(v.lock.waited_ms >= 0.95 * HOLD, `it waited ${v.lock.waited_ms} ms, the whole timeout`);
  assert.equal(v.lock.detector.cycle.length, 1);
  // Event: every waiter slept until set() and woke exactly once.
  assert.equal(v.event.waiters.length, N);
  for (const w of v.event.waiters) {
    assert.equal(w.woke, true);
    assert.equal(w.wakeups, 1, `${w.thread} woke ${w.wakeups} times`);
    assert.ok(w.latency_ms >= -1 && w.latency_ms < 250, `${w.thread}: ${w.latency_ms} ms after set()`);
  }
  assert.equal(v.event.all_woke_once, true);
  // Condition.
  assert.equal(v.condition.value, 42);
  assert.equal(v.condition.notified, true);
  assert.ok(v.condition.latency_ms < 250);
  // Semaphore: from the values and from the timeline.
  assert.equal(v.semaphore.max_holders, K);
  const { lanes, most } = mostInState(outcome, 'Semaphore', 'holding');
  assert.equal(lanes.size, N);
  assert.equal(most, K, `lanes holding at once on the timeline: ${most}`);
  for (const id of lanes) assert.ok(outcome.events.some((e) => e.lane === id && e.state === 'holding'));
  assert.ok(v.semaphore.ms >= Math.ceil(N / K) * HOLD * 0.95, `${v.semaphore.ms} ms for ${Math.ceil(N / K)} waves`);
  // BoundedSemaphore.
  assert.equal(v.bounded.error, 'ValueError: Semaphore released too many times');
  assert.equal(v.bounded.plain_value_after, K + 1);
  // Timer.
  assert.equal(v.timer.fired, true);
  assert.ok(v.timer.late_ms > -2 && v.timer.late_ms < 500, `late by ${v.timer.late_ms} ms`);
  assert.equal(v.timer.cancelled.ran, false);
  console.log(`# lock waited ${v.lock.waited_ms.toFixed(1)} ms; event latency ≤ ${v.event.max_latency_ms.toFixed(2)} ms; ` +
    `semaphore holders ${v.semaphore.max_holders}/${K}, ${v.semaphore.ms.toFixed(0)} ms; timer late ${v.timer.late_ms.toFixed(2)} ms`);
  assert.deepEqual(errors, []);
});

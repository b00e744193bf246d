// Exercises: every "fix it" challenge passes its check with a real fix and fails it with the broken code
// (both judged on real runs), a predict-then-run question is judged against the run's own measurements,
// progress survives a reload, and a teacher's link opens one exercise.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve, launch, openPlayground } from './harness.mjs';

const SHOTS = 'tests/e2e/screenshots';
let browser, isolated, session;

before(async () => {
  isolated = await serve({ isolation: true });
  browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });
  // One page (one browser context, so one localStorage) for the challenge and progress tests.
  session = await openPlayground(browser, isolated.url, { viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await session?.context.close();
  await browser?.close();
  isolated?.server.close();
});

/** Opens challenge `id` through its link in the lesson list, checks `fix`, and returns what the check said. */
async function check(page, id, fix) {
  await page.click(`a[data-exercise="${id}"]`);
  const box = `#challenge-${id}`;
  if (typeof fix === 'number') await page.fill(`${box} input[type=number]`, String(fix));
  else await page.check(`${box} input[value="${fix}"]`);
  await page.click(`${box} button.check`);
  await page.waitForFunction((sel) => {
    const verdict = document.querySelector(`${sel} .check-verdict`);
    return verdict && !document.querySelector(`${sel} button.check`).disabled;
  }, box, { timeout: 120_000 });
  return page.evaluate((sel) => ({
    pass: document.querySelector(`${sel} .check-verdict`).dataset.pass === 'true',
    verdict: document.querySelector(`${sel} .check-verdict`).textContent,
    rows: [...document.querySelectorAll(`${sel} .check-result tbody tr`)].map((tr) => [...tr.cells].map((c) => c.textContent)),
    badge: document.querySelector(`${sel} .badge`).textContent,
    status: document.querySelector(`${sel} .check-status`).textContent,
  }), box);
}

/** The numbers in a check row's "measured" cell. */
const numbers = (text) => [...text.replaceAll(',', '').matchAll(/\d+(\.\d+)?/g)].map((m) => Number(m[0]));

test('fix-counter: the lock passes (5 of 5 runs exact), the unlocked code fails (updates really lost)', async () => {
  const { page } = session;
  const good = await check(page, 'fix-counter', 'lock');
  assert.equal(good.pass, true, good.verdict);
  assert.equal(good.rows.length, 5);
  for (const [, measured, result] of good.rows) {
    const [actual, expected, lost] = numbers(measured);
    assert.equal(actual, 48_000_000, measured);
    assert.equal(expected, 48_000_000);
    assert.equal(lost, 0);
    assert.equal(result, 'ok');
  }
  assert.equal(good.badge, 'Passed ✓');
  const bad = await check(page, 'fix-counter', 'as-is');
  assert.equal(bad.pass, false, bad.verdict);
  const short = bad.rows.filter(([, measured]) => numbers(measured)[0] < 48_000_000);
  assert.ok(short.length >= 1, `at least one unlocked run lost updates: ${JSON.stringify(bad.rows)}`);
  for (const [, , result] of short) assert.equal(result, 'fails');
  assert.equal(bad.badge, 'Passed ✓', 'a later failure does not take away a pass');
  console.log(`# fix-counter: unlocked ${bad.verdict}`);
});

test('fix-deadlock: one lock order and timeout+retry pass; the opposite order and RLocks deadlock and fail', async () => {
  const { page } = session;
  for (const fix of ['order', 'timeout']) {
    const r = await check(page, 'fix-deadlock', fix);
    assert.equal(r.pass, true, `${fix}: ${r.verdict} ${JSON.stringify(r.rows)}`);
    assert.equal(r.rows.length, 3);
  }
  for (const fix of ['as-is', 'rlock']) {
    const r = await check(page, 'fix-deadlock', fix);
    assert.equal(r.pass, false, `${fix}: ${r.verdict}`);
    assert.ok(r.rows.every(([, measured, result]) => measured.startsWith('deadlock: ') && result === 'fails'), JSON.stringify(r.rows));
  }
});

test('threads-or-processes: threads meet one wait + 30 ms; processes pay their start cost and fail; sequential fails', async () => {
  const { page } = session;
  const threads = await check(page, 'threads-or-processes', 'threads');
  assert.equal(threads.pass, true, `${threads.verdict} ${JSON.stringify(threads.rows)}`);
  for (const [, measured] of threads.rows) assert.ok(numbers(measured)[1] <= 80, measured);
  const processes = await check(page, 'threads-or-processes', 'processes');
  assert.equal(processes.pass, false, processes.verdict);
  for (const [, measured] of processes.rows) assert.ok(numbers(measured)[1] > 80 && /starting the processes/.test(measured), measured);
  const sequential = await check(page, 'threads-or-processes', 'sequential');
  assert.equal(sequential.pass, false, sequential.verdict);
  for (const [, measured] of sequential.rows) assert.ok(numbers(measured)[1] >= 16 * 50 * 0.95, measured);
  console.log(`# threads ${threads.rows.map((r) => r[1]).join(' / ')}; processes ${processes.rows.map((r) => r[1]).join(' / ')}`);
});

test('bound-the-pool: 4 workers pass; 12 run too many at once; 2 are too slow', async () => {
  const { page } = session;
  const four = await check(page, 'bound-the-pool', 4);
  assert.equal(four.pass, true, `${four.verdict} ${JSON.stringify(four.rows)}`);
  const twelve = await check(page, 'bound-the-pool', 12);
  assert.equal(twelve.pass, false);
  assert.ok(twelve.rows.every(([, m]) => /at most 12 at once/.test(m)), JSON.stringify(twelve.rows));
  const two = await check(page, 'bound-the-pool', 2);
  assert.equal(two.pass, false);
  assert.ok(two.rows.every(([, m]) => /at most 2 at once/.test(m) && numbers(m.split('took')[1])[0] > 200), JSON.stringify(two.rows));
});

test('event-not-polling: the Event passes; polling fails (too many wake-ups, or too late)', async () => {
  const { page } = session;
  const event = await check(page, 'event-not-polling', 'event');
  assert.equal(event.pass, true, `${event.verdict} ${JSON.stringify(event.rows)}`);
  for (const [, m] of event.rows) assert.equal(numbers(m)[1], 5, `5 threads woke 5 times: ${m}`);
  const fast = await check(page, 'event-not-polling', 'poll-fast');
  assert.equal(fast.pass, false);
  for (const [, m] of fast.rows) assert.ok(numbers(m)[1] > 5 * 10, `polling every 1 ms wakes many times: ${m}`);
  const slow = await check(page, 'event-not-polling', 'poll-slow');
  assert.equal(slow.pass, false);
  for (const [, m] of slow.rows) assert.ok(numbers(m).at(-1) > 20, `polling every 100 ms notices late: ${m}`);
  await page.locator('#challenge-event-not-polling').screenshot({ path: `${SHOTS}/exercise-desktop.png` });
});

test('progress survives a reload: passed challenges and right predictions are still shown', async () => {
  const { page } = session;
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('playground.exercises.v1')));
  assert.equal(stored.challenges['fix-counter'].passed, true);
  assert.equal(stored.challenges['fix-deadlock'].passed, true);
  await page.reload();
  await page.waitForFunction(() => window.playground !== undefined);
  await page.waitForSelector('#exercise-nav');
  const done = await page.$$eval('#exercise-nav a', (as) => as.filter((a) => a.querySelector('.done')).map((a) => a.dataset.exercise));
  assert.deepEqual(done.sort(), ['bound-the-pool', 'event-not-polling', 'fix-counter', 'fix-deadlock', 'threads-or-processes']);
  await page.click('a[data-exercise="fix-counter"]');
  assert.equal(await page.textContent('#challenge-fix-counter .badge'), 'Passed ✓');
  assert.equal(await page.isChecked('#challenge-fix-counter input[value="as-is"]'), true, 'the last choice is restored');
});

/** Waits for the next outcome the page reports (the same object the page drew its results from). */
const nextOutcome = (page) => page.evaluate(() => new Promise((resolve) => {
  document.addEventListener('playground:outcome', (e) => resolve(e.detail), { once: true });
}));

test('predict then run: the answer comes from the measured run, so the same prediction is right or wrong', async () => {
  const { page, errors, context } = await openPlayground(browser, `${isolated.url}?lesson=join-timeout&time_scale=10&worker_ms=3000&timeout_ms=1000`);
  await page.check('#predict-yes');
  let outcome = nextOutcome(page);
  await page.click('#run');
  let o = await outcome;
  await page.waitForSelector('.predict-result');
  // The worker outlived the timeout in this run: is_alive() was really True.
  assert.equal(o.values.alive_after_join, true);
  assert.ok(o.values.worker_finished_ms > o.values.join_returned_after_ms);
  assert.equal(await page.getAttribute('.predict-result', 'data-right'), 'true');
  assert.match(await page.textContent('.predict-result'), /^Right/);

  // Same prediction, but now the worker finishes before the timeout: the measured answer flips.
  await page.fill('#param-worker_ms', '500');
  await page.check('#predict-yes');
  outcome = nextOutcome(page);
  await page.click('#run');
  o = await outcome;
  await page.waitForFunction(() => document.querySelector('.predict-result')?.dataset.right === 'false', null, { timeout: 30_000 });
  assert.equal(o.values.alive_after_join, false);
  const text = await page.textContent('.predict-result');
  assert.match(text, /Not this time/);
  const shown = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  assert.ok(text.includes(`returned after ${shown(o.values.join_returned_after_ms)} ms`), text);

  // A number question: the pool's real maximum overlap, from the run's task start and end times.
  await page.click('a[data-lesson="thread-pool"]');
  await page.fill('#param-time_scale', '10');
  await page.fill('#predict-input', '3');
  outcome = nextOutcome(page);
  await page.click('#run');
  o = await outcome;
  await page.waitForSelector('.predict-result');
  const runs = o.values.task_runs;
  let most = 0;
  for (const r of runs) most = Math.max(most, runs.filter((q) => q.start <= r.start && r.start < q.end).length);
  assert.equal(most, o.values.max_overlap);
  assert.equal(await page.getAttribute('.predict-result', 'data-right'), String(o.values.max_overlap === 3));
  // join-timeout's last prediction was wrong; the pool's is right when the pool really ran 3 at once.
  assert.match(await page.textContent('.nav-progress'), new RegExp(`^Predictions right: ${o.values.max_overlap === 3 ? 1 : 0} of \\d+ lessons$`));
  assert.deepEqual(errors, []);
  await context.close();
});

test('every lesson asks a prediction before its run', async () => {
  const { page, context } = await openPlayground(browser, isolated.url);
  const lessons = await page.evaluate(() => window.playground.lessons.map((l) => l.id));
  for (const id of lessons) {
    await page.click(`a[data-lesson="${id}"]`);
    const q = await page.evaluate(() => {
      const box = document.getElementById('predict');
      const form = document.getElementById('params-form');
      return { shown: !box.hidden, before: Boolean(box.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING),
        legend: box.querySelector('legend')?.textContent ?? '', inputs: box.querySelectorAll('input').length };
    });
    assert.ok(q.shown && q.before && q.legend.length > 10 && q.inputs >= 1, `${id}: ${JSON.stringify(q)}`);
  }
  await context.close();
});

test('a teacher\'s link opens one exercise; an unknown one is named as text', async () => {
  const { page, errors, context } = await openPlayground(browser, `${isolated.url}?exercise=bound-the-pool`);
  await page.waitForFunction(() => document.activeElement?.id === 'challenge-bound-the-pool-h', null, { timeout: 10_000 });
  assert.equal(await page.textContent('#lesson-title'), 'Thread pool');
  assert.equal(await page.getAttribute('#challenge-bound-the-pool', 'class'), 'challenge linked');
  await page.screenshot({ path: `${SHOTS}/exercise-link-desktop.png` });
  await context.close();

  const q = await openPlayground(browser, `${isolated.url}?exercise=predict-counter`);
  await q.page.waitForFunction(() => document.activeElement?.id === 'predict-h', null, { timeout: 10_000 });
  assert.equal(await q.page.textContent('#lesson-title'), 'Shared counter: race and lock');
  await q.context.close();

  const bad = await openPlayground(browser, `${isolated.url}?exercise=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
  await bad.page.waitForSelector('#exercises .notice');
  assert.match(await bad.page.textContent('#exercises .notice'), /There is no exercise "<img src=x onerror=alert\(1\)>"/);
  assert.equal(await bad.page.$('#exercises img'), null, 'the name is text, not markup');
  assert.deepEqual([...errors, ...bad.errors], []);
  await bad.context.close();
});

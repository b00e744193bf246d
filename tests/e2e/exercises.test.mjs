// Exercises: a predict-then-run question is judged against the run's own measurements, every lesson
// asks one, and a link opens one. (The fix-it challenges on code: challenges.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPlayground } from './harness.mjs';

let browser, isolated;

before(async () => {
  isolated = await serve({ isolation: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  isolated?.server.close();
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
  // The text shows the measured time rounded (Rust's formatting, which rounds a tie such as 50.25 to even,
  // where JavaScript's toFixed rounds it up): the number shown is the measurement to within half its last digit.
  const returned = Number(/returned after ([\d.]+) ms/.exec(text)?.[1]);
  const v = o.values.join_returned_after_ms;
  const halfDigit = v >= 100 ? 0.5 : v >= 10 ? 0.05 : 0.005;
  assert.ok(Math.abs(returned - v) <= halfDigit + 1e-9, `${text} (measured ${v} ms)`);

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

test('a teacher\'s link opens a lesson\'s question; an unknown exercise is named as text', async () => {
  const q = await openPlayground(browser, `${isolated.url}?exercise=predict-counter`);
  await q.page.waitForFunction(() => document.activeElement?.id === 'predict-h', null, { timeout: 10_000 });
  assert.equal(await q.page.textContent('#lesson-title'), 'Shared counter: race and lock');
  await q.context.close();

  const bad = await openPlayground(browser, `${isolated.url}?exercise=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
  await bad.page.waitForSelector('#exercises .notice');
  assert.match(await bad.page.textContent('#exercises .notice'), /There is no exercise "<img src=x onerror=alert\(1\)>"/);
  assert.equal(await bad.page.$('#exercises img'), null, 'the name is text, not markup');
  assert.deepEqual(bad.errors, []);
  await bad.context.close();
});

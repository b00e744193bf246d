// End-to-end tests in a real browser (Debian's Chromium via Playwright) against the built dist/:
// real thread workers on shared memory, real process workers, the page, and the page without isolation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPlayground, runLesson, overlappingRunningLanes } from './harness.mjs';

let browser, isolated, plain;

before(async () => {
  isolated = await serve({ isolation: true });
  plain = await serve({ isolation: false });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  isolated?.server.close();
  plain?.server.close();
});

test('the page is cross-origin isolated, lists the counter lesson and logs no errors', async () => {
  const { page, errors, context } = await openPlayground(browser, isolated.url);
  const info = await page.evaluate(() => ({
    isolated: crossOriginIsolated,
    lessons: window.playground.lessons.map((l) => l.id),
    title: document.getElementById('lesson-title').textContent,
  }));
  assert.equal(info.isolated, true);
  assert.ok(info.lessons.includes('counter') && info.lessons.includes('process-counter'));
  assert.equal(info.title, 'Threads start and join', 'the first lesson of the curriculum opens by default');
  assert.deepEqual(errors, []);
  await context.close();
});

test('counter: the lock and the atomic are exact, the race loses updates, threads overlap on real workers', async () => {
  const { page, errors, context } = await openPlayground(browser, isolated.url);
  const outcome = await runLesson(page, 'counter', { threads: 4, increments: 1_000_000, repeats: 5 });
  assert.equal(outcome.error, null);
  const byVariant = Object.fromEntries(outcome.values.variants.map((v) => [v.variant, v]));
  for (const name of ['locked', 'atomic']) {
    for (const trial of byVariant[name].trials) assert.equal(trial.actual, 4_000_000, `${name} must be exact`);
  }
  const unlocked = byVariant.unlocked;
  for (const trial of unlocked.trials) assert.ok(trial.actual <= 4_000_000 && trial.actual > 0);
  console.log(`# unlocked runs losing updates: ${unlocked.trials_losing_updates} of 5; lost: ${unlocked.trials.map((t) => t.lost).join(', ')}`);
  assert.ok(unlocked.trials_losing_updates >= 1, 'without a lock, at least one of five runs must lose updates');
  // Real parallelism: in some run, two thread workers were running at the same time.
  const groups = [...new Set(outcome.lanes.filter((l) => l.kind === 'thread').map((l) => l.group))];
  const overlapping = groups.some((g) => {
    const ids = outcome.lanes.filter((l) => l.group === g).map((l) => l.id);
    return overlappingRunningLanes(outcome, ids).length > 0;
  });
  assert.ok(overlapping, 'at least two threads must run at overlapping times');
  const workers = new Set(outcome.lanes.filter((l) => l.kind === 'thread').map((l) => l.worker));
  assert.ok(workers.size >= 4, `threads ran on ${workers.size} distinct workers`);
  assert.equal(outcome.lanes.filter((l) => l.kind === 'thread').length, 4 * 3 * 5);
  assert.deepEqual(errors, []);
  await context.close();
});

test('thread workers are started once and reused between runs', async () => {
  const { page, context } = await openPlayground(browser, isolated.url);
  await runLesson(page, 'counter', { threads: 6, increments: 1000, repeats: 1 });
  const first = await page.evaluate(() => window.playground.status());
  await runLesson(page, 'counter', { threads: 3, increments: 1000, repeats: 2 });
  const second = await page.evaluate(() => window.playground.status());
  assert.equal(first.thread_workers, 7, 'six threads and the main thread');
  assert.equal(second.thread_workers, 7, 'no new workers for a smaller run');
  assert.equal(second.busy, 0);
  await context.close();
});

test('processes do not share memory: the parent counter stays 0, counts come back by message', async () => {
  const { page, errors, context } = await openPlayground(browser, isolated.url);
  const outcome = await runLesson(page, 'process-counter', { processes: 3, increments: 200_000, repeats: 2 });
  assert.equal(outcome.error, null);
  const v = outcome.values;
  assert.equal(v.parent_counter, 0);
  assert.equal(v.rounds.length, 2);
  for (const round of v.rounds) {
    assert.equal(round.total_via_messages, 600_000);
    for (const child of round.children) {
      assert.equal(child.count, 200_000, 'each process counted in its own copy, from 0');
      assert.equal(child.exit_code, 0);
      assert.ok(child.start_ms > 0 && child.message_bytes > 20);
    }
  }
  const processLanes = outcome.lanes.filter((l) => l.kind === 'process');
  assert.equal(processLanes.length, 6);
  assert.ok(outcome.output.some((o) => /my counter = 200000/.test(o.text)), 'children print into the one log');
  assert.equal((await page.evaluate(() => window.playground.status())).processes, 0, 'process workers end');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the rayon pool runs data-parallel work on several workers', async () => {
  const { page, context } = await openPlayground(browser, isolated.url);
  const probe = await page.evaluate(() => window.playground.rayonProbe(1 << 20));
  const n = 2 ** 20;
  assert.equal(probe.sum, (n * (n - 1)) / 2);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  if (cores >= 2) assert.ok(probe.threads_used >= 2, `rayon used ${probe.threads_used} threads`);
  else console.log('# skip: one core, rayon cannot show parallelism');
  await context.close();
});

test('the page runs the counter from the keyboard and draws results and a timeline', async () => {
  const { page, errors, context } = await openPlayground(browser, `${isolated.url}?lesson=counter`);
  await page.focus('#param-threads');
  await page.fill('#param-threads', '3');
  await page.fill('#param-increments', '200000');
  await page.fill('#param-repeats', '1');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.timeline-svg', { timeout: 60_000 });
  const verdict = await page.textContent('.verdict');
  assert.match(verdict, /lost updates|no run without a lock lost/);
  const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => tr.children[0].textContent));
  assert.deepEqual(rows, ['no lock', 'with Lock', 'atomic add']);
  // Every thread lane shown has a drawn "running" bar; the main thread has a lane too.
  const drawn = await page.evaluate(() => {
    const labels = [...document.querySelectorAll('.timeline-svg text.lane-label')].map((t) => [t.dataset.lane, t.textContent]);
    return labels.map(([id, name]) => [name, document.querySelectorAll(`.timeline-svg rect[data-lane="${id}"][data-state="running"]`).length]);
  });
  assert.equal(drawn.length, 4, JSON.stringify(drawn));
  // (The main thread mostly waits in join(); its few microseconds of running may be too short to draw.)
  for (const [name, bars] of drawn) if (name.startsWith('Thread-')) assert.ok(bars >= 1, `${name} has no running bar`);
  assert.match(await page.textContent('#output'), /no lock, run 1: expected 600000/);
  assert.match(page.url(), /threads=3/);
  // The Run button itself is reachable by Tab from the last parameter.
  const lastParam = await page.evaluate(() => [...document.querySelectorAll('#params input, #params select')].at(-1).id);
  await page.focus(`#${lastParam}`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'run');
  assert.deepEqual(errors, []);
  await context.close();
});

test('bad parameters in the URL are clamped with a visible notice; an unknown lesson is named', async () => {
  const { page, context } = await openPlayground(browser, `${isolated.url}?lesson=counter&threads=1000&increments=abc&repeats=1`);
  await page.fill('#param-increments', '1000');
  await page.click('#run');
  await page.waitForSelector('.timeline-svg', { timeout: 60_000 });
  const notices = await page.$$eval('#notices li', (li) => li.map((l) => l.textContent));
  assert.ok(notices.some((n) => /Threads = 1000 is above the maximum 64; using 64/.test(n)), JSON.stringify(notices));
  assert.equal(await page.inputValue('#param-threads'), '64');
  await context.close();

  const other = await openPlayground(browser, `${isolated.url}?lesson=%3Cscript%3E`);
  const shown = await other.page.textContent('#notices');
  assert.match(shown, /There is no lesson "<script>"/);
  assert.equal(await other.page.$('#notices script'), null, 'text, never markup');
  await assert.rejects(other.page.evaluate(() => window.playground.run('nope', {})), /There is no lesson "nope". Lessons: threads-join, .*counter, process-counter/);
  await other.context.close();
});

test('without isolation the page says why threads are unavailable and process lessons still run', async () => {
  const { page, errors, context } = await openPlayground(browser, plain.url);
  assert.equal(await page.evaluate(() => crossOriginIsolated), false);
  const banner = await page.textContent('#isolation-banner');
  assert.match(banner, /not cross-origin isolated/);
  assert.match(banner, /Cross-Origin-Embedder-Policy: require-corp/);
  assert.equal(await page.evaluate(() => window.playground.lessons.find((l) => l.title === document.getElementById('lesson-title').textContent).engine), 'processes', 'opens on a lesson that can run here');
  assert.equal(await page.isDisabled('#run'), false);
  await page.click('a[data-lesson="counter"]');
  assert.equal(await page.isDisabled('#run'), true, 'the thread lesson cannot be run');
  assert.match(await page.textContent('#run-status'), /needs threads/);
  await assert.rejects(page.evaluate(() => window.playground.run('counter', {})), /Threads are unavailable/);
  const outcome = await runLesson(page, 'process-counter', { processes: 2, increments: 1000, repeats: 1 });
  assert.equal(outcome.error, null);
  assert.equal(outcome.values.parent_counter, 0);
  assert.equal(outcome.values.rounds[0].total_via_messages, 2000);
  assert.deepEqual(errors, []);
  await context.close();
});

test('readable on a phone: no sideways scrolling at 375 px', async () => {
  const { page, context } = await openPlayground(browser, isolated.url, { viewport: { width: 375, height: 800 } });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await context.close();
});

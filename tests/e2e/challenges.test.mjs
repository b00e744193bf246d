// Fix-it challenges on code, as a learner and a teacher meet them: open fix-counter, edit the code to
// take the lock, and Check my fix passes where the unlocked starter fails; every built-in challenge
// passes with its solution and fails with its starter, judged on real runs; progress and the learner's
// code survive a reload; a challenge a teacher wrote by hand (tests/e2e/fixtures/teacher-challenge.json,
// following docs/challenges.md) loads from a link and from an embed; a broken one names its field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve, launch, openPlayground, BROWSER } from './harness.mjs';

const SHOTS = 'tests/e2e/screenshots';
let browser, isolated, session;

before(async () => {
  isolated = await serve({ isolation: true });
  browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });
  // One page (one browser context, so one localStorage) for the learner's tests.
  session = await openPlayground(browser, isolated.url, { viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await session?.context.close();
  await browser?.close();
  isolated?.server.close();
});

/** Presses Check my fix and waits for the verdict. */
async function checkFix(page) {
  await page.click('#check-fix');
  await page.waitForFunction(() => document.querySelector('#check-status.check-verdict') && !document.getElementById('check-fix').disabled,
    null, { timeout: 240_000 });
  return page.evaluate(() => ({
    pass: document.getElementById('check-status').dataset.pass === 'true',
    status: document.getElementById('check-status').textContent,
    rows: [...document.querySelectorAll('#check-result tbody tr')].map((tr) => [...tr.cells].map((c) => c.textContent)),
  }));
}

/** A link that opens challenge `id` with `code` in the editor (as a learner's shared attempt does). */
async function linkWithCode(page, id, code) {
  const packed = await page.evaluate(async (src) => (await import(new URL('www/vendor/editor.js', location.href).href))
    .compressToEncodedURIComponent(src), code);
  return `${isolated.url}?lesson=code&exercise=${id}&code=${packed}`;
}

test('a new user: open fix-counter, the unlocked starter fails; edit it to take the lock, and Check my fix passes', async () => {
  const { page, errors } = session;
  await page.click('a[data-exercise="fix-counter"]');
  await page.waitForSelector('#code-challenge');
  await page.waitForSelector('#editor .cm-content');
  assert.equal(await page.textContent('#lesson-title'), 'Your code');
  assert.match(page.url(), /exercise=fix-counter/);
  assert.match(await page.textContent('#editor .cm-content'), /counter \+= 1/);
  assert.match(await page.textContent('#code-challenge'), /free-threaded/);
  // The starter: updates really lost, said in numbers.
  const bad = await checkFix(page);
  assert.equal(bad.pass, false, bad.status);
  assert.match(bad.status, /^Not yet\. 0 of 1 run passed\. Run 1: counter is [\d,]+ of 400,000: [\d,]+ updates were lost\. The check stopped at the first failing run \(of 5\)\.$/);
  assert.ok(bad.rows.some(([, test, , result]) => test === 'the invariant' && result === 'fails'), JSON.stringify(bad.rows));
  // A hint, on request.
  await page.click('#show-hint');
  assert.match(await page.textContent('#hints'), /threading\.Lock/);
  // The learner's edit, typed: a lock after the counter, and the update under it.
  await page.locator('#editor .cm-line', { hasText: /^counter = 0$/ }).click();
  await page.keyboard.press('End');
  await page.keyboard.type('\nlock = threading.Lock()');
  await page.locator('#editor .cm-line', { hasText: /^\s*counter \+= 1$/ }).click();
  await page.keyboard.press('Home');
  await page.keyboard.type('with lock:\n');
  assert.match(await page.textContent('#editor .cm-content'), /with lock:\s*counter \+= 1/);
  const good = await checkFix(page);
  assert.equal(good.pass, true, `${good.status}\n${await page.textContent('#editor .cm-content')}`);
  assert.equal(good.status, 'Passed. 5 of 5 runs passed.');
  assert.equal(good.rows.filter(([, test]) => test === 'the invariant').length, 5);
  assert.equal(await page.textContent('#code-challenge .badge'), 'Passed ✓');
  assert.match(await page.textContent('#solution summary'), /A solution/);
  await page.locator('#code-challenge').screenshot({ path: `${SHOTS}/challenge-fix-counter.png` });
  assert.deepEqual(errors, []);
});

test('the learner\'s code and progress survive a reload; the lesson page lists its challenges', async () => {
  const { page } = session;
  await page.reload();
  await page.waitForFunction(() => window.playground !== undefined);
  await page.waitForSelector('#code-challenge');
  assert.match(await page.textContent('#editor .cm-content'), /with lock:/, 'the edited code came back');
  assert.equal(await page.textContent('#code-challenge .badge'), 'Passed ✓');
  const done = await page.$$eval('#exercise-nav a', (as) => as.filter((a) => a.querySelector('.done')).map((a) => a.dataset.exercise));
  assert.deepEqual(done, ['fix-counter']);
  // The counter lesson's page offers it, and leaving the challenge drops it from the link.
  await page.click('a[data-lesson="counter"]');
  assert.doesNotMatch(page.url(), /exercise=/);
  await page.waitForSelector('#challenge-fix-counter [data-open-challenge]');
  await page.click('#challenge-fix-counter [data-open-challenge]');
  await page.waitForSelector('#code-challenge');
  assert.match(await page.textContent('#editor .cm-content'), /with lock:/);
});

test('every built-in challenge passes with its solution and fails with its starter, judged on real runs', async () => {
  const { page, errors } = session;
  const challenges = await page.evaluate(() => window.playground.challenges);
  assert.ok(challenges.length >= 10);
  for (const ch of challenges) {
    if (ch.id === 'fix-counter') continue; // above, edited by hand
    for (const [which, code, wanted] of [['starter', ch.starter, false], ['solution', ch.solution, true]]) {
      await page.goto(await linkWithCode(page, ch.id, code));
      await page.waitForSelector('#code-challenge');
      const t0 = Date.now();
      const verdict = await checkFix(page);
      console.log(`# ${BROWSER} ${ch.id} ${which}: ${verdict.status} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      assert.equal(verdict.pass, wanted, `${ch.id} ${which}: ${verdict.status}`);
      if (!wanted) assert.match(verdict.status, /^Not yet\. .*Run 1: .+/);
    }
  }
  assert.deepEqual(errors, []);
});

test('a teacher\'s challenge, written by hand from the docs, loads from a file and a link; a broken one names its field', async () => {
  const { page, errors, context } = await openPlayground(browser, isolated.url);
  const text = fs.readFileSync('tests/e2e/fixtures/teacher-challenge.json', 'utf8');
  await context.route('**/challenges/teacher.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: text }));
  try {
    await page.goto(`${isolated.url}?lesson=code&challenge_url=challenges/teacher.json`);
    await page.waitForSelector('#code-challenge');
    assert.match(await page.textContent('#challenge-h'), /Add up in threads/);
    const bad = await checkFix(page);
    assert.equal(bad.pass, false, bad.status);
    assert.match(bad.status, /Run 1: the total is \d+, \d+ short/);
    // The same challenge by a link made for it, solved.
    const link = await page.evaluate((t) => window.playground.challengeLink(t), text);
    assert.match(link, /\?lesson=code&challenge=/);
    await page.goto(link);
    await page.waitForSelector('#code-challenge');
    await page.locator('#editor .cm-line', { hasText: /^total = 0$/ }).click();
    await page.keyboard.press('End');
    await page.keyboard.type('\nlock = threading.Lock()');
    await page.locator('#editor .cm-line', { hasText: /^\s*total \+= n \* n$/ }).click();
    await page.keyboard.press('Home');
    await page.keyboard.type('with lock:\n');
    const good = await checkFix(page);
    assert.equal(good.pass, true, good.status);
    // A mistake in a challenge file is named, field and all.
    const broken = JSON.stringify({ ...JSON.parse(text), check: { runs: 0 } });
    const brokenLink = await page.evaluate(async (t) => {
      const { compressToEncodedURIComponent } = await import(new URL('www/vendor/editor.js', location.href).href);
      return `?lesson=code&challenge=${compressToEncodedURIComponent(t)}`;
    }, broken);
    await page.goto(`${isolated.url}${brokenLink}`);
    await page.waitForSelector('#exercises .notice');
    assert.match(await page.textContent('#exercises .notice'), /^This challenge could not be read: "check\.runs" must be a whole number from 1 to 20$/);
    await page.goto(`${isolated.url}?lesson=code&challenge_url=${encodeURIComponent('https://example.com/c.json')}`);
    await page.waitForSelector('#exercises .notice');
    assert.match(await page.textContent('#exercises .notice'), /must be on this site/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an embed opens a challenge: a built-in one by id, a teacher\'s from a <script type="application/json"> child', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const text = fs.readFileSync('tests/e2e/fixtures/teacher-challenge.json', 'utf8');
  await page.route('**/challenge-host.html', (route) => route.fulfill({
    status: 200,
    headers: { 'content-type': 'text/html', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' },
    body: `<!doctype html><title>host</title><script src="/embed.js"></script>
<concurrency-playground id="a" challenge="lazy-init" height="900"></concurrency-playground>
<concurrency-playground id="b" height="900"><script type="application/json">${text}</script></concurrency-playground>`,
  }));
  try {
    await page.goto(`${isolated.url}challenge-host.html`);
    const frames = () => page.frames().filter((f) => f !== page.mainFrame());
    await page.waitForFunction(() => document.querySelectorAll('iframe').length === 2);
    for (const [i, title] of [[0, /Remove a check-then-act race/], [1, /Add up in threads/]]) {
      const frame = await (await page.$$('iframe'))[i].contentFrame();
      await frame.waitForSelector('#code-challenge', { timeout: 60_000 });
      assert.match(await frame.textContent('#challenge-h'), title);
      assert.equal(await frame.isVisible('#check-fix'), true);
    }
    assert.equal(frames().length, 2);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

// Accessibility: an axe scan of every lesson page before and after a run (no serious or critical
// violations), a keyboard-only run whose result is announced in a live region, and a 375 px wide phone
// screen without horizontal scrolling. Screenshots land in tests/e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { serve, launch, openPlayground, BROWSER } from './harness.mjs';

const SHOTS = 'tests/e2e/screenshots';
let browser, isolated;

before(async () => {
  isolated = await serve({ isolation: true });
  browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  isolated?.server.close();
});

/** Serious and critical violations on the page, as readable lines. */
async function scan(page, where) {
  const result = await new AxeBuilder({ page }).analyze();
  assert.ok(result.passes.length > 20, `axe really checked ${where} (${result.passes.length} rules passed)`);
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

/** Smaller waits so the whole catalogue runs in reasonable time. */
async function quicken(page) {
  if (await page.$('#param-time_scale')) await page.fill('#param-time_scale', '10');
}

async function runFromPage(page) {
  await page.click('#run');
  await page.waitForFunction(() => /Finished|failed/.test(document.getElementById('run-status').textContent), null, { timeout: 180_000 });
}

// axe judges the DOM, the accessibility tree and computed styles, which the two browsers build alike from
// the same page; over WebDriver BiDi a scan costs Firefox about 10 s (7 of its 19 minutes went to this test).
// So Chromium scans every lesson page and Firefox the first two, while both run and check every lesson.
const SCANNED = BROWSER === 'chromium' ? Infinity : 2;

test('axe: every lesson page, before and after a run, has no serious or critical violations', async () => {
  const { page, errors, context } = await openPlayground(browser, isolated.url, { viewport: { width: 1280, height: 900 } });
  const lessons = await page.evaluate(() => window.playground.lessons.map((l) => l.id));
  assert.ok(lessons.length >= 18, `${lessons.length} lessons`);
  const found = [];
  for (const [i, id] of lessons.entries()) {
    const scanned = i < SCANNED;
    await page.click(`a[data-lesson="${id}"]`);
    if (scanned) found.push(...await scan(page, `${id} before a run`));
    await quicken(page);
    await runFromPage(page);
    assert.match(await page.textContent('#run-status'), /Finished/, id);
    // Open every disclosure (timeline as text, charts as tables) so their contents are scanned too.
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    if (scanned) found.push(...await scan(page, `${id} after a run`));
    // The lesson's predict-then-run question was answered from this run's measurements.
    const feedback = await page.textContent('#predict-feedback');
    assert.match(feedback, /Measured: /, `${id}: ${feedback}`);
    assert.doesNotMatch(feedback, /could not answer/, `${id}: ${feedback}`);
  }
  assert.deepEqual(found, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard only: Tab to Run, Enter runs the lesson, the result is announced in a live region', async () => {
  const { page, errors, context } = await openPlayground(browser, `${isolated.url}?lesson=threads-join&time_scale=10`, { viewport: { width: 1280, height: 900 } });
  const seen = [];
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const a = document.activeElement;
      const style = getComputedStyle(a);
      return { id: a.id, tag: a.tagName, text: (a.textContent ?? '').trim().slice(0, 30), outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    seen.push(focus);
    // Every stop has a visible focus ring (the page's :focus-visible outline).
    assert.ok(focus.outline !== 'none' && focus.width >= 2, `no visible focus on ${focus.tag}#${focus.id} "${focus.text}"`);
    if (focus.id === 'run') break;
  }
  assert.equal(seen.at(-1).id, 'run', `Tab reached Run (${seen.length} presses)`);
  assert.ok(seen.some((f) => f.tag === 'A' && f.text.startsWith('Skip')), 'the skip link comes first');
  assert.ok(seen.some((f) => f.tag === 'INPUT' && f.id === 'param-time_scale'), 'the parameters are reachable');
  const live = await page.evaluate(() => {
    const a = document.getElementById('announce');
    return { role: a.getAttribute('role'), live: a.getAttribute('aria-live'), text: a.textContent };
  });
  assert.deepEqual([live.role, live.live, live.text], ['status', 'polite', '']);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /run finished/.test(document.getElementById('announce').textContent), null, { timeout: 30_000 });
  const announced = await page.textContent('#announce');
  const verdict = await page.textContent('#results .verdict');
  assert.ok(announced.includes(verdict), announced);
  assert.match(announced, /threads each slept 200 ms/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('375 px wide: every lesson page fits without horizontal scrolling, also with results and an exercise', async () => {
  const { page, errors, context } = await openPlayground(browser, isolated.url, { viewport: { width: 375, height: 800 } });
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const lessons = await page.evaluate(() => window.playground.lessons.map((l) => l.id));
  for (const id of lessons) {
    await page.click(`a[data-lesson="${id}"]`);
    assert.equal(await overflow(), 0, `${id} scrolls sideways at 375 px`);
  }
  for (const id of ['deadlock', 'how-many-threads']) {
    await page.click(`a[data-lesson="${id}"]`);
    await quicken(page);
    await runFromPage(page);
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    assert.equal(await overflow(), 0, `${id} with results scrolls sideways at 375 px`);
  }
  await page.screenshot({ path: `${SHOTS}/a11y-phone-results.png`, fullPage: true });
  await page.click('a[data-exercise="fix-deadlock"]');
  await page.waitForSelector('#code-challenge');
  await page.click('#check-fix');
  await page.waitForSelector('#check-status.check-verdict', { timeout: 120_000 });
  assert.equal(await overflow(), 0, 'the checked exercise scrolls sideways at 375 px');
  await page.locator('#code-challenge').screenshot({ path: `${SHOTS}/exercise-phone.png` });
  assert.deepEqual(errors, []);
  await context.close();
});

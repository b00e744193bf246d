// The tour a new learner takes: open the page, pick each lesson from the list, press Run with its default
// parameters, and read the output, the results and the timeline. No console errors anywhere.
// Screenshots land in tests/e2e/screenshots/ (not tracked) for a person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve, launch, openPlayground } from './harness.mjs';

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

test('every lesson runs from the page with its default parameters', async () => {
  const { page, errors, context } = await openPlayground(browser, isolated.url, { viewport: { width: 1280, height: 900 } });
  const lessons = await page.evaluate(() => window.playground.lessons.map((l) => ({ id: l.id, title: l.title })));
  assert.ok(lessons.length >= 2);
  const summary = [];
  for (const { id, title } of lessons) {
    await page.click(`a[data-lesson="${id}"]`);
    assert.equal(await page.textContent('#lesson-title'), title);
    assert.ok(new URL(await page.getAttribute(`a[data-lesson="${id}"]`, 'href'), isolated.url).search.includes(`lesson=${id}`));
    const t0 = Date.now();
    await page.click('#run');
    await page.waitForFunction(() => /Finished|failed/.test(document.getElementById('run-status').textContent), null, { timeout: 180_000 });
    const seen = await page.evaluate(() => ({
      status: document.getElementById('run-status').textContent,
      error: document.querySelector('#results .error')?.textContent ?? null,
      verdict: document.querySelector('#results .verdict')?.textContent ?? '',
      output: document.getElementById('output').textContent.trim().split('\n').length,
      lanes: document.querySelectorAll('#timeline [data-lane]').length,
      url: location.search,
    }));
    summary.push(`${id}: ${seen.status} (${((Date.now() - t0) / 1000).toFixed(1)} s, ${seen.output} output lines, ${seen.lanes} lanes)`);
    await page.screenshot({ path: `${SHOTS}/tour-${id}.png`, fullPage: true });
    assert.equal(seen.error, null, `${id}: ${seen.error}`);
    assert.match(seen.status, /Finished/, id);
    assert.ok(seen.verdict.length > 20, `${id} shows a verdict`);
    assert.ok(seen.output >= 1, `${id} printed output`);
    assert.ok(seen.lanes >= 1, `${id} drew a timeline`);
    assert.ok(seen.url.includes(`lesson=${id}`), `${id} has its own URL`);
  }
  console.log(summary.join('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});

// Shared set-up for the end-to-end tests: serve dist/ (with or without isolation headers) and drive
// Debian's Chromium with Playwright. Collects console errors and page errors so tests can assert none.
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export async function serve({ isolation = true } = {}) {
  const server = await startServer({ dir: 'dist', port: 0, isolation });
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** Opens `url` in a fresh page and waits for the engine; returns the page and the errors it logged. */
export async function openPlayground(browser, url, { viewport } = {}) {
  const context = await browser.newContext(viewport ? { viewport } : {});
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => window.playground !== undefined, null, { timeout: 30_000 });
  return { page, errors, context };
}

/** Runs a lesson through the programmatic entry point inside the page. */
export function runLesson(page, lesson, params) {
  return page.evaluate(([l, p]) => window.playground.run(l, p), [lesson, params]);
}

/** Pairs of lanes whose "running" spans overlap in time. */
export function overlappingRunningLanes(outcome, laneIds) {
  const spans = new Map(laneIds.map((id) => [id, []]));
  const byLane = new Map(laneIds.map((id) => [id, outcome.events.filter((e) => e.lane === id)]));
  for (const [id, events] of byLane) {
    events.forEach((e, i) => { if (e.state === 'running' && events[i + 1]) spans.get(id).push([e.t, events[i + 1].t]); });
  }
  const pairs = [];
  for (let a = 0; a < laneIds.length; a++) for (let b = a + 1; b < laneIds.length; b++) {
    const overlap = spans.get(laneIds[a]).some(([s1, e1]) => spans.get(laneIds[b]).some(([s2, e2]) => s1 < e2 && s2 < e1));
    if (overlap) pairs.push([laneIds[a], laneIds[b]]);
  }
  return pairs;
}

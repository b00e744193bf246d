// Shared set-up for the end-to-end tests: serve dist/ (with or without isolation headers) and drive
// Debian's Chromium with Playwright — or, with E2E_BROWSER=firefox, Debian's Firefox ESR over WebDriver
// BiDi (see firefox-bidi-shim.mjs). Collects console errors and page errors so tests can assert none.
import { chromium, firefox } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { startServer } from '../../scripts/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export async function serve({ isolation = true } = {}) {
  const server = await startServer({ dir: 'dist', port: 0, isolation });
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/** 'chromium' (default) or 'firefox', from E2E_BROWSER. */
export const BROWSER = process.env.E2E_BROWSER === 'firefox' ? 'firefox' : 'chromium';
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export async function launch() {
  if (BROWSER === 'firefox') {
    return firefox.launch({
      channel: 'moz-firefox',
      executablePath: fileURLToPath(new URL('./firefox-bidi-shim.mjs', import.meta.url)),
      env: { ...process.env, FIREFOX_BIN: FIREFOX },
    });
  }
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** Skips a test in Firefox with the reason, for a real difference between the browsers. */
export function chromiumOnly(t, reason) {
  if (BROWSER !== 'firefox') return false;
  t.skip(`Firefox: ${reason}`);
  return true;
}

/**
 * Opens `url` in a fresh page and waits for the engine; returns the page and the errors it logged.
 * The page sees the server's headers as they are: service workers are hidden (as in a browser without
 * them), so the isolation fallback (coi-serviceworker) stays out of the way unless `serviceWorkers` is set.
 */
export async function openPlayground(browser, url, { viewport, serviceWorkers = false, waitFor = () => window.playground !== undefined } = {}) {
  const context = await newContext(browser, { viewport, serviceWorkers });
  const page = await context.newPage();
  const errors = collectErrors(page);
  fixFill(page);
  await page.goto(url);
  await page.waitForFunction(waitFor, null, { timeout: 30_000 });
  return { page, errors, context };
}

/** The console errors and uncaught page errors of `page` (and its frames and workers), as they come. */
export function collectErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => { if (!screenshotNoise(String(e))) errors.push(String(e)); });
  return errors;
}

/** The frame of `page` whose address starts with `prefix`, once it exists (an embed appears after load). */
export async function waitForFrame(page, prefix, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let frame;
  while (!(frame = page.frames().find((f) => f.url().startsWith(prefix)))) {
    if (Date.now() > deadline) throw new Error(`no frame at ${prefix} in ${page.url()}`);
    await page.waitForTimeout(100);
  }
  return frame;
}

/** Firefox ESR reports a Content-Security-Policy error (as a page error) for a style it applies itself while
 *  taking a screenshot over WebDriver BiDi (page.screenshot or locator.screenshot, with caret: 'initial'
 *  too; the page has no such style). Only that style's hash is ignored: any other CSP violation still counts. */
const FIREFOX_SCREENSHOT_STYLE = "'sha256-YjaKGiklmzC6wjXA513HAMmzus8VE61XCOT+SmwNZWA='";
export function screenshotNoise(text) {
  return BROWSER === 'firefox' && text.startsWith('Content-Security-Policy:') && text.includes(FIREFOX_SCREENSHOT_STYLE);
}

/** Playwright's fill() over WebDriver BiDi (Firefox) inserts into an <input type=number> without replacing
 *  what is there ("4" + "3" → "43"); clearing first makes it behave as in Chromium. */
export function fixFill(page) {
  if (BROWSER !== 'firefox') return page;
  const fill = page.fill.bind(page);
  page.fill = async (selector, value, options) => {
    await page.locator(selector).clear(options);
    return fill(selector, value, options);
  };
  return page;
}

/** A browser context; without `serviceWorkers`, navigator.serviceWorker is hidden from its pages. */
export async function newContext(browser, { viewport, serviceWorkers = false } = {}) {
  const context = await browser.newContext(viewport ? { viewport } : {});
  if (!serviceWorkers) {
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'serviceWorker', { get: () => undefined, configurable: true });
    });
  }
  return context;
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

/** One site, browser and playground page shared by a file's tests: set up before the first test, closed
 *  after the last. Returns the object the hooks fill in (site, browser, page, errors, context, cores). */
export function sharedPlayground({ isolation = true } = {}) {
  const shared = {};
  before(async () => {
    shared.site = await serve({ isolation });
    shared.browser = await launch();
    Object.assign(shared, await openPlayground(shared.browser, shared.site.url));
    shared.cores = await shared.page.evaluate(() => navigator.hardwareConcurrency);
  });
  after(async () => {
    await shared.context?.close();
    await shared.browser?.close();
    shared.site?.server.close();
  });
  return shared;
}

/** Runs learner Python through the page's entry point (`window.playground.runPython`). */
export function runPythonIn(page, source, options = {}) {
  return page.evaluate(([s, o]) => window.playground.runPython(s, o), [source, options]);
}

/** A Python run's lines on stdout; its stderr as one text. */
export const stdoutOf = (r) => r.output.filter((l) => l.stream === 'stdout').map((l) => l.text);
export const stderrOf = (r) => r.output.filter((l) => l.stream === 'stderr').map((l) => l.text).join('\n');

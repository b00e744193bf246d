// JavaScript Promise Integration (WebAssembly JSPI; Chromium 156 and Firefox ESR 153 here have it), which TypeScript's
// libraries do not declare yet: www/python/suspend.js and python-worker.js use it (solo mode,
// python/src/solo/mod.rs). Hand-kept, for `tsc --checkJs` of the page and of the workers.
declare namespace WebAssembly {
  /** Wraps a function that returns a promise as an import: the instance's stack is suspended until it settles. */
  class Suspending {
    constructor(fn: (...args: any[]) => unknown);
  }
  /** Wraps an export so that it may suspend: calling it returns a promise of its result. */
  function promising(fn: Function): (...args: any[]) => Promise<any>;
}

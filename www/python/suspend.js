// How a program that runs on the worker's only thread (solo mode, python/src/solo/mod.rs) waits for a
// message: by suspending its WebAssembly stack (JavaScript Promise Integration) and letting this worker's
// event loop run meanwhile. The instance imports `suspend` from this very file (a wasm-bindgen raw_module
// import, python/src/solo/mod.rs), so the import is the `WebAssembly.Suspending` object itself; the worker
// calls the program's entry through `WebAssembly.promising` (./python-worker.js) and imports `wake` and
// `onSuspend` from here too (one module, one state).

/** Whether this browser can suspend WebAssembly (JSPI: Chromium 156 and Firefox ESR 153 here have it). */
export const canSuspend = typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';

/** The worker's chores while the program is suspended: post its calls and progress, do what the kernel
 *  asked. Returns how long (ms) until it must run again (a kernel deadline), or nothing. */
let chores = () => undefined;
/** Ends the current suspension early (a message arrived that the program may be waiting for). */
let resume = null;
/** Set while the chores run: a `wake()` then means the program need not wait at all. */
let choring = false;
let wokenDuringChores = false;

/** @param {() => (number | null | undefined)} fn */
export function onSuspend(fn) {
  chores = fn;
}

/** Resumes the suspended program now, so its wait looks again (after a message was handled). */
export function wake() {
  const r = resume;
  resume = null;
  if (r) r();
  else if (choring) wokenDuringChores = true;
}

// A turn of the event loop without a timer's clamping (nested timers wait at least 4 ms).
const turns = new MessageChannel();
const pendingTurns = [];
turns.port1.onmessage = () => pendingTurns.shift()?.();

/** @param {number} ms at most this long; 0: one turn of the event loop */
async function suspendFor(ms) {
  await null; // from here on the stack is suspended: the worker may call into the instance again
  choring = true;
  wokenDuringChores = false;
  let next;
  try {
    next = chores();
  } finally {
    choring = false;
  }
  const wait = wokenDuringChores ? 0 : Math.max(0, Math.min(ms, next ?? Infinity));
  await new Promise((done) => {
    resume = done;
    if (wait > 0) setTimeout(done, wait);
    else { pendingTurns.push(done); turns.port2.postMessage(null); }
  });
  resume = null;
}

/** The import: a `WebAssembly.Suspending` where the browser has JSPI. Elsewhere the runtime never
 *  installs the suspender (python/src/solo/mod.rs), so this is never called. */
export const suspend = canSuspend
  ? new WebAssembly.Suspending(suspendFor)
  : () => { throw new Error('this browser cannot suspend WebAssembly (no JSPI)'); };

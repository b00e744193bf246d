// The messages between the page and the runtime worker, and across every other worker boundary, are
// defined once, as Rust enums tagged by `type` (every request carries its job id; every reply names the
// job it answers):
//
//   src/protocol/messages.rs  page ↔ runtime (PageToRuntime, RuntimeToPage), the Firefox relay of
//                             www/worker-host.js (HostRequest, HostEvent), thread workers
//                             (ThreadWorkerStart, ThreadWorkerToRuntime), process workers (ProcessWorkerStart;
//                             ChildMessage in src/protocol.rs back)
//   src/protocol.rs           the payloads (PreparedRun, RunProgress, RunOutcome, Lane, Event, …)
//   python/src/protocol.rs    the Python runtime worker's (ToPythonWorker, FromPythonWorker,
//                             PythonThreadWorkerStart); its kernel calls are python/src/mp/protocol.rs
//
// `cargo test` writes their TypeScript declarations (ts-rs) into www/types/generated/ (not committed);
// the workers' JSDoc imports them, and `npm run typecheck` (tsc --checkJs, a step of scripts/test.sh)
// fails when the JavaScript and the Rust disagree.

/** Whether this page may share memory with its workers (it is cross-origin isolated): threads need it. */
export const canShareMemory = () => globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';

/** Whether this browser can suspend WebAssembly (JSPI): without isolation, learner Python's processes need it
 *  (python/src/solo/mod.rs). */
export const canSuspendWasm = () => typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';

/** What learner Python can do on a page that is not cross-origin isolated, in a clause. */
export const soloPython = () => (canSuspendWasm()
  ? 'your own Python runs with its processes, on one thread each (starting a thread raises RuntimeError)'
  : 'your own Python runs on one thread (starting a thread or a process raises RuntimeError)');

export const THREADS_UNAVAILABLE =
  'Threads are unavailable: this page is not cross-origin isolated, so the browser withholds ' +
  'SharedArrayBuffer and threads cannot share memory. Serve the page with the headers ' +
  '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" ' +
  `(npm start does), or open it in a tab of its own. Process lessons still work, and ${soloPython()}.`;

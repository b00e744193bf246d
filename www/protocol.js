// The messages between the page and the runtime worker. Every request carries a job id; every reply
// names the job it answers. The payloads (prepared runs, progress, outcomes) are the Rust types in
// src/protocol.rs, serialized by serde-wasm-bindgen.
//
// page → runtime:  { type: 'boot', threads, pageCreatesWorkers }  start the runtime (threads: isolation
//                                                       available; pageCreatesWorkers: Firefox, worker-host.js)
//                  { type: 'run', job, request }        request = { lesson, params }
//                  { type: 'status', job }              live worker counts and memory
//                  { type: 'rayon_probe', job, n }      check the data-parallel pool
//                  { type: 'validate', job, request }   validate parameters without running
//                  { type: 'parse_challenge', job, text } a teacher's challenge (JSON text), read by the engine
//                  { type: 'summarize_check', job, verdicts } the verdict over a check's runs
//                  { type: 'stop', reason }             stop the running lesson (Stop button, time limit)
//                  { type: 'shutdown' }                 terminate every worker: the page replaces this runtime
// runtime → page:  { type: 'ready', lessons, codeParams, challenges, threads, rayonThreads, cores }
//                  { type: 'started', job, prepared }   validated parameters and notices
//                  { type: 'progress', job, lanes, output }
//                  { type: 'finished', job, outcome }
//                  { type: 'status', job, status } | { type: 'probe', job, result }
//                  { type: 'challenge', job, result } | { type: 'summary', job, result }
//                  { type: 'failed', job, error }
//                  { type: 'validated', job, prepared } | { type: 'stopping', job, running } | { type: 'shutdown' }
//                  { type: 'fatal', error }             the instance trapped: the page restarts the engine
//                  'finished' also carries restart: true when threads of the run would not stop
// In Firefox, also the worker_* messages of worker-host.js (the page creates the runtime's workers).

export const THREADS_UNAVAILABLE =
  'Threads are unavailable: this page is not cross-origin isolated, so the browser withholds ' +
  'SharedArrayBuffer and threads cannot share memory. Serve the page with the headers ' +
  '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" ' +
  '(npm start does), or open it in a tab of its own. Process lessons still work.';

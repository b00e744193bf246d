// A thread worker: joins the runtime's wasm memory, then waits for jobs forever (inside Rust, really
// blocked on the shared memory). It never returns to its event loop; the runtime terminates it if needed.
import init, { thread_worker_main } from '../../pkg/playground.js';

self.onmessage = async ({ data: { module, memory, index } }) => {
  await init({ module_or_path: module, memory });
  self.postMessage({ type: 'ready', index });
  thread_worker_main(index);
};

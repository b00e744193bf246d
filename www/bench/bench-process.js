// A process for the start-cost benchmark: the same steps as ../runtime/process-worker.js up to the first
// message — instantiate the precompiled module with a memory of its own, call into it, reply.
import init, { bench_hello } from '../../pkg/playground.js';

const scriptAt = performance.timeOrigin + performance.now();
self.postMessage({ type: 'loaded', scriptAt }); // for the "pre-started worker" variant
self.onmessage = async ({ data: { module } }) => {
  const initAt = performance.timeOrigin + performance.now();
  await init({ module_or_path: module });
  const readyAt = performance.timeOrigin + performance.now();
  self.postMessage({ type: 'ready', scriptAt, initAt, readyAt, hello: bench_hello() });
};

// A process worker: a separate instance of the compiled module with a memory of its own (no `memory` is
// passed, so the bindings create a fresh one). Nothing is shared with the parent; it talks only by
// postMessage (the Rust side posts its queue messages and trace records itself).
import init, { child_process_main } from '../../pkg/playground.js';

// The messages are Rust types (src/protocol/messages.rs, src/protocol.rs's ChildMessage); tsc checks them.
/** @typedef {import('../types/generated/ProcessWorkerStart').ProcessWorkerStart} ProcessWorkerStart */
/** @typedef {import('../types/generated/ChildMessage').ChildMessage} ChildMessage */
/** @param {ChildMessage} message */
const post = (message) => self.postMessage(message);
const now = () => performance.timeOrigin + performance.now();

self.onmessage = async (/** @type {MessageEvent<ProcessWorkerStart>} */ { data: { module, spawn, input } }) => {
  let code;
  try {
    await init({ module_or_path: module });
    code = child_process_main(spawn, input); // input: the start message's bytes, if any
  } catch (error) {
    // A panic or trap ends this process only: report it the way an OS reports a crash, by exit code.
    console.error(`${spawn.name} crashed:`, error);
    code = 1;
  }
  post({ type: 'exit', code, at: now() });
};

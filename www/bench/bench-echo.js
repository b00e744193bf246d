// The other end of the message-passing benchmarks: echoes messages, hands transferred buffers back,
// acknowledges cloned ones with the time they arrived, or (mode "atomics") answers wake-ups on a shared word.
const epochNow = () => performance.timeOrigin + performance.now();

self.onmessage = ({ data }) => {
  switch (data.kind) {
    case 'ping': self.postMessage({ kind: 'pong' }); break;
    case 'transfer': self.postMessage({ kind: 'back', buffer: data.buffer, at: epochNow() }, [data.buffer]); break;
    case 'clone': self.postMessage({ kind: 'ack', bytes: data.buffer.byteLength, at: epochNow() }); break;
    case 'atomics': {
      self.postMessage({ kind: 'ready' });
      const word = new Int32Array(data.sab);
      let seen = 0;
      // Blocked for real until the other side stores an odd value; answer with the next even one.
      for (;;) {
        Atomics.wait(word, 0, seen);
        const v = Atomics.load(word, 0);
        if (v < 0) return;
        if (v % 2 === 1) {
          Atomics.store(word, 0, v + 1);
          Atomics.notify(word, 0);
          seen = v + 1;
        } else {
          seen = v;
        }
      }
    }
    default: break;
  }
};

// The benchmark page's one script (a file, not inline: the site's Content-Security-Policy allows scripts
// from 'self' only). npm run bench drives it through window.bench.
const worker = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module', name: 'bench' });
const pending = new Map();
let next = 1;
worker.onmessage = ({ data }) => {
  const p = pending.get(data.id);
  pending.delete(data.id);
  if (data.error) p?.reject(new Error(data.error)); else p?.resolve(data.result);
};
window.bench = {
  request(type, fields = {}) {
    const id = next++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...fields, type, id });
    });
  },
};
document.getElementById('status').textContent = crossOriginIsolated ? 'Ready (cross-origin isolated).' : 'Not cross-origin isolated: threads unavailable.';

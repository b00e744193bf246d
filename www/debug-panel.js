// The engine's live counts (open the page with ?debug=1): thread and process workers alive, wasm memory,
// restarts. Reads playground.status() twice a second; for watching long sessions and for tests.
import { el, fmt } from './dom.js';

const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

export function startDebugPanel(playground, panel, list) {
  panel.hidden = false;
  panel.open = true;
  let busy = false;
  const rows = (s) => [
    ['Thread workers', `${s.thread_workers} started, ${s.workers} in the pool, ${s.busy} busy`],
    ['Process workers', String(s.processes)],
    ['Rayon pool', `${s.rayon_threads} threads`],
    ['Wasm memory', mib(s.memory_bytes)],
    ['Engine restarts', s.last_restart_ms === null ? String(s.restarts) : `${s.restarts} (last took ${fmt.ms(s.last_restart_ms)})`],
    ['Workers replaced after a panic', String(s.replaced_workers)],
    ['Run in progress', s.running ? 'yes' : 'no'],
  ];
  const update = async () => {
    if (busy) return;
    busy = true;
    try {
      const status = await playground.status();
      list.replaceChildren(...rows(status).flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
      list.dataset.status = JSON.stringify(status);
    } catch (error) {
      list.replaceChildren(el('dt', { text: 'Status' }), el('dd', { text: error.message }));
    } finally {
      busy = false;
    }
  };
  update();
  return setInterval(update, 500);
}

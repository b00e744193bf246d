// Accessibility helpers for the page: a visually hidden live region that announces each run's result
// (the verdict, or the error) to screen readers once the results are drawn.
import { el } from './dom.js';

const announcer = el('div', { id: 'announce', class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });

function attach() {
  if (!announcer.isConnected) document.body.append(announcer);
}

if (document.body) attach(); else document.addEventListener('DOMContentLoaded', attach);

document.addEventListener('playground:run', () => { attach(); announcer.textContent = ''; });
document.addEventListener('playground:outcome', (e) => {
  attach();
  const outcome = e.detail;
  const title = document.getElementById('lesson-title')?.textContent ?? outcome.lesson;
  const verdict = document.querySelector('#results .verdict')?.textContent;
  announcer.textContent = outcome.error
    ? `${title}: the run failed. ${outcome.error}`
    : `${title}: run finished. ${verdict ?? 'The results are below.'}`;
});

// The embed mode (?embed=1): a compact page for an iframe, and the host API over postMessage.
//
// Events to the embedding page (only to an allowed origin):
//   { source: 'concurrency-playground', type: 'ready', lesson, params, lessons, threads, isolated }
//   { source: 'concurrency-playground', type: 'lesson', lesson, params, runnable }
//   { source: 'concurrency-playground', type: 'run-started', lesson, params, command }
//   { source: 'concurrency-playground', type: 'run-finished', lesson, params, error, values, notices,
//     started_at, finished_at, duration_ms, command }
//   { source: 'concurrency-playground', type: 'error', message, command }   a command that was refused
//   { source: 'concurrency-playground', type: 'resize', height }            the page's height in px
// Commands from the embedding page:
//   { target: 'concurrency-playground', type: 'run', id?, lesson?, params? }
//   { target: 'concurrency-playground', type: 'set-params', id?, lesson?, params }
// A command is obeyed only when it comes from the window that embeds this page (not a sibling frame or a
// popup) AND that window's origin is on the allow-list: the `origins` URL parameter (the custom element
// fills it with its page's origin) plus this page's own origin. Anything else is ignored.
import { el } from './dom.js';
import { shareLink } from './url-state.js';
import { soloPython } from './protocol.js';

const SOURCE = 'concurrency-playground';

/** Where the embedding page lives, as far as this frame can tell (the browser still checks on delivery). */
function parentOrigin() {
  let origin = location.ancestorOrigins?.[0] ?? null;
  if (origin === null && document.referrer) {
    try { origin = new URL(document.referrer).origin; } catch { /* no usable referrer */ }
  }
  // Chromium names a file: page's origin "file://" here, while its messages arrive from origin "null".
  return origin?.startsWith('file:') ? 'null' : origin;
}

/**
 * @param {any} api  from app.js: lessons, threads, current(), select(id, params), setValues(params),
 *                      run(), running(), blocked(lesson)
 * @param {string[]} origins  the allow-list from the URL
 */
export function setupEmbed(api, origins) {
  document.documentElement.classList.add('embed');
  const embedded = window.parent !== window;
  const allowed = new Set([location.origin, ...origins]);
  const anyOrigin = allowed.has('*');
  const isAllowed = (origin) => anyOrigin || allowed.has(origin);
  // Where events go: the embedding page's origin when it is allowed ('null' pages, e.g. file:, only take '*').
  const target = (() => {
    const origin = parentOrigin();
    if (origin === null) return anyOrigin ? '*' : null;
    if (!isAllowed(origin)) return null;
    return origin === 'null' ? '*' : origin;
  })();
  if (embedded && target === null) {
    console.info(`[playground] the embedding page (${parentOrigin() ?? 'unknown origin'}) is not in this embed's allow-list (origins=…): it cannot control it or receive its results.`);
  }
  const post = (type, data = {}) => {
    if (embedded && target !== null) window.parent.postMessage({ source: SOURCE, type, ...data }, target);
  };

  // The compact page: a link out to the full playground, and a way out when threads are unavailable here.
  const open = el('a', { id: 'embed-open', class: 'embed-open', target: '_blank', rel: 'noopener', href: '#' }, 'Open in the full playground ↗');
  const blockedNote = el('div', { id: 'embed-blocked', class: 'banner embed-blocked', role: 'status', hidden: true });
  document.getElementById('lesson-title').after(open);
  document.getElementById('params-form').before(blockedNote);
  const banner = document.getElementById('isolation-banner');
  if (!api.threads) {
    banner.textContent = 'Threads are unavailable in this embed: the page around it is not cross-origin isolated, so the ' +
      `browser withholds shared memory from it. Process lessons run here, and ${soloPython()}; thread lessons can open ` +
      'in a tab of their own.';
  }

  let command = null; // the id of the host command that started the current run
  const link = () => shareLink(location.href, { ...api.current(), view: null });

  const onLesson = () => {
    const { lesson } = api.current();
    open.href = link();
    const blocked = api.blocked(lesson);
    blockedNote.hidden = !blocked;
    if (blocked) {
      blockedNote.replaceChildren(
        el('p', {}, `"${lesson.title}" runs real threads on shared memory, which the browser only allows on a cross-origin `
          + 'isolated page. The page embedding this playground is not isolated (it would need the headers '
          + '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp", and '
          + 'allow="cross-origin-isolated" on the iframe).'),
        el('a', { id: 'embed-new-tab', class: 'button-link', href: link(), target: '_blank', rel: 'noopener' }, 'Open in a new tab ↗'));
    }
  };
  // What the page does (app.js tells it on document): lesson shown, run started, outcome.
  document.addEventListener('playground:lesson', () => {
    onLesson();
    const { lesson, params } = api.current();
    post('lesson', { lesson: lesson.id, params, runnable: !api.blocked(lesson) });
  });
  document.addEventListener('playground:started', ({ detail }) => post('run-started', { lesson: detail.lesson, params: detail.params, command }));
  document.addEventListener('playground:outcome', ({ detail: o }) => {
    if (o.python) {
      const r = o.python;
      post('run-finished', {
        lesson: o.lesson, error: r.stopped ?? (r.exception ? `${r.exception.type}: ${r.exception.message}` : null),
        exitCode: r.exitCode, exception: r.exception, output: r.output.map(({ t, lane, stream, text }) => ({ t, lane, stream, text })),
        started_at: r.started_at, finished_at: r.finished_at, duration_ms: r.duration_ms, command,
      });
      command = null;
      return;
    }
    const done = Array.isArray(o.events); // a finished run's outcome, or { lesson, error } when it could not start
    post('run-finished', {
      lesson: o.lesson, params: done ? o.params : api.current().params, error: o.error ?? null, values: done ? o.values : null,
      notices: done ? o.notices : [], started_at: done ? o.started_at : null, finished_at: done ? o.finished_at : null,
      duration_ms: done ? o.finished_at - o.started_at : null, command,
    });
    command = null;
  });
  // Links out carry the parameters as they are when clicked (the host may have changed them meanwhile).
  const fresh = (e) => { const a = e.target.closest('#embed-open, #embed-new-tab'); if (a) a.href = link(); };
  document.addEventListener('click', fresh, true);
  document.addEventListener('auxclick', fresh, true);
  document.addEventListener('contextmenu', fresh, true);

  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || !embedded || !isAllowed(event.origin)) return;
    const message = event.data;
    if (!message || typeof message !== 'object' || message.target !== SOURCE) return;
    const refuse = (text) => post('error', { message: text, command: message.id ?? null });
    if (!['run', 'set-params', 'set-code', 'set-challenge'].includes(message.type)) return refuse(`unknown command "${String(message.type).slice(0, 40)}"`);
    if (api.running()) return refuse('a run is in progress');
    if (message.type === 'set-challenge') {
      // A teacher's challenge (JSON text, docs/challenges.md): opened in "Your code"; a mistake in it is
      // shown on the page, naming the field.
      if (typeof message.challenge !== 'string') return refuse('challenge must be JSON text');
      if (!api.threads) return refuse('a challenge runs Python threads or processes, which this embed cannot start: the page around it is not cross-origin isolated');
      api.setChallenge(message.challenge);
      return;
    }
    if (message.code !== undefined || message.type === 'set-code') {
      // A Python program for "Your code": shown in the editor, and run when the command is `run`.
      if (typeof message.code !== 'string') return refuse('code must be a string');
      if (message.code.length > 200_000) return refuse(`the program is ${message.code.length} characters long; at most 200,000`);
      api.setCode(message.code);
      if (message.type === 'run') {
        command = message.id ?? null;
        api.run();
      }
      return;
    }
    if (message.lesson !== undefined) {
      const lesson = api.lessons.find((l) => l.id === message.lesson);
      if (!lesson) return refuse(`there is no lesson "${String(message.lesson).slice(0, 40)}"`);
      if (lesson.id !== api.current().lesson.id) api.select(lesson.id, {});
    }
    if (message.params !== undefined) {
      if (!message.params || typeof message.params !== 'object') return refuse('params must be an object');
      api.setValues(message.params);
    }
    if (message.type === 'run') {
      if (api.blocked(api.current().lesson)) return refuse(`"${api.current().lesson.title}" needs threads, which this embed cannot use: the page around it is not cross-origin isolated`);
      command = message.id ?? null;
      api.run();
    }
  });

  // Let the host size the iframe to the page (the custom element does).
  let lastHeight = 0;
  const resized = () => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (Math.abs(height - lastHeight) > 4) { lastHeight = height; post('resize', { height }); }
  };
  new ResizeObserver(resized).observe(document.body);

  onLesson();
  const { lesson, params } = api.current();
  post('ready', { lesson: lesson.id, params, lessons: api.lessons.map((l) => l.id), threads: api.threads, isolated: globalThis.crossOriginIsolated === true });
}

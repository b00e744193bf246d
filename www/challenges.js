// Fix-it challenges on code: the learner edits a broken program in "Your code" until *Check my fix*
// passes. The check runs their code for real, several times, in the Python runtime, which judges each run
// (python/src/check.rs, from the run's ending, the challenge's invariant and the threads' events); the
// engine sums the runs up (src/challenges/judge.rs). This module only shows them.
//
// Challenges come from the engine (the built-in ones, src/challenges/builtin/*.json) or from a teacher:
// a link with ?challenge=<lz-string-compressed JSON> or ?challenge_url=<a JSON file on this site>, or an
// embed's <script type="application/json"> child. The format is docs/challenges.md.
import { el, fmt } from './dom.js';
import { loadDraft, loadProgress, record, saveDraft } from './progress.js';
import { PYTHON_BUILD, loadEditorModule, loadText } from './python/code-mode.js';

/** What the page lends this module: open code in the editor, read it, replace it, whether it runs, and
 *  the built-in challenges. */
let hooks = null;
export function connectCode(h) { hooks = h; }

/** The challenge shown in "Your code", if any. `opening` is true until the page has switched to it. */
const current = { challenge: null, key: null, opening: false };
export const URL_KEYS = ['exercise', 'challenge', 'challenge_url'];
const MAX_CHALLENGE_BYTES = 1_000_000;
const MAX_OUTPUT_SHOWN = 200;

export function builtInChallenges() { return hooks?.challenges ?? []; }
export function activeChallenge() { return current.challenge; }
/** Progress and drafts of a teacher's challenge are kept apart from the built-in ones of the same id. */
const keyOf = (ch, custom) => (custom ? `custom:${ch.id}` : ch.id);

function setLinkParam(name, value) {
  const q = new URLSearchParams(location.search);
  for (const k of URL_KEYS) q.delete(k);
  if (name) q.set(name, value);
  const search = q.toString();
  history.replaceState(null, '', `${search ? `?${search}` : location.pathname}${location.hash}`);
}

/**
 * Opens challenge `ch` in "Your code": the learner's saved code for it (or the starter; or, with
 * `keepCode`, the code the editor holds, from a shared link), with the Python the check uses. `link` is
 * the URL parameter that reopens it.
 */
export function openChallenge(ch, { custom = false, link = ['exercise', ch.id], keepCode = false } = {}) {
  if (!hooks) return false;
  const code = keepCode ? hooks.getCode() : null;
  const key = keyOf(ch, custom);
  const build = ch.check.python === 'gil' ? PYTHON_BUILD.WITH_GIL : PYTHON_BUILD.FREE_THREADED;
  Object.assign(current, { challenge: ch, key, opening: true });
  if (!hooks.openCode(code ?? loadDraft(key) ?? ch.starter, build)) {
    Object.assign(current, { challenge: null, key: null, opening: false });
    return false;
  }
  setLinkParam(...link);
  return true;
}

/** Called as the page shows a lesson: leaving "Your code" (or opening it afresh) leaves the challenge. */
export function onLessonShown(lesson) {
  if (current.opening && lesson.id === 'code') { current.opening = false; return; }
  if (current.challenge) {
    Object.assign(current, { challenge: null, key: null, opening: false });
    setLinkParam(null);
  }
}

/** Keeps the learner's code for the open challenge as they type. */
document.addEventListener('playground:code-change', (e) => {
  if (current.challenge && !current.opening) saveDraft(current.key, e.detail.code);
});

/** A teacher's challenge from JSON text: parsed by the engine, which names the field that is wrong. */
export async function challengeFromText(text) {
  if (typeof text !== 'string' || text.length > MAX_CHALLENGE_BYTES) throw new Error(`a challenge is JSON text of at most ${fmt.int(MAX_CHALLENGE_BYTES)} bytes`);
  return window.playground.parseChallenge(text);
}

/** The teacher's challenge a link carries (`challenge=` compressed, or `challenge_url=` a file on this
 *  site), with the parameter that reopens it; null when the link has none. Throws with a clear message. */
export async function challengeFromLink(search) {
  const q = new URLSearchParams(search);
  if (q.has('challenge')) {
    const { decompressFromEncodedURIComponent } = await loadEditorModule();
    const text = decompressFromEncodedURIComponent(q.get('challenge'));
    if (typeof text !== 'string' || text === '') throw new Error('the challenge in this link could not be read (it may have been cut short)');
    return { challenge: await challengeFromText(text), link: ['challenge', q.get('challenge')] };
  }
  if (q.has('challenge_url')) {
    const raw = q.get('challenge_url');
    let url;
    try { url = new URL(raw, location.href); } catch { throw new Error(`"${raw.slice(0, 80)}" is not a file address`); }
    if (url.origin !== location.origin) throw new Error(`a challenge file must be on this site (${location.origin}), not ${url.origin}`);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the challenge file ${url.pathname} could not be loaded: HTTP ${response.status}`);
    return { challenge: await challengeFromText(await response.text()), link: ['challenge_url', raw] };
  }
  return null;
}

/** A link that opens `text` (a teacher's challenge) for anyone: checked first, then compressed. */
export async function challengeLink(text) {
  await challengeFromText(text);
  const { compressToEncodedURIComponent } = await loadEditorModule();
  return new URL(`?lesson=code&challenge=${compressToEncodedURIComponent(text)}`, location.href).href;
}

export function badge(key) {
  const p = loadProgress().challenges[key];
  const text = !p ? 'Not tried yet' : p.passed ? 'Passed ✓' : 'Not passed yet';
  return el('span', { class: `badge ${p?.passed ? 'passed' : p ? 'tried' : ''}`, 'data-badge': key, text });
}

/** The cards a lesson page lists: its challenges, each opened in the editor. */
export function lessonCards(lesson) {
  return builtInChallenges().filter((c) => c.lesson === lesson.id).map((ch) => el('article', {
    class: 'challenge', id: `challenge-${ch.id}`, 'aria-labelledby': `challenge-${ch.id}-h` },
  el('h4', { id: `challenge-${ch.id}-h`, tabindex: '-1' }, `Fix it: ${ch.title} `, badge(ch.id)),
  el('p', { text: ch.text }),
  el('button', { type: 'button', class: 'check', 'data-open-challenge': ch.id, onclick: () => openChallenge(ch) }, 'Solve it in the editor')));
}

/** The open challenge, shown below the timeline of "Your code". */
export function challengePanel() {
  const ch = current.challenge;
  const key = current.key;
  const status = el('span', { class: 'check-status', id: 'check-status', role: 'status', 'aria-live': 'polite' });
  const result = el('div', { class: 'check-result', id: 'check-result' });
  const hints = el('ol', { class: 'hints', id: 'hints', 'aria-label': 'Hints' });
  const hintButton = ch.hints.length ? el('button', { type: 'button', class: 'secondary', id: 'show-hint' }, `Show a hint (1 of ${ch.hints.length})`) : null;
  hintButton?.addEventListener('click', () => {
    hints.append(el('li', { text: ch.hints[hints.childElementCount] }));
    const shown = hints.childElementCount;
    if (shown === ch.hints.length) hintButton.remove();
    else hintButton.textContent = `Show a hint (${shown + 1} of ${ch.hints.length})`;
  });
  const solution = el('div', { id: 'solution' });
  const showSolution = () => {
    if (!ch.solution || !loadProgress().challenges[key]) return;
    solution.replaceChildren(el('details', { class: 'solution' }, el('summary', { text: 'A solution (after your own try)' }),
      el('pre', { class: 'code', tabindex: '0' }, el('code', { text: ch.solution }))));
  };
  showSolution();
  const button = el('button', { type: 'button', class: 'check', id: 'check-fix' }, 'Check my fix');
  button.addEventListener('click', () => runCheck(ch, key, { button, status, result }).then(showSolution));
  const reset = el('button', { type: 'button', class: 'secondary', id: 'start-over', onclick: () => {
    if (!confirm('Put the starter code back in the editor? Your code for this challenge is replaced.')) return;
    saveDraft(key, null);
    hooks.setCode(ch.starter);
  } }, 'Start over');
  return el('article', { class: 'challenge code-challenge linked', id: 'code-challenge', 'aria-labelledby': 'challenge-h' },
    el('h3', { id: 'challenge-h', tabindex: '-1' }, `Fix it: ${ch.title} `, badge(key)),
    el('p', { text: ch.text }),
    el('p', { class: 'muted', text: ch.check_text }),
    el('div', { class: 'run-row' }, button, hintButton, reset, status),
    hints, result, solution);
}

function findingsTable(runs) {
  return el('table', { class: 'table' },
    el('caption', { text: 'What the check saw, run by run' }),
    el('thead', {}, el('tr', {}, ['Run', 'Test', 'What was seen', 'Result'].map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, runs.flatMap((r, i) => (r.verdict?.findings ?? [{ test: 'ran to the end', ok: false, seen: r.stopped ?? 'no verdict' }])
      .map((f) => el('tr', {}, el('td', { text: `run ${i + 1}` }), el('td', { text: f.test }), el('td', { text: f.seen }),
        el('td', {}, el('span', { class: f.ok ? 'good' : 'bad', text: f.ok ? 'ok' : 'fails' })))))));
}

function outputOf(run, n) {
  const lines = run.output.slice(0, MAX_OUTPUT_SHOWN).map((l) => `${l.stream === 'stderr' ? '! ' : ''}${l.text}`);
  if (run.output.length > MAX_OUTPUT_SHOWN) lines.push(`… and ${fmt.int(run.output.length - MAX_OUTPUT_SHOWN)} more lines`);
  return el('details', { class: 'check-output' }, el('summary', { text: `What run ${n} printed (${fmt.int(run.output.length)} lines)` }),
    el('pre', { class: 'code', tabindex: '0' }, lines.join('\n') || '(nothing)'));
}

/** Runs the editor's code as the check asks, one run after another, stopping at the first that fails. */
async function runCheck(ch, key, { button, status, result }) {
  const pg = window.playground;
  status.className = 'check-status';
  delete status.dataset.pass;
  if (!pg?.threads) { status.textContent = 'Checking runs Python on threads, which this page cannot use (see the notice at the top).'; return; }
  if (hooks.isRunning()) { status.textContent = 'A program is running: let it finish (or stop it), then check.'; return; }
  const code = hooks.getCode();
  saveDraft(key, code);
  button.disabled = true;
  result.replaceChildren();
  const runs = [];
  const total = ch.check.runs;
  try {
    for (let i = 0; i < total; i++) {
      status.textContent = `Run ${i + 1} of ${total}…`;
      const r = await pg.runPython(code, {
        gil: ch.check.python === 'gil', timeLimitS: ch.check.time_limit_s, check: ch.check,
        onLoad: (progress) => { status.textContent = loadText(progress); },
      });
      runs.push({ verdict: r.check, stopped: r.stopped, output: r.output });
      result.replaceChildren(findingsTable(runs));
      if (!r.check?.pass) { result.append(outputOf(r, i + 1)); break; }
    }
    const summary = await pg.summarizeCheck(runs.map(({ verdict, stopped }) => ({ verdict, stopped })));
    const early = runs.length < total ? ` The check stopped at the first failing run (of ${total}).` : '';
    const prev = loadProgress().challenges[key];
    record('challenges', key, { passed: Boolean(prev?.passed || summary.pass), last: summary.pass, tries: (prev?.tries ?? 0) + 1 });
    status.className = `check-status check-verdict ${summary.pass ? 'good' : 'bad'}`;
    status.dataset.pass = String(summary.pass);
    status.textContent = `${summary.pass ? 'Passed.' : 'Not yet.'} ${summary.text}${early}`;
    document.querySelector(`#code-challenge [data-badge="${CSS.escape(key)}"]`)?.replaceWith(badge(key));
  } catch (error) {
    status.textContent = `The check could not finish: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

// The page: lesson list, parameters, Run, live output, results and timeline. It only talks to the engine
// through the programmatic entry point (playground.js), and never blocks.
import { createPlayground, isolation } from './playground.js';
import { el, fmt } from './dom.js';
import { renderResults } from './results.js';
import { groupsOf, legend, renderTimeline, timelineTable } from './timeline.js';
import { isEmbed, parseState, shareLink, toSearch } from './url-state.js';
import { setupShare } from './share.js';
import { setupEmbed } from './embed-mode.js';
import { clampTimeLimit } from './watchdog.js';
import { canSuspendWasm } from './protocol.js';
import { startDebugPanel } from './debug-panel.js';
import {
  CODE_LESSON, PYTHON_BUILD, STARTER, appendCodeOutput, codeForLink, codeFromLink, codeReport, loadProgress, mountEditor,
} from './python/code-mode.js';
import './exercises.js'; // predict-then-run questions and "fix it" challenges (listen to the events below)
import { URL_KEYS as CHALLENGE_KEYS, connectCode } from './challenges.js';
import './a11y.js';

/** Tells other modules (exercises, a11y) what the page does: playground:lesson, :run, :started (validated parameters), :outcome. */
const tell = (name, detail) => document.dispatchEvent(new CustomEvent(`playground:${name}`, { detail }));

const $ = (id) => document.getElementById(id);
const state = { playground: null, lessons: [], code: { editor: null, text: STARTER, mounting: null, linkNotice: null }, lesson: null, running: false, lanes: new Map(), events: [], messages: [], linkNotices: [], view: null, embed: false, origins: [] };
if (isEmbed()) document.documentElement.classList.add('embed'); // the compact layout before anything draws
// A page on its way out (the isolation fallback reloads it once its service worker is installed) can see
// its runtime worker fail to load (Firefox reports a worker error then): that is not worth reporting.
let leaving = false;
addEventListener('beforeunload', () => { leaving = true; });
window.playgroundReady = boot();

async function boot() {
  const iso = isolation();
  if (!iso.threads) {
    const banner = $('isolation-banner');
    banner.hidden = false;
    banner.textContent = iso.reason;
  }
  try {
    state.playground = await createPlayground();
  } catch (error) {
    if (leaving) return;
    $('env').textContent = `The engine could not start: ${error.message}`;
    $('env').classList.add('error');
    throw error;
  }
  const pg = state.playground;
  $('env').textContent = pg.threads
    ? `Cross-origin isolated: real threads available · ${pg.cores} cores · rayon pool of ${pg.rayonThreads}`
    : `Not cross-origin isolated: thread lessons unavailable, process lessons run, ${canSuspendWasm() ? 'your Python runs with processes, without threads' : 'your Python runs on one thread'} · ${pg.cores} cores`;
  state.lessons = [{ ...CODE_LESSON, params: pg.codeParams }, ...pg.lessons];
  renderNav(state.lessons);
  // A challenge (challenges.js) opens its code in the editor, with the Python its check uses.
  connectCode({
    openCode: (code, python) => {
      if (state.running) return false;
      state.code.text = code;
      selectLesson(CODE_LESSON.id, { python });
      return true;
    },
    getCode: () => state.code.editor?.getCode() ?? state.code.text,
    setCode: (code) => { state.code.text = code; state.code.editor?.setCode(code); updateCodeLink(); },
    isRunning: () => state.running,
    challenges: pg.challenges,
  });
  // Without threads, open on the first lesson that can run here rather than a disabled one.
  const runnable = pg.threads ? pg.lessons[0] : (pg.lessons.find((l) => l.engine === 'processes') ?? pg.lessons[0]);
  // The link: lesson, parameters, view (url-state.js drops what it cannot read, with a notice), then the
  // engine checks the parameters' ranges before anything runs.
  const link = parseState(location.search, state.lessons, runnable);
  if (link.lesson.id === CODE_LESSON.id) {
    const fromLink = await codeFromLink(location.search).catch(() => ({ code: null, notice: 'The program in this link could not be read.' }));
    if (fromLink.code !== null) state.code.text = fromLink.code;
    if (fromLink.notice) link.notices.push(fromLink.notice);
  }
  Object.assign(state, { view: link.view, embed: link.embed, origins: link.origins });
  selectLesson(link.lesson.id, link.params);
  const urlNotices = [...link.notices];
  if (Object.keys(link.params).length) await checkUrlParams(link.lesson, link.params, urlNotices);
  state.linkNotices = urlNotices; // shown with every run's notices until another lesson is chosen
  notices(urlNotices);
  $('params-form').addEventListener('submit', (e) => { e.preventDefault(); run(); });
  $('params').addEventListener('input', syncUrl);
  $('stop').addEventListener('click', () => pg.stop());
  $('edit-run').addEventListener('click', () => editAndRun());
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && state.running) pg.stop(); });
  if (new URLSearchParams(location.search).get('debug') === '1') startDebugPanel(pg, $('debug-panel'), $('debug-status'));
  setupShare($('run').parentElement, () => shareLink(location.href, { lesson: state.lesson, params: currentValues(), view: state.view }));
  if (link.embed) {
    setupEmbed({
      lessons: pg.lessons, threads: pg.threads, current: () => ({ lesson: state.lesson, params: currentValues() }),
      select: (id, params) => selectLesson(id, params), setValues, run, running: () => state.running,
      setCode: (code) => { state.code.text = code; selectLesson(CODE_LESSON.id, {}); },
      setChallenge: (text) => tell('open-challenge-text', { text }),
      blocked: (l) => l.engine === 'threads' && !pg.threads,
    }, link.origins);
  }
  document.addEventListener('playground:select-lesson', (e) => { if (!state.running) selectLesson(e.detail.id, {}); });
  // The programmatic entry point, for the console and for tests. Set last: once it exists the page is
  // fully set up (the link's notices shown, its values in the form), so a script may rely on what it sees.
  window.playground = pg;
  return pg;
}

/** Parameters from the URL are checked by the engine before anything runs: the inputs show the values a
 *  run would use, and each change is listed. */
async function checkUrlParams(lesson, fromUrl, list) {
  try {
    const prepared = await state.playground.validate(lesson.id, fromUrl);
    for (const [name, value] of Object.entries(prepared.params)) {
      const input = $(`param-${name}`);
      if (input) input.value = value;
    }
    $('python').textContent = pythonText(lesson, prepared.params);
    list.push(...prepared.notices.map((n) => `From the link: ${n}`));
  } catch (error) {
    list.push(`From the link: ${error.message}`);
  }
}

// The lesson list follows a tutorial's arc: threads, processes, synchronization, then choosing.
const GROUP_ORDER = ['Your code', 'Threads', 'Processes', 'Synchronization', 'Choosing an approach'];

function renderNav(lessons) {
  const rank = (g) => (GROUP_ORDER.includes(g) ? GROUP_ORDER.indexOf(g) : GROUP_ORDER.length);
  const groups = [...new Set(lessons.map((l) => l.group))].sort((a, b) => rank(a) - rank(b));
  $('lesson-nav').replaceChildren(...groups.map((g) => el('section', {},
    el('h2', { class: 'nav-group', text: g }),
    el('ul', {}, lessons.filter((l) => l.group === g).map((l) => el('li', {},
      el('a', { href: `?lesson=${encodeURIComponent(l.id)}`, 'data-lesson': l.id,
        onclick: (e) => { e.preventDefault(); if (!state.running) selectLesson(l.id, {}); } },
        l.title, l.engine === 'threads' && !state.playground.threads ? ' (needs isolation)' : '')))))));
}

/** The lesson's Python with the values substituted, so that it runs: a choice's code in the program, its
 *  label only in a comment ("# Python build: CPython (with GIL)"); whole numbers as Python writes them. */
function pythonText(lesson, values) {
  const shown = (name, inComment) => {
    const choice = lesson.params.find((p) => p.name === name)?.choices.find(([v]) => String(v) === String(values[name]));
    if (choice) return inComment ? choice[1] : String(choice[0]);
    return fmt.int(values[name]).replaceAll(',', '_');
  };
  return lesson.python.split('\n').map((line) => line.replace(/\{(\w+)\}/g, (m, name, at) =>
    (name in values ? shown(name, line.slice(0, at).includes('#')) : m))).join('\n');
}

/** A number field, or a drop-down for a parameter with named choices (such as the Python build). */
function paramControl(p, value, oninput) {
  const common = { id: `param-${p.name}`, name: p.name, 'aria-describedby': `help-${p.name}`, oninput };
  if (p.choices.length) {
    return el('select', common, ...p.choices.map(([v, label]) =>
      el('option', { value: v, text: label, selected: String(v) === String(value) })));
  }
  return el('input', { ...common, type: 'number', inputmode: 'numeric', min: p.min, max: p.max, step: 1, value });
}

function currentValues() {
  const values = {};
  for (const p of state.lesson.params) values[p.name] = $(`param-${p.name}`).value;
  return values;
}

/** Keeps the address bar on the current state, so reloading or copying it reproduces the page. */
function syncUrl() {
  let search = toSearch({ lesson: state.lesson, params: currentValues(), view: state.view, embed: state.embed, origins: state.origins });
  const now = new URLSearchParams(location.search);
  for (const key of [...CHALLENGE_KEYS, 'debug']) { // a teacher's link (exercises.js); the debug panel
    if (now.get(key) !== null) search += `&${new URLSearchParams({ [key]: now.get(key) })}`;
  }
  if (state.lesson.id === CODE_LESSON.id && state.code.linkParam) search += `&code=${state.code.linkParam}`;
  if (search !== location.search) history.replaceState(null, '', search + location.hash);
}

/** Sets parameter fields (known names, whole numbers only), as if typed. */
function setValues(values) {
  for (const p of state.lesson.params) {
    const v = values[p.name];
    if (!Number.isFinite(Number(v)) || v === '' || v === null) continue;
    const n = Math.trunc(Number(v));
    if (p.choices.length && !p.choices.some(([c]) => c === n)) continue; // a drop-down takes only its choices
    $(`param-${p.name}`).value = n;
  }
  $('python').textContent = pythonText(state.lesson, currentValues());
  syncUrl();
}

function selectLesson(id, given) {
  const lesson = state.lessons.find((l) => l.id === id);
  if (state.lesson && state.lesson.id !== id) state.view = null; // a timeline view belongs to one lesson
  state.lesson = lesson;
  document.querySelectorAll('#lesson-nav a').forEach((/** @type {HTMLElement} */ a) => a.toggleAttribute('aria-current', a.dataset.lesson === id));
  $('lesson-title').textContent = lesson.title;
  $('lesson-summary').textContent = lesson.summary;
  $('params').replaceChildren(...lesson.params.map((p) => el('label', { class: 'param' },
    el('span', { class: 'param-label', text: p.label }),
    paramControl(p, given[p.name] ?? p.default, () => { $('python').textContent = pythonText(lesson, currentValues()); }),
    el('span', { class: 'param-help', id: `help-${p.name}`, text: p.help }))));
  $('python').textContent = pythonText(lesson, currentValues());
  $('output').textContent = '';
  $('results').replaceChildren(el('p', { class: 'muted', text: 'Run the lesson to see measured results.' }));
  $('timeline').replaceChildren(el('p', { class: 'muted', text: 'Each thread and process gets a lane once the lesson has run.' }));
  $('timeline-controls').replaceChildren();
  $('timeline-text').replaceChildren();
  const blocked = lesson.engine === 'threads' && !state.playground.threads;
  showCodeMode(lesson.id === CODE_LESSON.id);
  $('run').disabled = blocked;
  $('run-status').textContent = blocked ? 'This lesson needs threads, which this page cannot use (see the notice above).' : '';
  state.linkNotices = [];
  notices([]);
  syncUrl();
  tell('lesson', lesson);
}

function notices(list) {
  $('notices').replaceChildren(...list.map((n) => el('li', { text: n })));
}

function appendOutput(lines, startedAt) {
  const out = $('output');
  for (const line of lines) {
    const who = state.lanes.get(line.lane)?.name ?? `lane ${line.lane}`;
    out.append(el('span', { class: 'out-time', text: `+${(line.t - startedAt).toFixed(1).padStart(7)} ms  ` }),
      el('span', { class: 'out-who', text: who }), `  ${line.text}\n`);
  }
  out.scrollTop = out.scrollHeight;
}

async function run() {
  if (state.running) return;
  if (state.lesson.id === CODE_LESSON.id) {
    await runCode();
    return;
  }
  const lesson = state.lesson;
  state.running = true;
  state.lanes = new Map();
  state.events = [];
  $('run').disabled = true;
  $('stop').disabled = false;
  $('output').textContent = '';
  notices(state.linkNotices);
  const limit = clampTimeLimit($('time-limit').value);
  $('time-limit').value = limit.seconds;
  tell('run', { lesson: lesson.id });
  const startedAt = performance.timeOrigin + performance.now();
  const ticker = setInterval(() => {
    $('run-status').textContent = `Running… ${((performance.timeOrigin + performance.now() - startedAt) / 1000).toFixed(1)} s`;
    drawLive(startedAt);
  }, 250);
  try {
    const outcome = await state.playground.run(lesson.id, currentValues(), {
      timeLimitS: limit.seconds,
      onStarted: (prepared) => {
        notices([...state.linkNotices, ...prepared.notices]);
        for (const [name, value] of Object.entries(prepared.params)) {
          const input = $(`param-${name}`);
          if (input) input.value = value;
        }
        $('python').textContent = pythonText(lesson, prepared.params);
        syncUrl();
        tell('started', { lesson: lesson.id, params: prepared.params }); // the parameters as validated
      },
      onProgress: ({ lanes, events, output }) => {
        for (const lane of lanes) state.lanes.set(lane.id, lane);
        state.events.push(...events);
        appendOutput(output, startedAt);
      },
    });
    clearInterval(ticker);
    notices([...state.linkNotices, ...(limit.notice ? [limit.notice] : []), ...outcome.notices]);
    $('run-status').textContent = outcome.stopped ? 'Stopped.'
      : outcome.error ? 'The run failed.' : `Finished in ${fmt.ms(outcome.finished_at - outcome.started_at)}.`;
    showOutcome(outcome);
    tell('outcome', outcome);
  } catch (error) {
    clearInterval(ticker);
    $('run-status').textContent = '';
    $('results').replaceChildren(el('p', { class: 'error', role: 'alert', text: error.message }));
    tell('outcome', { lesson: lesson.id, error: error.message });
  } finally {
    state.running = false;
    $('run').disabled = false;
    $('stop').disabled = true;
  }
}

/** The timeline so far, redrawn while a run goes on (until it has too many events to stream). */
function drawLive(startedAt) {
  if (!state.events.length || state.events.length >= state.playground.maxLiveEvents) return; // the rest is drawn at the end
  const now = performance.timeOrigin + performance.now();
  const live = { lanes: [...state.lanes.values()], events: state.events, messages: state.messages, started_at: startedAt, finished_at: now, live_until: now };
  $('timeline-controls').replaceChildren(el('span', { class: 'muted', text: 'Live: lanes grow as the run goes on.' }));
  $('timeline').replaceChildren(renderTimeline(live, ''), legend(live));
}

function showOutcome(outcome) {
  $('results').replaceChildren(...(outcome.stopped
    ? [el('p', { class: 'stopped', role: 'status', text: outcome.stopped })]
    : renderResults(outcome)));
  if (outcome.exceptions?.length) {
    // As Python's threading.excepthook prints them; the other threads carried on.
    $('results').prepend(el('ul', { class: 'exceptions', 'aria-label': 'Exceptions in threads' },
      outcome.exceptions.map((x) => el('li', { text: `Exception in thread ${x.thread}: ${x.message}` }))));
  }
  if (outcome.dropped_events) {
    $('results').append(el('p', { class: 'muted', text: `${fmt.int(outcome.dropped_events)} state changes were too many to keep and are not drawn.` }));
  }
  const groups = groupsOf(outcome);
  const draw = (group) => {
    if (groups.length > 1) { state.view = group; syncUrl(); }
    $('timeline').replaceChildren(renderTimeline(outcome, group), legend());
    $('timeline-text').replaceChildren(timelineTable(outcome, group));
  };
  if (groups.length > 1) {
    const select = el('select', { id: 'timeline-group', onchange: (e) => draw(e.target.value) },
      groups.map((g) => el('option', { value: g, text: g, selected: g === state.view })));
    $('timeline-controls').replaceChildren(el('label', {}, 'Show: ', select));
  } else {
    $('timeline-controls').replaceChildren();
  }
  draw(groups.includes(state.view) ? state.view : (groups[0] ?? ''));
}

// --- Your code: the learner's program in the editor, run by the Python runtime -------------------------

/** Shows the editor instead of the Python view (for the code lesson), creating it on first use. */
function showCodeMode(on) {
  document.body.classList.toggle('code-mode', on);
  $('python-view').hidden = on;
  $('editor').hidden = !on;
  $('edit-run').hidden = on;
  $('python-h').textContent = on ? 'Your program' : 'Python view';
  if (on) {
    $('results').replaceChildren(el('p', { class: 'muted', text: 'Run the program to see its output, its time and its threads.' }));
    $('timeline').replaceChildren(el('p', { class: 'muted', text: 'Each Python thread gets a lane once the program has run.' }));
    ensureEditor().catch((error) => { $('editor').replaceChildren(el('p', { class: 'error', text: `The editor could not load: ${error.message}` })); });
    updateCodeLink();
  }
}

/** The editor (created on first use), showing `state.code.text`. */
async function ensureEditor() {
  state.code.mounting ??= mountEditor($('editor'), {
    doc: state.code.text,
    onRun: () => { if (!state.running) run(); },
    onChange: () => { state.code.text = state.code.editor.getCode(); updateCodeLink(); tell('code-change', { code: state.code.text }); },
  }).then((editor) => { state.code.editor = editor; return editor; });
  const editor = await state.code.mounting;
  // The program may have been replaced while the editor loaded (an embed's code, Edit and run).
  if (editor.getCode() !== state.code.text) editor.setCode(state.code.text);
  return editor;
}

/** The link carries the program, compressed; a program too long for a link gets a notice instead. */
let linkTimer = null;
function updateCodeLink() {
  clearTimeout(linkTimer);
  linkTimer = setTimeout(async () => {
    const { param, notice } = await codeForLink(state.code.text, 8000);
    state.code.linkParam = param;
    if (notice !== state.code.linkNotice) {
      state.code.linkNotice = notice;
      notices([...state.linkNotices, ...(notice ? [notice] : [])]);
    }
    syncUrl();
  }, 150);
}

/** "Edit and run" on a lesson: its Python view, with the current parameters, in the editor. */
async function editAndRun() {
  if (state.running) return;
  const values = currentValues();
  state.code.text = pythonText(state.lesson, values);
  // The lesson's Python build carries over (the gil lesson's "both, side by side" is not a build).
  const carried = Object.fromEntries(state.playground.codeParams
    .filter((p) => p.name in values && (!p.choices.length || p.choices.some(([c]) => c === Number(values[p.name]))))
    .map((p) => [p.name, Number(values[p.name])]));
  selectLesson(CODE_LESSON.id, carried);
  await ensureEditor();
  run();
}

async function runCode() {
  const pg = state.playground;
  const editor = await ensureEditor();
  const source = editor.getCode();
  state.running = true;
  state.lanes = new Map();
  state.events = [];
  state.messages = [];
  $('run').disabled = true;
  $('stop').disabled = false;
  $('output').textContent = '';
  const limit = clampTimeLimit($('time-limit').value);
  $('time-limit').value = limit.seconds;
  notices([...state.linkNotices, ...(limit.notice ? [limit.notice] : [])]);
  tell('run', { lesson: CODE_LESSON.id });
  let startedAt = performance.timeOrigin + performance.now();
  let loading = !pg.python.loaded;
  const bar = $('python-load');
  if (loading) $('run-status').textContent = 'Loading the Python runtime…';
  const ticker = setInterval(() => {
    if (loading) return;
    $('run-status').textContent = `Running… ${((performance.timeOrigin + performance.now() - startedAt) / 1000).toFixed(1)} s`;
    drawLive(startedAt);
  }, 250);
  const goToLine = (n) => state.code.editor?.goToLine(n);
  try {
    const values = currentValues();
    const result = await pg.runPython(source, {
      timeLimitS: limit.seconds,
      gil: Number(values.python) !== PYTHON_BUILD.FREE_THREADED,
      switchIntervalMs: Number(values.switch_interval_ms),
      onLoad: (p) => loadProgress(bar, $('run-status'), p),
      onProgress: ({ lanes, events, output, messages }) => {
        if (loading) { loading = false; bar.hidden = true; startedAt = performance.timeOrigin + performance.now(); }
        for (const lane of lanes) state.lanes.set(lane.id, lane);
        state.events.push(...events);
        state.messages.push(...(messages ?? []));
        appendCodeOutput($('output'), output, state.lanes, startedAt, goToLine);
      },
    });
    loading = false;
    bar.hidden = true;
    clearInterval(ticker);
    for (const lane of result.lanes) state.lanes.set(lane.id, lane);
    // The whole output (lines that arrived after the last live update included), on the program's clock.
    $('output').textContent = '';
    appendCodeOutput($('output'), result.output, state.lanes, result.started_at, goToLine);
    $('run-status').textContent = result.stopped ? 'Stopped.'
      : result.exception ? `Ended with ${result.exception.type} after ${fmt.ms(result.duration_ms)}.`
        : `Finished in ${fmt.ms(result.duration_ms)}.`;
    $('results').replaceChildren(...codeReport(result, goToLine));
    const drawn = { lanes: result.lanes, events: result.events, messages: result.messages, started_at: result.started_at, finished_at: result.finished_at };
    $('timeline-controls').replaceChildren();
    $('timeline').replaceChildren(renderTimeline(drawn, ''), legend(drawn));
    $('timeline-text').replaceChildren(timelineTable(drawn, ''));
    tell('outcome', { lesson: CODE_LESSON.id, python: result });
  } catch (error) {
    clearInterval(ticker);
    bar.hidden = true;
    $('run-status').textContent = '';
    $('results').replaceChildren(el('p', { class: 'error', role: 'alert', text: error.message }));
    tell('outcome', { lesson: CODE_LESSON.id, error: error.message });
  } finally {
    state.running = false;
    $('run').disabled = false;
    $('stop').disabled = true;
  }
}

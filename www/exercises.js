// Exercises on the lesson page: a predict-then-run question above the parameters, and "fix it" challenges
// below the timeline, checked on real runs. Progress is kept in localStorage; `?exercise=<id>` opens one
// exercise (a challenge id such as fix-counter, or predict-<lesson id> for a lesson's question).
//
// The page (app.js) tells this module what happens through DOM events on `document`:
//   playground:lesson   detail = the lesson shown            playground:run      detail = { lesson }
//   playground:outcome  detail = the run's outcome (or { lesson, error } when the run could not start)
// and this module asks the page to show a lesson with `playground:select-lesson` (detail = { id }).
import { el } from './dom.js';
import { QUESTIONS, CHALLENGES, isCorrect } from './exercises-data.js';

export const STORE_KEY = 'playground.exercises.v1';
const $ = (id) => document.getElementById(id);

export function loadProgress() {
  try {
    const p = JSON.parse(localStorage.getItem(STORE_KEY) ?? 'null');
    if (p && typeof p === 'object') return { predictions: p.predictions ?? {}, challenges: p.challenges ?? {} };
  } catch { /* unreadable or blocked storage: start afresh */ }
  return { predictions: {}, challenges: {} };
}

function record(kind, id, entry) {
  const progress = loadProgress();
  progress[kind][id] = { ...progress[kind][id], ...entry, at: Date.now() };
  try { localStorage.setItem(STORE_KEY, JSON.stringify(progress)); } catch { /* storage full or blocked */ }
  renderOverview();
  return progress[kind][id];
}

const view = { lesson: null, predicted: undefined, pendingFor: null };
const predictBox = el('section', { id: 'predict', class: 'predict', 'aria-labelledby': 'predict-h', hidden: true });
const practiceBox = el('section', { id: 'exercises', class: 'exercises', 'aria-labelledby': 'exercises-h', hidden: true });

function mount() {
  if (predictBox.isConnected) return;
  $('params-form')?.before(predictBox);
  $('lesson')?.append(practiceBox);
}

// ---- Predict, then run -------------------------------------------------------------------------------

function labelOf(q, id) {
  return q.choices?.find((c) => c.id === id)?.label ?? String(id);
}

function renderPredict(lesson) {
  const q = QUESTIONS[lesson.id];
  predictBox.hidden = !q;
  if (!q) { predictBox.replaceChildren(); return; }
  const saved = loadProgress().predictions[lesson.id];
  const name = `predict-${lesson.id}`;
  const field = q.number
    ? el('label', { class: 'predict-number' }, el('span', { text: q.number.label }),
      el('input', { type: 'number', id: 'predict-input', name, min: q.number.min, max: q.number.max, step: 1, inputmode: 'numeric' }))
    : q.choices.map((c) => el('label', { class: 'choice' },
      el('input', { type: 'radio', name, value: c.id, id: `predict-${c.id}` }), ` ${c.label}`));
  predictBox.replaceChildren(
    el('h3', { id: 'predict-h', tabindex: '-1' }, 'Predict, then run'),
    el('fieldset', { class: 'predict-field' }, el('legend', { text: q.prompt }), field),
    el('p', { class: 'muted predict-hint', text: 'Answer first, then press Run: the measurements of the run decide, not a stored answer.' }),
    el('div', { id: 'predict-feedback', class: 'predict-feedback', role: 'status', 'aria-live': 'polite' },
      saved ? el('span', { class: 'muted', text: `Last time you predicted "${q.number ? saved.predicted : labelOf(q, saved.predicted)}": ${saved.right ? 'right' : 'not this time'}.` }) : null));
}

function currentPrediction(q) {
  if (q.number) {
    const raw = $('predict-input')?.value ?? '';
    return raw.trim() === '' ? null : Number(raw);
  }
  return predictBox.querySelector('input[type=radio]:checked')?.value ?? null;
}

function setPredictDisabled(disabled) {
  predictBox.querySelectorAll('input').forEach((i) => { i.disabled = disabled; });
}

function onRunStarted({ lesson }) {
  const q = QUESTIONS[lesson];
  if (!q || view.lesson?.id !== lesson) return;
  view.predicted = currentPrediction(q);
  view.pendingFor = lesson;
  setPredictDisabled(true);
  $('predict-feedback').replaceChildren(el('span', { class: 'muted', text: view.predicted === null
    ? 'Running without a prediction…' : `Your prediction: "${q.number ? view.predicted : labelOf(q, view.predicted)}". Running…` }));
}

function onOutcome(outcome) {
  if (view.pendingFor !== outcome.lesson) return;
  view.pendingFor = null;
  setPredictDisabled(false);
  const q = QUESTIONS[outcome.lesson];
  const box = $('predict-feedback');
  if (!q || !box) return;
  if (outcome.error) { box.replaceChildren(el('span', { class: 'muted', text: 'The run failed, so it cannot answer the question.' })); return; }
  let answer;
  try { answer = q.answer(outcome.values, outcome); } catch (error) {
    box.replaceChildren(el('span', { class: 'muted', text: `This run's measurements could not answer the question (${error.message}).` }));
    return;
  }
  const predicted = view.predicted;
  const right = isCorrect(answer.correct, predicted);
  const answerText = Array.isArray(answer.correct) ? answer.correct.map((c) => `"${labelOf(q, c)}"`).join(' or ')
    : q.number ? String(answer.correct) : `"${labelOf(q, answer.correct)}"`;
  const parts = [];
  if (answer.correct === null) parts.push(el('strong', { text: 'This run cannot answer the question. ' }));
  else if (predicted === null) parts.push(el('strong', { text: `You did not predict. This run says: ${answerText}. ` }));
  else parts.push(el('strong', { class: right ? 'good' : 'bad', text: right ? `Right: ${answerText}. ` : `Not this time: you predicted "${q.number ? predicted : labelOf(q, predicted)}", this run says ${answerText}. ` }));
  parts.push(el('span', { text: `Measured: ${answer.measured}` }));
  box.replaceChildren(el('p', { class: 'predict-result', 'data-right': right === null ? 'none' : String(right) }, ...parts));
  if (predicted !== null && right !== null) record('predictions', outcome.lesson, { predicted, right, answer: answer.correct });
}

// ---- Fix it ------------------------------------------------------------------------------------------

function badge(ch) {
  const p = loadProgress().challenges[ch.id];
  const text = !p ? 'Not tried yet' : p.passed ? 'Passed ✓' : 'Not passed yet';
  return el('span', { class: `badge ${p?.passed ? 'passed' : p ? 'tried' : ''}`, 'data-badge': ch.id, text });
}

function renderChallenge(ch) {
  const saved = loadProgress().challenges[ch.id];
  const status = el('span', { class: 'check-status', role: 'status', 'aria-live': 'polite' });
  const result = el('div', { class: 'check-result' });
  const button = el('button', { type: 'submit', class: 'check' }, 'Check my fix');
  const field = ch.number
    ? el('label', { class: 'param fix-number' }, el('span', { class: 'param-label', text: ch.number.label }),
      el('input', { type: 'number', name: ch.number.name, id: `fix-${ch.id}-${ch.number.name}`, min: ch.number.min, max: ch.number.max,
        step: 1, inputmode: 'numeric', value: saved?.choice ?? ch.number.default }))
    : el('fieldset', { class: 'fix-choices' }, el('legend', { text: 'Your fix' }),
      ch.choices.map((c) => el('label', { class: 'choice fix-choice' },
        el('input', { type: 'radio', name: `fix-${ch.id}`, value: c.id, checked: saved?.choice === c.id }),
        el('span', {}, ` ${c.label}`, el('code', { class: 'snippet', text: c.code })))));
  const form = el('form', { class: 'fix-form', novalidate: true,
    onsubmit: (e) => { e.preventDefault(); runCheck(ch, form, button, status, result); } },
  field, el('p', { class: 'muted', text: ch.checkText }), el('div', { class: 'run-row' }, button, status));
  return el('article', { class: 'challenge', id: `challenge-${ch.id}`, 'aria-labelledby': `challenge-${ch.id}-h` },
    el('h4', { id: `challenge-${ch.id}-h`, tabindex: '-1' }, `Fix it: ${ch.title} `, badge(ch)),
    el('p', { text: ch.task }),
    el('pre', { class: 'code', tabindex: '0', role: 'region', 'aria-label': `The program to fix: ${ch.title}` }, el('code', { text: ch.broken })),
    form, result);
}

function renderPractice(lesson) {
  const list = CHALLENGES.filter((c) => c.lesson === lesson.id);
  practiceBox.hidden = !list.length;
  practiceBox.replaceChildren(...(list.length
    ? [el('h3', { id: 'exercises-h' }, 'Exercises'), ...list.map(renderChallenge)] : []));
}

async function runCheck(ch, form, button, status, result) {
  let choice;
  if (ch.number) {
    const value = Number(form.elements[ch.number.name].value);
    if (!Number.isInteger(value) || value < ch.number.min || value > ch.number.max) {
      status.textContent = `${ch.number.label} must be a whole number from ${ch.number.min} to ${ch.number.max}.`;
      return;
    }
    choice = { id: String(value), value };
  } else {
    choice = ch.choices.find((c) => c.id === form.querySelector('input[type=radio]:checked')?.value);
    if (!choice) { status.textContent = 'Choose a fix first.'; return; }
  }
  const pg = window.playground;
  const first = ch.run(choice);
  const engine = pg.lessons.find((l) => l.id === first.lesson)?.engine;
  if (engine === 'threads' && !pg.threads) {
    status.textContent = 'This fix runs on threads, which this page cannot use (see the notice at the top).';
    return;
  }
  button.disabled = true;
  result.replaceChildren();
  status.className = 'check-status';
  delete status.dataset.pass;
  const runs = ch.runs ?? 1;
  const outcomes = [];
  try {
    for (let i = 0; i < runs; i++) {
      status.textContent = `Running check ${i + 1} of ${runs}…`;
      const { lesson, params } = ch.run(choice);
      const outcome = await pg.run(lesson, params, {
        onProgress: ({ output }) => { if (output.length) status.textContent = `Check ${i + 1} of ${runs}: ${output.at(-1).text}`; },
      });
      if (outcome.error) throw new Error(outcome.error);
      outcomes.push(outcome);
    }
    const verdict = ch.check(outcomes, choice);
    const prev = loadProgress().challenges[ch.id];
    record('challenges', ch.id, { passed: Boolean(prev?.passed || verdict.pass), last: verdict.pass, choice: choice.id, tries: (prev?.tries ?? 0) + 1 });
    result.replaceChildren(el('table', { class: 'table' },
      el('caption', { text: 'The check\'s runs' }),
      el('thead', {}, el('tr', {}, ['Run', 'Measured', 'Result'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, verdict.rows.map(([run, what, ok]) => el('tr', {},
        el('td', { text: run }), el('td', { text: what }), el('td', {}, el('span', { class: ok ? 'good' : 'bad', text: ok ? 'ok' : 'fails' })))))));
    // The verdict goes in the live status next to the button, so it is both shown and announced.
    status.className = `check-status check-verdict ${verdict.pass ? 'good' : 'bad'}`;
    status.dataset.pass = String(verdict.pass);
    status.textContent = `${verdict.pass ? 'Passed.' : 'Not yet.'} ${verdict.summary}`;
    form.closest('.challenge')?.querySelector(`[data-badge="${ch.id}"]`)?.replaceWith(badge(ch));
  } catch (error) {
    status.textContent = `The check could not finish: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

// ---- Overview in the lesson list, and links to one exercise -----------------------------------------

function renderOverview() {
  const nav = $('lesson-nav');
  if (!nav || !nav.childElementCount) return;
  const progress = loadProgress();
  const right = Object.values(progress.predictions).filter((p) => p.right).length;
  const section = el('section', { id: 'exercise-nav' },
    el('h2', { class: 'nav-group', text: 'Exercises' }),
    el('ul', {}, CHALLENGES.map((ch) => el('li', {},
      el('a', { href: `?exercise=${encodeURIComponent(ch.id)}`, 'data-exercise': ch.id,
        onclick: (e) => { e.preventDefault(); openExercise(ch.id); } },
      ch.title, progress.challenges[ch.id]?.passed ? el('span', { class: 'done', 'aria-label': ' (passed)', text: ' ✓' }) : null)))),
    el('p', { class: 'muted nav-progress', text: `Predictions right: ${right} of ${Object.keys(QUESTIONS).length} lessons` }));
  $('exercise-nav')?.remove();
  nav.append(section);
}

/** Shows exercise `id` (a challenge id or predict-<lesson>); false when there is none. */
export function openExercise(id) {
  const ch = CHALLENGES.find((c) => c.id === id);
  const lessonId = ch?.lesson ?? (id.startsWith('predict-') && QUESTIONS[id.slice(8)] ? id.slice(8) : null);
  if (!lessonId || !window.playground?.lessons.some((l) => l.id === lessonId)) return false;
  if (view.lesson?.id !== lessonId) document.dispatchEvent(new CustomEvent('playground:select-lesson', { detail: { id: lessonId } }));
  const target = ch ? $(`challenge-${ch.id}-h`) : $('predict-h');
  if (!target) return false;
  document.querySelectorAll('.challenge.linked').forEach((n) => n.classList.remove('linked'));
  target.closest('.challenge')?.classList.add('linked');
  target.scrollIntoView({ block: 'start' });
  target.focus();
  return true;
}

document.addEventListener('playground:lesson', (e) => {
  mount();
  view.lesson = e.detail;
  view.pendingFor = null;
  renderPredict(e.detail);
  renderPractice(e.detail);
  renderOverview();
});
document.addEventListener('playground:run', (e) => onRunStarted(e.detail));
document.addEventListener('playground:outcome', (e) => onOutcome(e.detail));

// A teacher's link: ?exercise=fix-counter opens that exercise once the engine is ready.
const wanted = new URLSearchParams(location.search).get('exercise');
if (wanted) {
  // After app.js has started the engine (this module is evaluated before app.js's own body runs).
  setTimeout(() => Promise.resolve(window.playgroundReady).then(() => {
    if (!openExercise(wanted)) {
      mount();
      practiceBox.hidden = false;
      practiceBox.prepend(el('p', { class: 'notice', role: 'alert', text: `There is no exercise "${wanted.slice(0, 40)}".` }));
    }
  }).catch(() => {}), 0);
}

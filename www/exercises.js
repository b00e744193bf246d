// Exercises on the lesson page: a predict-then-run question above the parameters, and the fix-it
// challenges on code (./challenges.js): a lesson lists its own below the timeline, and an open challenge
// sits below the timeline of "Your code". Progress is kept in localStorage (./progress.js);
// `?exercise=<id>` opens one exercise (a challenge id such as fix-counter, or predict-<lesson id> for a
// lesson's question), and `?challenge=` / `?challenge_url=` a teacher's challenge.
//
// The page (app.js) tells this module what happens through DOM events on `document`:
//   playground:lesson   detail = the lesson shown            playground:run      detail = { lesson }
//   playground:outcome  detail = the run's outcome (or { lesson, error } when the run could not start)
// and this module asks the page to show a lesson with `playground:select-lesson` (detail = { id }).
//
// Each lesson owns its question (src/lessons/<lesson>.rs; types in src/protocol/question.rs): the prompt and
// choices (or a number input) come with the lesson as `lesson.question`, and the run's answer, judged in
// Rust from that run's measurements, comes with its outcome as `values.answer` = { correct, measured }.
import { el } from './dom.js';
import { loadProgress, record } from './progress.js';
import {
  activeChallenge, builtInChallenges, challengeFromLink, challengeFromText, challengeLink, challengePanel, lessonCards, onLessonShown,
  openChallenge,
} from './challenges.js';

const $ = (id) => document.getElementById(id);

const view = { lesson: null, predicted: undefined, pendingFor: null };
const predictBox = el('section', { id: 'predict', class: 'predict', 'aria-labelledby': 'predict-h', hidden: true });
const practiceBox = el('section', { id: 'exercises', class: 'exercises', 'aria-labelledby': 'exercises-h', hidden: true });

function mount() {
  if (predictBox.isConnected) return;
  $('params-form')?.before(predictBox);
  $('lesson')?.append(practiceBox);
}

// ---- Predict, then run -------------------------------------------------------------------------------

/** Whether `predicted` matches a measured answer's `correct`: an id, a list of ids that all count, a
 *  number, or null (this run cannot answer: null). */
function isCorrect(correct, predicted) {
  if (correct === null || correct === undefined) return null;
  if (Array.isArray(correct)) return correct.includes(predicted);
  if (typeof correct === 'number') return Number(predicted) === correct;
  return predicted === correct;
}

/** The lessons that ask a question, once the page is set up. */
const questionLessons = () => (window.playground?.lessons ?? []).filter((l) => l.question);

function labelOf(q, id) {
  return q.choices?.find((c) => c.id === id)?.label ?? String(id);
}

function renderPredict(lesson) {
  const q = lesson.question;
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
  if (view.lesson?.id !== lesson) return;
  const q = view.lesson.question;
  if (!q) return;
  view.predicted = currentPrediction(q);
  view.pendingFor = lesson;
  setPredictDisabled(true);
  $('predict-feedback').replaceChildren(el('span', { class: 'muted', text: view.predicted === null
    ? 'Running without a prediction…' : `Your prediction: "${q.number ? view.predicted : labelOf(q, view.predicted)}". Running…` }));
}

/** @param {PlaygroundOutcome} outcome */
function onOutcome(outcome) {
  if (view.pendingFor !== outcome.lesson) return;
  view.pendingFor = null;
  setPredictDisabled(false);
  const q = view.lesson?.id === outcome.lesson ? view.lesson.question : null;
  const box = $('predict-feedback');
  if (!q || !box) return;
  if (outcome.error) { box.replaceChildren(el('span', { class: 'muted', text: 'The run failed, so it cannot answer the question.' })); return; }
  const answer = outcome.values?.answer;
  if (!answer) {
    box.replaceChildren(el('span', { class: 'muted', text: 'This run\'s measurements could not answer the question.' }));
    return;
  }
  const predicted = view.predicted;
  const right = isCorrect(answer.correct, predicted);
  const answerText = Array.isArray(answer.correct) ? answer.correct.map((c) => `"${labelOf(q, c)}"`).join(' or ')
    : q.number ? String(answer.correct) : `"${labelOf(q, answer.correct)}"`;
  const parts = [];
  if (answer.correct == null) parts.push(el('strong', { text: 'This run cannot answer the question. ' }));
  else if (predicted === null) parts.push(el('strong', { text: `You did not predict. This run says: ${answerText}. ` }));
  else parts.push(el('strong', { class: right ? 'good' : 'bad', text: right ? `Right: ${answerText}. ` : `Not this time: you predicted "${q.number ? predicted : labelOf(q, predicted)}", this run says ${answerText}. ` }));
  parts.push(el('span', { text: `Measured: ${answer.measured}` }));
  box.replaceChildren(el('p', { class: 'predict-result', 'data-right': right === null ? 'none' : String(right) }, ...parts));
  if (predicted !== null && right !== null) record('predictions', outcome.lesson, { predicted, right, answer: answer.correct });
}

// ---- Fix it: challenges on code -----------------------------------------------------------------------

function renderPractice(lesson) {
  const open = lesson.id === 'code' ? activeChallenge() : null;
  const cards = open ? [challengePanel()] : lessonCards(lesson);
  practiceBox.hidden = !cards.length;
  practiceBox.classList.toggle('challenge-active', Boolean(open));
  practiceBox.replaceChildren(...(cards.length ? [el('h3', { id: 'exercises-h', class: open ? 'visually-hidden' : null }, 'Exercises'), ...cards] : []));
  if (open) $('challenge-h')?.focus();
}

function notFound(text) {
  mount();
  practiceBox.hidden = false;
  practiceBox.prepend(el('p', { class: 'notice', role: 'alert', text }));
}

// ---- Overview in the lesson list, and links to one exercise -----------------------------------------

function renderOverview() {
  const nav = $('lesson-nav');
  if (!nav || !nav.childElementCount) return;
  const progress = loadProgress();
  const right = Object.values(progress.predictions).filter((p) => p.right).length;
  const section = el('section', { id: 'exercise-nav' },
    el('h2', { class: 'nav-group', text: 'Exercises' }),
    el('ul', {}, builtInChallenges().map((ch) => el('li', {},
      el('a', { href: `?exercise=${encodeURIComponent(ch.id)}`, 'data-exercise': ch.id,
        onclick: (e) => { e.preventDefault(); openExercise(ch.id); } },
      ch.title, progress.challenges[ch.id]?.passed ? el('span', { class: 'done', 'aria-label': ' (passed)', text: ' ✓' }) : null)))),
    el('p', { class: 'muted nav-progress', text: `Predictions right: ${right} of ${questionLessons().length} lessons` }));
  $('exercise-nav')?.remove();
  nav.append(section);
}

/** Shows exercise `id` (a challenge id or predict-<lesson>); false when there is none. */
export function openExercise(id) {
  const ch = builtInChallenges().find((c) => c.id === id);
  if (ch) return openChallenge(ch);
  const lessonId = id.startsWith('predict-') ? id.slice(8) : null;
  if (!lessonId || !questionLessons().some((l) => l.id === lessonId)) return false;
  if (view.lesson?.id !== lessonId) document.dispatchEvent(new CustomEvent('playground:select-lesson', { detail: { id: lessonId } }));
  const target = $('predict-h');
  if (!target) return false;
  target.scrollIntoView({ block: 'start' });
  target.focus();
  return true;
}

/** A teacher's challenge (JSON text, from an embed): opened, or a message naming what is wrong. */
export async function openChallengeText(text) {
  try {
    openChallenge(await challengeFromText(text), { custom: true, link: [null] });
  } catch (error) {
    notFound(`This challenge could not be read: ${error.message}`);
  }
}

document.addEventListener('playground:lesson', (e) => {
  mount();
  onLessonShown(e.detail);
  view.lesson = e.detail;
  view.pendingFor = null;
  renderPredict(e.detail);
  renderPractice(e.detail);
  renderOverview();
});
document.addEventListener('playground:run', (e) => onRunStarted(e.detail));
document.addEventListener('playground:outcome', (e) => onOutcome(e.detail));
document.addEventListener('playground:progress', () => renderOverview());
document.addEventListener('playground:open-challenge-text', (e) => openChallengeText(e.detail.text));

// A teacher's link: ?exercise=fix-counter, or their own challenge (?challenge=…, ?challenge_url=…), opens
// once the engine is ready (this module is evaluated before app.js's own body runs).
const search = location.search;
const wanted = new URLSearchParams(search).get('exercise');
setTimeout(() => Promise.resolve(window.playgroundReady).then(async () => {
  renderOverview(); // the count of questions needs every lesson, known once the page is set up
  // For teachers, in the console: await playground.challengeLink(jsonText) → a link that opens it.
  if (window.playground) window.playground.challengeLink = challengeLink;
  let fromLink = null;
  try {
    fromLink = await challengeFromLink(search);
  } catch (error) {
    notFound(`This challenge could not be read: ${error.message}`);
    return;
  }
  // A link that carries code too (a learner's shared attempt) opens with that code.
  const keepCode = new URLSearchParams(search).has('code');
  const builtIn = builtInChallenges().find((c) => c.id === wanted);
  if (fromLink) openChallenge(fromLink.challenge, { custom: true, link: fromLink.link, keepCode });
  else if (builtIn) openChallenge(builtIn, { keepCode });
  else if (wanted && !openExercise(wanted)) notFound(`There is no exercise "${wanted.slice(0, 40)}".`);
}).catch(() => {}), 0);

// How a run's measured values are shown: every lesson returns `values.report` (src/lessons/report.rs), drawn
// the same way for all, below the outcome's attachments, each drawn by its kind (src/protocol.rs).
import { el } from './dom.js';
import { renderChart } from './chart.js';
import { framesView } from './frames-view.js';

/** A report table; `marks` draws cells as good or bad news (`tone`: 'good' | 'bad', the classes in style.css). */
function table(headers, rows, marks = []) {
  const toneOf = (r, c) => marks.find((m) => m.row === r && m.column === c)?.tone;
  const cell = (text, r, c) => {
    const tone = toneOf(r, c);
    return el('td', {}, tone ? el('span', { class: tone, text }) : text);
  };
  return el('table', { class: 'table' },
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, rows.map((cells, r) => el('tr', {}, cells.map((c, i) => cell(c, r, i))))));
}

/** Any lesson's `values.report`: a verdict, tables, charts and notes, all from the run's measurements.
 *  @param {import('./types/generated/Report').Report} report */
function report({ verdict, tables, charts, notes }) {
  return [
    el('p', { class: 'verdict', text: verdict }),
    ...charts.map(renderChart),
    ...tables.map((t) => el('figure', { class: 'report-table' },
      t.caption ? el('figcaption', { text: t.caption }) : null, table(t.headers, t.rows, t.marks))),
    ...notes.map((n) => el('p', { class: 'muted', text: n })),
  ];
}

/** @typedef {import('./types/generated/Attachment').Attachment} Attachment */
/** One view per kind of attachment: a kind added in Rust without a view here fails tsc.
 *  @type {{ [K in Attachment['kind']]: (a: Extract<Attachment, { kind: K }>) => HTMLElement }} */
const ATTACHMENT_VIEWS = { frame_playback: framesView };
/** @param {Attachment} a */
const attachment = (a) => ATTACHMENT_VIEWS[a.kind](a);

/** @param {import('./types/generated/RunOutcome').RunOutcome} outcome */
export function renderResults(outcome) {
  if (outcome.error) return [el('p', { class: 'error', role: 'alert', text: `The run failed: ${outcome.error}` })];
  if (outcome.values?.report) return [...(outcome.attachments ?? []).map(attachment), ...report(outcome.values.report)];
  return [el('pre', { text: JSON.stringify(outcome.values, null, 2) })];
}

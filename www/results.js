// How each lesson's measured values are shown. One renderer per lesson, chosen by id.
import { el, fmt } from './dom.js';
import { renderChart } from './chart.js';
import { framesView } from './frames-view.js';

function table(headers, rows) {
  return el('table', { class: 'table' },
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) => el('td', {}, c))))));
}

const spreadText = (v) => `${fmt.ms(v.median_ms)} (${fmt.ms(v.min_ms)} – ${fmt.ms(v.max_ms)})`;

function counter(values) {
  const rows = values.variants.map((v) => [
    v.label,
    fmt.int(v.expected),
    v.trials.map((t) => fmt.int(t.actual)).join(', '),
    el('span', { class: v.trials_losing_updates ? 'bad' : 'good' }, v.trials.map((t) => fmt.int(t.lost)).join(', ')),
    spreadText(v),
    v.variant === 'locked' ? `${fmt.ms(v.trials.reduce((s, t) => s + t.lock_wait_ms, 0) / v.trials.length)} / run` : '—',
  ]);
  const unlocked = values.variants.find((v) => v.variant === 'unlocked');
  const others = values.variants.filter((v) => v.variant !== 'unlocked');
  const exact = others.map((v) => `${v.label}: ${v.trials.filter((t) => t.lost === 0).length} of ${v.trials.length} runs exact`).join('; ');
  const underGil = values.interpreter?.build === 'gil';
  const switches = values.variants.flatMap((v) => v.trials).reduce((s, t) => s + (t.gil?.switches ?? 0), 0);
  let verdict;
  if (!unlocked) verdict = `${values.interpreter_label}: ${exact} (${fmt.int(values.expected)} expected).`;
  else if (unlocked.trials_losing_updates) {
    const maxLost = Math.max(...unlocked.trials.map((t) => t.lost));
    verdict = `${values.interpreter_label}: without a lock, ${unlocked.trials_losing_updates} of ${unlocked.trials.length} runs lost updates (up to ${fmt.int(maxLost)} of ${fmt.int(unlocked.expected)}).`
      + (others.length ? ` ${exact}.` : '');
  } else if (underGil) {
    verdict = `Under CPython's GIL no run without a lock lost an update, although the GIL changed hands ${fmt.int(switches)} times: a switch happens only at switch points (here the loop's backward jump), never between the read and the write of counter += 1. The code is still wrong — choose the free-threaded build and the same loop loses updates; under the GIL too, a longer read-modify-write with a call inside can be interrupted.`;
  } else {
    verdict = `This time no run without a lock lost an update — the threads did not overlap enough (try more threads or increments). The code is still wrong: nothing stops two threads from interleaving.`;
  }
  return [
    el('p', { class: 'verdict', text: verdict }),
    table(['Variant', 'Expected', 'Actual (each run)', 'Lost updates', 'Time: median (min – max)', 'Time blocked on the lock'], rows),
    el('p', { class: 'muted', text: `${values.interpreter_label}, ${values.threads} threads × ${fmt.int(values.increments)} increments. Times are measured by the clock from the first start() to the last join().${underGil ? ' Under the GIL only one thread runs Python code at a time, so the threads take about as long as one thread doing all the work.' : ''}` }),
  ];
}

function processCounter(values) {
  const rows = values.rounds.flatMap((round, r) => round.children.map((c) => [
    String(r + 1), `${c.name} (pid ${c.pid})`, c.count === null ? '—' : fmt.int(c.count),
    c.start_ms === null ? '—' : fmt.ms(c.start_ms), `${c.message_bytes} B`, c.message_ms === null ? '—' : fmt.ms(c.message_ms),
    String(c.exit_code ?? '—'),
  ]));
  const total = values.rounds.at(-1)?.total_via_messages ?? 0;
  return [
    el('p', { class: 'verdict' },
      `The parent's own counter after every process finished: `, el('strong', { text: fmt.int(values.parent_counter) }),
      `. Each process counted to ${fmt.int(values.increments)} in its own memory; the total ${fmt.int(total)} (expected ${fmt.int(values.expected_total)}) exists only because each one sent its count in a message.`),
    el('p', {}, `Run time: ${spreadText(values)} over ${values.rounds.length} runs. Starting a process (a new worker, a new memory, a new instance) took ${fmt.ms(values.median_start_ms)} (median).`),
    table(['Run', 'Process', 'Its own counter', 'Start cost', 'Message size', 'Message delay', 'Exit code'], rows),
  ];
}

const RENDERERS = { counter, 'process-counter': processCounter };

/** Any lesson's `values.report`: a verdict, tables, charts and notes, all from the run's measurements. */
function report({ verdict, tables, charts, notes }) {
  return [
    el('p', { class: 'verdict', text: verdict }),
    ...charts.map(renderChart),
    ...tables.map((t) => el('figure', { class: 'report-table' },
      t.caption ? el('figcaption', { text: t.caption }) : null, table(t.headers, t.rows))),
    ...notes.map((n) => el('p', { class: 'muted', text: n })),
  ];
}

export function renderResults(outcome) {
  if (outcome.error) return [el('p', { class: 'error', role: 'alert', text: `The run failed: ${outcome.error}` })];
  const render = RENDERERS[outcome.lesson];
  if (render) return render(outcome.values);
  // Frames a lesson left to play (the frames lab) go above its report.
  if (outcome.values?.report) return [...(outcome.playback ? [framesView(outcome.playback)] : []), ...report(outcome.values.report)];
  return [el('pre', { text: JSON.stringify(outcome.values, null, 2) })];
}

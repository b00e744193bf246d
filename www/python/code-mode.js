// "Your code": the learner's own Python in an editor, run by the Python runtime (RustPython on the
// engine's threads). app.js switches to this mode for the `code` lesson and for "Edit and run"; this module
// owns the editor, the output of a program and its report. The editor bundle (CodeMirror) and the Python
// runtime are loaded the first time code is opened or run.
import { el, fmt } from '../dom.js';
import { canShareMemory } from '../protocol.js';

export const CODE_LESSON = Object.freeze({
  id: 'code',
  title: 'Your code',
  group: 'Your code',
  // The Python runtime: it runs on any page, with real threads where the page is cross-origin isolated.
  engine: 'python',
  summary: 'Write or paste Python and run it in a real interpreter (RustPython) whose threads are this ' +
    'playground\'s real threads: each threading.Thread runs on its own Web Worker, in parallel with the others, ' +
    'and its locks, sleeps and joins appear on the timeline. Choose the Python build: CPython with its GIL (one ' +
    'thread runs Python code at a time, as on your own python3) or free-threaded 3.13t (threads run Python at the ' +
    'same time, and an unlocked counter loses updates). Ctrl+Enter (⌘+Enter) runs, Esc stops.',
  python: '',
  params: [],
});

/** The values of the "Python build" parameter (the engine's gil::WITH_GIL and gil::FREE_THREADED), as links
 *  carry them (`python=1`). The e2e tests check them against the engine's own list. */
export const PYTHON_BUILD = Object.freeze({ WITH_GIL: 0, FREE_THREADED: 1 });

/** What the interpreter was, said plainly beside every run. */
export const NO_GIL_NOTE = 'Free-threaded, like CPython 3.13t: there is no GIL, so Python threads ran ' +
  'at the same time on different cores. So counter += 1 from several threads without a lock loses updates ' +
  '(two threads read the same value and both write it back plus one); with a threading.Lock around it the ' +
  'count is exact.';

/** The note for a run with the GIL, from what the GIL did. */
export function gilNote(gil) {
  return `CPython with the GIL: one thread at a time ran Python code. The GIL changed hands ${fmt.int(gil.switches)} ` +
    `time${gil.switches === 1 ? '' : 's'} (${fmt.int(gil.forced_drops)} after a thread had waited a whole switch interval ` +
    `and asked for it); threads waited ${fmt.ms(gil.wait_ms)} for it in all (the "waiting for the GIL" lanes). So ` +
    'CPU-bound threads take about as long as doing the work one after another, while sleeps, waits and I/O let the ' +
    'GIL go and overlap. counter += 1 without a lock rarely loses updates here: a thread lets the GIL go only at a ' +
    'loop\'s jump back or a call, never between the read and the write — put a call in between and it does.';
}

export const STARTER = `import threading
import time

def worker(n):
    print(f"worker {n} starting")
    time.sleep(1)
    print(f"worker {n} done")

start = time.perf_counter()
threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"3 threads that each sleep 1 s took {time.perf_counter() - start:.2f} s")
`;

let editorModule = null;
/** The editor bundle (and lz-string), loaded once. */
export function loadEditorModule() {
  // @ts-ignore: vendor/editor.js is ./editor-entry.js bundled by scripts/build.sh into dist/ only
  editorModule ??= import('../vendor/editor.js');
  return editorModule;
}

/** The program a link carries (`code=` compressed with lz-string), or null. */
export async function codeFromLink(search) {
  const packed = new URLSearchParams(search).get('code');
  if (!packed) return { code: null, notice: null };
  const { decompressFromEncodedURIComponent } = await loadEditorModule();
  const code = decompressFromEncodedURIComponent(packed);
  if (typeof code !== 'string' || code === '') {
    return { code: null, notice: 'The program in this link could not be read (it may have been cut short); showing the starter program.' };
  }
  return { code, notice: null };
}

/** `code=…` for a link, or a notice when the program is too long for one. */
export async function codeForLink(code, maxLength) {
  const { compressToEncodedURIComponent } = await loadEditorModule();
  const packed = compressToEncodedURIComponent(code);
  if (packed.length > maxLength) return { param: null, notice: `This program is too long to put in a link (${fmt.int(packed.length)} characters compressed; at most ${fmt.int(maxLength)}). The link has the lesson only.` };
  return { param: packed, notice: null };
}

/** Creates the editor in `parent` (once); resolves with it. */
export async function mountEditor(parent, { doc, onRun, onChange }) {
  const { createEditor } = await loadEditorModule();
  parent.replaceChildren();
  return createEditor(parent, { doc, onRun, onChange, label: 'Python program (Ctrl+Enter or ⌘+Enter runs it)' });
}

const TRACEBACK_LINE = /^(\s*File "main\.py", line )(\d+)(.*)$/;

/** Appends printed lines: time, thread, text; stderr marked; traceback lines link to the editor. */
export function appendCodeOutput(out, lines, lanes, startedAt, goToLine) {
  const frag = document.createDocumentFragment();
  for (const line of lines) {
    const who = lanes.get(line.lane)?.name ?? `lane ${line.lane}`;
    const isErr = line.stream === 'stderr';
    const text = el('span', { class: isErr ? 'out-err' : null });
    const m = TRACEBACK_LINE.exec(line.text);
    if (m) {
      const n = Number(m[2]);
      text.append(m[1], el('button', { type: 'button', class: 'line-link', 'aria-label': `Go to line ${n} in the editor`, onclick: () => goToLine(n) }, String(n)), m[3]);
    } else {
      text.append(line.text);
    }
    frag.append(el('span', { class: 'out-time', text: `+${(line.t - startedAt).toFixed(1).padStart(7)} ms  ` }),
      el('span', { class: 'out-who', text: who }), ...(isErr ? [el('span', { class: 'out-stream', text: ' stderr' })] : []), '  ', text, '\n');
  }
  out.append(frag);
  out.scrollTop = out.scrollHeight;
}

/** What the report says about processes; `shared`: whether the page can share memory (without isolation a
 *  child reaches a Value or an Array by message, python/src/solo/mod.rs). */
const processesNote = (shared) => 'Each process was a fresh Python interpreter in a WebAssembly instance with a memory of its own, '
  + 'started the spawn way: it ran your file again as __mp_main__ (so only code under if __name__ == "__main__": runs once), '
  + `then its target. ${shared ? 'Processes share nothing but the memory under a Value or an Array' : 'Processes share nothing (this page is not cross-origin isolated, so even a Value or an Array lives in the main process, and a child reads and writes it by message)'}: `
  + 'what they send is pickled and copied, and each has its own GIL, '
  + 'so CPU-bound processes run at once where threads take turns. A process takes a while to start (grey on the timeline), '
  + 'and each message is an arrow from the lane that sent it to the lane that received it (hover for its size).';

/** Per process: how long it took from start() to running its program (its "starting" span), in ms. */
export function startCosts(result) {
  const costs = [];
  for (const lane of result.lanes.filter((l) => l.kind === 'process')) {
    const own = result.events.filter((e) => e.lane === lane.id);
    const starting = own.find((e) => e.state === 'starting');
    const running = starting && own.find((e) => e.state !== 'starting' && e.t >= starting.t);
    if (running) costs.push(running.t - starting.t);
  }
  return costs.sort((a, b) => a - b);
}

/** What the processes' messages add to the facts: how many, how many bytes, and what starting cost. */
function processFacts(result) {
  const facts = [];
  const costs = startCosts(result);
  if (costs.length) {
    const median = costs[Math.floor(costs.length / 2)];
    facts.push(el('dt', { text: 'Process start' }), el('dd', { id: 'code-start-cost',
      text: costs.length === 1 ? fmt.ms(median) : `median ${fmt.ms(median)} (${fmt.ms(costs[0])} to ${fmt.ms(costs.at(-1))} over ${costs.length})` }));
  }
  const messages = result.messages ?? [];
  if (messages.length || result.dropped_messages) {
    const total = messages.reduce((sum, m) => sum + m.bytes, 0);
    const more = result.dropped_messages ? ` (and ${fmt.int(result.dropped_messages)} more, not kept)` : '';
    facts.push(el('dt', { text: 'Messages' }), el('dd', { id: 'code-messages',
      text: `${fmt.int(messages.length)} pickled, ${fmt.bytes(total)} in all${more}` }));
  }
  return facts;
}

/** The report of a finished program: how it ended, how long it took, what went wrong, and why. */
export function codeReport(result, goToLine) {
  const parts = [];
  const threads = result.lanes.filter((l) => l.kind === 'thread').length;
  const processes = result.lanes.filter((l) => l.kind === 'process').length;
  const plural = (n, word) => `${fmt.int(n)} ${word}${n === 1 ? '' : 'es'.slice(word.endsWith('s') ? 0 : 1)}`;
  const took = `${fmt.ms(result.duration_ms)} (${(result.duration_ms / 1000).toFixed(2)} s)`;
  const how = result.stopped ? 'was stopped' : result.exception ? `ended with ${result.exception.type}` : 'finished';
  parts.push(el('p', { class: 'verdict', text: `The program ${how} after ${(result.duration_ms / 1000).toFixed(2)} s `
    + `with exit code ${result.exitCode}; it started ${plural(threads, 'thread')} besides MainThread`
    + `${processes ? ` and ${plural(processes, 'process')}` : ''}.` }));
  if (result.stopped) {
    parts.push(el('p', { class: 'stopped', role: 'status', text: result.stopped }));
  } else if (result.exception) {
    const x = result.exception;
    parts.push(el('p', { class: 'error', role: 'alert' },
      `${x.type}: ${x.message}`,
      x.line ? el('span', {}, ' — ', el('button', { type: 'button', class: 'line-link', onclick: () => goToLine(x.line) }, `go to line ${x.line}`)) : null));
  }
  if (result.deadlock) {
    parts.push(el('ul', { class: 'exceptions', 'aria-label': 'The deadlock' },
      result.deadlock.cycle.map((e) => el('li', { text: `${e.thread} holds ${e.holds} and waits for ${e.waits_for}` }))));
  }
  parts.push(el('dl', { class: 'facts' },
    el('dt', { text: 'Ran for' }), el('dd', { id: 'code-duration', text: took }),
    el('dt', { text: 'Exit code' }), el('dd', { id: 'code-exit', text: String(result.exitCode) }),
    el('dt', { text: 'Threads started' }), el('dd', { id: 'code-threads', text: fmt.int(threads) }),
    ...(processes ? [el('dt', { text: 'Processes started' }), el('dd', { id: 'code-processes', text: fmt.int(processes) })] : []),
    ...processFacts(result)));
  if (result.threads_left) {
    parts.push(el('p', { class: 'muted', text: `${fmt.int(result.threads_left)} thread(s) were still running when the program ended (daemon threads, which Python abandons at exit); they were stopped.` }));
  }
  if (result.dropped_output_lines) {
    parts.push(el('p', { class: 'notice', text: `The output is capped at 20,000 lines: ${fmt.int(result.dropped_output_lines)} more lines were printed and are not shown.` }));
  }
  if (result.restarted) {
    parts.push(el('p', { class: 'muted', text: 'The Python runtime was restarted for the next run.' }));
  }
  parts.push(el('p', { class: 'muted gil-note', text: result.gil ? gilNote(result.gil) : NO_GIL_NOTE }));
  if (processes) parts.push(el('p', { class: 'muted', text: processesNote(canShareMemory()) }));
  return parts;
}

/** How far the runtime's download has got, for the status line and the progress bar. */
export function loadProgress(bar, status, progress) {
  bar.hidden = false;
  bar.max = progress.total || progress.loaded || 1;
  bar.value = progress.loaded;
  status.textContent = loadText(progress);
}

/** "Loading the Python runtime… 3.2 of 12.5 MB". */
export function loadText({ loaded, total }) {
  const mb = (n) => (n / 1048576).toFixed(1);
  return total ? `Loading the Python runtime… ${mb(loaded)} of ${mb(total)} MB` : `Loading the Python runtime… ${mb(loaded)} MB`;
}

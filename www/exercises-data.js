// The predict-then-run questions: one per lesson.
//
// A question is asked before the learner presses Run. Its answer is never stored: `answer(values, outcome)`
// derives it from the measurements of the run that just finished and returns { correct, measured }, where
// `correct` is a choice id, a list of ids that all count (measured ties), a number, or null when this run
// cannot answer it (for example the part the question is about did not run).
//
// The "fix it" challenges are code the learner edits (src/challenges/, shown by ./challenges.js).
import { fmt } from './dom.js';

const ms = (v) => (Number.isFinite(v) ? fmt.ms(v) : '—');
const x = (v) => `${v.toFixed(1)}×`;
/** The ids whose value is within `tolerance` of the best (smallest with 'min', largest with 'max'). */
function best(entries, how = 'min', tolerance = 0.05) {
  const values = entries.map(([, v]) => v).filter(Number.isFinite);
  if (!values.length) return null;
  const target = how === 'min' ? Math.min(...values) : Math.max(...values);
  return entries.filter(([, v]) => (how === 'min' ? v <= target * (1 + tolerance) : v >= target * (1 - tolerance))).map(([id]) => id);
}
const band = (value, cuts, ids) => ids[cuts.findIndex((c) => value < c) === -1 ? ids.length - 1 : cuts.findIndex((c) => value < c)];

const threadsTotal = {
  prompt: 'Each thread sleeps the same time. Started together and then joined, how long will the threads take in all?',
  choices: [
    { id: 'one', label: 'About one sleep' },
    { id: 'between', label: 'Somewhere between one sleep and all of them' },
    { id: 'all', label: 'About all the sleeps added up' },
  ],
  answer: (v) => {
    const r = v.threaded_ms / v.wait_ms;
    const correct = v.threads === 1 ? ['one', 'all'] : r < 1.5 ? 'one' : r > v.threads - 0.5 ? 'all' : 'between';
    return { correct, measured: `${v.threads} threads of ${ms(v.wait_ms)} took ${ms(v.threaded_ms)} (${x(r)} one sleep); one after another they took ${ms(v.sequential_ms)}.` };
  },
};

export const QUESTIONS = {
  'threads-join': threadsTotal,
  'thread-subclass': {
    prompt: 'The threads are instances of a Thread subclass named Worker. What will their names be?',
    choices: [
      { id: 'default', label: 'Thread-1, Thread-2, …' },
      { id: 'class', label: 'Worker-1, Worker-2, … (from the class)' },
      { id: 'main', label: 'MainThread, like the program' },
    ],
    answer: (v) => {
      const names = v.threaded.map((t) => t.thread);
      const correct = names.every((n) => n.startsWith('Worker')) ? 'class' : names.every((n) => n.startsWith('Thread-')) ? 'default' : 'main';
      return { correct, measured: `The threads were named ${names.join(', ')}.` };
    },
  },
  'processes-join': {
    prompt: 'How long does starting one process take, before its first instruction runs?',
    choices: [
      { id: 'tiny', label: 'Under 1 ms, like a thread' },
      { id: 'some', label: 'Between 1 and 10 ms' },
      { id: 'lots', label: 'More than 10 ms' },
    ],
    answer: (v) => ({
      correct: band(v.median_start_ms, [1, 10], ['tiny', 'some', 'lots']),
      measured: `Starting a process took ${ms(v.median_start_ms)} (median; ${ms(v.min_start_ms)} – ${ms(v.max_start_ms)}).`,
    }),
  },
  'join-timeout': {
    prompt: 'join(timeout) returns. Is the worker thread still alive at that moment (is_alive())?',
    choices: [{ id: 'yes', label: 'Yes, still alive' }, { id: 'no', label: 'No, it has finished' }],
    answer: (v) => ({
      correct: v.alive_after_join ? 'yes' : 'no',
      measured: `join(timeout=${ms(v.join_timeout_ms)}) returned after ${ms(v.join_returned_after_ms)}; the worker sleeps ${ms(v.worker_sleep_ms)}, and is_alive() was ${v.alive_after_join ? 'True' : 'False'}.`,
    }),
  },
  frames: {
    prompt: 'Processes have their own memory. How many bytes of frames will be copied between memories, compared with the size of the clip?',
    choices: [
      { id: 'none', label: 'None: they read the same frames' },
      { id: 'once', label: 'About the clip once (the frames go to the processes)' },
      { id: 'twice', label: 'About twice the clip (the frames go there and come back)' },
    ],
    answer: (v) => {
      const p = v.processes;
      if (!p || !Number.isFinite(p.bytes_copied)) return { correct: null, measured: 'This run did not use processes.' };
      const r = p.bytes_copied / v.clip_bytes;
      const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;
      return { correct: band(r, [0.1, 1.5], ['none', 'once', 'twice']), measured: `The clip is ${mib(v.clip_bytes)}; ${mib(p.bytes_to_children)} went to the processes and ${mib(p.bytes_from_children)} came back (${r.toFixed(2)}× the clip), taking ${ms(p.total_ms)} of copying.` };
    },
  },
  gil: {
    prompt: 'Under CPython\'s GIL, two threads each run a CPU-bound task. Compared with running the two tasks one after another, the threads take…',
    choices: [
      { id: 'faster', label: 'Clearly less time (under 0.8×)' },
      { id: 'same', label: 'About the same (0.8× to 1.2×)' },
      { id: 'slower', label: 'Clearly more time (over 1.2×)' },
    ],
    answer: (v) => {
      const t = v.cpu.threads_gil_ms, seq = v.cpu.sequential_ms;
      if (!Number.isFinite(t)) return { correct: null, measured: 'This run did not include the build with the GIL (choose "both" or "CPython (with GIL)").' };
      const r = t / seq;
      return { correct: band(r, [0.8, 1.2], ['faster', 'same', 'slower']), measured: `Two threads under the GIL took ${ms(t)}, one after another ${ms(seq)}: ${r.toFixed(2)}×; the GIL changed hands ${v.gil.switches} times.` };
    },
  },
  counter: {
    prompt: 'Without a lock, what total will the threads reach (threads × increments expected)?',
    choices: [
      { id: 'exact', label: 'Exactly the expected total, in every run' },
      { id: 'less', label: 'Less than expected, in at least one run' },
      { id: 'more', label: 'More than expected' },
    ],
    answer: (v) => {
      const u = v.variants.find((w) => w.variant === 'unlocked');
      if (!u) return { correct: null, measured: 'This run did not include the no-lock variant (set Variant to 0 or 1).' };
      const totals = u.trials.map((t) => t.actual);
      const correct = totals.some((t) => t > u.expected) ? 'more' : totals.some((t) => t < u.expected) ? 'less' : 'exact';
      return { correct, measured: `Expected ${fmt.int(u.expected)}; without a lock the runs reached ${totals.map(fmt.int).join(', ')}.` };
    },
  },
  'process-counter': {
    prompt: 'Each child process adds to "the" counter. What is the parent\'s own counter after they all finish?',
    choices: [
      { id: 'zero', label: 'Unchanged: 0' },
      { id: 'total', label: 'The sum of every child\'s additions' },
      { id: 'between', label: 'Something in between (lost updates)' },
    ],
    answer: (v) => ({
      correct: v.parent_counter === 0 ? 'zero' : v.parent_counter === v.expected_total ? 'total' : 'between',
      measured: `The parent's counter was ${fmt.int(v.parent_counter)}; the children counted ${fmt.int(v.expected_total)} in all, each in its own memory.`,
    }),
  },
  downloads: {
    prompt: 'Which way finishes the simulated downloads first?',
    choices: [
      { id: 'sequential', label: 'One after another' },
      { id: 'threads', label: 'Threads' },
      { id: 'processes', label: 'Processes' },
      { id: 'event_loop', label: 'One thread with an event loop (asyncio)' },
    ],
    answer: (v) => {
      const entries = Object.entries(v.simulated).map(([k, r]) => [k, r.ms]);
      return { correct: best(entries, 'min'), measured: `${entries.map(([k, t]) => `${v.simulated[k].label} ${ms(t)}`).join(', ')} (within 5 % of the fastest counts as a tie).` };
    },
  },
  scraping: {
    prompt: 'How much faster than one thread will the largest bounded pool fetch the pages?',
    choices: [
      { id: 'same', label: 'About the same (under 1.5×)' },
      { id: 'some', label: '1.5× to 4× faster' },
      { id: 'lots', label: 'More than 4× faster' },
    ],
    answer: (v) => {
      const pools = v.runs.filter((r) => r.mode === 'pool');
      const one = pools.find((r) => r.threads === 1), big = pools.at(-1);
      if (!one || !big || big === one) return { correct: null, measured: 'This run had only one pool size.' };
      const r = one.ms / big.ms;
      return { correct: band(r, [1.5, 4], ['same', 'some', 'lots']), measured: `1 thread took ${ms(one.ms)}, a pool of ${big.threads} took ${ms(big.ms)}: ${x(r)} faster.` };
    },
  },
  'db-queries': {
    prompt: 'Three queries wait different times. On three threads, the whole batch takes about…',
    choices: [
      { id: 'sum', label: 'The sum of the three waits' },
      { id: 'longest', label: 'The longest query' },
      { id: 'shortest', label: 'The shortest query' },
    ],
    answer: (v) => {
      const shortest = Math.min(...v.threaded.map((q) => q.wait_ms));
      const entries = [['sum', v.sum_ms], ['longest', v.longest_ms], ['shortest', shortest]];
      const dist = entries.map(([k, t]) => [k, Math.abs(v.threaded_ms - t)]);
      const closest = dist.reduce((a, b) => (b[1] < a[1] ? b : a))[0];
      return { correct: closest, measured: `On threads the batch took ${ms(v.threaded_ms)}: the waits add up to ${ms(v.sum_ms)}, the longest is ${ms(v.longest_ms)}, the shortest ${ms(shortest)}.` };
    },
  },
  'how-many-threads': {
    prompt: 'The I/O-bound job: how much faster will it be on the most threads than on one?',
    choices: [
      { id: 'little', label: 'Under 2×' },
      { id: 'some', label: '2× to 8×' },
      { id: 'lots', label: 'More than 8×' },
    ],
    answer: (v) => {
      const one = v.io.find((p) => p.threads === 1), most = v.io.at(-1);
      if (!one || most === one) return { correct: null, measured: 'This run tried only one thread count.' };
      const r = one.ms / most.ms;
      return { correct: band(r, [2, 8], ['little', 'some', 'lots']), measured: `${v.io_tasks} waits took ${ms(one.ms)} on 1 thread and ${ms(most.ms)} on ${most.threads}: ${x(r)} faster.` };
    },
  },
  deadlock: {
    prompt: 'Thread 1 takes lock_a then lock_b; thread 2 takes lock_b then lock_a, each holding its first lock a while. What happens?',
    choices: [
      { id: 'both', label: 'Both finish, one after the other' },
      { id: 'deadlock', label: 'Each waits forever for the lock the other holds' },
      { id: 'error', label: 'Python raises an error at once' },
    ],
    answer: (v) => {
      const d = v.deadlock;
      if (!d) return { correct: null, measured: 'This run did not include the opposite order (set "Which runs" to 0, 1 or 4).' };
      const done = d.threads.every((t) => t.completed);
      return {
        correct: d.formed ? 'deadlock' : done ? 'both' : 'error',
        measured: d.formed
          ? `They deadlocked: ${d.cycle.map((e) => `${e.thread} held ${e.holds} and waited for ${e.waits_for}`).join('; ')}. The detector broke the cycle after ${ms(d.detect_ms)}; Python would hang.`
          : `No deadlock formed this time; ${done ? 'both threads finished' : 'not every thread finished'}.`,
      };
    },
  },
  'thread-pool': {
    prompt: 'At most how many tasks will run at the same moment?',
    number: { min: 0, max: 64, label: 'Tasks at once, at most' },
    answer: (v) => ({ correct: v.max_overlap, measured: `${v.tasks} tasks on ${v.max_workers} workers: at most ${v.max_overlap} ran at once (from each task's measured start and end).` }),
  },
  logging: {
    prompt: 'How many different threads will write log records (count the main thread too)?',
    number: { min: 0, max: 64, label: 'Different thread names' },
    answer: (v) => {
      const names = [...new Set(v.records.map((r) => r.thread_name))];
      return { correct: names.length, measured: `The records name ${names.length} threads: ${names.join(', ')}.` };
    },
  },
  'queue-pipe': {
    prompt: 'The producer process puts 0, 1, 2, … on a multiprocessing.Queue. In what order does the main process get them?',
    choices: [
      { id: 'order', label: 'In the order they were put' },
      { id: 'reverse', label: 'Newest first' },
      { id: 'random', label: 'In any order' },
    ],
    answer: (v) => {
      const items = v.queue.items;
      const sorted = [...items].sort((a, b) => a - b);
      const correct = items.every((it, i) => it === sorted[i]) ? 'order' : items.every((it, i) => it === sorted[sorted.length - 1 - i]) ? 'reverse' : 'random';
      return { correct, measured: `The main process got ${items.join(', ')}.` };
    },
  },
  'producer-consumer': {
    prompt: 'With 2 consumers instead of 1, how many items per second will get through?',
    choices: [
      { id: 'same', label: 'About the same (under 1.3×)' },
      { id: 'double', label: 'Up to about double (1.3× to 2.2×)' },
      { id: 'more', label: 'More than 2.2×' },
    ],
    answer: (v) => {
      const one = v.runs.find((r) => r.consumers === 1), two = v.runs.find((r) => r.consumers === 2);
      if (!one || !two) return { correct: null, measured: 'This run did not try both 1 and 2 consumers (set Consumers to 2 or more).' };
      const r = two.items_per_s / one.items_per_s;
      return { correct: band(r, [1.3, 2.2], ['same', 'double', 'more']), measured: `1 consumer: ${one.items_per_s.toFixed(1)} items/s; 2 consumers: ${two.items_per_s.toFixed(1)} items/s (${x(r)}).` };
    },
  },
  primitives: {
    prompt: 'N threads wait for one signal, then it is given once. How many times does each waiting thread wake up?',
    choices: [
      { id: 'once', label: 'Exactly once' },
      { id: 'many', label: 'Several times' },
      { id: 'some', label: 'Only one of them wakes' },
    ],
    answer: (v) => {
      const w = v.event.waiters;
      const correct = w.some((t) => !t.woke) ? 'some' : w.every((t) => t.wakeups === 1) ? 'once' : 'many';
      return { correct, measured: `${v.event.mode === 'polling' ? `Polling every ${ms(v.event.poll_ms)}` : 'On the Event'}, the ${w.length} threads woke ${w.map((t) => t.wakeups).join(', ')} times; the slowest ${ms(v.event.max_latency_ms)} after the signal.` };
    },
  },
  'why-concurrency': {
    prompt: 'Each item is read (a wait) and then computed. Which finishes first?',
    choices: [
      { id: 'sequential', label: 'One after another' },
      { id: 'overlapped', label: 'Overlapped: read the next while computing' },
      { id: 'parallel', label: 'In parallel on the cores' },
    ],
    answer: (v) => {
      const entries = v.runs.map((r) => [r.mode, r.ms]);
      return { correct: best(entries, 'min'), measured: `${v.runs.map((r) => `${r.mode} ${ms(r.ms)}`).join(', ')} (within 5 % of the fastest counts as a tie).` };
    },
  },
  compare: {
    prompt: 'On the CPU-bound tasks, which approach is slowest?',
    choices: [
      { id: 'threads', label: 'Threads' },
      { id: 'processes', label: 'Processes' },
      { id: 'event_loop', label: 'One event loop (asyncio)' },
    ],
    answer: (v) => {
      const entries = [['threads', v.cpu.threads_ms], ['processes', v.cpu.processes_ms], ['event_loop', v.cpu.event_loop_ms]];
      return { correct: best(entries, 'max'), measured: `CPU tasks: threads ${ms(v.cpu.threads_ms)}, processes ${ms(v.cpu.processes_ms)}, event loop ${ms(v.cpu.event_loop_ms)} (within 5 % of the slowest counts as a tie).` };
    },
  },
};

/** Whether `predicted` matches a derived answer. */
export function isCorrect(correct, predicted) {
  if (correct === null || correct === undefined) return null;
  if (Array.isArray(correct)) return correct.includes(predicted);
  if (typeof correct === 'number') return Number(predicted) === correct;
  return predicted === correct;
}

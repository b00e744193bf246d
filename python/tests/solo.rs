//! Solo mode (the runtime on a page that is not cross-origin isolated): a program runs on the one
//! thread there is, reports its own progress while it runs, and a thread or a process it starts raises
//! `RuntimeError` saying why. A test binary of its own: solo mode is for the life of the process.

use std::cell::Cell;
use std::rc::Rc;

use playground::engine::gil::Interpreter;
use playground::protocol::Stream;
use playground_python::{solo, PythonOutcome};

/// Runs `source` in solo mode on a thread of its own, as the runtime worker runs it; the outcome and
/// how many progress reports the program made, with how many output lines each saw.
fn run_solo(source: &str) -> (PythonOutcome, Vec<usize>) {
    // One at a time: the engine's log belongs to the process.
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let source = source.to_string();
    std::thread::Builder::new()
        .stack_size(playground::engine::pool::NATIVE_STACK_BYTES)
        .spawn(move || {
            solo::enable();
            let reports = Rc::new(Cell::new(Vec::new()));
            let seen = reports.clone();
            let prepared = playground_python::prepare();
            playground_python::reset();
            solo::set_reporter(Some(Box::new(move || {
                let mut all = seen.take();
                all.push(playground::engine::trace::snapshot().2.len());
                seen.set(all);
            })));
            let outcome =
                playground_python::run_prepared(prepared, &source, Interpreter::FreeThreaded);
            solo::set_reporter(None);
            (outcome, reports.take())
        })
        .expect("a thread")
        .join()
        .expect("the program's thread")
}

fn text(outcome: &PythonOutcome, stream: Stream) -> String {
    outcome
        .output
        .iter()
        .filter(|line| line.stream == stream)
        .map(|line| line.text.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_single_threaded_program_runs_and_reports_while_it_runs_and_threads_and_processes_are_refused()
{
    let (outcome, reports) = run_solo(
        r#"
import threading, time, queue
from multiprocessing import Process, Queue, Value

print("start")
time.sleep(0.06)
q = queue.Queue()
q.put(41)
lock = threading.Lock()
with lock:
    print("got", q.get() + 1)
mq = Queue()
mq.put("across")
print("mp queue", mq.get(timeout=1))
v = Value("i", 5)
with v.get_lock():
    v.value += 1
print("value", v.value)

def work():
    pass

import asyncio
async def main():
    await asyncio.sleep(0.01)
    return "asyncio ok"
print(asyncio.run(main()))

from multiprocessing import Pool
from concurrent.futures import ThreadPoolExecutor
starts = (
    lambda: threading.Thread(target=work).start(),
    lambda: Process(target=work).start(),
    lambda: Pool(2),
    lambda: ThreadPoolExecutor(2).submit(work),
)
for start in starts:
    try:
        start()
    except RuntimeError as e:
        print("refused:", str(e).split(":")[0])
print("end")
"#,
    );
    assert_eq!(outcome.exit_code, 0, "{}", text(&outcome, Stream::Stderr));
    assert_eq!(
        text(&outcome, Stream::Stdout),
        "start\ngot 42\nmp queue across\nvalue 6\nasyncio ok\nrefused: can't start new thread\nrefused: can't start a new process\n\
         refused: can't start a new process\nrefused: can't start new thread\nend"
    );
    // The 60 ms sleep reported "start" before it slept; later prints reported again once 40 ms had passed.
    assert!(!reports.is_empty(), "no progress report");
    assert_eq!(
        reports[0], 1,
        "the first report comes before the sleep, with the one line printed"
    );
}

#[test]
fn the_refusal_names_the_cause_and_the_fix() {
    let (outcome, _) = run_solo("import threading\nthreading.Thread(target=print).start()\n");
    assert_eq!(outcome.exit_code, 1);
    let stderr = text(&outcome, Stream::Stderr);
    assert!(
        stderr.contains(
            "RuntimeError: can't start new thread: this page is not cross-origin isolated"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("Cross-Origin-Embedder-Policy: require-corp"),
        "{stderr}"
    );
}

#[test]
fn a_program_that_computes_without_printing_still_reports_what_it_printed_last() {
    // The second line comes right after the first (no report is due yet); the loop's switch points
    // report it while the loop runs, long before the program ends.
    let (outcome, reports) = run_solo(
        "import time\nprint('a')\nprint('b')\nt = time.perf_counter()\nwhile time.perf_counter() - t < 0.3:\n    pass\nprint('c')\n",
    );
    assert_eq!(text(&outcome, Stream::Stdout), "a\nb\nc");
    assert_eq!(reports.first(), Some(&1), "{reports:?}");
    assert!(
        reports.contains(&2),
        "no report saw 'b' before 'c': {reports:?}"
    );
}

//! Solo mode (the runtime on a page that is not cross-origin isolated): a program runs on the one
//! thread there is, reports its own progress while it runs, and a thread it starts raises `RuntimeError`
//! saying why. Where the runtime can suspend a program (JSPI in the browser), processes run: here the
//! program's waits go through a suspender as they do there (one that sleeps a little, standing in for a
//! turn of the worker's event loop), its children are interpreters on OS threads as in every native test,
//! and a `Pool` hands its results over while the main thread waits. A test binary of its own: solo mode
//! is for the life of the process.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;

use playground::engine::gil::Interpreter;
use playground::engine::suspend;
use playground::protocol::Stream;
use playground_python::{solo, PythonOutcome};

/// Runs `source` in solo mode on a thread of its own, as the runtime worker runs it; the outcome and
/// how many progress reports the program made, with how many output lines each saw. With `processes`,
/// its waits suspend (and it may start processes), as where the browser has JSPI.
fn run_solo(source: &str, processes: bool) -> (PythonOutcome, Vec<usize>) {
    run_solo_stopped(source, processes, None)
}

/// [`run_solo`], asked to stop (as the Stop button does) `stop_after_ms` after the program printed its
/// first line, when that is given.
fn run_solo_stopped(
    source: &str,
    processes: bool,
    stop_after_ms: Option<u64>,
) -> (PythonOutcome, Vec<usize>) {
    // One at a time: the engine's log belongs to the process.
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let source = source.to_string();
    let (started, is_started) = std::sync::mpsc::channel::<()>();
    // The stopper belongs to this run: it waits until the run has started (and its log was cleared).
    let stopper = stop_after_ms.map(|ms| {
        std::thread::spawn(move || {
            if is_started.recv().is_err() {
                return;
            }
            for _ in 0..3000 {
                if !playground::engine::trace::snapshot().2.is_empty() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            std::thread::sleep(std::time::Duration::from_millis(ms));
            playground::engine::cancel::request("Stopped (the test's Stop button)");
        })
    });
    let result = std::thread::Builder::new()
        .stack_size(playground::engine::pool::NATIVE_STACK_BYTES)
        .spawn(move || {
            solo::enable(processes);
            let reports = Rc::new(Cell::new(Vec::new()));
            let seen = reports.clone();
            let prepared = playground_python::prepare();
            playground_python::reset();
            let _ = started.send(());
            solo::set_reporter(Some(Box::new(move || {
                let mut all = seen.take();
                all.push(playground::engine::trace::snapshot().2.len());
                seen.set(all);
            })));
            if processes {
                // A turn of the event loop: the children call the kernel directly here, so a turn only
                // has to give them time.
                suspend::install(Some(Rc::new(|ms: f64| {
                    std::thread::sleep(std::time::Duration::from_secs_f64(ms.min(1.0) / 1000.0));
                })));
            }
            let outcome =
                playground_python::run_prepared(prepared, &source, Interpreter::FreeThreaded);
            suspend::install(None);
            solo::set_reporter(None);
            (outcome, reports.take())
        })
        .expect("a thread")
        .join()
        .expect("the program's thread");
    if let Some(stopper) = stopper {
        stopper.join().expect("the stopper");
    }
    result
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
fn without_suspending_a_single_threaded_program_runs_and_reports_while_it_runs_and_threads_and_processes_are_refused(
) {
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
        false,
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
    let (outcome, _) = run_solo(
        "import threading\nthreading.Thread(target=print).start()\n",
        true,
    );
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
        false,
    );
    assert_eq!(text(&outcome, Stream::Stdout), "a\nb\nc");
    assert_eq!(reports.first(), Some(&1), "{reports:?}");
    assert!(
        reports.contains(&2),
        "no report saw 'b' before 'c': {reports:?}"
    );
}

/// The `multiprocessing` tutorials (`tests/tutorials_mp`, the ones `tutorials.rs` runs on an isolated
/// runtime) in solo mode with processes: the lines CPython prints, as a multiset. Their pools have no
/// result-handler thread here: the main thread hands the results over while it waits.
#[test]
fn multiprocessing_tutorials_print_what_cpython_prints_in_solo_mode() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tutorials_mp");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 4,
        "tutorial programs missing from {}",
        dir.display()
    );
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let out = std::process::Command::new("python3")
            .arg(&path)
            .output()
            .expect("python3 (CPython) is needed for this test: scripts/setup.sh installs it");
        assert!(out.status.success(), "CPython failed on {name}");
        let cpython: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .chain(String::from_utf8_lossy(&out.stderr).lines())
            .map(str::to_string)
            .collect();
        let (outcome, _) = run_solo(&std::fs::read_to_string(&path).unwrap(), true);
        assert_eq!(
            outcome.exit_code,
            0,
            "{name}: {}",
            text(&outcome, Stream::Stderr)
        );
        let ours: Vec<String> = outcome.output.iter().map(|l| l.text.clone()).collect();
        assert_eq!(
            multiset(&ours),
            multiset(&cpython),
            "{name}: our lines vs CPython's"
        );
    }
}

fn multiset(lines: &[String]) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for l in lines {
        *m.entry(l.as_str()).or_default() += 1;
    }
    m
}

#[test]
fn a_pools_callbacks_run_on_the_main_thread_while_it_waits_and_join_hands_over_the_rest() {
    let (outcome, _) = run_solo(
        r#"
import threading, time
from multiprocessing import Pool

def slow_square(x):
    time.sleep(0.05 * x)
    return x * x

got = []
def note(value):
    got.append((value, threading.current_thread().name))

if __name__ == "__main__":
    pool = Pool(2)
    first = pool.apply_async(slow_square, (1,), callback=note)
    rest = [pool.apply_async(slow_square, (x,), callback=note) for x in (2, 3)]
    print("waited:", first.get(timeout=30))
    event = threading.Event()
    print("an unrelated wait times out:", event.wait(0.05))
    pool.close()
    pool.join()
    print("after join:", sorted(v for v, _ in got), {name for _, name in got})
    print("all ready:", all(r.ready() for r in rest))
"#,
        true,
    );
    assert_eq!(outcome.exit_code, 0, "{}", text(&outcome, Stream::Stderr));
    assert_eq!(
        text(&outcome, Stream::Stdout),
        "waited: 1\nan unrelated wait times out: False\nafter join: [1, 4, 9] {'MainThread'}\nall ready: True"
    );
}

#[test]
fn with_processes_a_stop_ends_a_program_waiting_on_its_child() {
    // The child sleeps for a minute; the stop (the test's Stop button, half a second after the program
    // printed) reaches the main thread's join through its suspended wait, and the child ends with the run.
    let t0 = std::time::Instant::now();
    let (outcome, _) = run_solo_stopped(
        "import time\nfrom multiprocessing import Process\nif __name__ == '__main__':\n    p = Process(target=time.sleep, args=(60,))\n    p.start()\n    print('started')\n    p.join()\n    print('not reached')\n",
        true,
        Some(500),
    );
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(
        outcome.stopped.as_deref(),
        Some("Stopped (the test's Stop button)")
    );
    assert_eq!(
        text(&outcome, Stream::Stdout),
        "started",
        "the join ended by the stop, not by the child"
    );
}

#[test]
fn asyncio_awaits_a_process_pool_in_solo_mode() {
    // The event loop's wait for its self-pipe is a Condition wait: the pool's results are handed over
    // there, their callbacks wake the loop, and the awaited futures resolve.
    let (outcome, _) = run_solo(
        r#"
import asyncio
from concurrent.futures import ProcessPoolExecutor

def cube(x):
    return x ** 3

async def main():
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(2) as pool:
        results = await asyncio.gather(*(loop.run_in_executor(pool, cube, x) for x in range(4)))
    print(results)

if __name__ == "__main__":
    asyncio.run(main())
"#,
        true,
    );
    assert_eq!(outcome.exit_code, 0, "{}", text(&outcome, Stream::Stderr));
    assert_eq!(text(&outcome, Stream::Stdout), "[0, 1, 8, 27]");
}

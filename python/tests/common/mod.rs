//! What the native Python tests share: running a program as the runtime does, one at a time.

use std::sync::Mutex;

use playground::engine::gil::Interpreter;
use playground::protocol::Stream;
use playground_python::PythonOutcome;

/// One run at a time: the engine's log and stop flag belong to the process.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `source` on a thread of its own, as the runtime runs a program's main thread on a worker (with
/// a native pool worker's stack: the test harness's 2 MiB threads are too small for an unoptimized
/// interpreter), then stops the threads it left behind and waits until they are gone.
#[allow(dead_code)]
pub fn run(source: &str) -> PythonOutcome {
    run_as(source, Interpreter::FreeThreaded)
}

/// [`run_as`], with a stop asked for (as the Stop button does) `after_ms` after the program printed
/// its first line.
///
/// The stopper belongs to this run alone: it starts once this test holds [`SERIAL`] and the log is
/// empty, so it can neither see another test's output nor stop another test's program (which once
/// stopped a neighbour and left this endless loop running with nobody to stop it).
#[allow(dead_code)]
pub fn run_with_stop_after(source: &str, build: Interpreter, after_ms: f64) -> PythonOutcome {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    playground_python::reset();
    let stopper = std::thread::spawn(move || {
        let printed = || !playground::engine::trace::snapshot().2.is_empty();
        for _ in 0..3000 {
            if printed() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_secs_f64(after_ms / 1000.0));
        playground::engine::cancel::request("Stopped (the test's Stop button)");
    });
    let outcome = run_serialized(source, build);
    stopper.join().expect("the stopper");
    outcome
}

/// Runs `source` as a challenge's check runs it (its Python, its invariant), stopped after the check's
/// time limit as the page's time limit stops it; the outcome carries the verdict.
#[allow(dead_code)]
pub fn run_for_check(source: &str, check: &playground::challenges::Check) -> PythonOutcome {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let build = match check.python {
        playground::challenges::CheckPython::Gil => Interpreter::Gil {
            switch_interval_ms: 5.0,
        },
        playground::challenges::CheckPython::FreeThreaded => Interpreter::FreeThreaded,
    };
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let limit = std::time::Duration::from_secs_f64(check.time_limit_s);
    // This run's own time limit: it holds SERIAL, so it can only stop this run.
    let stopper = std::thread::spawn(move || {
        if finished.recv_timeout(limit) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
            playground::engine::cancel::request("Stopped: the check's time limit");
        }
    });
    let check = check.clone();
    let outcome = run_serialized_with(source, move |source| {
        playground_python::run_checked(source, build, &check)
    });
    let _ = done.send(());
    stopper.join().expect("the stopper");
    outcome
}

/// What the program printed on stdout, a line each.
#[allow(dead_code)]
pub fn stdout(outcome: &PythonOutcome) -> Vec<String> {
    lines(outcome, Stream::Stdout)
}

/// What the program printed on stderr, as text.
#[allow(dead_code)]
pub fn stderr(outcome: &PythonOutcome) -> String {
    lines(outcome, Stream::Stderr)
        .iter()
        .map(|l| format!("{l}\n"))
        .collect()
}

fn lines(outcome: &PythonOutcome, stream: Stream) -> Vec<String> {
    outcome
        .output
        .iter()
        .filter(|l| l.stream == stream)
        .map(|l| l.text.clone())
        .collect()
}

/// [`run`] as Python build `build` (with the GIL, or free-threaded).
#[allow(dead_code)]
pub fn run_as(source: &str, build: Interpreter) -> PythonOutcome {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    run_serialized(source, build)
}

/// [`run_as`] for a caller that holds [`SERIAL`].
fn run_serialized(source: &str, build: Interpreter) -> PythonOutcome {
    run_serialized_with(source, move |source| playground_python::run(source, build))
}

/// Runs `source` with `runner` on a thread of its own, for a caller that holds [`SERIAL`]; then stops
/// the threads it left behind and waits until they are gone.
fn run_serialized_with(
    source: &str,
    runner: impl FnOnce(&str) -> PythonOutcome + Send + 'static,
) -> PythonOutcome {
    let source = source.to_string();
    let outcome = std::thread::Builder::new()
        .stack_size(playground::engine::pool::NATIVE_STACK_BYTES)
        .spawn(move || {
            playground_python::reset();
            runner(&source)
        })
        .expect("a thread for the program")
        .join()
        .expect("the program's main thread panicked");
    playground::engine::cancel::request("the program has ended");
    let children =
        || playground_python::mp::kernel::NATIVE_CHILDREN.load(std::sync::atomic::Ordering::SeqCst);
    while playground::engine::pool::POOL.outstanding() > 0 || children() > 0 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    outcome
}

//! `_playground`: the few native functions our Python prelude wires into the standard library —
//! `sys.stdout`/`sys.stderr` that write to the run's log (one line per record, labelled with the thread's
//! lane), and `time`'s clocks and `sleep` on the engine's clock.
//!
//! `print("a", "b")` calls `write` several times per line, from any thread at once, so each thread keeps
//! its own partial line and hands whole lines to the log.

pub(crate) use playground_module::module_def;

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use playground::engine::trace;
use playground::protocol::Stream;

/// Longest line kept; the rest of a longer one is cut, with a note of how much.
pub const MAX_LINE_CHARS: usize = 10_000;

/// Lines the log had no room for (it keeps [`trace::MAX_OUTPUT`]): counted for the note at the end.
static DROPPED_LINES: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// This thread's unfinished line on stdout and on stderr.
    static PENDING: RefCell<[String; 2]> = const { RefCell::new([String::new(), String::new()]) };
}

pub fn reset() {
    DROPPED_LINES.store(0, Ordering::SeqCst);
    PENDING.with(|p| p.borrow_mut().iter_mut().for_each(String::clear));
}

pub fn dropped_lines() -> u64 {
    DROPPED_LINES.load(Ordering::SeqCst)
}

fn stream(n: u8) -> Stream {
    if n == 2 {
        Stream::Stderr
    } else {
        Stream::Stdout
    }
}

fn emit(which: Stream, mut line: String) {
    if line.chars().count() > MAX_LINE_CHARS {
        let cut: usize = line
            .char_indices()
            .nth(MAX_LINE_CHARS)
            .map_or(line.len(), |(i, _)| i);
        let rest = line[cut..].chars().count();
        line.truncate(cut);
        line.push_str(&format!(" … ({rest} more characters not shown)"));
    }
    if !trace::print_to(which, line) {
        DROPPED_LINES.fetch_add(1, Ordering::Relaxed);
    }
}

/// Appends `text` to this thread's line on stream `n` (1 stdout, 2 stderr); whole lines go to the log.
pub fn write(n: u8, text: &str) {
    let index = usize::from(n == 2);
    let lines: Vec<String> = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let buf = &mut p[index];
        buf.push_str(text);
        if !buf.contains('\n') {
            // A runaway line without a newline must not grow without bound either.
            if buf.len() > MAX_LINE_CHARS * 4 {
                return vec![std::mem::take(buf)];
            }
            return Vec::new();
        }
        let mut done: Vec<String> = buf.split('\n').map(str::to_string).collect();
        *buf = done.pop().unwrap_or_default();
        done
    });
    if lines.is_empty() {
        return;
    }
    for line in lines {
        emit(stream(n), line);
    }
    crate::solo::report_progress(false);
}

/// Hands this thread's unfinished line on stream `n` to the log.
pub fn flush(n: u8) {
    let index = usize::from(n == 2);
    let line = PENDING.with(|p| std::mem::take(&mut p.borrow_mut()[index]));
    if !line.is_empty() {
        emit(stream(n), line);
    }
}

/// At the end of a thread: what it printed without a final newline still shows.
pub fn flush_thread() {
    flush(1);
    flush(2);
}

#[rustpython_vm::pymodule(name = "_playground")]
mod playground_module {
    use playground::clock::now_ms;
    use playground::engine::{cancel, sync};
    use rustpython_vm::builtins::PyStrRef;
    use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

    /// A stopped run's threads end at their next print too (printing is I/O, where a stop is noticed).
    #[pyfunction]
    fn write(stream: u8, text: PyStrRef, vm: &VirtualMachine) -> PyResult<usize> {
        if cancel::is_cancelled() {
            return Err(crate::stop::exception(vm));
        }
        let text = text.as_wtf8().to_string_lossy();
        super::write(stream, &text);
        Ok(text.chars().count())
    }

    #[pyfunction]
    fn flush(stream: u8) {
        super::flush(stream);
    }

    /// Seconds since the Unix epoch on the engine's one clock (`time.time`).
    #[pyfunction]
    fn time() -> f64 {
        now_ms() / 1000.0
    }

    /// `time.monotonic` and `time.perf_counter`: the same clock, which every worker reads alike.
    #[pyfunction]
    fn monotonic() -> f64 {
        now_ms() / 1000.0
    }

    /// `time.sleep(secs)`: really blocks this thread on the shared memory, drawn as sleeping; a stop
    /// request ends it and raises (see `crate::stop`).
    #[pyfunction]
    fn sleep(secs: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        let secs = secs.try_float(vm)?.to_f64();
        if secs.is_nan() {
            return Err(vm.new_value_error("Invalid value NaN (not a number)"));
        }
        if secs < 0.0 {
            return Err(vm.new_value_error("sleep length must be non-negative"));
        }
        if cancel::is_cancelled() {
            return Err(crate::stop::exception(vm));
        }
        crate::solo::report_progress(secs * 1000.0 >= crate::solo::REPORT_MS);
        vm.allow_threads(|| sync::sleep_ms(secs * 1000.0));
        if cancel::is_cancelled() {
            return Err(crate::stop::exception(vm));
        }
        Ok(())
    }

    /// Cores the browser reports (`os.cpu_count`).
    #[pyfunction]
    fn cpu_count() -> usize {
        crate::platform::cpu_count()
    }

    /// The source of one of our modules (`multiprocessing`, `select`, ...) and whether it is a package;
    /// the prelude's finder serves them ahead of the frozen standard library (see `crate::stdlib`).
    #[pyfunction]
    fn module_source(name: String) -> Option<(&'static str, bool)> {
        crate::stdlib::source(&name)
    }

    /// `urllib.request.urlopen` of one of the page's own files: a synchronous request from this worker.
    #[pyfunction]
    fn fetch(path: PyStrRef, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        if cancel::is_cancelled() {
            return Err(crate::stop::exception(vm));
        }
        let path = path.as_wtf8().to_string_lossy().to_string();
        playground::engine::trace::enter(playground::protocol::LaneState::Io);
        let result = vm.allow_threads(|| crate::platform::fetch(&path));
        playground::engine::trace::enter(playground::protocol::LaneState::Running);
        result.map_err(|e| vm.new_os_error(e))
    }
}

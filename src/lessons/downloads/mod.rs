//! Lesson "Parallel downloads" (curriculum row 7).
//!
//! F downloads, four ways: one after another; one thread each; one process each (the child does the
//! request or the wait itself and sends back the byte count); and all of them on one thread's event loop,
//! the asyncio way. Twice: with simulated downloads (a real timed wait, as tutorials write them) and with
//! real requests for files served with the page.

use super::claims::{claim, count_lines, finished, number_after, PythonCheck};
use super::question::{self, choice, Answer, Best, Question};
use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::aio::{self, EventLoop};
use super::common::{self, Scale};
use super::report::{self, Report};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::bridge::{self, ChildProcess};
use crate::engine::process::ChildContext;
use crate::engine::{sync, thread, trace};
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

pub struct Downloads;

const MIB: f64 = 1024.0 * 1024.0;
/// How long the parent waits for a child's result beyond the download itself, before giving up on it.
const CHILD_GRACE_MS: f64 = 60_000.0;

/// What one download is.
#[derive(Clone, Debug)]
enum Work {
    /// `time.sleep(wait)`: what tutorials use in place of a request.
    Simulated { wait_ms: f64 },
    /// A real request for a file served with the page.
    Real { path: String },
}

impl Work {
    fn kind(&self) -> &'static str {
        match self {
            Work::Simulated { .. } => "simulated",
            Work::Real { .. } => "real",
        }
    }

    /// One download, blocking the calling thread; the bytes received (none for a simulated one).
    fn download(&self) -> Result<Option<f64>, String> {
        match self {
            Work::Simulated { wait_ms } => {
                sync::sleep_ms(*wait_ms);
                Ok(None)
            }
            Work::Real { path } => bridge::fetch_blocking(path).map(Some),
        }
    }

    fn child_args(&self, index: usize) -> Value {
        match self {
            Work::Simulated { wait_ms } => json!({ "index": index, "wait_ms": wait_ms }),
            Work::Real { path } => json!({ "index": index, "path": path }),
        }
    }

    fn limit_ms(&self) -> f64 {
        match self {
            Work::Simulated { wait_ms } => wait_ms + CHILD_GRACE_MS,
            Work::Real { .. } => CHILD_GRACE_MS,
        }
    }
}

/// One download as measured.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Download {
    pub index: usize,
    /// The thread, process or event loop that did it.
    pub by: String,
    pub started_at: f64,
    pub finished_at: f64,
    pub bytes: Option<f64>,
}

/// What a child process sends back: `q.put(...)`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ChildReport {
    pub index: usize,
    pub bytes: Option<f64>,
    /// When the child's program began (its first instruction) and when its download finished.
    pub started_at: f64,
    pub finished_at: f64,
    pub error: Option<String>,
}

#[derive(Serialize, Clone, Debug)]
pub struct ModeResult {
    pub mode: &'static str,
    pub label: &'static str,
    /// From the first download's start (or the first `start()`) to the last result.
    pub ms: f64,
    /// Total bytes received (real downloads only).
    pub bytes: Option<f64>,
    pub mib_per_s: Option<f64>,
    /// The most downloads in progress at the same moment.
    pub peak_in_flight: usize,
    /// Processes only: from the first `start()` until the last child ran its first instruction.
    pub start_cost_ms: Option<f64>,
    /// `ms` minus the start cost.
    pub ms_without_start: f64,
    pub downloads: Vec<Download>,
}

#[derive(Serialize, Clone, Debug)]
pub struct Modes {
    pub sequential: ModeResult,
    pub threads: ModeResult,
    pub processes: ModeResult,
    pub event_loop: ModeResult,
}

impl Modes {
    fn all(&self) -> [&ModeResult; 4] {
        [
            &self.sequential,
            &self.threads,
            &self.processes,
            &self.event_loop,
        ]
    }
}

/// The most intervals open at one moment (a finish at the same instant as a start does not overlap it).
pub fn peak_in_flight(downloads: &[Download]) -> usize {
    let mut edges: Vec<(f64, i32)> = downloads
        .iter()
        .flat_map(|d| [(d.started_at, 1), (d.finished_at, -1)])
        .collect();
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut peak) = (0i32, 0i32);
    for (_, step) in edges {
        now += step;
        peak = peak.max(now);
    }
    peak.max(0) as usize
}

fn mode_result(
    mode: &'static str,
    label: &'static str,
    ms: f64,
    mut downloads: Vec<Download>,
    start_cost_ms: Option<f64>,
) -> ModeResult {
    downloads.sort_by_key(|d| d.index);
    let bytes = downloads
        .iter()
        .map(|d| d.bytes)
        .sum::<Option<f64>>()
        .filter(|_| !downloads.is_empty());
    ModeResult {
        mode,
        label,
        ms,
        bytes,
        mib_per_s: bytes.filter(|_| ms > 0.0).map(|b| b / MIB / (ms / 1000.0)),
        peak_in_flight: peak_in_flight(&downloads),
        start_cost_ms,
        ms_without_start: ms - start_cost_ms.unwrap_or(0.0),
        downloads,
    }
}

fn done_line(index: usize, bytes: Option<f64>, ms: f64) -> String {
    match bytes {
        Some(b) => format!("file {index}: {} in {}", report::bytes(b), report::ms(ms)),
        None => format!("file {index}: done after {}", report::ms(ms)),
    }
}

/// Python's names: one counter for threads, one for processes, across the whole program.
#[derive(Default)]
struct Names {
    threads: u32,
    processes: u32,
}

fn sequential(work: &Work, files: usize) -> Result<ModeResult, String> {
    trace::print(format!("{} downloads, one after another", work.kind()));
    let t0 = now_ms();
    let mut downloads = Vec::new();
    for index in 0..files {
        let started_at = now_ms();
        let bytes = work.download()?;
        let finished_at = now_ms();
        trace::print(done_line(index, bytes, finished_at - started_at));
        downloads.push(Download {
            index,
            by: "MainThread".into(),
            started_at,
            finished_at,
            bytes,
        });
    }
    Ok(mode_result(
        "sequential",
        "sequential",
        now_ms() - t0,
        downloads,
        None,
    ))
}

fn threads(work: &Work, files: usize, names: &mut Names) -> Result<ModeResult, String> {
    trace::print(format!("{} downloads, one thread each", work.kind()));
    let group = format!("{}: threads", work.kind());
    let t0 = now_ms();
    let handles: Vec<_> = (0..files)
        .map(|index| {
            names.threads += 1;
            let name = format!("Thread-{} (download)", names.threads);
            let (work, by) = (work.clone(), name.clone());
            thread::spawn(name, group.as_str(), move || {
                let started_at = now_ms();
                let bytes = work.download()?;
                let finished_at = now_ms();
                trace::print(done_line(index, bytes, finished_at - started_at));
                Ok(Download {
                    index,
                    by,
                    started_at,
                    finished_at,
                    bytes,
                })
            })
        })
        .collect();
    // Join every thread before reporting any failure, so none is left running.
    let results: Vec<Result<Download, String>> =
        handles.into_iter().map(thread::JoinHandle::join).collect();
    let ms = now_ms() - t0;
    let downloads = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(mode_result("threads", "threads", ms, downloads, None))
}

fn processes(work: &Work, files: usize, names: &mut Names) -> Result<ModeResult, String> {
    trace::print(format!("{} downloads, one process each", work.kind()));
    let group = format!("{}: processes", work.kind());
    let t0 = now_ms();
    let children: Vec<ChildProcess> = (0..files)
        .map(|index| {
            names.processes += 1;
            let name = format!("Process-{}", names.processes);
            bridge::start_process(
                &name,
                &group,
                "downloads",
                "download",
                work.child_args(index),
            )
        })
        .collect();
    let mut downloads = Vec::new();
    let mut start_cost: f64 = 0.0;
    let mut error = None;
    let mut answered = Vec::new();
    for child in &children {
        let got = child.recv(Some(work.limit_ms()));
        answered.push(got.is_some());
        let report = match got.map(|d| serde_json::from_str::<ChildReport>(&d.payload)) {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                error.get_or_insert(format!(
                    "{} sent a result the parent cannot read: {e}",
                    child.name
                ));
                continue;
            }
            None => {
                error.get_or_insert(format!(
                    "{} ended or timed out without sending its result",
                    child.name
                ));
                continue;
            }
        };
        if let Some(e) = report.error {
            error.get_or_insert(format!("{}: {e}", child.name));
            continue;
        }
        start_cost = start_cost.max(report.started_at - child.started_at);
        downloads.push(Download {
            index: report.index,
            by: child.name.clone(),
            started_at: report.started_at,
            finished_at: report.finished_at,
            bytes: report.bytes,
        });
    }
    if let Some(problem) = bridge::join_all(&children, answered) {
        error.get_or_insert(problem);
    }
    let ms = now_ms() - t0;
    if let Some(e) = error {
        return Err(e);
    }
    trace::print(format!(
        "the last process was running {} after the first start()",
        report::ms(start_cost)
    ));
    Ok(mode_result(
        "processes",
        "processes",
        ms,
        downloads,
        Some(start_cost),
    ))
}

fn event_loop(work: &Work, files: usize) -> Result<ModeResult, String> {
    trace::print(format!("{} downloads, all on one event loop", work.kind()));
    let label = "one thread, event loop";
    match work {
        Work::Simulated { wait_ms } => {
            let done = Rc::new(RefCell::new(Vec::new()));
            let mut el = EventLoop::new();
            for index in 0..files {
                let (done, wait_ms) = (done.clone(), *wait_ms);
                el.spawn(async move {
                    let started_at = now_ms();
                    aio::sleep(wait_ms).await;
                    let finished_at = now_ms();
                    trace::print(done_line(index, None, finished_at - started_at));
                    done.borrow_mut().push(Download {
                        index,
                        by: "MainThread (event loop)".into(),
                        started_at,
                        finished_at,
                        bytes: None,
                    });
                });
            }
            let t0 = now_ms();
            el.run()?;
            let ms = now_ms() - t0;
            let downloads = std::mem::take(&mut *done.borrow_mut());
            Ok(mode_result("event_loop", label, ms, downloads, None))
        }
        Work::Real { path } => {
            let t0 = now_ms();
            let results = bridge::event_loop_fetch(
                vec![path.clone(); files],
                "event loop (asyncio)",
                "real: event loop",
            )?;
            let ms = now_ms() - t0;
            if let Some(e) = results.iter().find_map(|r| r.error.clone()) {
                return Err(e);
            }
            let downloads: Vec<Download> = results
                .into_iter()
                .enumerate()
                .map(|(index, r)| Download {
                    index,
                    by: "event loop".into(),
                    started_at: r.started_at,
                    finished_at: r.finished_at,
                    bytes: Some(r.bytes),
                })
                .collect();
            for d in &downloads {
                trace::print(done_line(d.index, d.bytes, d.finished_at - d.started_at));
            }
            Ok(mode_result("event_loop", label, ms, downloads, None))
        }
    }
}

fn run_all(work: &Work, files: usize, names: &mut Names) -> Result<Modes, String> {
    Ok(Modes {
        sequential: sequential(work, files)?,
        threads: threads(work, files, names)?,
        processes: processes(work, files, names)?,
        event_loop: event_loop(work, files)?,
    })
}

/// The child program: one download (or simulated one), then `q.put(len(data))`.
fn download_child(args: &Value, ctx: &mut ChildContext) -> i32 {
    let started_at = now_ms();
    let index = args["index"].as_u64().unwrap_or(0) as usize;
    let work = match (args["path"].as_str(), args["wait_ms"].as_f64()) {
        (Some(path), _) if path.starts_with("files/") => Ok(Work::Real { path: path.into() }),
        (None, Some(ms)) if (0.0..=600_000.0).contains(&ms) => Ok(Work::Simulated { wait_ms: ms }),
        _ => Err(format!("bad arguments {args}")),
    };
    let result = work.and_then(|w| w.download());
    let finished_at = now_ms();
    if let Ok(bytes) = result {
        trace::print(done_line(index, bytes, finished_at - started_at));
    }
    let code = i32::from(result.is_err());
    let report = ChildReport {
        index,
        bytes: result.as_ref().ok().copied().flatten(),
        started_at,
        finished_at,
        error: result.err(),
    };
    match serde_json::to_string(&report) {
        Ok(text) => {
            ctx.send(text);
            code
        }
        Err(_) => 1,
    }
}

fn speedup(base: f64, ms: f64) -> String {
    if ms > 0.0 {
        format!("{:.1}×", base / ms)
    } else {
        "—".into()
    }
}

fn build_report(
    files: usize,
    wait_ms: f64,
    file_kib: i64,
    simulated: &Modes,
    real: &Modes,
) -> Report {
    let s = simulated;
    let r = real;
    let start = s.processes.start_cost_ms.unwrap_or(0.0);
    let verdict = format!(
        "{files} simulated downloads of {} each: sequential {}, threads {}, processes {} ({} of it starting \
         them), one event loop {}. Real downloads of {files} × {file_kib} KiB from this page's server: \
         sequential {}, threads {}, processes {}, event loop {}.",
        report::ms(wait_ms),
        report::ms(s.sequential.ms),
        report::ms(s.threads.ms),
        report::ms(s.processes.ms),
        report::ms(start),
        report::ms(s.event_loop.ms),
        report::ms(r.sequential.ms),
        report::ms(r.threads.ms),
        report::ms(r.processes.ms),
        report::ms(r.event_loop.ms),
    );
    let rows = |modes: &Modes, real: bool| -> Vec<Vec<String>> {
        modes
            .all()
            .iter()
            .map(|m| {
                let mut row = vec![
                    m.label.to_string(),
                    report::ms(m.ms),
                    speedup(modes.sequential.ms, m.ms),
                    m.peak_in_flight.to_string(),
                    m.start_cost_ms.map_or("—".into(), report::ms),
                ];
                if real {
                    row.insert(2, m.bytes.map_or("—".into(), report::bytes));
                    row.insert(
                        3,
                        m.mib_per_s.map_or("—".into(), |v| format!("{v:.1} MiB/s")),
                    );
                }
                row
            })
            .collect()
    };
    Report::new(verdict)
        .table(
            format!(
                "Simulated: {files} downloads that each wait {} (time.sleep / asyncio.sleep)",
                report::ms(wait_ms)
            ),
            &[
                "Mode",
                "Time",
                "Speed-up vs sequential",
                "Most downloads at once",
                "Process start-up",
            ],
            rows(simulated, false),
        )
        .table(
            format!("Real: {files} requests for a {file_kib} KiB file served with this page"),
            &[
                "Mode",
                "Time",
                "Bytes",
                "Throughput",
                "Speed-up vs sequential",
                "Most downloads at once",
                "Process start-up",
            ],
            rows(real, true),
        )
        .note(
            "Times come from the clock: from the first download's start (the first start() for threads and \
             processes) to the last result. \"Most downloads at once\" counts the downloads whose measured \
             start–finish intervals overlap: waiting for I/O overlaps on threads, processes and an event loop, \
             but not in a sequential loop.",
        )
        .note(
            "Threads block in a real wait (simulated) or a real synchronous request (real) on their own Web \
             Worker. Each process is a separate WebAssembly instance in its own worker with its own memory; it \
             does its download itself and sends back only the byte count, as q.put(len(data)) would. \
             Process start-up is the time until the last child ran its first instruction.",
        )
        .note(
            "The simulated event loop is a small asyncio-style loop in Rust on the main thread: a heap of \
             timers, and the thread sleeps until the earliest one is due. The real requests on an event loop \
             are all issued at once from the runtime worker's JavaScript event loop (fetch), while the main \
             thread waits for the results, as asyncio.run(gather(...)) does.",
        )
        .note(
            "Requests to this page's own server are fast and local, so real downloads show overheads (starting \
             processes) more than waiting; with larger files the overlap of threads and the event loop shows.",
        )
}

const PYTHON: &str = r#"import asyncio, threading, time, urllib.request
from multiprocessing import Process, Queue

FILES = {files}
SCALE = {time_scale} / 100  # the playground's time scale; 100 = real time
WAIT = {wait_ms} / 1000 * SCALE        # one simulated download
KIB = {file_kib}
URL = f"files/sample-{KIB}k.bin"        # served with this page (at home: python3 -m http.server, http://localhost:8000/…)

def download(i):                        # simulated, as tutorials write it
    time.sleep(WAIT)
    return 0                            # bytes: none

def fetch(i):                           # a real request; blocks this thread
    with urllib.request.urlopen(URL) as r:
        return len(r.read())

def sequential(work):
    return [work(i) for i in range(FILES)]

def on_threads(work):
    threads = [threading.Thread(target=work, args=(i,)) for i in range(FILES)]
    for t in threads: t.start()
    for t in threads: t.join()

def child(work, i, q):                  # a process does the work itself
    q.put(work(i))                      # ... and sends back what it returned

def on_processes(work):
    q = Queue()
    procs = [Process(target=child, args=(work, i, q)) for i in range(FILES)]
    for p in procs: p.start()
    results = [q.get() for _ in procs]
    for p in procs: p.join()
    return results

async def adownload(i):
    await asyncio.sleep(WAIT)           # gives the loop to the other tasks
    return 0

async def afetch(i):                    # no aiohttp here: the blocking request waits on a helper thread
    return await asyncio.to_thread(fetch, i)

def on_event_loop(work):                # one thread, an event loop
    async def main():
        return await asyncio.gather(*(work(i) for i in range(FILES)))
    return asyncio.run(main())

def timed(label, way, work):
    start = time.perf_counter()
    result = way(work)
    print(f"{label}: {time.perf_counter() - start:.3f} s")
    return result

if __name__ == "__main__":      # each process imports this file again: only the parent runs what follows
    for kind, work, awork in [("simulated", download, adownload), ("real", fetch, afetch)]:
        sizes = timed(f"{kind}, sequential", sequential, work)
        timed(f"{kind}, {FILES} threads", on_threads, work)   # a thread's result needs a queue: see Queue
        from_processes = timed(f"{kind}, {FILES} processes", on_processes, work)
        from_loop = timed(f"{kind}, asyncio", on_event_loop, awork)
        assert sorted(from_processes) == list(from_loop) == sizes
    print(f"every way fetched {FILES} files of {KIB} KiB: {sizes}")
"#;

impl Lesson for Downloads {
    fn python_check(&self) -> PythonCheck {
        // Three simulated downloads of 0.2 s: one after another about 0.6 s; threads, processes and
        // the event loop overlap the waits. Under the GIL, as on CPython: waiting releases it.
        PythonCheck::Runs {
            params: &[("files", 3), ("wait_ms", 200), ("file_kib", 16), ("time_scale", 100)],
            gil: true,
            claim: |run| {
                finished(run)?;
                let sequential = number_after(run, "simulated, sequential:")?;
                claim(sequential >= 0.55, || {
                    format!("three waits of 0.2 s one after another took {sequential} s")
                })?;
                for way in ["3 threads", "asyncio"] {
                    let took = number_after(run, &format!("simulated, {way}:"))?;
                    claim(took < 0.45, || {
                        format!("three waits of 0.2 s on {way} took {took} s: they did not overlap")
                    })?;
                }
                number_after(run, "simulated, 3 processes:")?;
                number_after(run, "real, asyncio:")?;
                claim(
                    count_lines(run, "every way fetched 3 files of 16 KiB: [16384, 16384, 16384]") == 1,
                    || "the ways fetched different bytes".to_string(),
                )
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "downloads",
            title: "Parallel downloads",
            group: "Threads",
            curriculum_row: 7,
            engine: EngineKind::Threads,
            summary: "Downloading is mostly waiting. Three downloads one after another take three times as \
                long as one; on three threads the waits overlap and the whole takes about as long as the \
                slowest. Processes overlap too, but each must be started first. An event loop (asyncio) \
                overlaps the waits on a single thread. The lesson runs all four with simulated downloads \
                (a timed wait, as tutorials do) and with real requests for files served with this page.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("files", "Files", 1, 16, 3, "How many files to download (1–16)."),
                ParamSpec::int(
                    "wait_ms",
                    "Simulated download (ms)",
                    10,
                    5000,
                    1000,
                    "How long one simulated download waits, at 100 % time scale.",
                ),
                ParamSpec::int(
                    "file_kib",
                    "Real file size (KiB)",
                    16,
                    4096,
                    1024,
                    "Size of the real file each download fetches: 16, 64, 256, 1024 or 4096 KiB.",
                ),
                common::TIME_SCALE,
            ],
        }
    }

    fn limit(&self, params: &mut Params, notices: &mut Vec<String>) {
        common::limit_file_kib(params, "file_kib", notices);
    }

    fn threads_needed(&self, params: &Params) -> usize {
        params.get("files") as usize + 1
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        let files = params.get("files") as usize;
        let wait_ms = Scale::of(params).ms(params.get("wait_ms") as f64);
        let (file_kib, path) = common::served_file(params.get("file_kib"));
        let mut names = Names::default();
        let simulated = run_all(&Work::Simulated { wait_ms }, files, &mut names)?;
        let real = run_all(&Work::Real { path: path.clone() }, files, &mut names)?;
        let report = build_report(files, wait_ms, file_kib, &simulated, &real);
        Ok(json!({
            "answer": answer(&simulated),
            "files": files,
            "wait_ms": wait_ms,
            "file_kib": file_kib,
            "path": path,
            "expected_bytes": (files as i64 * file_kib * 1024) as f64,
            "simulated": simulated,
            "real": real,
            "report": report,
        }))
    }

    fn child(&self, entry: &str, args: &Value, ctx: &mut ChildContext) -> i32 {
        match entry {
            "download" => download_child(args, ctx),
            _ => {
                trace::print(format!("no child program named {entry:?}"));
                2
            }
        }
    }
}

pub const QUESTION: Question = Question::choices(
    "Which way finishes the simulated downloads first?",
    &[
        choice("sequential", "One after another"),
        choice("threads", "Threads"),
        choice("processes", "Processes"),
        choice("event_loop", "One thread with an event loop (asyncio)"),
    ],
);

/// From the simulated downloads' times: the fastest way, with ties within 5 %.
fn answer(simulated: &Modes) -> Answer {
    let modes = [
        ("sequential", &simulated.sequential),
        ("threads", &simulated.threads),
        ("processes", &simulated.processes),
        ("event_loop", &simulated.event_loop),
    ];
    let entries: Vec<(&'static str, f64)> = modes.iter().map(|(id, m)| (*id, m.ms)).collect();
    let shown: Vec<String> = modes
        .iter()
        .map(|(_, m)| format!("{} {}", m.label, question::ms(m.ms)))
        .collect();
    question::best_answer(
        &entries,
        Best::Min,
        format!(
            "{} (within 5 % of the fastest counts as a tie).",
            shown.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::{prepare, run_thread_lesson, TRACE_TEST_LOCK};
    use crate::protocol::RunRequest;

    fn serial() -> std::sync::MutexGuard<'static, ()> {
        let guard = TRACE_TEST_LOCK.lock().unwrap_or_else(|p| p.into_inner());
        trace::reset();
        bridge::reset();
        guard
    }

    #[test]
    fn simulated_waits_overlap_on_threads_processes_and_the_event_loop() {
        let _serial = serial();
        let mut names = Names::default();
        let modes = run_all(&Work::Simulated { wait_ms: 60.0 }, 3, &mut names).unwrap();
        assert!(modes.sequential.ms >= 180.0, "{}", modes.sequential.ms);
        assert_eq!(modes.sequential.peak_in_flight, 1);
        for m in [&modes.threads, &modes.processes, &modes.event_loop] {
            assert!(
                m.ms_without_start < 0.7 * modes.sequential.ms,
                "{}: {} ms vs {}",
                m.mode,
                m.ms_without_start,
                modes.sequential.ms
            );
            assert_eq!(m.downloads.len(), 3, "{}", m.mode);
            assert!(m.peak_in_flight >= 2, "{}: {}", m.mode, m.peak_in_flight);
            assert_eq!(m.bytes, None);
        }
        assert_eq!(modes.processes.downloads[2].by, "Process-3");
        assert_eq!(modes.threads.downloads[0].by, "Thread-1 (download)");
    }

    #[test]
    fn natively_real_requests_fail_with_a_clear_error_not_a_hang() {
        let _serial = serial();
        let prepared = prepare(&RunRequest {
            lesson: "downloads".into(),
            params: json!({"files": 2, "wait_ms": 10, "file_kib": 16, "time_scale": 100}),
        })
        .unwrap();
        let outcome = run_thread_lesson(&prepared);
        assert!(
            outcome
                .error
                .as_deref()
                .unwrap_or("")
                .contains("need the browser"),
            "{:?}",
            outcome.error
        );
    }

    #[test]
    fn file_sizes_are_rounded_to_a_served_file() {
        let prepared = prepare(&RunRequest {
            lesson: "downloads".into(),
            params: json!({"files": 4, "file_kib": 100}),
        })
        .unwrap();
        assert_eq!(prepared.params.get("file_kib"), 256);
        assert_eq!(prepared.threads_needed, 5);
        assert_eq!(prepared.notices.len(), 1);
    }

    #[test]
    fn peak_in_flight_counts_overlapping_intervals() {
        let d = |s: f64, f: f64| Download {
            index: 0,
            by: String::new(),
            started_at: s,
            finished_at: f,
            bytes: None,
        };
        assert_eq!(peak_in_flight(&[d(0.0, 1.0), d(1.0, 2.0)]), 1);
        assert_eq!(peak_in_flight(&[d(0.0, 3.0), d(1.0, 2.0), d(1.5, 4.0)]), 3);
        assert_eq!(peak_in_flight(&[]), 0);
    }

    #[test]
    fn a_child_reports_its_download_and_refuses_bad_arguments() {
        let _serial = serial();
        let mut sent = Vec::new();
        let mut send = |s: String| sent.push(s);
        let mut ctx = ChildContext {
            pid: 1,
            name: "Process-1".into(),
            send: &mut send,
        };
        assert_eq!(
            download_child(&json!({"index": 2, "wait_ms": 5.0}), &mut ctx),
            0
        );
        assert_eq!(
            download_child(&json!({"index": 0, "path": "/etc/passwd"}), &mut ctx),
            1
        );
        let ok: ChildReport = serde_json::from_str(&sent[0]).unwrap();
        assert_eq!((ok.index, ok.bytes, ok.error), (2, None, None));
        assert!(ok.finished_at - ok.started_at >= 5.0);
        let bad: ChildReport = serde_json::from_str(&sent[1]).unwrap();
        assert!(bad.error.unwrap().contains("bad arguments"));
    }

    #[test]
    fn the_question_counts_ways_within_five_percent_of_the_fastest() {
        let mode = |mode, label, ms| mode_result(mode, label, ms, Vec::new(), None);
        let modes = Modes {
            sequential: mode("sequential", "sequential", 400.0),
            threads: mode("threads", "threads", 100.0),
            processes: mode("processes", "processes", 160.0),
            event_loop: mode("event_loop", "event loop", 104.0),
        };
        let a = answer(&modes);
        assert_eq!(a.ids(), vec!["threads", "event_loop"]);
        assert!(
            a.measured.starts_with("sequential 400 ms, threads 100 ms"),
            "{}",
            a.measured
        );
        for id in a.ids() {
            assert!(QUESTION.has_choice(id), "{id}");
        }
    }
}

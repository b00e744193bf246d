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

use super::common::{self, Scale};
use super::report::{self, Report};
use super::Lesson;
use crate::clock::now_ms;
use crate::engine::bridge::{self, ChildProcess};
use crate::engine::event_loop::{self, EventLoop};
use crate::engine::process::ChildContext;
use crate::engine::{sync, thread, trace};
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

pub struct Downloads;

const MIB: f64 = 1024.0 * 1024.0;
/// How long the parent waits for a child's result beyond the download itself, before giving up on it.
const CHILD_GRACE_MS: f64 = 60_000.0;

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
            params: &[
                ("files", 3),
                ("wait_ms", 200),
                ("file_kib", 16),
                ("time_scale", 100),
            ],
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
                    count_lines(
                        run,
                        "every way fetched 3 files of 16 KiB: [16384, 16384, 16384]",
                    ) == 1,
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

//! Lesson "Web scraping with a bounded pool" (curriculum row 8).
//!
//! K pages, each a real blocking request for a file served with the page, after a simulated network
//! latency (a real sleep, as a distant server would add). They go through `ThreadPoolExecutor`s of
//! M = 1, 2, 4, … threads, and then through one thread per page. The time falls with M while the pool
//! is the bottleneck; past a point each extra thread buys less and less, while it still costs a start, a
//! stack and another connection the server (and the browser, which caps them) must serve.

use super::claims::{claim, finished, number_after, PythonCheck};
use super::question::{self, choice, Answer, Question};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use super::common::{self, Scale};
use super::how_many_threads::doubling;
use super::report::{self, Chart, Marker, Report, Series};
use super::{spread, Lesson};
use crate::clock::now_ms;
use crate::engine::executor::Executor;
use crate::engine::sync::sleep_ms;
use crate::engine::{bridge, thread, trace};
use crate::params::{ParamSpec, Params};
use crate::protocol::{EngineKind, LessonInfo};

mod reporting;
mod run;
#[cfg(test)]
mod tests;

pub use reporting::*;
pub use run::*;

pub struct Scraping;

/// The most bytes one sweep may fetch (pages × page size), in KiB; each pool size fetches them again.
pub const MAX_SWEEP_KIB: i64 = 64 * 1024;
/// The longest the one-thread run may wait in simulated latency alone, at full scale (ms).
pub const MAX_LATENCY_TOTAL_MS: i64 = 30_000;

const PYTHON: &str = r#"import concurrent.futures, threading, time, urllib.request

PAGES = {pages}
URL = "files/sample-{page_kib}k.bin"   # a file served with the page (at home: python3 -m http.server, http://localhost:8000/…)
SCALE = {time_scale} / 100   # the playground's time scale; 100 = real time
LATENCY = {latency_ms} / 1000 * SCALE   # simulated network latency on top of the real request

def scrape(page):
    time.sleep(LATENCY)                  # a distant server answers late
    with urllib.request.urlopen(URL) as response:
        return len(response.read())      # the thread is blocked until the body is here

m = 1
while m <= {max_pool}:
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=m) as pool:
        sizes = list(pool.map(scrape, range(PAGES)))   # m threads, reused for all pages
    print(f"pool of {m}: {sum(sizes)} bytes in {time.perf_counter() - start:.2f} s")
    m *= 2

start = time.perf_counter()
threads = [threading.Thread(target=scrape, args=(p,)) for p in range(PAGES)]
for t in threads: t.start()              # one thread per page
for t in threads: t.join()
print(f"{PAGES} threads: {time.perf_counter() - start:.2f} s")
"#;

impl Lesson for Scraping {
    fn python_check(&self) -> PythonCheck {
        // Natively the page's files are the test's own (lesson_programs.rs writes them).
        PythonCheck::Runs {
            params: &[
                ("pages", 8),
                ("page_kib", 16),
                ("latency_ms", 100),
                ("max_pool", 4),
            ],
            gil: true,
            claim: |run| {
                finished(run)?;
                let one = number_after(run, "pool of 1:")?;
                claim(one == 8.0 * 16384.0, || {
                    format!("the pages held {one} bytes, not 8 × 16 KiB")
                })?;
                let time = |m: u32| -> Result<f64, String> {
                    let line = run
                        .stdout
                        .iter()
                        .find(|l| l.starts_with(&format!("pool of {m}:")))
                        .ok_or(format!("no pool of {m}"))?;
                    line.rsplit(" in ")
                        .next()
                        .and_then(|t| t.trim_end_matches(" s").parse().ok())
                        .ok_or(format!("no time in {line:?}"))
                };
                let (t1, t4) = (time(1)?, time(4)?);
                claim(t4 < 0.5 * t1, || {
                    format!("a pool of 4 took {t4} s, a pool of 1 {t1} s")
                })
            },
        }
    }

    fn info(&self) -> LessonInfo {
        LessonInfo {
            question: Some(QUESTION),
            id: "scraping",
            title: "Web scraping with a bounded pool",
            group: "Threads",
            curriculum_row: 8,
            engine: EngineKind::Threads,
            summary: "Fetch many pages through a ThreadPoolExecutor of M threads, for M = 1, 2, 4, …, and once \
                with one thread per page. Each request is real (a file served with this page, fetched by a \
                blocked thread) after a simulated network latency. While threads wait, others can wait too, \
                so the time falls with M. But each doubling buys less, and every extra thread costs a start, \
                a stack and another open connection; a bounded pool reuses a few threads for all the pages \
                and keeps the number of requests at once under control.",
            python: PYTHON,
            params: vec![
                ParamSpec::int("pages", "Pages", 1, 64, 24, "How many pages to fetch (K)."),
                ParamSpec::int(
                    "page_kib",
                    "Page size (KiB)",
                    16,
                    4096,
                    16,
                    "Size of each fetched file: 16, 64, 256, 1024 or 4096 KiB.",
                ),
                ParamSpec::int(
                    "latency_ms",
                    "Simulated latency (ms)",
                    0,
                    2000,
                    100,
                    "Simulated latency on top of the real request (a real sleep before it); 0 = the real request only.",
                ),
                ParamSpec::int(
                    "max_pool",
                    "Largest pool",
                    1,
                    32,
                    8,
                    "Pools of 1, 2, 4, … threads up to this many are measured.",
                ),
                common::TIME_SCALE,
            ],
        }
    }

    fn limit(&self, params: &mut Params, notices: &mut Vec<String>) {
        common::limit_file_kib(params, "page_kib", notices);
        let kib = params.get("page_kib");
        let pages = params.get("pages");
        if pages * kib > MAX_SWEEP_KIB {
            let capped = (MAX_SWEEP_KIB / kib).max(1);
            notices.push(format!(
                "{pages} pages of {kib} KiB is more than {} MiB per pool; using {capped} pages.",
                MAX_SWEEP_KIB / 1024
            ));
            params.set("pages", capped);
        }
        let pages = params.get("pages");
        let latency = params.get("latency_ms");
        if pages * latency > MAX_LATENCY_TOTAL_MS {
            let capped = (MAX_LATENCY_TOTAL_MS / latency).max(1);
            notices.push(format!(
                "{pages} pages × {latency} ms of latency is more than {} s on one thread; using {capped} pages.",
                MAX_LATENCY_TOTAL_MS / 1000
            ));
            params.set("pages", capped);
        }
    }

    fn threads_needed(&self, params: &Params) -> usize {
        // The pools and the thread-per-page run take turns; the largest of them is alive at once.
        params.get("max_pool").max(params.get("pages")) as usize + 1
    }

    fn run_main_thread(&self, params: &Params) -> Result<Value, String> {
        run::run(params)
    }
}

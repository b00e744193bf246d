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

pub struct Scraping;

/// The most bytes one sweep may fetch (pages × page size), in KiB; each pool size fetches them again.
pub const MAX_SWEEP_KIB: i64 = 64 * 1024;
/// The longest the one-thread run may wait in simulated latency alone, at full scale (ms).
pub const MAX_LATENCY_TOTAL_MS: i64 = 30_000;

/// One page as one run fetched it.
#[derive(Serialize, Clone, Debug)]
pub struct Page {
    pub index: usize,
    /// Bytes received, or `None` when the request failed (see `error`).
    pub bytes: Option<f64>,
    pub error: Option<String>,
    /// The thread that fetched it.
    pub thread: String,
    /// From submitting the task (or starting its thread) until it began: the queue wait or start cost.
    pub wait_ms: f64,
    /// The real request alone, without the simulated latency.
    pub request_ms: f64,
}

/// One way of fetching all pages.
#[derive(Serialize, Clone, Debug)]
pub struct Run {
    /// "pool" or "thread_per_page".
    pub mode: &'static str,
    pub threads: usize,
    pub ms: f64,
    pub pages: Vec<Page>,
    /// The most requests that were open at the same moment.
    pub max_in_flight: usize,
    /// How many distinct threads fetched pages, and the most pages one of them fetched.
    pub threads_used: usize,
    pub most_pages_per_thread: usize,
    pub median_request_ms: f64,
    pub median_wait_ms: f64,
    pub failed: usize,
}

/// Counts requests open at once.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

/// One page's work: the simulated latency, then the real request.
fn scrape(index: usize, path: &str, latency_ms: f64, queued_at: f64, in_flight: &InFlight) -> Page {
    let began = now_ms();
    if latency_ms > 0.0 {
        sleep_ms(latency_ms);
    }
    let open = in_flight.now.fetch_add(1, Ordering::SeqCst) + 1;
    in_flight.max.fetch_max(open, Ordering::SeqCst);
    let r0 = now_ms();
    let result = bridge::fetch_blocking(path);
    let r1 = now_ms();
    in_flight.now.fetch_sub(1, Ordering::SeqCst);
    let (bytes, error) = match result {
        Ok(b) => (Some(b), None),
        Err(e) => (None, Some(e)),
    };
    Page {
        index,
        bytes,
        error,
        thread: trace::lane_name(trace::current_lane()),
        wait_ms: began - queued_at,
        request_ms: r1 - r0,
    }
}

fn summarize(
    mode: &'static str,
    threads: usize,
    ms: f64,
    pages: Vec<Page>,
    in_flight: &InFlight,
) -> Run {
    let mut per_thread: std::collections::BTreeMap<&str, usize> = Default::default();
    for p in &pages {
        *per_thread.entry(p.thread.as_str()).or_default() += 1;
    }
    let threads_used = per_thread.len();
    let most_pages_per_thread = per_thread.values().copied().max().unwrap_or(0);
    let median_request_ms = spread(&pages.iter().map(|p| p.request_ms).collect::<Vec<_>>()).0;
    let median_wait_ms = spread(&pages.iter().map(|p| p.wait_ms).collect::<Vec<_>>()).0;
    let failed = pages.iter().filter(|p| p.error.is_some()).count();
    Run {
        mode,
        threads,
        ms,
        max_in_flight: in_flight.max.load(Ordering::SeqCst),
        threads_used,
        most_pages_per_thread,
        median_request_ms,
        median_wait_ms,
        failed,
        pages,
    }
}

/// All pages through a `ThreadPoolExecutor(max_workers=m)`, from creating the pool to its shutdown.
fn pool_run(
    m: usize,
    pages: usize,
    path: &str,
    latency_ms: f64,
    pool_name: &str,
    group: &str,
) -> Run {
    let in_flight = Arc::new(InFlight::default());
    let t0 = now_ms();
    let pool = Executor::new(m, pool_name, group);
    let futures: Vec<_> = (0..pages)
        .map(|i| {
            let path = path.to_string();
            let in_flight = in_flight.clone();
            let queued_at = now_ms();
            pool.submit(move || Ok(scrape(i, &path, latency_ms, queued_at, &in_flight)))
        })
        .collect();
    let results: Vec<Page> = futures
        .iter()
        .enumerate()
        .map(|(i, f)| {
            f.result().unwrap_or_else(|e| Page {
                index: i,
                bytes: None,
                error: Some(e),
                thread: f.worker(),
                wait_ms: 0.0,
                request_ms: 0.0,
            })
        })
        .collect();
    pool.shutdown();
    let ms = now_ms() - t0;
    summarize("pool", m, ms, results, &in_flight)
}

/// One `threading.Thread` per page, all started, then all joined.
fn thread_per_page_run(
    pages: usize,
    path: &str,
    latency_ms: f64,
    first_name: usize,
    group: &str,
) -> Run {
    let in_flight = Arc::new(InFlight::default());
    let t0 = now_ms();
    let handles: Vec<_> = (0..pages)
        .map(|i| {
            let path = path.to_string();
            let in_flight = in_flight.clone();
            let queued_at = now_ms();
            thread::spawn(
                format!("Thread-{} (scrape)", first_name + i),
                group,
                move || scrape(i, &path, latency_ms, queued_at, &in_flight),
            )
        })
        .collect();
    let results: Vec<Page> = handles.into_iter().map(thread::JoinHandle::join).collect();
    let ms = now_ms() - t0;
    summarize("thread_per_page", pages, ms, results, &in_flight)
}

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
        let pages = params.get("pages") as usize;
        let (kib, path) = common::served_file(params.get("page_kib"));
        let expected_bytes = (kib * 1024) as f64;
        let latency_ms = Scale::of(params).ms(params.get("latency_ms") as f64);
        let sizes = doubling(params.get("max_pool") as usize, &[]);

        let mut runs = Vec::new();
        for (k, &m) in sizes.iter().enumerate() {
            let run = pool_run(
                m,
                pages,
                &path,
                latency_ms,
                &format!("ThreadPoolExecutor-{k}"),
                &format!("pool of {m}"),
            );
            trace::print(format!(
                "pool of {m}: {pages} pages in {} ({} failed)",
                report::ms(run.ms),
                run.failed
            ));
            runs.push(run);
        }
        let per_page = thread_per_page_run(pages, &path, latency_ms, 1, "one thread per page");
        trace::print(format!(
            "{pages} threads, one per page: {} ({} failed)",
            report::ms(per_page.ms),
            per_page.failed
        ));
        runs.push(per_page);

        let wrong_size = runs
            .iter()
            .flat_map(|r| &r.pages)
            .filter(|p| p.bytes.is_some_and(|b| b != expected_bytes))
            .count();
        let failed: usize = runs.iter().map(|r| r.failed).sum();
        let first_error = runs
            .iter()
            .flat_map(|r| &r.pages)
            .find_map(|p| p.error.clone());

        let one = runs.first().map_or(0.0, |r| r.ms);
        let pools: Vec<&Run> = runs.iter().filter(|r| r.mode == "pool").collect();
        let largest = pools.last().copied();
        let per_page = runs.last();

        let mut verdict = String::new();
        if let Some(e) = &first_error {
            verdict.push_str(&format!(
                "{failed} requests failed ({e}); their times are not a download. "
            ));
        }
        if wrong_size > 0 {
            verdict.push_str(&format!("{wrong_size} responses had the wrong size. "));
        }
        if let (Some(big), Some(pp)) = (largest, per_page) {
            verdict.push_str(&format!(
                "{pages} pages of {kib} KiB with {} of simulated latency each: 1 thread took {}, a pool of {} \
                 took {} ({:.1}× faster), and one thread per page ({pages} threads) took {}",
                report::ms(latency_ms),
                report::ms(one),
                big.threads,
                report::ms(big.ms),
                one / big.ms.max(0.001),
                report::ms(pp.ms),
            ));
            if pp.threads > big.threads {
                let gain = big.ms - pp.ms;
                if gain > 0.0 {
                    verdict.push_str(&format!(
                        ": {:.1}× the threads for {} less ({:.0} %).",
                        pp.threads as f64 / big.threads as f64,
                        report::ms(gain),
                        100.0 * gain / big.ms.max(0.001)
                    ));
                } else {
                    verdict.push_str(&format!(
                        ": {:.1}× the threads and no faster.",
                        pp.threads as f64 / big.threads as f64
                    ));
                }
            } else {
                verdict.push('.');
            }
        }

        let rows = runs
            .iter()
            .map(|r| {
                vec![
                    if r.mode == "pool" {
                        format!("pool of {}", r.threads)
                    } else {
                        "one thread per page".into()
                    },
                    r.threads.to_string(),
                    report::ms(r.ms),
                    format!("{:.1}×", one / r.ms.max(0.001)),
                    r.most_pages_per_thread.to_string(),
                    r.max_in_flight.to_string(),
                    report::ms(r.median_request_ms),
                    report::ms(r.median_wait_ms),
                    format!("{} of {}", pages - r.failed, pages),
                ]
            })
            .collect();

        // What each run would take if a request cost the same however many are open: ⌈K/M⌉ rounds of
        // latency + the one-thread run's median request.
        let alone = runs.first().map_or(0.0, |r| r.median_request_ms);
        let model: Vec<(f64, f64)> = sizes
            .iter()
            .copied()
            .chain(std::iter::once(pages))
            .map(|m| (m as f64, pages.div_ceil(m) as f64 * (latency_ms + alone)))
            .collect();
        let chart = Chart {
            title: format!("Time to fetch {pages} pages vs threads"),
            x_label: "threads".into(),
            y_label: "ms".into(),
            series: vec![
                Series {
                    name: "bounded pool, measured".into(),
                    style: "measured",
                    points: pools.iter().map(|r| (r.threads as f64, r.ms)).collect(),
                },
                Series {
                    name: "one thread per page, measured".into(),
                    style: "measured",
                    points: per_page
                        .map(|r| vec![(r.threads as f64, r.ms)])
                        .unwrap_or_default(),
                },
                Series {
                    name: "⌈pages / threads⌉ × (latency + one request alone)".into(),
                    style: "model",
                    points: model,
                },
            ],
            markers: vec![Marker {
                x: pages as f64,
                label: format!("{pages} pages"),
            }],
        };

        let request_growth = match (runs.first(), per_page) {
            (Some(a), Some(b)) if a.failed == 0 && b.failed == 0 => format!(
                "A request alone took {} (median, one thread); with up to {} open at once (one thread per \
                 page) it took {}. ",
                report::ms(a.median_request_ms),
                b.max_in_flight,
                report::ms(b.median_request_ms)
            ),
            _ => String::new(),
        };
        let report = Report::new(verdict)
            .table(
                "Each run, from creating the threads to the last join",
                &[
                    "run",
                    "threads",
                    "time",
                    "vs 1 thread",
                    "most pages on one thread",
                    "most requests at once",
                    "request (median)",
                    "wait before start (median)",
                    "pages fetched",
                ],
                rows,
            )
            .chart(chart)
            .note(format!(
                "Why a bounded pool: the pool starts M threads once and reuses each for about K/M pages; one \
                 thread per page starts K threads for one page each. Each doubling of M halves the rounds of \
                 latency at best, so the gain shrinks while the cost per thread stays. {request_growth}Browsers \
                 open only a few connections to one server at once (Chromium: 6 over HTTP/1.1), and real \
                 servers throttle clients that open many; a pool caps the requests in flight at M."
            ))
            .note(format!(
                "Each request is real: a blocking GET of {path} ({}) from this page's own server, with a \
                 fresh query string so no cache answers it. The latency is simulated: a real sleep of {} \
                 before each request (time scale applied).",
                report::bytes(expected_bytes),
                report::ms(latency_ms)
            ));

        Ok(json!({
            "report": report,
            "answer": answer(&runs),
            "pages": pages,
            "page_kib": kib,
            "expected_bytes": expected_bytes,
            "latency_ms": latency_ms,
            "runs": runs,
            "failed": failed,
            "wrong_size": wrong_size,
        }))
    }
}

pub const QUESTION: Question = Question::choices(
    "How much faster than one thread will the largest bounded pool fetch the pages?",
    &[
        choice("same", "About the same (under 1.5×)"),
        choice("some", "1.5× to 4× faster"),
        choice("lots", "More than 4× faster"),
    ],
);

/// From the pool of one thread and the largest pool (the last one run).
fn answer(runs: &[Run]) -> Answer {
    let pools: Vec<&Run> = runs.iter().filter(|r| r.mode == "pool").collect();
    let one = pools.iter().position(|r| r.threads == 1);
    let (Some(one), Some(big)) = (one, pools.len().checked_sub(1)) else {
        return Answer::cannot("This run had only one pool size.");
    };
    if one == big {
        return Answer::cannot("This run had only one pool size.");
    }
    let (one, big) = (pools[one], pools[big]);
    let r = one.ms / big.ms;
    Answer::choice(
        question::band(r, &[1.5, 4.0], &["same", "some", "lots"]),
        format!(
            "1 thread took {}, a pool of {} took {}: {} faster.",
            question::ms(one.ms),
            big.threads,
            question::ms(big.ms),
            question::times(r)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::prepare;
    use crate::protocol::RunRequest;

    fn run(params: Value) -> crate::protocol::RunOutcome {
        crate::lessons::run_for_test("scraping", params)
    }

    /// Natively there is no server: every request fails, and the lesson says so instead of inventing
    /// bytes. The latency still really overlaps on the pool's threads.
    #[test]
    fn pools_overlap_the_latency_and_failed_requests_are_reported_not_faked() {
        let outcome = run(json!({"pages": 8, "latency_ms": 50, "max_pool": 4, "time_scale": 100}));
        assert_eq!(outcome.error, None);
        let v = &outcome.values;
        let runs = v["runs"].as_array().unwrap();
        let modes: Vec<(&str, u64)> = runs
            .iter()
            .map(|r| (r["mode"].as_str().unwrap(), r["threads"].as_u64().unwrap()))
            .collect();
        assert_eq!(
            modes,
            vec![
                ("pool", 1),
                ("pool", 2),
                ("pool", 4),
                ("thread_per_page", 8)
            ]
        );
        let ms: Vec<f64> = runs.iter().map(|r| r["ms"].as_f64().unwrap()).collect();
        assert!(ms[0] >= 400.0, "8 × 50 ms on one thread: {ms:?}");
        assert!(
            ms[2] < 0.5 * ms[0],
            "a pool of 4 overlaps the waits: {ms:?}"
        );
        for r in runs {
            assert_eq!(r["pages"].as_array().unwrap().len(), 8);
            for p in r["pages"].as_array().unwrap() {
                assert!(p["bytes"].is_null());
                assert!(p["error"].as_str().unwrap().contains("need the browser"));
            }
        }
        assert_eq!(v["failed"], 32);
        assert!(v["report"]["verdict"]
            .as_str()
            .unwrap()
            .starts_with("32 requests failed"));
        // The pool reuses its threads: the pool of 2 fetched 4 pages on each.
        assert_eq!(runs[1]["threads_used"], 2);
        assert_eq!(runs[1]["most_pages_per_thread"], 4);
        assert!(outcome.lanes.iter().any(|l| l.name == "Thread-8 (scrape)"));
        assert!(outcome
            .lanes
            .iter()
            .any(|l| l.name == "ThreadPoolExecutor-2_3"));
    }

    #[test]
    fn sizes_round_to_served_files_and_totals_are_capped() {
        let prepared = prepare(&RunRequest {
            lesson: "scraping".into(),
            params: json!({"pages": 64, "page_kib": 3000, "latency_ms": 1000}),
        })
        .unwrap();
        assert_eq!(prepared.params.get("page_kib"), 4096);
        assert_eq!(prepared.params.get("pages"), 16);
        assert_eq!(prepared.notices.len(), 2, "{:?}", prepared.notices);
        let p = prepare(&RunRequest {
            lesson: "scraping".into(),
            params: json!({}),
        })
        .unwrap();
        assert_eq!(
            p.threads_needed, 25,
            "24 threads, one per page, and the main thread"
        );
        assert!(p.notices.is_empty());
    }
}

//! Running the scrape: the typed results, a pool's run, one thread per page, and the sweep over pool sizes.

use super::*;
use crate::engine::names::thread_name;

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
pub(super) struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

/// One page's work: the simulated latency, then the real request.
pub(super) fn scrape(
    index: usize,
    path: &str,
    latency_ms: f64,
    queued_at: f64,
    in_flight: &InFlight,
) -> Page {
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

pub(super) fn summarize(
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
pub(super) fn pool_run(
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
pub(super) fn thread_per_page_run(
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
            thread::spawn(thread_name(first_name + i, "scrape"), group, move || {
                scrape(i, &path, latency_ms, queued_at, &in_flight)
            })
        })
        .collect();
    let results: Vec<Page> = handles.into_iter().map(thread::JoinHandle::join).collect();
    let ms = now_ms() - t0;
    summarize("thread_per_page", pages, ms, results, &in_flight)
}

/// The sweep's runs and what the report says about them.
pub(super) struct Sweep {
    pub(super) pages: usize,
    pub(super) kib: i64,
    pub(super) path: String,
    pub(super) expected_bytes: f64,
    pub(super) latency_ms: f64,
    pub(super) sizes: Vec<usize>,
    pub(super) runs: Vec<Run>,
    pub(super) wrong_size: usize,
    pub(super) failed: usize,
    pub(super) first_error: Option<String>,
}

/// The lesson's program: the pools of 1, 2, 4, … threads, then one thread per page.
pub(super) fn run(params: &Params) -> Result<Value, String> {
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
    let sweep = Sweep {
        pages,
        kib,
        path,
        expected_bytes,
        latency_ms,
        sizes,
        runs,
        wrong_size,
        failed,
        first_error,
    };
    let report = report_of(&sweep);
    let Sweep {
        pages,
        kib,
        expected_bytes,
        latency_ms,
        runs,
        failed,
        wrong_size,
        ..
    } = sweep;

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

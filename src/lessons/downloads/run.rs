//! Running the downloads: the typed results and each way of downloading (sequential, threads, processes, the event loop).

use super::*;

/// What one download is.
#[derive(Clone, Debug)]
pub(super) enum Work {
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
    pub(super) fn all(&self) -> [&ModeResult; 4] {
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

pub(super) fn mode_result(
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

pub(super) fn done_line(index: usize, bytes: Option<f64>, ms: f64) -> String {
    match bytes {
        Some(b) => format!("file {index}: {} in {}", report::bytes(b), report::ms(ms)),
        None => format!("file {index}: done after {}", report::ms(ms)),
    }
}

// Python's names: one counter for threads, one for processes, across the whole program.
pub(super) use crate::engine::names::Names;

pub(super) fn sequential(work: &Work, files: usize) -> Result<ModeResult, String> {
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

pub(super) fn threads(work: &Work, files: usize, names: &mut Names) -> Result<ModeResult, String> {
    trace::print(format!("{} downloads, one thread each", work.kind()));
    let group = format!("{}: threads", work.kind());
    let t0 = now_ms();
    let handles: Vec<_> = (0..files)
        .map(|index| {
            let name = names.thread("download");
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

pub(super) fn processes(
    work: &Work,
    files: usize,
    names: &mut Names,
) -> Result<ModeResult, String> {
    trace::print(format!("{} downloads, one process each", work.kind()));
    let group = format!("{}: processes", work.kind());
    let t0 = now_ms();
    let children: Vec<ChildProcess> = (0..files)
        .map(|index| {
            let name = names.process();
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

pub(super) fn event_loop(work: &Work, files: usize) -> Result<ModeResult, String> {
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
                    event_loop::sleep(wait_ms).await;
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

pub(super) fn run_all(work: &Work, files: usize, names: &mut Names) -> Result<Modes, String> {
    Ok(Modes {
        sequential: sequential(work, files)?,
        threads: threads(work, files, names)?,
        processes: processes(work, files, names)?,
        event_loop: event_loop(work, files)?,
    })
}

/// The child program: one download (or simulated one), then `q.put(len(data))`.
pub(super) fn download_child(args: &Value, ctx: &mut ChildContext) -> i32 {
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

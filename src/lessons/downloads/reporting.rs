//! The report of a run and the judge of the predict-then-run question.

use super::*;

pub(super) fn speedup(base: f64, ms: f64) -> String {
    if ms > 0.0 {
        format!("{:.1}×", base / ms)
    } else {
        "—".into()
    }
}

pub(super) fn build_report(
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
pub(super) fn answer(simulated: &Modes) -> Answer {
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

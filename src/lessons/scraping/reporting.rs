//! The report of a run and the judge of the predict-then-run question.

use super::*;

/// The verdict, a row per run, the chart of time against threads, and why a bounded pool.
pub(super) fn report_of(s: &Sweep) -> Report {
    let (expected_bytes, path, latency_ms) = (s.expected_bytes, &s.path, s.latency_ms);
    let (runs, per_page) = (&s.runs, s.runs.last());
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
    Report::new(verdict(s))
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
            run_rows(s),
        )
        .chart(time_chart(s))
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
        ))
}

/// How long the pools and one thread per page took, and what the extra threads bought.
fn verdict(s: &Sweep) -> String {
    let (pages, kib, latency_ms) = (s.pages, s.kib, s.latency_ms);
    let (runs, wrong_size, failed, first_error) = (&s.runs, s.wrong_size, s.failed, &s.first_error);
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

    verdict
}

/// A row per run.
fn run_rows(s: &Sweep) -> Vec<Vec<String>> {
    let (pages, runs) = (s.pages, &s.runs);
    let one = runs.first().map_or(0.0, |r| r.ms);
    runs.iter()
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
        .collect()
}

/// Time against threads: the pools, one thread per page, and the model of rounds of latency.
fn time_chart(s: &Sweep) -> Chart {
    let (pages, latency_ms, runs, sizes) = (s.pages, s.latency_ms, &s.runs, &s.sizes);
    let pools: Vec<&Run> = runs.iter().filter(|r| r.mode == "pool").collect();
    let per_page = runs.last();
    // What each run would take if a request cost the same however many are open: ⌈K/M⌉ rounds of
    // latency + the one-thread run's median request.
    let alone = runs.first().map_or(0.0, |r| r.median_request_ms);
    let model: Vec<(f64, f64)> = sizes
        .iter()
        .copied()
        .chain(std::iter::once(pages))
        .map(|m| (m as f64, pages.div_ceil(m) as f64 * (latency_ms + alone)))
        .collect();
    Chart {
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
pub(super) fn answer(runs: &[Run]) -> Answer {
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

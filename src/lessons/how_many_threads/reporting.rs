//! The report of a run and the judge of the predict-then-run question.

use super::*;

/// The time at `n` threads, when the sweep ran that count.
fn at(points: &[Point], n: usize) -> Option<f64> {
    points.iter().find(|p| p.threads == n).map(|p| p.ms)
}

/// The verdict, a row per thread count, the chart with Amdahl's law, and how it was measured.
pub(super) fn report_of(s: &Sweep) -> Report {
    let (cores, cores_source, p, cpu) = (s.cores, s.cores_source, s.p, &s.cpu);
    let (units, per_ms, repeats) = (s.units, s.per_ms, s.repeats);
    let cpu1 = cpu.first().map_or(0.0, |p| p.ms);
    let mut report = Report::new(verdict(s))
        .table(
            "Measured time per thread count (each from creating the pool to its shutdown)",
            &[
                "threads",
                "I/O-bound",
                "speedup",
                "CPU-bound (best run)",
                "speedup",
                "CPU runs: median (range)",
                "Amdahl (model)",
            ],
            count_rows(s),
        )
        .chart(time_chart(s))
        .note(format!(
            "Cores: {cores}, {cores_source}. In the browser the engine reads navigator.hardwareConcurrency; \
             set the parameter to override it."
        ));
    report = match p {
        Some(p) => report.note(format!(
            "Amdahl's law: time(N) = T1 × ((1 − p) + p / min(N, cores)), with T1 = {} measured on one \
             thread and the parallel fraction p = {p:.3} fitted to the measured CPU times (least squares). \
             It is a model drawn from your numbers, not a measurement.",
            report::ms(cpu1)
        )),
        None => report.note(
            "Amdahl's law needs at least two thread counts on at least two cores to fit its parallel \
             fraction; this run had none, so no curve is drawn.",
        ),
    };
    report = report.note(format!(
        "The CPU job is {units} units of calibrated work ({per_ms:.1} units/ms on one thread), split into \
         equal parts; it never watches the clock, so on fewer cores than threads it really takes longer. \
         Each count ran {repeats} time(s), the counts taking turns; the best run is plotted, because \
         other programs on the machine can only slow a run down."
    ));
    report
}

/// How much more threads helped each kind of task, and where the CPU-bound one stopped gaining.
fn verdict(s: &Sweep) -> String {
    let (io_tasks, io_ms, cpu_ms, cores) = (s.io_tasks, s.io_ms, s.cpu_ms, s.cores);
    let (io, cpu) = (&s.io, &s.cpu);
    let cpu1 = cpu.first().map_or(0.0, |p| p.ms);
    let io1 = io.first().map_or(0.0, |p| p.ms);
    let best_cpu = cpu
        .iter()
        .min_by(|a, b| a.ms.total_cmp(&b.ms))
        .map_or((1, cpu1), |p| (p.threads, p.ms));
    let last_io = io.last().map_or((1, io1), |p| (p.threads, p.ms));
    let last_cpu = cpu.last().map_or((1, cpu1), |p| (p.threads, p.ms));

    let mut verdict = format!(
        "I/O-bound: {io_tasks} waits of {} took {} on 1 thread and {} on {} threads ({:.1}× faster). \
         CPU-bound: {} of work took {} on 1 thread, {} at best (on {} threads), and {} on {} threads",
        report::ms(io_ms),
        report::ms(io1),
        report::ms(last_io.1),
        last_io.0,
        io1 / last_io.1.max(0.001),
        report::ms(cpu_ms),
        report::ms(cpu1),
        report::ms(best_cpu.1),
        best_cpu.0,
        report::ms(last_cpu.1),
        last_cpu.0,
    );
    match at(&cpu, cores) {
        Some(at_cores) if last_cpu.0 > cores => verdict.push_str(&format!(
            "; past the {cores} cores more threads did not help ({} at {cores} threads).",
            report::ms(at_cores)
        )),
        _ => verdict.push('.'),
    }

    verdict
}

/// A row per thread count: both kinds of task, their speedups, the CPU runs and the model.
fn count_rows(s: &Sweep) -> Vec<Vec<String>> {
    let (counts, cores, p) = (&s.counts, s.cores, s.p);
    let (io, cpu) = (&s.io, &s.cpu);
    let cpu1 = cpu.first().map_or(0.0, |p| p.ms);
    let io1 = io.first().map_or(0.0, |p| p.ms);
    counts
        .iter()
        .map(|&n| {
            let io_t = at(&io, n).unwrap_or(0.0);
            let cpu_t = at(&cpu, n).unwrap_or(0.0);
            vec![
                n.to_string(),
                report::ms(io_t),
                format!("{:.1}×", io1 / io_t.max(0.001)),
                report::ms(cpu_t),
                format!("{:.2}×", cpu1 / cpu_t.max(0.001)),
                cpu.iter()
                    .find(|p| p.threads == n)
                    .map_or_else(String::new, |p| report::spread_text(&p.samples)),
                p.map_or("–".into(), |p| report::ms(amdahl_ms(cpu1, p, n, cores))),
            ]
        })
        .collect()
}

/// Time against threads, both kinds of task, with Amdahl's law when it could be fitted.
fn time_chart(s: &Sweep) -> Chart {
    let (max_threads, io_tasks, cores, p) = (s.max_threads, s.io_tasks, s.cores, s.p);
    let (io, cpu) = (&s.io, &s.cpu);
    let cpu1 = cpu.first().map_or(0.0, |p| p.ms);
    let amdahl: Vec<(f64, f64)> = match p {
        Some(p) => (1..=max_threads)
            .map(|n| (n as f64, amdahl_ms(cpu1, p, n, cores)))
            .collect(),
        None => Vec::new(),
    };
    let mut chart = Chart {
        title: "Time vs number of threads".into(),
        x_label: "threads".into(),
        y_label: "ms".into(),
        series: vec![
            Series {
                name: format!("I/O-bound ({io_tasks} waits), measured"),
                style: "measured",
                points: io.iter().map(|p| (p.threads as f64, p.ms)).collect(),
            },
            Series {
                name: "CPU-bound, measured".into(),
                style: "measured",
                points: cpu.iter().map(|p| (p.threads as f64, p.ms)).collect(),
            },
        ],
        markers: vec![Marker {
            x: cores as f64,
            label: format!("cores = {cores}"),
        }],
    };
    if let Some(p) = p {
        chart.series.push(Series {
            name: format!("Amdahl's law, p = {p:.3} (fitted)"),
            style: "model",
            points: amdahl,
        });
    }

    chart
}

pub const QUESTION: Question = Question::choices(
    "The I/O-bound job: how much faster will it be on the most threads than on one?",
    &[
        choice("little", "Under 2×"),
        choice("some", "2× to 8×"),
        choice("lots", "More than 8×"),
    ],
);

/// From the I/O sweep: one thread against the most threads (the last count).
pub(super) fn answer(io: &[Point], io_tasks: usize) -> Answer {
    let one = io.iter().position(|p| p.threads == 1);
    let most = io.len().checked_sub(1);
    let (Some(one), Some(most)) = (one, most) else {
        return Answer::cannot("This run tried only one thread count.");
    };
    if one == most {
        return Answer::cannot("This run tried only one thread count.");
    }
    let (one, most) = (&io[one], &io[most]);
    let r = one.ms / most.ms;
    Answer::choice(
        question::band(r, &[2.0, 8.0], &["little", "some", "lots"]),
        format!(
            "{io_tasks} waits took {} on 1 thread and {} on {}: {} faster.",
            question::ms(one.ms),
            question::ms(most.ms),
            most.threads,
            question::times(r)
        ),
    )
}

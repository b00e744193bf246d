//! The report of a run and the judge of the predict-then-run question.

use super::*;

/// What the report says about the two parts.
#[derive(Clone, Copy)]
pub(super) struct Summary<'a> {
    pub(super) tasks: u32,
    pub(super) workers: usize,
    pub(super) waves: u32,
    pub(super) task_ms: f64,
    pub(super) model_ms: f64,
    pub(super) fail: u32,
    pub(super) t0: f64,
    pub(super) t1: f64,
    pub(super) submit_ms: f64,
    pub(super) part1_ms: f64,
    pub(super) part2_ms: f64,
    pub(super) exception: &'a Value,
    pub(super) used: &'a [String],
    pub(super) overlap: usize,
    pub(super) completion_order: &'a [u32],
    pub(super) runs: &'a [TaskRun],
    pub(super) submit_runs: &'a [TaskRun],
    pub(super) map_runs: &'a [TaskRun],
}

/// The verdict, the time per part, every task, and when map's tasks finished.
pub(super) fn report_of(s: &Summary) -> Report {
    let Summary {
        model_ms,
        t0,
        t1,
        submit_ms,
        part1_ms,
        part2_ms,
        runs,
        submit_runs,
        map_runs,
        ..
    } = *s;
    let task_rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                r.part.to_string(),
                r.task.to_string(),
                r.worker.clone(),
                report::ms(r.start - t0),
                report::ms(r.end - r.start),
                if r.failed {
                    "raised ValueError".into()
                } else {
                    "ok".into()
                },
            ]
        })
        .collect();
    Report::new(verdict(s))
        .table(
            "Time per part",
            &["part", "measured", "⌈T/M⌉ × task length", "one thread would need"],
            vec![
                vec![
                    "1: submit + result()".into(),
                    report::ms(part1_ms),
                    report::ms(model_ms),
                    report::ms(submit_runs.iter().map(|r| r.end - r.start).sum()),
                ],
                vec![
                    "2: map".into(),
                    report::ms(part2_ms),
                    report::ms(model_ms),
                    report::ms(map_runs.iter().map(|r| r.end - r.start).sum()),
                ],
            ],
        )
        .table(
            "Tasks (start is from the beginning of part 1)",
            &["part", "task", "worker", "start", "length", "outcome"],
            task_rows,
        )
        .chart(Chart {
            title: "map: when each task finished".into(),
            x_label: "task (input order)".into(),
            y_label: "finished at (ms into part 2)".into(),
            series: vec![Series {
                name: "finish time".into(),
                style: "measured",
                points: map_runs
                    .iter()
                    .map(|r| (f64::from(r.task), r.end - t1))
                    .collect(),
            }],
            markers: vec![],
        })
        .note(
            "\"One thread would need\" is the sum of the measured task lengths. submit() itself took \
             only {} for all tasks: it queues them and returns."
                .replace("{}", &report::ms(submit_ms)),
        )
}

/// How many workers ran the tasks, how long each part took, where the exception surfaced.
fn verdict(s: &Summary) -> String {
    let Summary {
        tasks,
        workers,
        waves,
        task_ms,
        model_ms,
        fail,
        t0,
        part1_ms,
        part2_ms,
        exception,
        used,
        overlap,
        completion_order,
        ..
    } = *s;
    let exception_text = match exception.get("message").and_then(Value::as_str) {
        Some(m) => {
            let raised = exception["raised_at"].as_f64().unwrap_or(f64::NAN);
            format!(
                "Task {fail} raised {m} on {}, {} into part 1, yet the program saw it only when it \
                 called result() on that future, {} into part 1; the other tasks still ran. ",
                exception["worker"].as_str().unwrap_or("?"),
                report::ms(raised - t0),
                report::ms(exception["surfaced_at"].as_f64().unwrap_or(f64::NAN) - t0),
            )
        }
        None => "No task was set to fail. ".to_string(),
    };
    let verdict = format!(
        "{tasks} tasks ran on {} worker threads, at most {overlap} at a time; each part took {} and {} \
         (⌈{tasks}/{workers}⌉ = {waves} waves × {} = {}). {exception_text}map finished the tasks in \
         the order {:?} and returned the results in input order.",
        used.len(),
        report::ms(part1_ms),
        report::ms(part2_ms),
        report::ms(task_ms),
        report::ms(model_ms),
        completion_order,
    );
    verdict
}

pub const QUESTION: Question = Question::number(
    "At most how many tasks will run at the same moment?",
    0,
    64,
    "Tasks at once, at most",
);

/// From the most tasks that overlapped (each task's measured start and end).
pub(super) fn answer(tasks: u32, workers: usize, overlap: usize) -> Answer {
    Answer::number(
        overlap as i64,
        format!(
            "{tasks} tasks on {workers} workers: at most {overlap} ran at once (from each task's measured start and end)."
        ),
    )
}

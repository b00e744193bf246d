//! Running the pool: the log of task runs, the tasks, part 1 (submit, result()) and the program.

use super::*;

/// When and where one task ran.
#[derive(Serialize, Clone, Debug)]
pub struct TaskRun {
    pub part: &'static str,
    pub task: u32,
    pub worker: String,
    pub start: f64,
    pub end: f64,
    pub failed: bool,
}

pub(super) type Log = Arc<Mutex<Vec<TaskRun>>>;

/// How long task `i` (from 1) sleeps.
pub fn duration(i: u32, task_ms: f64) -> f64 {
    task_ms * FACTORS[((i - 1) % 3) as usize]
}

/// The task both parts run: sleep, then return i² — or raise for task `fail`.
pub(super) fn task(
    part: &'static str,
    i: u32,
    ms: f64,
    fail: u32,
    log: &Log,
) -> Result<u64, String> {
    let start = now_ms();
    sleep_ms(ms);
    let failed = i == fail;
    let worker = trace::lane_name(trace::current_lane());
    trace::print(format!(
        "task {i} done{}",
        if failed { ": raises ValueError" } else { "" }
    ));
    lock(log).push(TaskRun {
        part,
        task: i,
        worker,
        start,
        end: now_ms(),
        failed,
    });
    if failed {
        Err(format!("ValueError: task {i} failed"))
    } else {
        Ok(u64::from(i) * u64::from(i))
    }
}

/// `map`'s function (a plain function, as `pool.map` takes one): its arguments come in the item.
pub(super) fn map_task(item: (u32, f64, Log)) -> Result<u64, String> {
    let (i, ms, log) = item;
    task("map", i, ms, 0, &log)
}

/// The most tasks that ran at the same moment, from their start and end times.
pub fn max_overlap(runs: &[TaskRun]) -> usize {
    let mut edges: Vec<(f64, i32)> = runs
        .iter()
        .flat_map(|r| [(r.start, 1), (r.end, -1)])
        .collect();
    // At equal times an end comes before a start: a worker that finishes one task and starts the next
    // is not running two.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut max) = (0i32, 0i32);
    for (_, d) in edges {
        now += d;
        max = max.max(now);
    }
    max as usize
}

/// What part 1 (submit, then result() in order) measured.
struct Submitted {
    t0: f64,
    submit_ms: f64,
    results: Vec<Value>,
    exception: Value,
    part1_ms: f64,
}

/// The lesson's program: part 1, part 2, then what the log of task runs shows.
pub(super) fn run(params: &Params) -> Result<Value, String> {
    let workers = params.get("max_workers") as usize;
    let tasks = params.get("tasks") as u32;
    let task_ms = Scale::of(params).ms(params.get("task_ms") as f64);
    let fail = params.get("fail_task") as u32;
    let waves = tasks.div_ceil(workers as u32);
    let model_ms = f64::from(waves) * task_ms;
    let log: Log = Arc::new(Mutex::new(Vec::new()));

    let pool = Executor::new(workers, "ThreadPoolExecutor-0", "pool");

    let Submitted {
        t0,
        submit_ms,
        results,
        exception,
        part1_ms,
    } = submit_part(&pool, tasks, task_ms, fail, &log);

    // 2. map.
    let t1 = now_ms();
    let items: Vec<(u32, f64, Log)> = (1..=tasks)
        .map(|i| (i, duration(i, task_ms), log.clone()))
        .collect();
    let mapped = pool.map(map_task, items);
    let part2_ms = now_ms() - t1;
    pool.shutdown();
    let mapped = mapped.map_err(|e| format!("map raised unexpectedly: {e}"))?;
    trace::print(format!("map returned {mapped:?}"));

    let runs = lock(&log).clone();
    let part = |p: &str| {
        runs.iter()
            .filter(|r| r.part == p)
            .cloned()
            .collect::<Vec<_>>()
    };
    let (submit_runs, map_runs) = (part("submit"), part("map"));
    let mut by_end = map_runs.clone();
    by_end.sort_by(|a, b| a.end.total_cmp(&b.end));
    let completion_order: Vec<u32> = by_end.iter().map(|r| r.task).collect();
    let input_order: Vec<u32> = (1..=tasks).collect();
    let out_of_order = completion_order != input_order;
    let overlap = max_overlap(&runs);
    let mut used: Vec<String> = runs.iter().map(|r| r.worker.clone()).collect();
    used.sort();
    used.dedup();
    let expected: Vec<u64> = (1..=u64::from(tasks)).map(|i| i * i).collect();
    let rep = report_of(&Summary {
        tasks,
        workers,
        waves,
        task_ms,
        model_ms,
        fail,
        t0,
        t1,
        submit_ms,
        part1_ms,
        part2_ms,
        exception: &exception,
        used: &used,
        overlap,
        completion_order: &completion_order,
        runs: &runs,
        submit_runs: &submit_runs,
        map_runs: &map_runs,
    });

    Ok(json!({
        "report": rep,
        "answer": answer(tasks, workers, overlap),
        "max_workers": workers,
        "tasks": tasks,
        "task_ms": task_ms,
        "waves": waves,
        "model_ms": model_ms,
        "max_overlap": overlap,
        "workers_used": used,
        "task_runs": runs,
        "submit": {
            "ms": part1_ms,
            "submit_ms": submit_ms,
            "results": results,
            "exception": exception,
        },
        "map": {
            "ms": part2_ms,
            "results": mapped,
            "expected": expected,
            "input_order": input_order,
            "completion_order": completion_order,
            "out_of_order": out_of_order,
        },
    }))
}

/// Part 1: submit every task, then ask each future for its result() in order.
fn submit_part(pool: &Executor, tasks: u32, task_ms: f64, fail: u32, log: &Log) -> Submitted {
    // 1. submit, then result() in order.
    let t0 = now_ms();
    let futures: Vec<_> = (1..=tasks)
        .map(|i| {
            let log = log.clone();
            let ms = duration(i, task_ms);
            pool.submit(move || task("submit", i, ms, fail, &log))
        })
        .collect();
    let submit_ms = now_ms() - t0;
    trace::print(format!(
        "submitted {tasks} tasks in {}",
        report::ms(submit_ms)
    ));
    let mut results = Vec::new();
    let mut exception = Value::Null;
    for (i, future) in (1..).zip(&futures) {
        let asked_at = now_ms();
        let outcome = future.result();
        let got_at = now_ms();
        let worker = future.worker();
        match &outcome {
            Ok(v) => trace::print(format!("task {i}: result() = {v} (ran on {worker})")),
            Err(e) => {
                trace::print(format!("task {i}: result() raised {e} (ran on {worker})"));
                let raised_at = lock(&log)
                    .iter()
                    .find(|r| r.part == "submit" && r.task == i)
                    .map(|r| r.end);
                exception = json!({
                    "task": i,
                    "message": e,
                    "worker": worker,
                    "raised_at": raised_at,
                    "surfaced_at": got_at,
                    "asked_at": asked_at,
                });
            }
        }
        results.push(json!({
            "task": i,
            "value": outcome.as_ref().ok(),
            "error": outcome.as_ref().err(),
            "asked_at": asked_at,
            "got_at": got_at,
            "worker": worker,
        }));
    }
    let part1_ms = now_ms() - t0;
    Submitted {
        t0,
        submit_ms,
        results,
        exception,
        part1_ms,
    }
}

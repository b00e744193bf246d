//! Running and measuring: the start costs, and the I/O and CPU workloads three ways.

use super::*;

/// What a child process sends back.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ChildReport {
    /// Its first instruction.
    pub started_at: f64,
    pub finished_at: f64,
    /// Its own WebAssembly memory, in bytes, measured in the child (none natively).
    pub memory_bytes: Option<f64>,
    pub checksum: u64,
}

// Python's names: one count for threads ("Thread-N (target)"), one for processes ("Process-N").
pub(super) use crate::engine::names::Names;

/// `procs = [Process(target=entry, args=...) ...]; start all; get one result from each; join all`.
/// Returns each child with its report.
pub(super) fn run_processes(
    names: &mut Names,
    group: &str,
    entry: &str,
    args: &[Value],
    limit_ms: f64,
) -> Result<Vec<(ChildProcess, ChildReport)>, String> {
    let children: Vec<ChildProcess> = args
        .iter()
        .map(|a| bridge::start_process(&names.process(), group, "compare", entry, a.clone()))
        .collect();
    let mut reports = Vec::new();
    let mut error = None;
    for child in &children {
        match child.recv(Some(limit_ms)) {
            Some(d) => match serde_json::from_str::<ChildReport>(&d.payload) {
                Ok(r) => reports.push(Some(r)),
                Err(e) => {
                    error.get_or_insert(format!("{} sent an unreadable result: {e}", child.name));
                    reports.push(None);
                }
            },
            None => {
                error.get_or_insert(format!(
                    "{} ended or timed out without a result",
                    child.name
                ));
                reports.push(None);
            }
        }
    }
    if let Some(problem) = bridge::join_all(&children, reports.iter().map(Option::is_some)) {
        error.get_or_insert(problem);
    }
    if let Some(e) = error {
        return Err(e);
    }
    Ok(children
        .into_iter()
        .zip(reports)
        .filter_map(|(c, r)| r.map(|r| (c, r)))
        .collect())
}

/// Start costs: an empty thread (start + join), an empty process (to its first instruction, and to its
/// exit joined), an empty event-loop task (create + run).
#[derive(Serialize, Clone, Debug, Default)]
pub struct StartCosts {
    /// Per thread, one value per sample.
    pub thread_ms: Vec<f64>,
    pub process_first_instruction_ms: Vec<f64>,
    pub process_join_ms: Vec<f64>,
    pub process_memory_bytes: Vec<f64>,
    /// Per task, one value per batch.
    pub task_ms: Vec<f64>,
}

pub(super) fn measure_start_costs(names: &mut Names) -> Result<StartCosts, String> {
    let mut costs = StartCosts::default();
    trace::print(format!(
        "starting and joining {} empty threads, one at a time",
        THREAD_SAMPLES * THREADS_PER_SAMPLE
    ));
    for _ in 0..THREAD_SAMPLES {
        let t0 = now_ms();
        for _ in 0..THREADS_PER_SAMPLE {
            thread::spawn(names.thread("empty"), "start cost: threads", || ()).join();
        }
        costs
            .thread_ms
            .push((now_ms() - t0) / THREADS_PER_SAMPLE as f64);
    }
    trace::print(format!(
        "starting {PROCESS_SAMPLES} empty processes, one at a time"
    ));
    for _ in 0..PROCESS_SAMPLES {
        let done = run_processes(
            names,
            "start cost: processes",
            "empty",
            &[json!({})],
            CHILD_GRACE_MS,
        )?;
        let joined = now_ms();
        for (child, r) in done {
            costs
                .process_first_instruction_ms
                .push(r.started_at - child.started_at);
            costs.process_join_ms.push(joined - child.started_at);
            costs.process_memory_bytes.extend(r.memory_bytes);
        }
    }
    trace::print(format!(
        "creating and running {TASK_BATCHES} × {TASKS_PER_BATCH} empty event-loop tasks"
    ));
    for _ in 0..TASK_BATCHES {
        let t0 = now_ms();
        let mut el = EventLoop::new();
        for _ in 0..TASKS_PER_BATCH {
            el.spawn(async {});
        }
        el.run()?;
        costs.task_ms.push((now_ms() - t0) / TASKS_PER_BATCH as f64);
    }
    Ok(costs)
}

/// Wall times of K tasks on each approach.
#[derive(Serialize, Clone, Debug, Default)]
pub struct Speeds {
    pub threads_ms: f64,
    pub processes_ms: f64,
    /// Processes: from the first start() until the last child ran its first instruction.
    pub processes_start_ms: f64,
    pub event_loop_ms: f64,
}

/// K waits of `wait_ms`: K threads sleeping, K processes sleeping, K tasks awaiting on one loop.
pub(super) fn measure_io(
    names: &mut Names,
    k: usize,
    wait_ms: f64,
) -> Result<(Speeds, usize), String> {
    trace::print(format!("I/O: {k} waits of {} on each", report::ms(wait_ms)));
    let t0 = now_ms();
    let handles: Vec<_> = (0..k)
        .map(|_| {
            thread::spawn(names.thread("io_task"), "I/O: threads", move || {
                sync::sleep_ms(wait_ms)
            })
        })
        .collect();
    handles.into_iter().for_each(|h| {
        h.join();
    });
    let threads_ms = now_ms() - t0;

    let t0 = now_ms();
    let done = run_processes(
        names,
        "I/O: processes",
        "sleep",
        &vec![json!({ "ms": wait_ms }); k],
        wait_ms + CHILD_GRACE_MS,
    )?;
    let processes_ms = now_ms() - t0;
    let processes_start_ms = done
        .iter()
        .map(|(c, r)| r.started_at - c.started_at)
        .fold(0.0, f64::max);

    let mut el = EventLoop::new();
    let mut task_bytes = 0;
    for _ in 0..k {
        task_bytes = el.spawn(async move { event_loop::sleep(wait_ms).await });
    }
    let t0 = now_ms();
    el.run()?;
    let event_loop_ms = now_ms() - t0;
    trace::print(format!(
        "I/O: threads {}, processes {}, event loop {}",
        report::ms(threads_ms),
        report::ms(processes_ms),
        report::ms(event_loop_ms)
    ));
    Ok((
        Speeds {
            threads_ms,
            processes_ms,
            processes_start_ms,
            event_loop_ms,
        },
        task_bytes,
    ))
}

/// K pieces of `units` of work: K threads, K processes, K tasks on one loop (which run one after another).
pub(super) fn measure_cpu(
    names: &mut Names,
    k: usize,
    units: u64,
    work_ms: f64,
) -> Result<Speeds, String> {
    trace::print(format!(
        "CPU: {k} tasks of about {} of work on each",
        report::ms(work_ms)
    ));
    let t0 = now_ms();
    let handles: Vec<_> = (0..k)
        .map(|_| {
            thread::spawn(names.thread("cpu_task"), "CPU: threads", move || {
                common::work(units)
            })
        })
        .collect();
    let mut checksum = 0u64;
    for h in handles {
        checksum = checksum.wrapping_add(h.join());
    }
    let threads_ms = now_ms() - t0;

    let t0 = now_ms();
    let done = run_processes(
        names,
        "CPU: processes",
        "work",
        &vec![json!({ "units": units }); k],
        work_ms * 20.0 + CHILD_GRACE_MS,
    )?;
    let processes_ms = now_ms() - t0;
    let processes_start_ms = done
        .iter()
        .map(|(c, r)| r.started_at - c.started_at)
        .fold(0.0, f64::max);
    let process_sum = done
        .iter()
        .fold(0u64, |acc, (_, r)| acc.wrapping_add(r.checksum));
    if process_sum != checksum {
        return Err("the processes computed a different result than the threads".into());
    }

    let sum = Rc::new(RefCell::new(0u64));
    let mut el = EventLoop::new();
    for _ in 0..k {
        let sum = sum.clone();
        el.spawn(async move {
            let v = common::work(units);
            let mut s = sum.borrow_mut();
            *s = s.wrapping_add(v);
        });
    }
    let t0 = now_ms();
    el.run()?;
    let event_loop_ms = now_ms() - t0;
    if *sum.borrow() != checksum {
        return Err("the event loop computed a different result than the threads".into());
    }
    trace::print(format!(
        "CPU: threads {}, processes {}, event loop {}",
        report::ms(threads_ms),
        report::ms(processes_ms),
        report::ms(event_loop_ms)
    ));
    Ok(Speeds {
        threads_ms,
        processes_ms,
        processes_start_ms,
        event_loop_ms,
    })
}

/// What the report says besides the speeds: the workload, and the medians of the start costs and sizes.
#[derive(Clone, Copy)]
pub(super) struct Summary {
    pub(super) k: usize,
    pub(super) wait_ms: f64,
    pub(super) work_ms: f64,
    pub(super) per_ms: f64,
    pub(super) thread_start: f64,
    pub(super) process_start: f64,
    pub(super) process_join: f64,
    pub(super) task_start: f64,
    pub(super) process_memory: Option<f64>,
    pub(super) task_bytes: usize,
}

/// The lesson's program: the workloads, then the start costs, then the table.
pub(super) fn run(params: &Params) -> Result<Value, String> {
    let k = params.get("tasks") as usize;
    let wait_ms = Scale::of(params).ms(params.get("wait_ms") as f64);
    let work_ms = params.get("work_ms") as f64;
    let mut names = Names::default();

    // The workloads first (their lanes are the timeline's first groups), then the many tiny starts.
    let (io, task_bytes) = measure_io(&mut names, k, wait_ms)?;
    let per_ms = common::units_per_ms();
    let units = (per_ms * work_ms).max(1.0) as u64;
    let cpu = measure_cpu(&mut names, k, units, work_ms)?;
    let starts = measure_start_costs(&mut names)?;

    let median = |v: &[f64]| spread(v).0;
    let thread_start = median(&starts.thread_ms);
    let process_start = median(&starts.process_first_instruction_ms);
    let process_join = median(&starts.process_join_ms);
    let task_start = median(&starts.task_ms);
    let process_memory =
        (!starts.process_memory_bytes.is_empty()).then(|| median(&starts.process_memory_bytes));

    // Every cell of the table that says "measured", by name.
    let mut measured = BTreeMap::new();
    measured.insert("thread_start_ms", thread_start);
    measured.insert("process_start_ms", process_start);
    measured.insert("process_start_join_ms", process_join);
    measured.insert("task_start_ms", task_start);
    if let Some(m) = process_memory {
        measured.insert("process_memory_bytes", m);
    }
    measured.insert("task_memory_bytes", task_bytes as f64);
    measured.insert("io_threads_ms", io.threads_ms);
    measured.insert("io_processes_ms", io.processes_ms);
    measured.insert("io_event_loop_ms", io.event_loop_ms);
    measured.insert("cpu_threads_ms", cpu.threads_ms);
    measured.insert("cpu_processes_ms", cpu.processes_ms);
    measured.insert("cpu_event_loop_ms", cpu.event_loop_ms);
    let report = report_of(
        &Summary {
            k,
            wait_ms,
            work_ms,
            per_ms,
            thread_start,
            process_start,
            process_join,
            task_start,
            process_memory,
            task_bytes,
        },
        &io,
        &cpu,
    );
    Ok(json!({
        "answer": answer(&cpu),
        "tasks": k,
        "wait_ms": wait_ms,
        "work_ms": work_ms,
        "units_per_task": units,
        "thread_stack_bytes_configured": THREAD_STACK_BYTES,
        "measured": measured,
        "start_costs": starts,
        "io": io,
        "cpu": cpu,
        "report": report,
    }))
}

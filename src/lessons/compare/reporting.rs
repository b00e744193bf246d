//! The report of a run and the judge of the predict-then-run question.

use super::*;

/// Milliseconds, or microseconds when below 0.1 ms.
pub(super) fn fine_ms(v: f64) -> String {
    if v < 0.1 {
        format!("{:.2} µs", v * 1000.0)
    } else {
        report::ms(v)
    }
}

/// The verdict, the table of the three approaches, and how each was measured.
pub(super) fn report_of(s: &Summary, io: &Speeds, cpu: &Speeds) -> Report {
    let Summary {
        k,
        wait_ms,
        work_ms,
        thread_start,
        process_start,
        task_start,
        per_ms,
        ..
    } = *s;
    let rows = table_rows(s, io, cpu);
    let verdict = format!(
        "On this machine, starting a thread cost {}, a process {} ({:.0}× more), an event-loop task {}. \
         {k} waits of {}: threads {}, processes {}, one event loop {} — the waits overlap on all three. \
         {k} CPU tasks of ~{}: threads {}, processes {}, the event loop {} (it runs them one after another).",
        fine_ms(thread_start),
        report::ms(process_start),
        if thread_start > 0.0 { process_start / thread_start } else { 0.0 },
        fine_ms(task_start),
        report::ms(wait_ms),
        report::ms(io.threads_ms),
        report::ms(io.processes_ms),
        report::ms(io.event_loop_ms),
        report::ms(work_ms),
        report::ms(cpu.threads_ms),
        report::ms(cpu.processes_ms),
        report::ms(cpu.event_loop_ms),
    );
    Report::new(verdict)
        .table(
            "Threads vs processes vs asyncio, measured in this run",
            &["", "Threads", "Processes", "asyncio (one event loop)"],
            rows,
        )
        .note(
            "A thread here is a job handed to a Web Worker that was started before the run and shares the \
             program's memory, much as an OS thread is cheap to create. A process is a new Web Worker with a \
             new WebAssembly instance and a memory of its own, so it is started from nothing each time. The \
             event loop is a small asyncio-style loop in Rust on the main thread.",
        )
        .note(
            "The thread's memory is the stack wasm-bindgen gives every thread worker (2 MiB by default), \
             not a measurement. The process's memory is read in the child (memory.size). The task's size is \
             the bytes of its state machine, boxed on the heap.",
        )
        .note(
            "Threads here run in parallel like free-threaded Python (3.13t). Under CPython's GIL only one \
             thread runs Python code at a time, so CPU-bound threads would take about as long as the event \
             loop; processes would still run in parallel.",
        )
        .note(format!(
            "CPU work is a fixed number of steps, calibrated once on the main thread ({:.0} units per ms); \
             all three approaches compute the same result, and the run checks that they do.",
            per_ms
        ))
}

/// A row per aspect: start cost, memory, data sharing, the I/O and the CPU workloads.
fn table_rows(s: &Summary, io: &Speeds, cpu: &Speeds) -> Vec<Vec<String>> {
    let Summary {
        k,
        wait_ms,
        work_ms,
        thread_start,
        process_start,
        process_join,
        task_start,
        process_memory,
        task_bytes,
        ..
    } = *s;
    let row = |aspect: String, cells: [String; 3]| {
        let mut r = vec![aspect];
        r.extend(cells);
        r
    };
    vec![
        row(
            "Start cost (median)".into(),
            [
                format!(
                    "{} — start + join an empty thread ({THREAD_SAMPLES} samples of {THREADS_PER_SAMPLE} in a row)",
                    fine_ms(thread_start)
                ),
                format!(
                    "{} to its first instruction, {} start → join ({PROCESS_SAMPLES} samples)",
                    report::ms(process_start),
                    report::ms(process_join)
                ),
                format!(
                    "{} — create + run an empty task ({TASK_BATCHES} batches of {TASKS_PER_BATCH})",
                    fine_ms(task_start)
                ),
            ],
        ),
        row(
            "Memory per worker".into(),
            [
                format!(
                    "{} stack in the shared memory (configured, not measured)",
                    report::bytes(THREAD_STACK_BYTES)
                ),
                process_memory.map_or("not measurable outside the browser".into(), |m| {
                    format!("{}: its own memory, measured in the child", report::bytes(m))
                }),
                format!("{task_bytes} B: the task's state on the heap (measured)"),
            ],
        ),
        row(
            "Data sharing".into(),
            [
                "One memory: every thread sees the same objects; changes need locks".into(),
                "Nothing shared: data goes through messages, serialized and copied (Queue, Pipe)".into(),
                "One thread, one memory: tasks share objects and switch only at await".into(),
            ],
        ),
        row(
            format!("I/O: {k} waits of {}", report::ms(wait_ms)),
            [
                report::ms(io.threads_ms),
                format!("{} ({} of it starting)", report::ms(io.processes_ms), report::ms(io.processes_start_ms)),
                report::ms(io.event_loop_ms),
            ],
        ),
        row(
            format!("CPU: {k} tasks of ~{}", report::ms(work_ms)),
            [
                report::ms(cpu.threads_ms),
                format!("{} ({} of it starting)", report::ms(cpu.processes_ms), report::ms(cpu.processes_start_ms)),
                format!("{} (one after another)", report::ms(cpu.event_loop_ms)),
            ],
        ),
    ]
}

pub const QUESTION: Question = Question::choices(
    "On the CPU-bound tasks, which approach is slowest?",
    &[
        choice("threads", "Threads"),
        choice("processes", "Processes"),
        choice("event_loop", "One event loop (asyncio)"),
    ],
);

/// The slowest approach (ties within 5 %) on the CPU-bound tasks.
pub(super) fn answer(cpu: &Speeds) -> Answer {
    question::best_answer(
        &[
            ("threads", cpu.threads_ms),
            ("processes", cpu.processes_ms),
            ("event_loop", cpu.event_loop_ms),
        ],
        Best::Max,
        format!(
            "CPU tasks: threads {}, processes {}, event loop {} (within 5 % of the slowest counts as a tie).",
            question::ms(cpu.threads_ms),
            question::ms(cpu.processes_ms),
            question::ms(cpu.event_loop_ms)
        ),
    )
}

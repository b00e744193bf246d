//! Every built-in fix-it challenge, checked as the page checks it (its runs, its Python, its invariant,
//! its time limit) on real threads and processes: the solution passes in every run, and the starter
//! fails. How often the starter fails is printed (`cargo test -- --nocapture`): the README quotes it.

mod common;

use common::{run_for_check, stderr};
use playground::challenges::{catalogue, judge, Challenge};

fn verdicts(challenge: &Challenge, source: &str) -> Vec<judge::RunVerdict> {
    (0..challenge.check.runs)
        .map(|_| {
            let outcome = run_for_check(source, &challenge.check);
            outcome.check.clone().unwrap_or_else(|| {
                panic!("{}: no verdict; stderr: {}", challenge.id, stderr(&outcome))
            })
        })
        .collect()
}

fn check_one(id: &str) {
    let challenge = catalogue()
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no challenge {id}"));
    let solution = challenge.solution.clone().expect("a solution");
    let good = judge::summarize(&verdicts(&challenge, &solution));
    assert!(good.pass, "{id}: the solution failed: {}", good.text);
    let bad = judge::summarize(&verdicts(&challenge, &challenge.starter));
    println!(
        "{id}: the starter failed {} of {} runs: {}",
        bad.runs - bad.passed,
        bad.runs,
        bad.text
    );
    assert!(
        bad.passed < bad.runs,
        "{id}: the starter passed every run: {}",
        bad.text
    );
}

#[test]
fn fix_counter() {
    check_one("fix-counter");
}

#[test]
fn fix_deadlock() {
    check_one("fix-deadlock");
}

#[test]
fn threads_or_processes() {
    check_one("threads-or-processes");
}

#[test]
fn bound_the_pool() {
    check_one("bound-the-pool");
}

#[test]
fn event_not_polling() {
    check_one("event-not-polling");
}

#[test]
fn bank_transfer() {
    check_one("bank-transfer");
}

#[test]
fn stop_consumers() {
    check_one("stop-consumers");
}

#[test]
fn lazy_init() {
    check_one("lazy-init");
}

#[test]
fn join_before_reading() {
    check_one("join-before-reading");
}

/// Timed in the browser (`tests/e2e/challenges.test.mjs`), where a release build runs it: the native
/// test build (RustPython at opt-level 1) is several times slower over the same loop. Here: the starter's threads fail it.
/// Up to three runs, until one fails: the other tests of this file run beside it on two cores, and one
/// of them slowing only the sequential half once made a single run pass (CI).
#[test]
fn cpu_to_processes_starter_fails_under_the_gil() {
    let challenge = catalogue()
        .into_iter()
        .find(|c| c.id == "cpu-to-processes")
        .unwrap();
    let small = challenge
        .starter
        .replace("SIZE = 2_000_000", "SIZE = 20_000");
    let mut check = challenge.clone();
    check.check.runs = 1;
    let mut runs = Vec::new();
    while runs.len() < 3 && runs.iter().all(|v: &judge::RunVerdict| v.pass) {
        runs.extend(verdicts(&check, &small));
    }
    let bad = judge::summarize(&runs);
    println!(
        "cpu-to-processes: a starter's run failed after {} run(s)",
        bad.runs
    );
    assert!(bad.passed < bad.runs, "{}", bad.text);
    assert!(
        bad.text.contains("× faster, and at least 1.25 × is needed"),
        "{}",
        bad.text
    );
}

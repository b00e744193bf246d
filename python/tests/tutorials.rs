//! Tutorial programs (`tests/tutorials/*.py`) run unmodified in our interpreter on the engine's threads
//! and in CPython (`python3`) on this machine: the same lines (as a multiset, where threads interleave).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use playground::protocol::Stream;

mod common;

fn ours(source: &str) -> (Vec<String>, f64, i32, String) {
    let out = common::run(source);
    let lines = |s: Stream| {
        out.output
            .iter()
            .filter(|l| l.stream == s)
            .map(|l| l.text.clone())
            .collect::<Vec<_>>()
    };
    // logging writes to stderr, as in CPython; compare both streams together.
    let mut all = lines(Stream::Stdout);
    all.extend(lines(Stream::Stderr));
    (
        all,
        out.duration_ms,
        out.exit_code,
        lines(Stream::Stderr).join("\n"),
    )
}

fn cpython(path: &Path) -> (Vec<String>, f64) {
    let t0 = Instant::now();
    let out = Command::new("python3")
        .arg(path)
        .output()
        .expect("python3 (CPython) is needed for this test: scripts/setup.sh installs it");
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    assert!(out.status.success(), "CPython failed on {}", path.display());
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    lines.extend(
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .map(str::to_string),
    );
    (lines, ms)
}

fn multiset(lines: &[String]) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for l in lines {
        *m.entry(l.as_str()).or_default() += 1;
    }
    m
}

#[test]
fn tutorial_programs_print_what_cpython_prints() {
    // Only a loose bound on time: this test build (RustPython at opt-level 1, not release) is slower than CPython. The
    // end-to-end test holds the browser's release build to CPython's time + 10 % (python.test.mjs).
    compare_with_cpython("tests/tutorials", 9, 8000.0);
}

/// `multiprocessing` tutorials: natively each child is an interpreter on an OS thread of its own, which
/// this test build takes a while to prepare, so the bound on time is looser still.
#[test]
fn multiprocessing_tutorial_programs_print_what_cpython_prints() {
    compare_with_cpython("tests/tutorials_mp", 4, 60_000.0);
}

fn compare_with_cpython(dir: &str, at_least: usize, slack_ms: f64) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= at_least,
        "tutorial programs missing from {}",
        dir.display()
    );
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        let (expected, cpython_ms) = cpython(&path);
        let (got, our_ms, code, stderr) = ours(&source);
        let name = path.file_name().unwrap().to_string_lossy();
        assert_eq!(code, 0, "{name} failed here: {stderr}");
        assert_eq!(
            multiset(&got),
            multiset(&expected),
            "{name}: our lines vs CPython's"
        );
        assert!(
            our_ms <= cpython_ms * 1.1 + slack_ms,
            "{name}: {our_ms:.0} ms here, {cpython_ms:.0} ms in CPython"
        );
        println!("{name}: {our_ms:.0} ms here, {cpython_ms:.0} ms in CPython");
    }
}

//! Every lesson's Python view is a real program: run here in the interpreter, at the small parameters
//! the lesson gives (the others at their defaults, filled in as "Edit and run" fills them), its own output
//! must show the lesson's claim (`Lesson::python_check`). A lesson whose view cannot run yet says why,
//! and the test lists it.

mod common;

use common::{run_for_check, stderr, stdout};
use playground::challenges::{Check, CheckPython};
use playground::lessons::claims::{ProgramRun, PythonCheck};
use playground::lessons::{find, CATALOGUE};

/// The view with `{param}` filled in: the lesson's `params` over the defaults.
fn program(lesson: &playground::protocol::LessonInfo, params: &[(&str, i64)]) -> String {
    let mut source = lesson.python.to_string();
    for p in &lesson.params {
        let value = params
            .iter()
            .find(|(n, _)| *n == p.name)
            .map_or(p.default, |(_, v)| *v);
        assert!(
            (p.min..=p.max).contains(&value),
            "{}: {} = {value} is out of range",
            lesson.id,
            p.name
        );
        source = source.replace(&format!("{{{}}}", p.name), &value.to_string());
    }
    source
}

/// The page's own files, as `npm run build` writes them into dist/files/ (random bytes), in a directory
/// of this test's, which the native `urlopen` serves (PLAYGROUND_SITE_ROOT).
fn serve_sample_files() {
    let site = std::env::temp_dir().join(format!("playground-site-{}", std::process::id()));
    std::fs::create_dir_all(site.join("files")).expect("a directory for the site");
    // The files the lessons ask for: every served size but the two largest, which the programs' small
    // parameters never reach.
    let sizes = playground::lessons::common::SERVED_FILE_KIB;
    for kib in &sizes[..sizes.len() - 2] {
        let kib = *kib as usize;
        let bytes: Vec<u8> = (0..kib * 1024).map(|i| (i * 7919 % 251) as u8).collect();
        std::fs::write(site.join(format!("files/sample-{kib}k.bin")), bytes)
            .expect("a sample file");
    }
    std::env::set_var("PLAYGROUND_SITE_ROOT", &site);
}

#[test]
fn every_lesson_program_runs_and_shows_its_claim() {
    serve_sample_files();
    let mut not_yet = Vec::new();
    let mut failed = Vec::new();
    for lesson in CATALOGUE {
        let info = lesson.info();
        match lesson.python_check() {
            PythonCheck::NotYet(why) => not_yet.push(format!("{}: {why}", info.id)),
            PythonCheck::Runs { params, gil, claim } => {
                let check = Check {
                    runs: 1,
                    python: if gil {
                        CheckPython::Gil
                    } else {
                        CheckPython::FreeThreaded
                    },
                    time_limit_s: 120.0,
                    invariant: None,
                    max_seconds: None,
                    max_at_once: None,
                    max_wakeups: None,
                };
                let started = std::time::Instant::now();
                let outcome = run_for_check(&program(&info, params), &check);
                let took = started.elapsed().as_secs_f64();
                let out = stdout(&outcome);
                let err = stderr(&outcome);
                let run = ProgramRun {
                    stdout: &out,
                    stderr: &err,
                    exit_code: outcome.exit_code,
                    deadlock: outcome.deadlock.is_some(),
                };
                match claim(&run) {
                    Ok(()) => println!("{}: the claim holds ({took:.1} s)", info.id),
                    Err(why) => failed.push(format!("{}: {why}\nstderr: {err}", info.id)),
                }
            }
        }
    }
    println!(
        "not runnable in the interpreter yet:\n  {}",
        not_yet.join("\n  ")
    );
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
    assert!(not_yet.is_empty(), "{not_yet:?}");
    assert!(find("threads-join").is_some());
}

//! Every lesson's Python view is a real program at its defaults and at every choice of every choice
//! parameter: the values substituted as the page substitutes them (`www/python/code-mode.js`: the
//! number itself), checked by CPython's own parser. (Running the views is python/tests/lesson_programs.rs.)
//!
//! Where a view selects code paths by a choice code (the counter's variants, the deadlock's runs, the frame
//! lab's filter), python3 runs it at tiny sizes for every code and what it ran is compared with what the
//! engine selects for the same code.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use playground::frame_kernels::filters::Filter;
use playground::lessons::counter::Variant;
use playground::lessons::deadlock::Runs;
use playground::lessons::{find, CATALOGUE};
use playground::params::ParamSpec;

/// The view as the page fills it in (`pythonText` in www/app.js): each `{name}` by its value (`overrides`
/// first, else the default), a choice's label instead where the placeholder stands in a comment, and
/// whole numbers with Python's digit separators.
fn filled(python: &str, params: &[ParamSpec], overrides: &[(&str, i64)]) -> String {
    let value = |p: &ParamSpec| {
        overrides
            .iter()
            .find(|(name, _)| *name == p.name)
            .map_or(p.default, |(_, v)| *v)
    };
    python
        .lines()
        .map(|line| {
            let mut line = line.to_string();
            for p in params {
                let placeholder = format!("{{{}}}", p.name);
                while let Some(at) = line.find(&placeholder) {
                    let v = value(p);
                    let label = p.choices.iter().find(|(c, _)| *c == v).map(|(_, l)| *l);
                    let text = match label {
                        Some(label) if line[..at].contains('#') => label.to_string(),
                        Some(_) => v.to_string(),
                        None => with_separators(v),
                    };
                    line.replace_range(at..at + placeholder.len(), &text);
                }
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// 400000 as `400_000`, as the page writes whole numbers.
fn with_separators(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('_');
        }
        out.push(d);
    }
    if v < 0 {
        out.insert(0, '-');
    }
    out
}

/// CPython's verdict on `source`: `Ok` or the SyntaxError it prints.
fn parse(source: &str) -> Result<(), String> {
    let mut child = Command::new("python3")
        .args(["-c", "import ast, sys; ast.parse(sys.stdin.read())"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/setup.sh installs it)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(source.as_bytes())
        .expect("the view is written to python3");
    let out = child.wait_with_output().expect("python3 ends");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn the_page_writes_numbers_with_separators() {
    assert_eq!(with_separators(400_000), "400_000");
    assert_eq!(with_separators(12), "12");
    assert_eq!(with_separators(-1234), "-1_234");
}

#[test]
fn every_view_parses_at_its_defaults_and_at_every_choice() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for lesson in CATALOGUE {
        let info = lesson.info();
        let mut cases = vec![("", 0)];
        for p in &info.params {
            cases.extend(p.choices.iter().map(|&(value, _)| (p.name, value)));
        }
        for (name, value) in cases {
            let source = filled(info.python, &info.params, &[(name, value)]);
            checked += 1;
            if let Err(error) = parse(&source) {
                let at = if name.is_empty() {
                    "defaults".to_string()
                } else {
                    format!("{name} = {value}")
                };
                failures.push(format!("{} at {at}:\n{error}", info.id));
            }
        }
    }
    assert!(checked >= CATALOGUE.len(), "only {checked} views checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} views do not parse:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs `source` with `python3 -c <runner>` (the program on stdin), killed after `limit`: its stdout, or
/// what went wrong.
fn run_python(runner: &str, source: &str, limit: Duration) -> Result<String, String> {
    let mut child = Command::new("python3")
        .args(["-c", runner])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("python3 did not start: {e}"))?;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(source.as_bytes())
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => {
                let (mut out, mut err) = (String::new(), String::new());
                child
                    .stdout
                    .take()
                    .expect("stdout")
                    .read_to_string(&mut out)
                    .ok();
                child
                    .stderr
                    .take()
                    .expect("stderr")
                    .read_to_string(&mut err)
                    .ok();
                return if status.success() {
                    Ok(out)
                } else {
                    Err(format!("python3 failed ({status}): {err}"))
                };
            }
            None if Instant::now() > deadline => {
                child.kill().ok();
                child.wait().ok();
                return Err(format!("python3 did not finish within {limit:?}"));
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// The program on stdin, run as the main program.
const RUN_MAIN: &str =
    "import sys; exec(compile(sys.stdin.read(), 'view', 'exec'), {'__name__': '__main__'})";

fn view_of(id: &str) -> (&'static str, Vec<ParamSpec>) {
    let info = find(id).expect("the lesson exists").info();
    (info.python, info.params)
}

fn choice_codes(params: &[ParamSpec], name: &str) -> Vec<i64> {
    let p = params
        .iter()
        .find(|p| p.name == name)
        .expect("the parameter exists");
    assert!(!p.choices.is_empty(), "{name} is a choice");
    p.choices.iter().map(|(code, _)| *code).collect()
}

#[test]
fn the_counter_view_runs_the_variants_the_engine_runs_for_every_code() {
    let (python, params) = view_of("counter");
    for code in choice_codes(&params, "variant") {
        let source = filled(
            python,
            &params,
            &[
                ("threads", 2),
                ("increments", 10),
                ("repeats", 1),
                ("variant", code),
            ],
        );
        let out = run_python(RUN_MAIN, &source, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("variant {code}: {e}"));
        let ran: Vec<&str> = out.lines().filter_map(|l| l.split(':').next()).collect();
        let engine: Vec<&str> = Variant::selected(code).iter().map(|v| v.target()).collect();
        assert_eq!(ran, engine, "variant {code}: the view printed {out:?}");
        for line in out.lines().filter(|l| !l.starts_with("add_unlocked")) {
            assert!(
                line.contains("expected 20, got 20, lost 0 "),
                "variant {code}: {line}"
            );
        }
    }
}

/// The deadlock view is run with `threading.Thread` replaced by a recorder that runs nothing (in CPython
/// the opposite orders really hang): each `run_pair` shows as its target, its lock orders and lock type.
const RECORD_PAIRS: &str = r#"import sys, threading
started = []
class Recorder:
    def __init__(self, target, args=()):
        self.target, self.args = target, args
    def start(self):
        started.append(self)
    def join(self, timeout=None):
        pass
threading.Thread = Recorder
g = {'__name__': '__main__'}
exec(compile(sys.stdin.read(), 'view', 'exec'), g)
name = lambda lock: 'a' if lock is g['lock_a'] else 'b'
for first, second in zip(started[::2], started[1::2]):
    orders = ' '.join(name(t.args[0]) + name(t.args[1]) for t in (first, second))
    print(first.target.__name__, orders, type(first.args[0]).__name__)
"#;

#[test]
fn the_deadlock_view_runs_the_pairs_the_engine_runs_for_every_code() {
    let (python, params) = view_of("deadlock");
    for code in choice_codes(&params, "strategy") {
        let source = filled(python, &params, &[("strategy", code)]);
        let out = run_python(RECORD_PAIRS, &source, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("strategy {code}: {e}"));
        let ran: Vec<&str> = out.lines().collect();
        let runs = Runs::selected(code);
        let mut engine = Vec::new();
        match runs.opposite {
            Some(true) => engine.push("transfer ab ba RLock"),
            Some(false) => engine.push("transfer ab ba lock"),
            None => {}
        }
        if runs.lock_order {
            engine.push("transfer ab ab lock");
        }
        if runs.timeout_retry {
            engine.push("transfer_with_timeout ab ba lock");
        }
        assert_eq!(ran, engine, "strategy {code}: the view ran {out:?}");
    }
}

/// The frame lab's view, imported (not run as the main program): its filter, applied to a small frame.
const FILTER_OF_VIEW: &str = r#"import sys
g = {'__name__': 'view'}
exec(compile(sys.stdin.read(), 'view', 'exec'), g)
frame = g['make_frame'](0, 4, 4)
assert len(g['apply_filter'](g['FILTER'], frame, 4, 4)) == len(frame)
print(g['FILTER'])
"#;

#[test]
fn the_frames_view_applies_the_filter_the_engine_applies_for_every_code() {
    let (python, params) = view_of("frames");
    for code in choice_codes(&params, "filter") {
        let source = filled(python, &params, &[("filter", code)]);
        let out = run_python(FILTER_OF_VIEW, &source, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("filter {code}: {e}"));
        assert_eq!(out.trim(), Filter::from_index(code).name(), "filter {code}");
    }
}

//! Every lesson's Python view is a real program at its defaults and at every choice of every choice
//! parameter: the values substituted as the page substitutes them (`www/python/code-mode.js`: the
//! number itself), checked by CPython's own parser. (Running the views is python/tests/lesson_programs.rs.)

use std::io::Write;
use std::process::{Command, Stdio};

use playground::lessons::CATALOGUE;
use playground::params::ParamSpec;

/// The view as the page fills it in (`pythonText` in www/app.js): each `{name}` by its value (`overrides`
/// first, else the default), a choice's label instead where the placeholder stands in a comment, and
/// whole numbers with Python's digit separators.
fn filled(python: &str, params: &[ParamSpec], overrides: (&str, i64)) -> String {
    let value = |p: &ParamSpec| {
        if p.name == overrides.0 {
            overrides.1
        } else {
            p.default
        }
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
            let source = filled(info.python, &info.params, (name, value));
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

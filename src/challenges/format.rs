//! The challenge format: what a teacher writes by hand (docs/challenges.md documents it field by field)
//! and what every built-in challenge is written in. [`parse`] checks a text field by field, so a mistake
//! gets a message that names the field and says what it should be, never a bare "invalid JSON".

pub use crate::protocol::challenge::{Challenge, Check, CheckPython};
use serde_json::{Map, Value};

impl Check {
    /// What the check does, in one paragraph for the learner.
    pub fn describe(&self) -> String {
        let python = match self.python {
            CheckPython::FreeThreaded => {
                "free-threaded (like CPython 3.13t: threads really run at once)"
            }
            CheckPython::Gil => "with the GIL (as on your own python3)",
        };
        let mut tests = vec!["ends without an exception or a deadlock".to_string()];
        if self.invariant.is_some() {
            tests.push("its result is right (the check's invariant holds)".into());
        }
        if let Some(s) = self.max_seconds {
            tests.push(format!("takes at most {s} s"));
        }
        if let Some(n) = self.max_at_once {
            tests.push(format!(
                "never has more than {n} threads or processes working at once"
            ));
        }
        if let Some(n) = self.max_wakeups {
            tests.push(format!(
                "has no thread that sleeps or waits more than {n} times"
            ));
        }
        let last = tests.pop().unwrap_or_default();
        let tests = if tests.is_empty() {
            last
        } else {
            format!("{}, and {last}", tests.join(", "))
        };
        format!(
            "Check my fix runs your code {} time{}, {python}, each run stopped after {} s. A run passes when it {tests}; every run must pass.",
            self.runs,
            if self.runs == 1 { "" } else { "s" },
            self.time_limit_s
        )
    }
}

/// Limits of the format, each with one home here; the messages quote them.
pub const MAX_RUNS: u32 = 20;
pub const MAX_TIME_LIMIT_S: f64 = 120.0;
pub const MAX_CODE_BYTES: usize = 100_000;
pub const MAX_TEXT_CHARS: usize = 4_000;
pub const MAX_HINTS: usize = 10;
const DEFAULT_RUNS: u32 = 5;
const DEFAULT_TIME_LIMIT_S: f64 = 20.0;

const FIELDS: &[&str] = &[
    "id", "title", "text", "lesson", "starter", "solution", "hints", "check",
];
const CHECK_FIELDS: &[&str] = &[
    "runs",
    "python",
    "time_limit_s",
    "invariant",
    "max_seconds",
    "max_at_once",
    "max_wakeups",
];

/// Reads a challenge from JSON text.
///
/// # Errors
/// A message naming the first field that is missing, unknown or malformed, and what it should be.
pub fn parse(text: &str) -> Result<Challenge, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("the challenge is not valid JSON: {e}"))?;
    let Value::Object(map) = value else {
        return Err("the challenge must be a JSON object: { \"title\": …, \"text\": …, \"starter\": …, \"check\": { … } }".into());
    };
    unknown_fields(&map, FIELDS, "")?;
    let check = match map.get("check") {
        Some(Value::Object(check)) => parse_check(check)?,
        Some(_) => return Err("\"check\" must be an object, such as { \"runs\": 5, \"invariant\": \"assert total == 100\" }".into()),
        None => return Err("\"check\" is missing: say how the code is checked, such as { \"runs\": 5, \"invariant\": \"assert total == 100\" }".into()),
    };
    let hints = match map.get("hints") {
        None => Vec::new(),
        Some(Value::Array(items)) if items.len() <= MAX_HINTS => items
            .iter()
            .enumerate()
            .map(|(i, h)| match h {
                Value::String(s) if !s.trim().is_empty() && s.chars().count() <= MAX_TEXT_CHARS => Ok(s.clone()),
                _ => Err(format!("\"hints\"[{i}] must be a non-empty text of at most {MAX_TEXT_CHARS} characters")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(format!("\"hints\" must be a list of at most {MAX_HINTS} texts")),
    };
    let id = match optional_text(&map, "id", 80)? {
        Some(id)
            if id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            id
        }
        Some(_) => return Err("\"id\" may hold only letters, digits, '-' and '_'".into()),
        None => "custom".into(),
    };
    Ok(Challenge {
        id,
        title: required_text(&map, "title", 200)?,
        text: required_text(&map, "text", MAX_TEXT_CHARS)?,
        lesson: optional_text(&map, "lesson", 80)?,
        starter: code(&map, "starter")?
            .ok_or("\"starter\" is missing: the program the learner starts from")?,
        solution: code(&map, "solution")?,
        hints,
        check,
    })
}

fn parse_check(map: &Map<String, Value>) -> Result<Check, String> {
    unknown_fields(map, CHECK_FIELDS, "check.")?;
    let runs = match map.get("runs") {
        None => DEFAULT_RUNS,
        Some(v) => match v.as_u64() {
            Some(n @ 1..) if n <= u64::from(MAX_RUNS) => n as u32,
            _ => {
                return Err(format!(
                    "\"check.runs\" must be a whole number from 1 to {MAX_RUNS}"
                ))
            }
        },
    };
    let python = match map.get("python") {
        None => CheckPython::FreeThreaded,
        Some(Value::String(s)) if s == "free_threaded" => CheckPython::FreeThreaded,
        Some(Value::String(s)) if s == "gil" => CheckPython::Gil,
        Some(_) => return Err("\"check.python\" must be \"free_threaded\" (the default: a race really shows) or \"gil\"".into()),
    };
    let seconds = |name: &str, max: f64| -> Result<Option<f64>, String> {
        match map.get(name) {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                Some(s) if s > 0.0 && s <= max => Ok(Some(s)),
                _ => Err(format!(
                    "\"check.{name}\" must be a number of seconds above 0 and at most {max}"
                )),
            },
        }
    };
    let count = |name: &str| -> Result<Option<u32>, String> {
        match map.get(name) {
            None => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if n <= 10_000 => Ok(Some(n as u32)),
                _ => Err(format!(
                    "\"check.{name}\" must be a whole number from 0 to 10000"
                )),
            },
        }
    };
    let check = Check {
        runs,
        python,
        time_limit_s: seconds("time_limit_s", MAX_TIME_LIMIT_S)?.unwrap_or(DEFAULT_TIME_LIMIT_S),
        invariant: code(map, "invariant")
            .map_err(|e| e.replace("\"invariant\"", "\"check.invariant\""))?,
        max_seconds: seconds("max_seconds", MAX_TIME_LIMIT_S)?,
        max_at_once: count("max_at_once")?,
        max_wakeups: count("max_wakeups")?,
    };
    if let Some(max) = check.max_seconds.filter(|&m| m > check.time_limit_s) {
        return Err(format!(
            "\"check.max_seconds\" ({max}) is above \"check.time_limit_s\" ({}): no run could take that long",
            check.time_limit_s
        ));
    }
    Ok(check)
}

fn unknown_fields(map: &Map<String, Value>, known: &[&str], prefix: &str) -> Result<(), String> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "unknown field \"{prefix}{}\": the fields are {}",
            k.chars().take(40).collect::<String>(),
            known
                .iter()
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => Ok(()),
    }
}

fn optional_text(
    map: &Map<String, Value>,
    name: &str,
    max: usize,
) -> Result<Option<String>, String> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= max => {
            Ok(Some(s.clone()))
        }
        Some(_) => Err(format!(
            "\"{name}\" must be a non-empty text of at most {max} characters"
        )),
    }
}

fn required_text(map: &Map<String, Value>, name: &str, max: usize) -> Result<String, String> {
    optional_text(map, name, max)?
        .ok_or_else(|| format!("\"{name}\" is missing: a text of at most {max} characters"))
}

fn code(map: &Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= MAX_CODE_BYTES => Ok(Some(s.clone())),
        Some(Value::Array(lines)) if lines.iter().all(Value::is_string) && !lines.is_empty() => {
            // Code written as a list of lines reads better in a hand-written file.
            let joined: String = lines.iter().filter_map(Value::as_str).map(|l| format!("{l}\n")).collect();
            if joined.len() <= MAX_CODE_BYTES {
                Ok(Some(joined))
            } else {
                Err(format!("\"{name}\" is longer than {MAX_CODE_BYTES} bytes"))
            }
        }
        Some(_) => Err(format!(
            "\"{name}\" must be Python code: a text, or a list of lines, of at most {MAX_CODE_BYTES} bytes"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"title": "T", "text": "Do it.", "starter": ["x = 1"], "check": {}}"#;

    #[test]
    fn a_minimal_challenge_gets_the_defaults() {
        let c = parse(MINIMAL).unwrap();
        assert_eq!(c.id, "custom");
        assert_eq!(c.starter, "x = 1\n");
        assert_eq!(c.check.runs, 5);
        assert_eq!(c.check.python, CheckPython::FreeThreaded);
        assert_eq!(c.check.time_limit_s, 20.0);
        assert!(c.hints.is_empty() && c.solution.is_none() && c.check.invariant.is_none());
    }

    #[test]
    fn the_check_is_described_in_words() {
        let c = parse(r#"{"title": "T", "text": "x", "starter": "x", "check": {"runs": 3, "python": "gil", "invariant": "assert x", "max_at_once": 4}}"#).unwrap();
        assert_eq!(
            c.check.describe(),
            "Check my fix runs your code 3 times, with the GIL (as on your own python3), each run stopped after 20 s. A run passes when it ends without an exception or a deadlock, its result is right (the check's invariant holds), and never has more than 4 threads or processes working at once; every run must pass."
        );
    }

    #[test]
    fn every_mistake_names_its_field() {
        let cases = [
            ("[1]", "must be a JSON object"),
            ("{", "not valid JSON"),
            (
                r#"{"title": "T", "text": "x", "starter": "x", "check": {}, "hint": []}"#,
                "unknown field \"hint\"",
            ),
            (
                r#"{"title": "T", "text": "x", "starter": "x"}"#,
                "\"check\" is missing",
            ),
            (
                r#"{"title": "T", "text": "x", "check": {}}"#,
                "\"starter\" is missing",
            ),
            (
                r#"{"text": "x", "starter": "x", "check": {}}"#,
                "\"title\" is missing",
            ),
            (
                r#"{"title": 5, "text": "x", "starter": "x", "check": {}}"#,
                "\"title\" must be",
            ),
            (
                r#"{"title": "T", "text": "x", "starter": 3, "check": {}}"#,
                "\"starter\" must be Python code",
            ),
            (
                r#"{"title": "T", "text": "x", "starter": "x", "check": {"runs": 0}}"#,
                "\"check.runs\" must be a whole number from 1 to 20",
            ),
            (
                r#"{"title": "T", "text": "x", "starter": "x", "check": {"runs": 2.5}}"#,
                "\"check.runs\"",
            ),
            (
                r#"{"title": "T", "text": "x", "starter": "x", "check": {"python": "pypy"}}"#,
                "\"check.python\"",
            ),
            (
                r#"{"title": "T", "text": "x", "starter": "x", "check": {"time_limit_s": 1000}}"#,
                "\"check.time_limit_s\"",
            ),
            (
                r#"{"title": "T", "text": "x", "starter": "x", "check": {"invariant": 1}}"#,
                "\"check.invariant\" must be Python code",
            ),
            (
                r#"{"title": "T", "text": "x", "starter": "x", "check": {"max_at_once": -1}}"#,
                "\"check.max_at_once\"",
            ),
            (
                r#"{"title": "T", "text": "x", "starter": "x", "check": {"max_seconds": 30}}"#,
                "above \"check.time_limit_s\"",
            ),
            (
                r#"{"title": "T", "text": "x", "starter": "x", "check": {"runz": 3}}"#,
                "unknown field \"check.runz\"",
            ),
            (
                r#"{"title": "T", "text": "x", "starter": "x", "check": {}, "hints": ["ok", ""]}"#,
                "\"hints\"[1]",
            ),
            (
                r#"{"title": "T", "text": "x", "starter": "x", "check": {}, "id": "a b"}"#,
                "\"id\" may hold only",
            ),
        ];
        for (text, wanted) in cases {
            let err = parse(text).expect_err(text);
            assert!(err.contains(wanted), "{text}: {err}");
        }
    }
}

//! Lesson parameters: declared once per lesson, validated and clamped in one place.
//!
//! Values arrive from the UI, the URL, the programmatic API and later host pages, so nothing is trusted:
//! every missing, malformed or out-of-range value is replaced and the learner is told what was used.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One parameter a lesson accepts: an integer within bounds, or one of a few named choices.
#[derive(Serialize, Clone, Debug, PartialEq, ts_rs::TS)]
pub struct ParamSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub min: i64,
    pub max: i64,
    pub default: i64,
    /// Short help shown beside the control.
    pub help: &'static str,
    /// For a choice: the allowed values and their labels (the page shows a drop-down). Empty for a number.
    pub choices: &'static [(i64, &'static str)],
}

impl ParamSpec {
    pub const fn int(
        name: &'static str,
        label: &'static str,
        min: i64,
        max: i64,
        default: i64,
        help: &'static str,
    ) -> Self {
        ParamSpec {
            name,
            label,
            min,
            max,
            default,
            help,
            choices: &[],
        }
    }

    /// A parameter that takes one of `choices` (value, label); its bounds are the smallest and largest.
    pub const fn choice(
        name: &'static str,
        label: &'static str,
        choices: &'static [(i64, &'static str)],
        default: i64,
        help: &'static str,
    ) -> Self {
        let (mut min, mut max, mut i) = (i64::MAX, i64::MIN, 0);
        while i < choices.len() {
            if choices[i].0 < min {
                min = choices[i].0;
            }
            if choices[i].0 > max {
                max = choices[i].0;
            }
            i += 1;
        }
        ParamSpec {
            name,
            label,
            min,
            max,
            default,
            help,
            choices,
        }
    }

    fn allows(&self, value: i64) -> bool {
        self.choices.is_empty() || self.choices.iter().any(|(v, _)| *v == value)
    }
}

/// Validated parameter values, by name.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, ts_rs::TS)]
pub struct Params(pub BTreeMap<String, i64>);

impl Params {
    /// The value of a declared parameter. Lessons only ask for names they declared, which
    /// [`validate`] always fills, so a missing name is a bug in the lesson.
    pub fn get(&self, name: &str) -> i64 {
        *self
            .0
            .get(name)
            .unwrap_or_else(|| panic!("lesson asked for undeclared parameter `{name}`"))
    }

    pub fn set(&mut self, name: &str, value: i64) {
        self.0.insert(name.to_string(), value);
    }
}

/// The longest parameter name or value echoed back in a notice, so a hostile input cannot flood the page.
const ECHO_LIMIT: usize = 40;

fn echo(s: &str) -> String {
    let mut out: String = s
        .chars()
        .filter(|c| !c.is_control())
        .take(ECHO_LIMIT)
        .collect();
    if s.chars().count() > ECHO_LIMIT {
        out.push('…');
    }
    out
}

/// Reads one raw value as an integer: JSON numbers (whole ones only) and decimal strings with optional
/// `_` or `,` separators ("1_000_000", as a Python programmer writes it).
fn as_integer(raw: &Value) -> Option<i64> {
    match raw {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => {
            let cleaned: String = s
                .trim()
                .chars()
                .filter(|c| *c != '_' && *c != ',')
                .collect();
            cleaned.parse::<i64>().ok()
        }
        _ => None,
    }
}

/// A whole number too large for any parameter ("1e300", twenty-three nines): `Some(true)` when negative.
fn huge(raw: &Value) -> Option<bool> {
    match raw {
        Value::Number(n) if n.as_i64().is_none() => n
            .as_f64()
            .filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() >= 9.0e15)
            .map(|f| f < 0.0),
        Value::String(s) => {
            let cleaned: String = s
                .trim()
                .chars()
                .filter(|c| *c != '_' && *c != ',')
                .collect();
            let digits = cleaned.strip_prefix('-').unwrap_or(&cleaned);
            (digits.len() > 18 && digits.chars().all(|c| c.is_ascii_digit()))
                .then(|| cleaned.starts_with('-'))
        }
        _ => None,
    }
}

/// Validates `raw` (expected: a JSON object of name → value) against `specs`.
///
/// Returns the values to use — every declared parameter present and within bounds — and one notice for
/// each thing that was changed.
pub fn validate(specs: &[ParamSpec], raw: &Value) -> (Params, Vec<String>) {
    let mut notices = Vec::new();
    let empty = serde_json::Map::new();
    let given = match raw {
        Value::Object(map) => map,
        Value::Null => &empty,
        _ => {
            notices.push(
                "Parameters must be given as name/value pairs; using the defaults.".to_string(),
            );
            &empty
        }
    };
    let mut params = Params::default();
    for spec in specs {
        let value = match given.get(spec.name) {
            None | Some(Value::Null) => spec.default,
            Some(v) => match as_integer(v) {
                None if huge(v).is_some() => {
                    let shown = match v {
                        Value::String(s) => echo(s),
                        other => echo(&other.to_string()),
                    };
                    let (bound, side, word) = if huge(v) == Some(true) {
                        (spec.min, "below", "minimum")
                    } else {
                        (spec.max, "above", "maximum")
                    };
                    notices.push(format!(
                        "{} = {shown} is {side} the {word} {bound}; using {bound}.",
                        spec.label
                    ));
                    bound
                }
                None => {
                    let shown = match v {
                        Value::String(s) => format!("\"{}\"", echo(s)),
                        other => echo(&other.to_string()),
                    };
                    notices.push(format!(
                        "{} must be a whole number, not {shown}; using {}.",
                        spec.label, spec.default
                    ));
                    spec.default
                }
                Some(n) if n < spec.min => {
                    notices.push(format!(
                        "{} = {n} is below the minimum {}; using {}.",
                        spec.label, spec.min, spec.min
                    ));
                    spec.min
                }
                Some(n) if n > spec.max => {
                    notices.push(format!(
                        "{} = {n} is above the maximum {}; using {}.",
                        spec.label, spec.max, spec.max
                    ));
                    spec.max
                }
                Some(n) if !spec.allows(n) => {
                    notices.push(format!(
                        "{} = {n} is not one of the choices; using {}.",
                        spec.label, spec.default
                    ));
                    spec.default
                }
                Some(n) => n,
            },
        };
        params.set(spec.name, value);
    }
    let mut unknown: Vec<&String> = given
        .keys()
        .filter(|k| !specs.iter().any(|s| s.name == k.as_str()))
        .collect();
    unknown.sort();
    for name in unknown.iter().take(5) {
        notices.push(format!("Ignored unknown parameter \"{}\".", echo(name)));
    }
    if unknown.len() > 5 {
        notices.push(format!(
            "Ignored {} more unknown parameters.",
            unknown.len() - 5
        ));
    }
    (params, notices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPECS: [ParamSpec; 2] = [
        ParamSpec::int("threads", "Threads", 1, 64, 4, ""),
        ParamSpec::int(
            "increments",
            "Increments per thread",
            1,
            5_000_000,
            1_000_000,
            "",
        ),
    ];

    #[test]
    fn a_choice_outside_its_list_falls_back_to_the_default() {
        const CHOICE: [ParamSpec; 1] = [ParamSpec::choice(
            "build",
            "Build",
            &[(0, "a"), (2, "c")],
            2,
            "",
        )];
        assert_eq!((CHOICE[0].min, CHOICE[0].max), (0, 2));
        let (p, notices) = validate(&CHOICE, &json!({"build": 1}));
        assert_eq!(p.get("build"), 2);
        assert!(notices[0].contains("not one of the choices"), "{notices:?}");
        let (p, notices) = validate(&CHOICE, &json!({"build": "0"}));
        assert_eq!((p.get("build"), notices.len()), (0, 0));
    }

    #[test]
    fn defaults_fill_missing_values_silently() {
        let (p, notices) = validate(&SPECS, &json!({}));
        assert_eq!(p.get("threads"), 4);
        assert_eq!(p.get("increments"), 1_000_000);
        assert!(notices.is_empty());
    }

    #[test]
    fn out_of_range_values_are_clamped_with_a_notice() {
        let (p, notices) = validate(&SPECS, &json!({"threads": 1000, "increments": 0}));
        assert_eq!(p.get("threads"), 64);
        assert_eq!(p.get("increments"), 1);
        assert_eq!(notices.len(), 2);
        assert!(notices[0].contains("above the maximum 64"), "{notices:?}");
        assert!(notices[1].contains("below the minimum 1"), "{notices:?}");
    }

    #[test]
    fn python_style_numbers_from_urls_are_accepted() {
        let (p, notices) = validate(&SPECS, &json!({"threads": "8", "increments": "1_000_000"}));
        assert_eq!((p.get("threads"), p.get("increments")), (8, 1_000_000));
        assert!(notices.is_empty());
    }

    #[test]
    fn garbage_falls_back_to_the_default_and_is_not_echoed_at_length() {
        let hostile = format!("<script>{}", "x".repeat(10_000));
        let (p, notices) = validate(
            &SPECS,
            &json!({"threads": hostile, "increments": 2.5, "evil": [1]}),
        );
        assert_eq!(p.get("threads"), 4);
        assert_eq!(p.get("increments"), 1_000_000);
        assert_eq!(notices.len(), 3, "{notices:?}");
        assert!(notices.iter().all(|n| n.len() < 200), "{notices:?}");
    }

    #[test]
    fn numbers_too_large_for_any_integer_are_clamped_not_called_malformed() {
        let (p, notices) = validate(
            &SPECS,
            &json!({"threads": "99999999999999999999999", "increments": -1e300}),
        );
        assert_eq!((p.get("threads"), p.get("increments")), (64, 1));
        assert!(notices[0].contains("above the maximum 64"), "{notices:?}");
        assert!(notices[1].contains("below the minimum 1"), "{notices:?}");
    }

    #[test]
    fn a_non_object_uses_defaults_with_a_notice() {
        let (p, notices) = validate(&SPECS, &json!([1, 2]));
        assert_eq!(p.get("threads"), 4);
        assert_eq!(notices.len(), 1);
    }
}

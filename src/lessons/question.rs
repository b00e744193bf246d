//! What the lessons' question judges share: bands, the fastest or slowest within a tie, number formats.
//! The questions and answers themselves are [`crate::protocol::question`] (each lesson owns its own).

use serde_json::Value;

pub use crate::protocol::question::{choice, Answer, Choice, Correct, NumberSpec, Question};

/// Puts `answer` under `values.answer`.
pub fn attach(values: &mut Value, answer: &Answer) {
    if let Value::Object(map) = values {
        map.insert(
            "answer".into(),
            serde_json::to_value(answer).unwrap_or(Value::Null),
        );
    }
}

/// The id of the band `value` falls in: `ids[i]` for the first cut `value` is below, else the last id.
/// `band(r, &[0.8, 1.2], &["faster", "same", "slower"])`.
pub fn band(value: f64, cuts: &[f64], ids: &[&'static str]) -> &'static str {
    let i = cuts
        .iter()
        .position(|c| value < *c)
        .unwrap_or(ids.len() - 1);
    ids[i]
}

/// Which way [`best`] looks: the smallest or the largest value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Best {
    Min,
    Max,
}

/// The tolerance of "within 5 % of the best counts as a tie".
pub const TIE: f64 = 0.05;

/// The ids whose value is within [`TIE`] of the best (smallest with `Min`, largest with `Max`); values
/// that are not finite (a way that did not run) never count. `None` when no value is finite.
pub fn best(entries: &[(&'static str, f64)], how: Best) -> Option<Vec<&'static str>> {
    let values = entries.iter().map(|(_, v)| *v).filter(|v| v.is_finite());
    let target = match how {
        Best::Min => values.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v)))),
        Best::Max => values.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v)))),
    }?;
    Some(
        entries
            .iter()
            .filter(|(_, v)| match how {
                Best::Min => *v <= target * (1.0 + TIE),
                Best::Max => *v >= target * (1.0 - TIE),
            })
            .map(|(id, _)| *id)
            .collect(),
    )
}

/// [`best`] as an answer (null when nothing ran).
pub fn best_answer(entries: &[(&'static str, f64)], how: Best, measured: String) -> Answer {
    match best(entries, how) {
        Some(ids) => Answer::any_of(ids, measured),
        None => Answer {
            correct: None,
            measured,
        },
    }
}

/// Milliseconds as the page shows them, or "—" for a value that was not measured.
pub fn ms(v: f64) -> String {
    if v.is_finite() {
        super::report::ms(v)
    } else {
        "—".into()
    }
}

/// A ratio as "2.5×".
pub fn times(r: f64) -> String {
    format!("{r:.1}×")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_take_the_first_cut_above() {
        let ids = ["faster", "same", "slower"];
        assert_eq!(band(0.5, &[0.8, 1.2], &ids), "faster");
        assert_eq!(band(0.8, &[0.8, 1.2], &ids), "same");
        assert_eq!(band(1.19, &[0.8, 1.2], &ids), "same");
        assert_eq!(band(1.2, &[0.8, 1.2], &ids), "slower");
        assert_eq!(band(f64::NAN, &[0.8, 1.2], &ids), "slower");
    }

    #[test]
    fn best_counts_ties_within_five_percent_and_skips_what_did_not_run() {
        let e = [("a", 100.0), ("b", 104.0), ("c", 106.0), ("d", f64::NAN)];
        assert_eq!(best(&e, Best::Min), Some(vec!["a", "b"]));
        assert_eq!(best(&e, Best::Max), Some(vec!["b", "c"]));
        assert_eq!(best(&[("a", f64::NAN)], Best::Min), None);
    }

    #[test]
    fn answers_serialize_as_the_page_reads_them() {
        let json = |a: Answer| serde_json::to_value(a).unwrap();
        assert_eq!(json(Answer::choice("less", "m"))["correct"], "less");
        assert_eq!(
            json(Answer::any_of(vec!["a", "b"], "m"))["correct"],
            serde_json::json!(["a", "b"])
        );
        assert_eq!(json(Answer::number(3, "m"))["correct"], 3);
        assert_eq!(json(Answer::cannot("why"))["correct"], Value::Null);
        let q = serde_json::to_value(Question::number("p", 0, 64, "n")).unwrap();
        assert!(q.get("choices").is_none() && q["number"]["max"] == 64);
    }
}

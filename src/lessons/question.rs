//! The predict-then-run questions: one per lesson, owned by the lesson's own file.
//!
//! A question is asked before the learner presses Run. It is part of the lesson's catalogue entry
//! ([`crate::protocol::LessonInfo::question`]): a prompt and either choices or a number input. Its answer
//! is never stored: the lesson judges it from the typed measurements of the run that just finished and
//! puts the [`Answer`] under **`values.answer`** (next to `values.report`), as
//! `{ correct, measured }`, where `correct` is
//! - a choice id (`"less"`),
//! - a list of ids that all count (measured ties, e.g. within 5 % of the fastest: [`best`]),
//! - a number (number questions), or
//! - `null` when this run cannot answer it (for example the part the question is about did not run),
//!   with `measured` saying why.
//!
//! The page (`www/exercises.js`) shows the question, compares the learner's pick with `correct` and shows
//! `measured`. The "fix it" challenges on code are elsewhere (`src/challenges/`).

use serde::Serialize;
use serde_json::Value;

/// A lesson's predict-then-run question.
#[derive(Serialize, Clone, Copy, Debug)]
pub struct Question {
    pub prompt: &'static str,
    /// The choices, for a multiple-choice question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<&'static [Choice]>,
    /// The input, for a number question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<NumberSpec>,
}

#[derive(Serialize, Clone, Copy, Debug)]
pub struct Choice {
    pub id: &'static str,
    pub label: &'static str,
}

/// The input of a number question: a whole number from `min` to `max`.
#[derive(Serialize, Clone, Copy, Debug)]
pub struct NumberSpec {
    pub min: i64,
    pub max: i64,
    pub label: &'static str,
}

impl Question {
    pub const fn choices(prompt: &'static str, choices: &'static [Choice]) -> Question {
        Question {
            prompt,
            choices: Some(choices),
            number: None,
        }
    }

    pub const fn number(prompt: &'static str, min: i64, max: i64, label: &'static str) -> Question {
        Question {
            prompt,
            choices: None,
            number: Some(NumberSpec { min, max, label }),
        }
    }

    /// Whether `id` is one of this question's choices (the judges' tests check every id they return).
    pub fn has_choice(&self, id: &str) -> bool {
        self.choices
            .is_some_and(|choices| choices.iter().any(|c| c.id == id))
    }
}

/// A shorthand for the choice lists.
pub const fn choice(id: &'static str, label: &'static str) -> Choice {
    Choice { id, label }
}

/// What the run measured, as the answer to its lesson's question.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Answer {
    /// `None` (null) when this run cannot answer.
    pub correct: Option<Correct>,
    /// One sentence of this run's numbers (or why it cannot answer).
    pub measured: String,
}

/// The right answer, as the page compares it with the learner's pick.
#[derive(Serialize, Clone, Debug, PartialEq)]
#[serde(untagged)]
pub enum Correct {
    Choice(&'static str),
    /// Every one of these counts (a measured tie).
    AnyOf(Vec<&'static str>),
    Number(i64),
}

impl Answer {
    pub fn choice(id: &'static str, measured: impl Into<String>) -> Answer {
        Answer {
            correct: Some(Correct::Choice(id)),
            measured: measured.into(),
        }
    }

    pub fn any_of(ids: Vec<&'static str>, measured: impl Into<String>) -> Answer {
        Answer {
            correct: Some(Correct::AnyOf(ids)),
            measured: measured.into(),
        }
    }

    pub fn number(n: i64, measured: impl Into<String>) -> Answer {
        Answer {
            correct: Some(Correct::Number(n)),
            measured: measured.into(),
        }
    }

    /// This run cannot answer; `why` says so.
    pub fn cannot(why: impl Into<String>) -> Answer {
        Answer {
            correct: None,
            measured: why.into(),
        }
    }

    /// The ids `correct` names (empty for a number or null).
    pub fn ids(&self) -> Vec<&'static str> {
        match &self.correct {
            Some(Correct::Choice(id)) => vec![id],
            Some(Correct::AnyOf(ids)) => ids.clone(),
            _ => Vec::new(),
        }
    }
}

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

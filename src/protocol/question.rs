//! The predict-then-run questions as the page sees them: one per lesson, owned and judged by the lesson
//! (the judges' shared helpers are `lessons::question`).
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
use ts_rs::TS;

/// A lesson's predict-then-run question.
#[derive(Serialize, Clone, Copy, Debug, TS)]
pub struct Question {
    pub prompt: &'static str,
    /// The choices, for a multiple-choice question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<&'static [Choice]>,
    /// The input, for a number question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<NumberSpec>,
}

#[derive(Serialize, Clone, Copy, Debug, TS)]
pub struct Choice {
    pub id: &'static str,
    pub label: &'static str,
}

/// The input of a number question: a whole number from `min` to `max`.
#[derive(Serialize, Clone, Copy, Debug, TS)]
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
#[derive(Serialize, Clone, Debug, PartialEq, TS)]
pub struct Answer {
    /// `None` (null) when this run cannot answer.
    pub correct: Option<Correct>,
    /// One sentence of this run's numbers (or why it cannot answer).
    pub measured: String,
}

/// The right answer, as the page compares it with the learner's pick.
#[derive(Serialize, Clone, Debug, PartialEq, TS)]
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

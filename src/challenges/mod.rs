//! Fix-it challenges on code: the learner edits a broken program until *Check my fix* passes, which
//! runs their code for real, several times, and judges what each run did.
//!
//! - [`format`]: the challenge format teachers write by hand (docs/challenges.md), parsed with a
//!   message naming the field for every mistake.
//! - [`judge`]: one run judged from how it ended, its invariant and its threads' events; the verdict
//!   over all runs.
//! - [`BUILT_IN`]: the playground's own challenges, written in the same format (`builtin/*.json`).
//!
//! The Python runtime (`python/src/run.rs`) runs a check's invariant in the program's namespace and
//! calls [`judge::judge`] as each run ends; the page only shows the verdicts.

pub mod format;
pub mod judge;

pub use format::{parse, Challenge, Check, CheckPython};

pub use crate::protocol::challenge::{CheckedRun, ShownChallenge};

impl From<Challenge> for ShownChallenge {
    fn from(challenge: Challenge) -> Self {
        let check_text = challenge.check.describe();
        ShownChallenge {
            challenge,
            check_text,
        }
    }
}

/// The verdict over a check's runs, one [`CheckedRun`] each.
pub fn summarize_checked(runs: Vec<CheckedRun>) -> judge::Summary {
    let verdicts: Vec<_> = runs
        .into_iter()
        .map(|r| r.verdict.unwrap_or_else(|| judge::unjudged(r.stopped)))
        .collect();
    judge::summarize(&verdicts)
}

/// The built-in challenges, in the order the page lists them.
pub const BUILT_IN: &[&str] = &[
    include_str!("builtin/fix-counter.json"),
    include_str!("builtin/fix-deadlock.json"),
    include_str!("builtin/threads-or-processes.json"),
    include_str!("builtin/bound-the-pool.json"),
    include_str!("builtin/event-not-polling.json"),
    include_str!("builtin/bank-transfer.json"),
    include_str!("builtin/stop-consumers.json"),
    include_str!("builtin/lazy-init.json"),
    include_str!("builtin/cpu-to-processes.json"),
    include_str!("builtin/join-before-reading.json"),
];

/// Every built-in challenge, parsed (each is checked by a test, so none can fail here).
pub fn catalogue() -> Vec<Challenge> {
    BUILT_IN
        .iter()
        .map(|text| {
            parse(text).unwrap_or_else(|e| panic!("a built-in challenge does not parse: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_challenge_parses_with_a_unique_id_a_solution_and_hints() {
        let all = catalogue();
        assert!(all.len() >= 10);
        let mut ids: Vec<_> = all.iter().map(|c| c.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "duplicate ids");
        for c in &all {
            assert!(c.solution.is_some() && !c.hints.is_empty(), "{}", c.id);
            assert!(
                c.lesson.is_some(),
                "{} names the lesson that lists it",
                c.id
            );
        }
    }
}

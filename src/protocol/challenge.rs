//! The fix-it challenges' values as they cross to the page: a challenge as a teacher writes it (the format
//! `challenges::format` parses field by field), a run's verdict and the verdict over a check's runs
//! (`challenges::judge`). Here, with the other protocol types, so that the page's messages can name them
//! without the protocol importing the module that judges (which imports the protocol's events).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which Python the check runs the learner's code in.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckPython {
    /// Like CPython 3.13t: threads run Python at once, so a race really shows.
    FreeThreaded,
    /// CPython with its GIL (one thread runs Python code at a time).
    Gil,
}

/// How a challenge is checked: the learner's code runs `runs` times, and every run must pass every test
/// given here. A run that raises, hits the time limit or deadlocks fails whatever else is asked.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct Check {
    pub runs: u32,
    pub python: CheckPython,
    /// Each run is stopped after this long (a hang, a deadlock the detector cannot see).
    pub time_limit_s: f64,
    /// Python run after the program, in its namespace: an `assert` that fails (or any exception) fails
    /// the run, with its message as what was seen.
    pub invariant: Option<String>,
    /// The program's own run (from its first line to its end) must take at most this long.
    pub max_seconds: Option<f64>,
    /// At most this many threads or processes may be working (running, sleeping, in I/O) at once.
    pub max_at_once: Option<u32>,
    /// No thread may go to sleep or wait more than this many times (a polling loop sleeps again and again).
    pub max_wakeups: Option<u32>,
}

/// A fix-it challenge on code.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct Challenge {
    pub id: String,
    pub title: String,
    /// The task, in plain words: what is wrong and what passing means.
    pub text: String,
    /// The lesson whose page lists it, if any.
    pub lesson: Option<String>,
    /// The program the learner starts from (broken on purpose).
    pub starter: String,
    pub solution: Option<String>,
    /// Shown one at a time, on request.
    pub hints: Vec<String>,
    pub check: Check,
}

/// One test of a run: what it is, whether it passed, and what was seen.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct Finding {
    pub test: String,
    pub ok: bool,
    pub seen: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct RunVerdict {
    pub pass: bool,
    pub findings: Vec<Finding>,
}

/// The verdict over every run of a check.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct Summary {
    pub pass: bool,
    pub passed: u32,
    pub runs: u32,
    /// One sentence for the learner: how many runs passed, and what the first failing one showed.
    pub text: String,
}

/// A challenge as the page shows it: what its check does, in words, beside its fields.
#[derive(Serialize, Clone, Debug, TS)]
pub struct ShownChallenge {
    #[serde(flatten)]
    pub challenge: Challenge,
    pub check_text: String,
}

/// One run of a check as the page has it: the runtime's verdict, or why there is none (the runtime was
/// restarted under a program that would not stop).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, TS)]
pub struct CheckedRun {
    pub verdict: Option<RunVerdict>,
    pub stopped: Option<String>,
}

//! Judging one run of a learner's code against a [`Check`], from what the run really did: how it
//! ended, what its invariant said, and its threads' events on the timeline. Nothing here trusts what the
//! program printed about itself.

pub use crate::protocol::challenge::{Finding, RunVerdict, Summary};

use super::format::Check;
use crate::protocol::{Event, Lane, LaneKind, LaneState};

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    Finished,
    /// An uncaught exception: its type, message and line.
    Raised(String),
    /// The deadlock detector found a cycle: who held what and waited for what (`Deadlock::describe`).
    Deadlock(String),
    /// Stopped (the time limit, or Stop).
    Stopped(String),
}

/// What the judge is given about one run.
pub struct RunFacts<'a> {
    pub ending: Ending,
    /// The invariant's result, when the check has one and the program finished.
    pub invariant: Option<Result<(), String>>,
    pub duration_ms: f64,
    pub lanes: &'a [Lane],
    pub events: &'a [Event],
}

fn finding(test: &str, ok: bool, seen: String) -> Finding {
    Finding {
        test: test.to_string(),
        ok,
        seen,
    }
}

/// Judges one run.
pub fn judge(check: &Check, facts: &RunFacts) -> RunVerdict {
    let seconds = facts.duration_ms / 1000.0;
    let mut findings = vec![match &facts.ending {
        Ending::Finished => finding(
            "ran to the end",
            true,
            format!("finished in {seconds:.2} s"),
        ),
        Ending::Raised(what) => finding("ran to the end", false, format!("ended with {what}")),
        Ending::Deadlock(cycle) => finding("ran to the end", false, cycle.clone()),
        Ending::Stopped(why) => finding("ran to the end", false, why.clone()),
    }];
    if facts.ending == Ending::Finished {
        if let Some(result) = &facts.invariant {
            findings.push(match result {
                Ok(()) => finding("the invariant", true, "held".into()),
                Err(message) => finding("the invariant", false, message.clone()),
            });
        }
        if let Some(max) = check.max_seconds {
            findings.push(finding(
                "time",
                seconds <= max,
                format!("took {seconds:.2} s (at most {max:.2} s)"),
            ));
        }
        if let Some(max) = check.max_at_once {
            let most = at_once(facts.lanes, facts.events);
            findings.push(finding(
                "at once",
                most <= max,
                format!("at most {most} threads or processes worked at the same time (at most {max} allowed)"),
            ));
        }
        if let Some(max) = check.max_wakeups {
            let (most, who) = wakeups(facts.lanes, facts.events);
            let who = who.map_or_else(|| "no thread".to_string(), |name| name.to_string());
            findings.push(finding(
                "waiting",
                most <= max,
                format!("{who} went to sleep or waited {most} times (at most {max}: a thread that polls sleeps again and again)"),
            ));
        }
    }
    RunVerdict {
        pass: findings.iter().all(|f| f.ok),
        findings,
    }
}

/// A run the runtime could not judge (it was restarted under a program that would not stop): failed,
/// with the reason.
pub fn unjudged(reason: Option<String>) -> RunVerdict {
    RunVerdict {
        pass: false,
        findings: vec![finding(
            "ran to the end",
            false,
            reason.unwrap_or_else(|| "the run ended without a verdict".into()),
        )],
    }
}

/// The verdict over every run: a correct solution passes in every run.
pub fn summarize(verdicts: &[RunVerdict]) -> Summary {
    let runs = verdicts.len() as u32;
    let passed = verdicts.iter().filter(|v| v.pass).count() as u32;
    let pass = runs > 0 && passed == runs;
    let first_failure = verdicts.iter().enumerate().find_map(|(i, v)| {
        v.findings
            .iter()
            .find(|f| !f.ok)
            .map(|f| format!(" Run {}: {}.", i + 1, f.seen.trim_end_matches('.')))
    });
    let text = format!(
        "{passed} of {runs} run{} passed.{}",
        if runs == 1 { "" } else { "s" },
        first_failure.unwrap_or_default()
    );
    Summary {
        pass,
        passed,
        runs,
        text,
    }
}

/// Whether a lane in `state` is working on a task (not blocked on a lock, a queue, an event or a join).
fn working(state: LaneState) -> bool {
    matches!(
        state,
        LaneState::Running
            | LaneState::Sleeping
            | LaneState::Io
            | LaneState::WaitingGil
            | LaneState::Holding
    )
}

fn is_worker(lane: &Lane) -> bool {
    matches!(lane.kind, LaneKind::Thread | LaneKind::Process)
}

/// The most threads and processes (the main thread aside) working at the same moment.
pub fn at_once(lanes: &[Lane], events: &[Event]) -> u32 {
    let workers: std::collections::HashSet<u32> = lanes
        .iter()
        .filter(|l| is_worker(l))
        .map(|l| l.id)
        .collect();
    let mut sorted: Vec<&Event> = events
        .iter()
        .filter(|e| workers.contains(&e.lane))
        .collect();
    sorted.sort_by(|a, b| a.t.total_cmp(&b.t));
    let mut now_working = std::collections::HashSet::new();
    let (mut most, mut i) = (0, 0);
    while i < sorted.len() {
        // Every change at one instant first, then the count: a task that ends as another starts is
        // not two at once.
        let t = sorted[i].t;
        while i < sorted.len() && sorted[i].t == t {
            let e = sorted[i];
            if working(e.state) {
                now_working.insert(e.lane);
            } else {
                now_working.remove(&e.lane);
            }
            i += 1;
        }
        most = most.max(now_working.len() as u32);
    }
    most
}

/// The most times one thread went to sleep or waited (an `Event`, a `Condition`, a queue), and which.
pub fn wakeups<'a>(lanes: &'a [Lane], events: &[Event]) -> (u32, Option<&'a str>) {
    lanes
        .iter()
        .filter(|l| l.kind == LaneKind::Thread)
        .map(|lane| {
            let mut count = 0;
            let mut last = None;
            for e in events.iter().filter(|e| e.lane == lane.id) {
                let blocking = matches!(e.state, LaneState::Sleeping | LaneState::Waiting);
                if blocking && last != Some(e.state) {
                    count += 1;
                }
                last = Some(e.state);
            }
            (count, Some(lane.name.as_str()))
        })
        .max_by_key(|(count, _)| *count)
        .unwrap_or((0, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenges::format::CheckPython;

    fn lane(id: u32, kind: LaneKind) -> Lane {
        Lane {
            id,
            name: format!("T{id}"),
            kind,
            group: String::new(),
            worker: None,
        }
    }

    fn ev(t: f64, lane: u32, state: LaneState) -> Event {
        Event { t, lane, state }
    }

    fn check() -> Check {
        Check {
            runs: 1,
            python: CheckPython::FreeThreaded,
            time_limit_s: 10.0,
            invariant: None,
            max_seconds: Some(1.0),
            max_at_once: Some(2),
            max_wakeups: Some(2),
        }
    }

    #[test]
    fn at_once_counts_working_threads_not_blocked_ones_nor_a_handover() {
        use LaneState::*;
        let lanes = [
            lane(0, LaneKind::Main),
            lane(1, LaneKind::Thread),
            lane(2, LaneKind::Thread),
            lane(3, LaneKind::Thread),
        ];
        let events = [
            ev(0.0, 0, Running),
            ev(1.0, 1, Running),
            ev(1.0, 2, Sleeping),
            ev(2.0, 3, WaitingLock),
            // Thread 1 ends just as thread 3 gets the lock: two at once, never three.
            ev(5.0, 1, Finished),
            ev(5.0, 3, Running),
            ev(6.0, 2, Finished),
            ev(7.0, 3, Finished),
        ];
        assert_eq!(at_once(&lanes, &events), 2);
    }

    #[test]
    fn a_polling_thread_wakes_again_and_again_an_event_waiter_once() {
        use LaneState::*;
        let lanes = [lane(1, LaneKind::Thread), lane(2, LaneKind::Thread)];
        let mut events = vec![
            ev(0.0, 2, Running),
            ev(0.1, 2, Waiting),
            ev(9.0, 2, Running),
        ];
        for i in 0..10 {
            events.push(ev(f64::from(i), 1, Sleeping));
            events.push(ev(f64::from(i) + 0.5, 1, Running));
        }
        assert_eq!(wakeups(&lanes, &events), (10, Some("T1")));
        assert_eq!(wakeups(&lanes[1..], &events), (1, Some("T2")));
    }

    #[test]
    fn a_run_that_did_not_finish_fails_on_that_alone_and_the_summary_says_what_was_seen() {
        let lanes = [lane(1, LaneKind::Thread)];
        let facts = |ending, invariant| RunFacts {
            ending,
            invariant,
            duration_ms: 500.0,
            lanes: &lanes,
            events: &[],
        };
        let good = judge(&check(), &facts(Ending::Finished, Some(Ok(()))));
        assert!(good.pass, "{good:?}");
        assert_eq!(good.findings.len(), 5);
        let lost = judge(
            &check(),
            &facts(Ending::Finished, Some(Err("counter is 7 of 8".into()))),
        );
        assert!(!lost.pass);
        let stuck = judge(
            &check(),
            &facts(
                Ending::Deadlock("deadlock: T1 holds a and waits for b".into()),
                None,
            ),
        );
        assert_eq!(stuck.findings.len(), 1);
        let summary = summarize(&[good, lost, stuck]);
        assert!(!summary.pass);
        assert_eq!(
            summary.text,
            "1 of 3 runs passed. Run 2: counter is 7 of 8."
        );
        assert!(!summarize(&[]).pass);
    }
}

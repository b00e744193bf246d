//! Who holds which lock and who waits for which: the wait-for graph, and the detector that finds a cycle.
//!
//! Every [`Lock`](super::primitives::Lock) reports here when a thread takes it, releases it, starts or
//! stops waiting for it. A thread blocked on a lock checks the graph every [`CHECK_MS`]: if following
//! "waits for lock → held by thread → waits for lock …" leads back to itself, no thread in that cycle can
//! ever move on. The detector records the cycle (who holds what, who waits for what, when it formed and
//! when it was seen) and makes each waiting thread in it give up with a [`Deadlock`] error, so the run
//! recovers instead of hanging the page. Python has no such detector: there the program would hang.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;

use super::lock;
use crate::clock::now_ms;

/// How often a blocked thread looks for a cycle through itself: detection happens within this of forming.
pub const CHECK_MS: f64 = 50.0;

/// One edge of a cycle: `thread` holds `holds` and waits for `waits_for`.
#[derive(Serialize, Clone, Debug, PartialEq, ts_rs::TS)]
pub struct CycleEdge {
    pub thread: String,
    pub holds: String,
    pub waits_for: String,
}

/// A detected deadlock.
#[derive(Serialize, Clone, Debug, PartialEq, ts_rs::TS)]
pub struct Deadlock {
    pub cycle: Vec<CycleEdge>,
    /// When the last thread of the cycle began to wait (the moment no one could move any more).
    pub formed_at: f64,
    pub detected_at: f64,
}

impl Deadlock {
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .cycle
            .iter()
            .map(|e| {
                format!(
                    "{} holds {} and waits for {}",
                    e.thread, e.holds, e.waits_for
                )
            })
            .collect();
        format!("deadlock: {}", parts.join("; "))
    }
}

struct Graph {
    /// lock id → (holder lane, lock name)
    holders: HashMap<u32, u32>,
    names: HashMap<u32, String>,
    /// lane → (lock id it waits for, since when, whether the wait has a timeout)
    waiting: HashMap<u32, (u32, f64, bool)>,
    /// Locks any thread may release (Python's `_thread.lock`): waiting for one you hold is not a deadlock.
    self_wait_ok: std::collections::HashSet<u32>,
    next_id: u32,
}

static GRAPH: Mutex<Option<Graph>> = Mutex::new(None);

fn with<R>(f: impl FnOnce(&mut Graph) -> R) -> R {
    let mut g = lock(&GRAPH);
    let graph = g.get_or_insert_with(|| Graph {
        holders: HashMap::new(),
        names: HashMap::new(),
        waiting: HashMap::new(),
        self_wait_ok: std::collections::HashSet::new(),
        next_id: 0,
    });
    f(graph)
}

/// A new lock's id, under `name` (as the lesson calls it: "lock_a").
pub fn register(name: &str) -> u32 {
    with(|g| {
        g.next_id += 1;
        g.names.insert(g.next_id, name.to_string());
        g.next_id
    })
}

pub fn forget(lock_id: u32) {
    with(|g| {
        g.holders.remove(&lock_id);
        g.names.remove(&lock_id);
        g.self_wait_ok.remove(&lock_id);
    });
}

/// Marks `lock_id` as one any thread may release (see [`super::primitives::Lock::python`]).
pub fn allow_self_wait(lock_id: u32) {
    with(|g| {
        g.self_wait_ok.insert(lock_id);
    });
}

pub fn acquired(lock_id: u32, lane: u32) {
    with(|g| {
        g.holders.insert(lock_id, lane);
        g.waiting.remove(&lane);
    });
}

pub fn released(lock_id: u32) {
    with(|g| {
        g.holders.remove(&lock_id);
    });
}

/// `lane` starts waiting for `lock_id`; `timed` when the wait has a timeout (`acquire(timeout=…)`), which
/// ends it by itself, so a cycle through such a wait is not a deadlock.
pub fn waits(lane: u32, lock_id: u32, timed: bool) {
    with(|g| {
        g.waiting.insert(lane, (lock_id, now_ms(), timed));
    });
}

pub fn stops_waiting(lane: u32) {
    with(|g| {
        g.waiting.remove(&lane);
    });
}

/// Called by a blocked thread: is it part of a deadlock? When a cycle through `lane` exists, the thread
/// stops waiting and gets the report. A cycle with a timed wait in it is not reported: that wait's
/// timeout breaks it, as it would in Python.
pub fn check(lane: u32) -> Option<Deadlock> {
    with(|g| {
        let mut path = vec![lane];
        let mut at = lane;
        loop {
            let (wanted, _, timed) = *g.waiting.get(&at)?;
            if timed {
                return None;
            }
            let holder = *g.holders.get(&wanted)?;
            if holder == lane {
                if path.len() == 1 && g.self_wait_ok.contains(&wanted) {
                    return None; // waiting for another thread to release it, as Condition.wait does
                }
                break;
            }
            if path.contains(&holder) || path.len() > 64 {
                return None; // a cycle that does not go through this lane: its own members will find it
            }
            path.push(holder);
            at = holder;
        }
        let name = |id: u32| {
            g.names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("lock {id}"))
        };
        // Each member holds the lock the member before it (cyclically) waits for.
        let cycle: Vec<CycleEdge> = path
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                let before = path[(i + path.len() - 1) % path.len()];
                CycleEdge {
                    thread: super::trace::lane_name(l),
                    holds: name(g.waiting[&before].0),
                    waits_for: name(g.waiting[&l].0),
                }
            })
            .collect();
        let formed_at = path.iter().map(|l| g.waiting[l].1).fold(f64::MIN, f64::max);
        g.waiting.remove(&lane);
        Some(Deadlock {
            cycle,
            formed_at,
            detected_at: now_ms(),
        })
    })
}

/// Forgets everything (a new run starts with no locks).
pub fn reset() {
    *lock(&GRAPH) = None;
}

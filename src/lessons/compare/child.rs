//! The child processes' program: the work or wait a process does, and the memory it measures.

use super::*;

/// This instance's own memory: in a child process, the child's, which it does not share.
pub(super) fn own_memory_bytes() -> Option<f64> {
    #[cfg(target_arch = "wasm32")]
    {
        Some(core::arch::wasm32::memory_size(0) as f64 * 65536.0)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

pub(super) fn child_program(entry: &str, args: &Value, ctx: &mut ChildContext) -> i32 {
    let started_at = now_ms();
    let checksum = match (entry, args["ms"].as_f64(), args["units"].as_u64()) {
        ("empty", _, _) => 0,
        ("sleep", Some(ms), _) if (0.0..=600_000.0).contains(&ms) => {
            sync::sleep_ms(ms);
            0
        }
        ("work", _, Some(units)) => common::work(units.min(1 << 40)),
        _ => {
            trace::print(format!("no child program {entry:?} with arguments {args}"));
            return 2;
        }
    };
    let report = ChildReport {
        started_at,
        finished_at: now_ms(),
        memory_bytes: own_memory_bytes(),
        checksum,
    };
    match serde_json::to_string(&report) {
        Ok(text) => {
            ctx.send(text);
            0
        }
        Err(_) => 1,
    }
}

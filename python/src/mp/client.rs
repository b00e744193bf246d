//! How a process calls the kernel. The root process's threads call [`kernel::call_local`] directly. In
//! a child process (the browser only: natively a child is an interpreter on an OS thread of the root's
//! process and calls the kernel directly too) a call is left in an outbox, the child's runtime worker
//! posts it to the root's, and the calling thread blocks on this memory until the reply is delivered.

use super::kernel::{self, Answer};
use super::protocol::Call;

/// Calls the kernel from whichever process this is.
pub fn call(call: Call, data: Option<Vec<u8>>) -> Answer {
    #[cfg(target_arch = "wasm32")]
    if super::child::is_child() {
        return remote::call(call, data);
    }
    kernel::call_local(call, data)
}

#[cfg(target_arch = "wasm32")]
pub mod remote {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Condvar, Mutex};

    use playground::engine::{bridge, cancel, lock, trace};
    use playground::protocol::LaneState;

    use super::super::kernel::Answer;
    use super::super::protocol::{Call, Reply};

    /// Calls to post: request number, the calling thread's lane (in this child's log), call, bytes.
    static OUTBOX: Mutex<Vec<(u32, u32, Call, Option<Vec<u8>>)>> = Mutex::new(Vec::new());
    static INBOX: Mutex<Option<HashMap<u32, Answer>>> = Mutex::new(None);
    static ARRIVED: Condvar = Condvar::new();
    static NEXT_REQ: AtomicU32 = AtomicU32::new(1);

    pub fn call(call: Call, data: Option<Vec<u8>>) -> Answer {
        let req = NEXT_REQ.fetch_add(1, Ordering::SeqCst);
        let one_way = call.is_one_way();
        lock(&OUTBOX).push((req, trace::current_lane(), call, data));
        bridge::wake();
        if one_way {
            return (Reply::Done, None);
        }
        playground::engine::gil::allow_threads(|| {
            trace::enter(LaneState::WaitingMessage);
            let mut inbox = lock(&INBOX);
            let answer = loop {
                if let Some(got) = inbox.get_or_insert_with(HashMap::new).remove(&req) {
                    break got;
                }
                if cancel::is_cancelled() {
                    break (Reply::TimedOut, None);
                }
                inbox = cancel::wait_slice(&ARRIVED, &INBOX, inbox, None).0;
            };
            trace::enter(LaneState::Running);
            answer
        })
    }

    /// The runtime worker takes the calls to post to the root.
    pub fn take_calls() -> Vec<(u32, u32, Call, Option<Vec<u8>>)> {
        std::mem::take(&mut *lock(&OUTBOX))
    }

    /// The runtime worker delivers the root's reply to call `req`.
    pub fn deliver(req: u32, answer: Answer) {
        lock(&INBOX)
            .get_or_insert_with(HashMap::new)
            .insert(req, answer);
        ARRIVED.notify_all();
    }
}

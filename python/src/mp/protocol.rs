//! Every message between a Python process and the kernel, typed in one place. The root process's own
//! threads call the kernel directly with these; a child process's calls cross as messages (its runtime
//! worker posts them to the root's, which hands them to the kernel) and so do the replies. Bytes (a
//! pickle) travel beside the typed part, as a transferred buffer, never inside the JSON.

use playground::engine::gil::Interpreter;
use serde::{Deserialize, Serialize};

/// A kernel id: a channel (the pipe under a `Queue`, one direction of a `Pipe`, a lock's tokens) or a
/// cell (an `Event`'s flag, a `JoinableQueue`'s count, a `Value`).
pub type Id = u32;
/// A process id, as `os.getpid()` reports it: the main process is 1.
pub type Pid = u32;

/// What a process asks of the kernel.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, ts_rs::TS)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Call {
    /// A new channel holding `tokens` empty items (a lock has one, a semaphore n, a queue none). `via`
    /// names what it carries for the timeline ("Queue", "Pipe"): its items are drawn as messages.
    NewChannel {
        tokens: u32,
        #[serde(default)]
        via: Option<String>,
    },
    /// Appends the bytes that travel with the call to channel `ch`. Answered at once with `Done`.
    Put {
        ch: Id,
    },
    /// Takes the first item of `ch`, waiting for one up to `timeout_ms` (`None`: for ever, `0`: not at
    /// all). With `peek` it only waits until there is one and takes nothing (`Connection.poll`).
    Get {
        ch: Id,
        timeout_ms: Option<f64>,
        peek: bool,
    },
    /// How many items `ch` holds (`Queue.qsize`).
    Len {
        ch: Id,
    },
    /// A new cell holding `value`.
    NewCell {
        #[serde(with = "as_text")]
        #[ts(type = "string")]
        value: i64,
    },
    /// Adds `delta` to a cell; answered with the new value.
    Add {
        cell: Id,
        #[serde(with = "as_text")]
        #[ts(type = "string")]
        delta: i64,
    },
    Store {
        cell: Id,
        #[serde(with = "as_text")]
        #[ts(type = "string")]
        value: i64,
    },
    Load {
        cell: Id,
    },
    /// `slots` slots of the shared memory for a `Value` or an `Array`: answered with the first one's index.
    NewShared {
        slots: u32,
    },
    /// The values of `count` slots of the shared memory from `first` on, as little-endian 64-bit bytes
    /// beside the answer: a child that cannot map the segment (solo mode) reads it by message.
    LoadShared {
        first: u32,
        count: u32,
    },
    /// Writes the values in the bytes beside this (little-endian, 64 bits each) to the slots from `first`
    /// on: a child's write in solo mode.
    StoreShared {
        first: u32,
    },
    /// Waits until cell is zero (or, with `nonzero`, until it is not), up to `timeout_ms`.
    WaitCell {
        cell: Id,
        nonzero: bool,
        timeout_ms: Option<f64>,
    },
    /// Ends the whole run with `reason` (a child found the program has no main guard).
    Abort {
        reason: String,
    },
}

impl Call {
    /// Whether the caller may go on without the answer (it is always `Done`).
    pub fn is_one_way(&self) -> bool {
        matches!(
            self,
            Call::Put { .. } | Call::Store { .. } | Call::StoreShared { .. } | Call::Abort { .. }
        )
    }
}

/// The kernel's answer to a [`Call`].
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reply {
    Done,
    /// An item: its bytes travel beside this (nothing for a `peek`).
    Item,
    TimedOut,
    Id {
        id: Id,
    },
    Value {
        #[serde(with = "as_text")]
        #[ts(type = "string")]
        value: i64,
    },
    /// A mistake of the program's, raised as `ValueError` (an unknown id: an object of another run).
    Error {
        message: String,
    },
    /// Nothing can ever answer this wait: no other process or thread is left (CPython would hang).
    Orphaned,
}

/// What a child process is started with (the bytes of its pickled `Process` travel beside it).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, ts_rs::TS)]
pub struct ChildStart {
    pub pid: Pid,
    pub name: String,
    /// The learner's program: the child runs it as `__mp_main__` (spawn semantics).
    pub source: String,
    pub build: Interpreter,
    /// The root's lane for this process (the child's main thread is drawn on it).
    pub lane: u32,
}

/// What the kernel asks of the runtime worker that hosts it (the root's).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KernelRequest {
    /// Start a child process (a fresh instance with its own memory); its pickle travels beside this.
    Spawn { start: ChildStart },
    /// End a child at once (`terminate()`, `kill()`), reported as exit `code`.
    Kill { pid: Pid, code: i32 },
    /// The answer to a child's call `req`; an item's bytes travel beside it.
    Reply { pid: Pid, req: u32, reply: Reply },
}

/// A cell holds any i64 (a `Value('d')` holds a float's bits), beyond what a JavaScript number carries
/// exactly (2^53): across the wasm boundary it is text.
mod as_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Through JSON, as every message crosses: a float's bits survive whole.
    #[test]
    fn cells_cross_as_text_so_no_bit_is_lost() {
        let bits = f64::to_bits(1.5) as i64;
        let call = Call::Store {
            cell: 3,
            value: bits,
        };
        let text = serde_json::to_string(&call).unwrap();
        assert_eq!(serde_json::from_str::<Call>(&text).unwrap(), call);
        let reply = Reply::Value { value: i64::MIN };
        let text = serde_json::to_string(&reply).unwrap();
        assert_eq!(serde_json::from_str::<Reply>(&text).unwrap(), reply);
    }
}

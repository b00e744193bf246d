/// The stack of every thread worker of the Python runtime. RustPython guards its native stack by the
/// stack pointer against a bound it estimates, on wasm32-unknown-unknown, as 8 MiB below where the thread
/// entered the interpreter (it cannot ask the platform). A stack of 9 MiB makes that estimate true, with
/// 1 MiB to spare: deep recursion raises `RecursionError` before it could run off the stack and over the
/// shared memory below it. (Natively RustPython reads the real bounds; this is not used there.)
///
/// The runtime worker's own stack, where a program runs in solo mode (`crate::solo`), has this size
/// too: `build.rs` links the artifact with it. This file is included by both.
pub const THREAD_STACK_BYTES: usize = 9 << 20;

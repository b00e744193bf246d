//! What one run may ask for. A request that cannot fit is refused before anything starts, with the reason.
//!
//! Threads share one wasm memory, which can grow to at most [`MAX_MEMORY_BYTES`] (the linker's
//! `--max-memory` in `.cargo/config.toml`). Every thread worker takes a stack and its thread-local storage
//! from it, and a lesson may declare large buffers ([`crate::lessons::Lesson::memory_bytes`]). A run whose
//! estimate does not fit is refused; an allocation that still fails at run time ends its thread with an
//! "out of memory" exception (see [`super::fault`]) instead of a dead page.

/// The shared memory's maximum (must match `--max-memory` in `.cargo/config.toml`).
pub const MAX_MEMORY_BYTES: u64 = 1 << 30;
/// Threads alive at once in one run, the main thread included (each is a Web Worker).
pub const MAX_THREADS: usize = 128;
/// Shared memory one thread worker takes: its stack and thread-local storage (measured in Chromium: the
/// memory grows by 2.0 MiB per thread worker started).
pub const THREAD_BYTES: u64 = (2 << 20) + (64 << 10);
/// Kept free for the engine itself: the run's log (up to 200,000 events), the rayon pool, the allocator.
pub const RESERVED_BYTES: u64 = 96 << 20;

/// Checks a prepared run's demands.
///
/// # Errors
/// Why the run cannot fit, in words for the learner.
pub fn check(threads: usize, memory_bytes: u64) -> Result<(), String> {
    if threads > MAX_THREADS {
        return Err(format!(
            "Refused: this run needs {threads} threads at once; the playground allows at most \
             {MAX_THREADS} (each thread is a Web Worker with its own stack). Ask for fewer threads."
        ));
    }
    let needed = (threads as u64)
        .saturating_mul(THREAD_BYTES)
        .saturating_add(memory_bytes)
        .saturating_add(RESERVED_BYTES);
    if needed > MAX_MEMORY_BYTES {
        return Err(format!(
            "Refused: this run would need about {} MiB of memory ({} MiB of data, {threads} thread \
             stacks and the engine's own {} MiB), more than the {} MiB the shared memory can grow to. \
             Ask for smaller sizes or fewer threads.",
            needed >> 20,
            memory_bytes >> 20,
            RESERVED_BYTES >> 20,
            MAX_MEMORY_BYTES >> 20
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_that_fit_pass_and_the_rest_are_refused_with_the_reason() {
        assert!(check(65, 0).is_ok());
        assert!(check(8, 512 << 20).is_ok());
        let too_many = check(1000, 0).unwrap_err();
        assert!(too_many.contains("at most 128"), "{too_many}");
        let too_big = check(4, 2 << 30).unwrap_err();
        assert!(too_big.contains("1024 MiB"), "{too_big}");
        assert!(check(1, u64::MAX).is_err(), "no overflow");
    }
}

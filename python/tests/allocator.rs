//! The wasm build's allocator (`engine::alloc::ShardedCache`) under a real interpreter: this test binary
//! makes it the global allocator natively, so every object RustPython creates on four free-threaded OS
//! threads (ints, lists, dicts, strings, frames of every size class) goes through its caches and comes
//! back to them from whichever thread frees it.

mod common;

use common::{run, stdout};
use playground::engine::alloc::ShardedCache;

#[global_allocator]
static ALLOCATOR: ShardedCache<std::alloc::System> = ShardedCache::new(std::alloc::System);

#[test]
fn python_threads_allocating_and_freeing_each_others_objects_compute_exact_results() {
    // Each thread builds lists and dicts of growing size (so blocks move between classes and into large
    // blocks), hands half of them to the next thread through a queue, and checks every value it receives.
    let program = r#"
import threading, queue
N, T = 3000, 4
inbox = [queue.Queue() for _ in range(T)]
totals = [0] * T
def work(me):
    total = 0
    for i in range(N):
        row = [me * N + i + k for k in range(i % 40)]
        box = {"row": row, "name": "t%d-%d" % (me, i), "sum": sum(row)}
        if i % 2:
            inbox[(me + 1) % T].put(box)
        else:
            total += box["sum"]
    inbox[(me + 1) % T].put(None)
    while (box := inbox[me].get()) is not None:
        assert box["sum"] == sum(box["row"]), box["name"]
        total += sum(box["row"])
    totals[me] = total
threads = [threading.Thread(target=work, args=(t,)) for t in range(T)]
for t in threads: t.start()
for t in threads: t.join()
expected = sum(sum(t * N + i + k for k in range(i % 40)) for t in range(T) for i in range(N))
print(sum(totals) == expected, sum(totals))
"#;
    let outcome = run(program);
    let lines = stdout(&outcome);
    assert!(
        lines.first().is_some_and(|l| l.starts_with("True ")),
        "{lines:?} {}",
        common::stderr(&outcome)
    );
}

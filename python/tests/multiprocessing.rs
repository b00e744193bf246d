//! Learner `multiprocessing` natively: each child is a fresh interpreter on an OS thread (spawn
//! semantics: the program again as `__mp_main__`, then the pickled Process), talking to the kernel.
//! Isolation of memories is the browser's to show (`tests/e2e/python.test.mjs`); here: the API, what
//! CPython prints, exit codes and the main-module guard.

mod common;

use common::{run, stderr, stdout};

#[test]
fn process_queue_and_exit_codes_as_cpython() {
    let outcome = run(r#"
from multiprocessing import Process, Queue, current_process
import os

counter = 0

def work(q, n):
    global counter
    counter += n
    q.put((current_process().name, n * n, counter))

def fail():
    raise ValueError("boom")

if __name__ == "__main__":
    q = Queue()
    ps = [Process(target=work, args=(q, n)) for n in range(1, 4)]
    for p in ps:
        p.start()
    got = sorted(q.get(timeout=30) for _ in ps)
    for p in ps:
        p.join()
    print(got)
    print([p.exitcode for p in ps], counter)
    bad = Process(target=fail)
    bad.start()
    bad.join()
    print("bad", bad.exitcode, bad.is_alive())
    print(current_process().name, q.empty())
"#);
    assert_eq!(outcome.exit_code, 0, "{}", stderr(&outcome));
    let out = stdout(&outcome);
    assert_eq!(
        out,
        [
            "[('Process-1', 1, 1), ('Process-2', 4, 2), ('Process-3', 9, 3)]",
            "[0, 0, 0] 0",
            "bad 1 False",
            "MainProcess True",
        ],
        "{}",
        stderr(&outcome)
    );
    let err = stderr(&outcome);
    assert!(
        err.contains("Process Process-4:") && err.contains("ValueError: boom"),
        "{err}"
    );
}

#[test]
fn pipe_pool_and_process_pool_executor() {
    let outcome = run(r#"
from multiprocessing import Pipe, Pool, Process
from concurrent.futures import ProcessPoolExecutor

def square(x):
    return x * x

def add(a, b):
    return a + b

def echo(conn):
    msg = conn.recv()
    conn.send(msg.upper())
    conn.close()

if __name__ == "__main__":
    a, b = Pipe()
    p = Process(target=echo, args=(b,))
    p.start()
    a.send("hello")
    print(a.recv())
    p.join()
    with Pool(2) as pool:
        print(pool.map(square, range(10)))
        print(pool.starmap(add, [(1, 2), (3, 4)]))
        print(pool.apply_async(square, (7,)).get(timeout=30))
        print(list(pool.imap(square, [1, 2, 3])))
        print(sorted(pool.imap_unordered(square, [1, 2, 3])))
    with ProcessPoolExecutor(max_workers=2) as ex:
        print(list(ex.map(square, [4, 5])))
        print(ex.submit(add, 2, 3).result())
"#);
    assert_eq!(outcome.exit_code, 0, "{}", stderr(&outcome));
    assert_eq!(
        stdout(&outcome),
        [
            "HELLO",
            "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]",
            "[3, 7]",
            "49",
            "[1, 4, 9]",
            "[1, 4, 9]",
            "[16, 25]",
            "5",
        ]
    );
}

#[test]
fn without_the_main_guard_the_bootstrapping_error_ends_the_run() {
    let outcome = run(r#"
from multiprocessing import Process

def hello():
    print("hello")

p = Process(target=hello)
p.start()
p.join()
print("parent done", p.exitcode)
"#);
    let err = stderr(&outcome);
    assert!(err.contains("bootstrapping phase"), "{err}");
    assert!(err.contains("__name__ == \"__main__\""), "{err}");
    assert!(outcome.stopped.is_some(), "the run ends");
    assert!(!stdout(&outcome).contains(&"hello".to_string()));
}

#[test]
fn an_unpicklable_target_fails_in_the_parent_as_in_cpython() {
    let outcome = run(r#"
from multiprocessing import Process
if __name__ == "__main__":
    p = Process(target=lambda: print("never"))
    p.start()
"#);
    assert_eq!(outcome.exit_code, 1);
    let exception = outcome.exception.expect("an exception");
    assert!(
        exception.traceback.contains("lambda") && exception.type_name.contains("Error"),
        "{exception:?}"
    );
}

#[test]
fn events_locks_values_and_joinable_queues_across_processes() {
    let outcome = run(r#"
from multiprocessing import Process, Event, Lock, Value, Array, JoinableQueue

def bump(v, arr, lock, i, n):
    for _ in range(n):
        with lock:
            v.value += 1
    arr[i] = i * 10

def waiter(e, q):
    e.wait()
    q.put("woke")

def consumer(jq):
    while True:
        item = jq.get()
        jq.task_done()
        if item is None:
            break

if __name__ == "__main__":
    v = Value("i", 0)
    arr = Array("d", 3)
    lock = Lock()
    ps = [Process(target=bump, args=(v, arr, lock, i, 50)) for i in range(3)]
    for p in ps: p.start()
    for p in ps: p.join()
    print(v.value, arr[:])
    e = Event()
    from multiprocessing import Queue
    q = Queue()
    w = Process(target=waiter, args=(e, q))
    w.start()
    e.set()
    print(q.get(timeout=30))
    w.join()
    jq = JoinableQueue()
    c = Process(target=consumer, args=(jq,))
    c.start()
    for i in range(5): jq.put(i)
    jq.put(None)
    jq.join()
    print("all done")
    c.join()
"#);
    assert_eq!(outcome.exit_code, 0, "{}", stderr(&outcome));
    assert_eq!(
        stdout(&outcome),
        ["150 [0.0, 10.0, 20.0]", "woke", "all done"]
    );
}

#[test]
fn terminate_and_a_wait_nobody_can_answer() {
    let outcome = run(r#"
from multiprocessing import Process, Queue
import time

def forever():
    time.sleep(60)

if __name__ == "__main__":
    p = Process(target=forever)
    p.start()
    p.terminate()
    p.join()
    print("terminated", p.exitcode)
    q = Queue()
    try:
        q.get()
    except RuntimeError as e:
        print("orphaned:", "can never end" in str(e))
"#);
    assert_eq!(
        stdout(&outcome),
        ["terminated -15", "orphaned: True"],
        "{}",
        stderr(&outcome)
    );
}

/// Each item that crossed a queue or a pipe is a message of the run's log, from the lane that sent it to
/// the lane that took it, with its pickled size; a lock's tokens are not messages.
#[test]
fn messages_are_recorded_with_their_sizes_and_lanes() {
    let outcome = run(r#"
from multiprocessing import Lock, Pipe, Process, Queue

def echo(q, back, lock):
    with lock:
        data = q.get()
    back.send(data[:1000])

if __name__ == "__main__":
    q = Queue()
    a, b = Pipe()
    lock = Lock()
    p = Process(target=echo, args=(q, b, lock))
    p.start()
    q.put(b"x" * 20000)
    print(len(a.recv()))
    p.join()
"#);
    assert_eq!(outcome.exit_code, 0, "{}", stderr(&outcome));
    assert_eq!(stdout(&outcome), ["1000"]);
    let lane = |name: &str| {
        outcome
            .lanes
            .iter()
            .find(|l| l.name == name)
            .unwrap_or_else(|| panic!("no lane {name}: {:?}", outcome.lanes))
            .id
    };
    let (main, child) = (lane("MainThread"), lane("Process-1"));
    let messages: Vec<_> = outcome
        .messages
        .iter()
        .map(|m| (m.via.as_str(), m.from, m.to))
        .collect();
    assert_eq!(
        messages,
        [("Queue", main, child), ("Pipe", child, main)],
        "{:?}",
        outcome.messages
    );
    let (queued, piped) = (&outcome.messages[0], &outcome.messages[1]);
    // A pickle of the bytes: a few bytes of framing beyond the payload itself.
    assert!((20000..20100).contains(&queued.bytes), "{queued:?}");
    assert!((1000..1100).contains(&piped.bytes), "{piped:?}");
    for m in &outcome.messages {
        assert!(m.sent_at <= m.received_at, "{m:?}");
        assert!(
            m.sent_at >= outcome.started_at && m.received_at <= outcome.finished_at,
            "{m:?}"
        );
    }
    assert_eq!(outcome.dropped_messages, 0);
}

/// `Value` and `Array` live in the shared memory: a child's writes are the parent's reads, indexing and
/// slicing behave as CPython's, and asking for more than the shared memory holds is a clear error.
#[test]
fn values_and_arrays_live_in_the_shared_memory() {
    let outcome = run(r#"
from multiprocessing import Process, Value, Array, RawArray

def fill(arr, v, c):
    arr[::2] = [1.5] * ((len(arr) + 1) // 2)
    arr[-1] = -2.25
    v.value = 7
    c.value = b"z"

if __name__ == "__main__":
    arr = Array("d", 5)
    v = Value("q", 2**62)
    c = Value("c", b"a")
    p = Process(target=fill, args=(arr, v, c))
    p.start()
    p.join()
    print(arr[:], arr[1:4], arr[-1], len(arr), list(arr)[0], v.value, c.value)
    try:
        arr[5]
    except IndexError as e:
        print("IndexError", e)
    big = RawArray("i", 1_000_000)
    big[999_999] = 5
    print(big[999_999], sum(big[:10]))
    try:
        Array("i", 2_000_000)
    except ValueError as e:
        print("ValueError", e)
"#);
    assert_eq!(outcome.exit_code, 0, "{}", stderr(&outcome));
    let out = stdout(&outcome);
    assert_eq!(
        out[..3],
        [
            "[1.5, 0.0, 1.5, 0.0, -2.25] [0.0, 1.5, 0.0] -2.25 5 1.5 7 b'z'",
            "IndexError invalid index",
            "5 0",
        ],
        "{}",
        stderr(&outcome)
    );
    assert!(
        out[3].starts_with("ValueError no room in the shared memory for 2000000 more values"),
        "{out:?}"
    );
}

/// Natively `terminate()` cannot end a child's OS thread: a terminated pool worker stays blocked on its
/// task queue until the run ends. It must stay quiet meanwhile, not decide that nobody is left to feed it
/// and raise in the middle of its parent's run (which once printed `Process SpawnPoolWorker-2:`).
#[test]
fn terminated_native_children_stay_quiet_until_the_run_ends() {
    let outcome = run(r#"
import multiprocessing, time

def idle(x):
    return x

if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(pool.map(idle, [1, 2]))
    time.sleep(1.0)
    print("done")
"#);
    assert_eq!(outcome.exit_code, 0, "{}", stderr(&outcome));
    assert_eq!(stdout(&outcome), ["[1, 2]", "done"], "{}", stderr(&outcome));
    assert!(
        !stderr(&outcome).contains("Process "),
        "{}",
        stderr(&outcome)
    );
}

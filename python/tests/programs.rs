//! Real Python programs run through our `_thread` on OS threads: what a learner pastes from a tutorial.
//! One run at a time (the engine's log and stop flag are per process).

mod common;

use common::{run, stderr, stdout};

#[test]
fn hello_world_prints_and_exits_cleanly() {
    let out = run("print('hello', 'world')\nprint(1 + 2)\n");
    assert_eq!(out.exit_code, 0, "stderr: {}", stderr(&out));
    assert_eq!(stdout(&out), vec!["hello world", "3"]);
}

#[test]
fn three_threads_that_sleep_overlap() {
    let out = run(r#"
import threading, time
def work(n):
    time.sleep(0.3)
    print(f"worker {n} done")
start = time.perf_counter()
threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
for t in threads: t.start()
for t in threads: t.join()
print(f"took {time.perf_counter() - start:.1f} s")
"#);
    assert_eq!(out.exit_code, 0, "stderr: {}", stderr(&out));
    let lines = stdout(&out);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[3], "took 0.3 s");
    // Each worker printed from its own lane, named as Python names it.
    let names: Vec<_> = out.lanes.iter().map(|l| l.name.as_str()).collect();
    assert!(names.contains(&"Thread-1 (work)"), "{names:?}");
    assert_eq!(out.lanes.len(), 4);
}

#[test]
fn an_uncaught_exception_gives_its_type_line_and_traceback() {
    let out = run("x = 1\n\ndef f():\n    return 1 / 0\n\nf()\n");
    assert_eq!(out.exit_code, 1);
    let exc = out.exception.clone().expect("an exception");
    assert_eq!(exc.type_name, "ZeroDivisionError");
    assert_eq!(exc.line, Some(4));
    assert!(exc.traceback.contains("return 1 / 0"), "{}", exc.traceback);
    assert!(stderr(&out).contains("ZeroDivisionError"));
}

#[test]
fn a_syntax_error_points_at_its_line() {
    let out = run("print('ok')\nif True\n    pass\n");
    let exc = out.exception.clone().expect("an exception");
    assert_eq!(exc.type_name, "SyntaxError");
    assert_eq!(exc.line, Some(2));
    assert!(stdout(&out).is_empty());
}

#[test]
fn the_locked_counter_is_exact() {
    let out = run(r#"
import threading
counter = 0
lock = threading.Lock()
def add():
    global counter
    for _ in range(2000):
        with lock:
            counter += 1
ts = [threading.Thread(target=add) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(counter)
"#);
    assert_eq!(
        stdout(&out),
        vec!["8000"],
        "stderr: {} stopped {:?} exit {} exc {:?} lanes {}",
        stderr(&out),
        out.stopped,
        out.exit_code,
        out.exception,
        out.lanes.len()
    );
}

#[test]
fn opposite_lock_order_is_reported_as_a_deadlock() {
    let out = run(r#"
import threading, time
a = threading.Lock()
b = threading.Lock()
def one():
    with a:
        time.sleep(0.05)
        with b:
            pass
def two():
    with b:
        time.sleep(0.05)
        with a:
            pass
t1 = threading.Thread(target=one); t2 = threading.Thread(target=two)
t1.start(); t2.start(); t1.join(); t2.join()
print("never")
"#);
    let dl = out.deadlock.clone().expect("a deadlock");
    assert_eq!(dl.cycle.len(), 2);
    assert!(
        out.stopped
            .clone()
            .unwrap_or_default()
            .starts_with("Deadlock"),
        "stopped: {:?}",
        out.stopped
    );
    assert!(!stdout(&out).contains(&"never".to_string()));
}

#[test]
fn missing_modules_say_what_to_use_instead() {
    let out = run("import requests\n");
    let exc = out.exception.clone().expect("an exception");
    assert_eq!(exc.type_name, "ModuleNotFoundError");
    assert!(exc.message.contains("urllib.request"), "{}", exc.message);
}

#[test]
fn urlopen_reads_the_sites_own_files() {
    let out = run(r#"
from urllib.request import urlopen
with urlopen("README.md") as r:
    body = r.read()
print(r.status, body[:2])
"#);
    assert_eq!(stdout(&out), vec!["200 b'# '"], "stderr: {}", stderr(&out));
}

#[test]
fn sys_exit_sets_the_exit_code_and_a_daemon_thread_is_abandoned() {
    let out = run("import sys, threading, time\nthreading.Thread(target=time.sleep, args=(30,), daemon=True).start()\nprint('bye')\nsys.exit(3)\n");
    assert_eq!(out.exit_code, 3);
    assert_eq!(stdout(&out), vec!["bye"]);
    assert_eq!(out.threads_left, 1);
}

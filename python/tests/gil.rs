//! The emulated GIL for learner code, run natively on OS threads: `sys` tells the truth, the GIL changes
//! hands at switch points, blocking calls let it go, and the unlocked counter behaves as on CPython
//! 3.10+ with the GIL and as on 3.13t without it. (Speed ratios are figures of `npm run bench`.)

mod common;

use common::{run_as, stdout};
use playground::engine::gil::Interpreter;
use playground::protocol::LaneState;

const GIL: Interpreter = Interpreter::Gil {
    switch_interval_ms: 5.0,
};
const FREE: Interpreter = Interpreter::FreeThreaded;

#[test]
fn sys_reports_the_build_and_the_switch_interval() {
    let program = "import sys\nprint(sys._is_gil_enabled(), sys.getswitchinterval())\n\
                   sys.setswitchinterval(0.001)\nprint(sys.getswitchinterval())\n\
                   try:\n    sys.setswitchinterval(0)\nexcept ValueError as e:\n    print('ValueError:', e)\n";
    let with = run_as(program, GIL);
    assert_eq!(
        stdout(&with),
        [
            "True 0.005",
            "0.001",
            "ValueError: switch interval must be strictly positive"
        ],
        "{}",
        common::stderr(&with)
    );
    let without = run_as(program, FREE);
    assert!(
        stdout(&without)[0].starts_with("False "),
        "{:?}",
        stdout(&without)
    );
}

/// Two threads count up a shared counter without a lock; `switch` is what sits between the read and
/// the write.
fn counter_program(switch: &str) -> String {
    format!(
        "import threading, time\ncounter = 0\nN = 20000\n\
         def work():\n    global counter\n    for _ in range(N):\n        tmp = counter\n{switch}        counter = tmp + 1\n\
         threads = [threading.Thread(target=work) for _ in range(2)]\n\
         for t in threads: t.start()\nfor t in threads: t.join()\nprint(counter)\n"
    )
}

#[test]
fn with_the_gil_the_unlocked_counter_loses_nothing_and_the_gil_changes_hands() {
    let outcome = run_as(&counter_program(""), GIL);
    assert_eq!(stdout(&outcome), ["40000"], "{:?}", outcome.exception);
    assert!(outcome.gil.switches >= 2, "{:?}", outcome.gil);
    assert!(
        outcome
            .events
            .iter()
            .any(|e| e.state == LaneState::WaitingGil),
        "no thread was drawn waiting for the GIL"
    );
}

#[test]
fn a_switch_point_inside_the_read_modify_write_loses_updates_even_with_the_gil() {
    let outcome = run_as(&counter_program("        time.sleep(0)\n"), GIL);
    let counted: u64 = stdout(&outcome)[0].parse().expect("a number");
    assert!(
        counted < 40000,
        "no update was lost: {counted}; {:?}",
        outcome.gil
    );
    assert!(outcome.gil.switches > 10, "{:?}", outcome.gil);
}

#[test]
fn free_threaded_threads_run_at_once_and_never_wait_for_a_gil() {
    // Each thread records whether another was inside the loop at the same moment.
    let program = "import threading\ninside = 0\nmost = 0\nlock = threading.Lock()\n\
                   def work():\n    global inside, most\n    with lock:\n        inside += 1\n\
                   \x20   for _ in range(200000):\n        most = max(most, inside)\n\
                   \x20   with lock:\n        inside -= 1\n\
                   ts = [threading.Thread(target=work) for _ in range(2)]\n\
                   for t in ts: t.start()\nfor t in ts: t.join()\nprint(most)\n";
    let outcome = run_as(program, FREE);
    assert_eq!(stdout(&outcome), ["2"], "{:?}", outcome.exception);
    assert!(outcome
        .events
        .iter()
        .all(|e| e.state != LaneState::WaitingGil));
    assert_eq!(outcome.gil.switches, 0);
}

#[test]
fn a_sleeping_thread_lets_the_gil_go_so_sleeps_overlap() {
    let program = "import threading, time\n\
                   def nap():\n    time.sleep(0.2)\n\
                   t0 = time.perf_counter()\nts = [threading.Thread(target=nap) for _ in range(3)]\n\
                   for t in ts: t.start()\nfor t in ts: t.join()\n\
                   print(time.perf_counter() - t0 < 0.5)\n";
    assert_eq!(stdout(&run_as(program, GIL)), ["True"]);
}

#[test]
fn an_endless_loop_with_the_gil_is_stopped_at_a_switch_point() {
    // No blocking call anywhere: only the switch point can deliver the stop.
    let program = "print('looping')\nwhile True:\n    pass\n";
    let outcome = common::run_with_stop_after(program, GIL, 300.0);
    assert!(outcome.stopped.is_some());
    assert_eq!(outcome.exit_code, 1);
    assert!(
        outcome.exception.is_none(),
        "a stop is not the program's error: {:?}",
        outcome.exception
    );
    assert!(outcome.duration_ms < 10_000.0, "{}", outcome.duration_ms);
}

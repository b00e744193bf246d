//! Our `select`, `_signal`, `subprocess` and in-memory `socket.socketpair()` (python/src/stdlib), on
//! which the standard asyncio runs: what a learner's program gets from each, and that Stop ends an
//! event loop that never finishes. (The asyncio tutorials in tests/tutorials compare with CPython.)

mod common;

use common::{run, run_with_stop_after, stderr, stdout};
use playground::engine::gil::Interpreter;

fn lines_of(program: &str) -> Vec<String> {
    let out = run(program);
    assert_eq!(out.exit_code, 0, "stderr: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn a_socket_pair_carries_bytes_between_threads_and_select_waits_for_them() {
    let got = lines_of(
        r#"
import select, socket, threading, time
a, b = socket.socketpair()
print(isinstance(a, socket.socket), a.family.name, select.select([b], [], [], 0))
def later():
    time.sleep(0.2)
    a.sendall(b"hello")
threading.Thread(target=later).start()
start = time.perf_counter()
r, w, x = select.select([b], [a], [], 5)
print(r == [], w == [a])
r, _, _ = select.select([b], [], [], 5)
print(r == [b], 0.15 < time.perf_counter() - start < 4)
print(b.recv(3), b.recv(100))
b.setblocking(False)
try:
    b.recv(1)
except BlockingIOError:
    print("would block")
b.settimeout(0.05)
try:
    b.recv(1)
except TimeoutError:
    print("timed out")
a.close()
print(b.recv(1), select.select([b], [], [], None)[0] == [b])
try:
    b.send(b"x")
except BrokenPipeError:
    print("broken pipe")
"#,
    );
    assert_eq!(
        got,
        [
            "True AF_UNIX ([], [], [])",
            "True True",
            "True True",
            "b'hel' b'lo'",
            "would block",
            "timed out",
            "b'' True",
            "broken pipe"
        ]
    );
}

#[test]
fn select_says_what_it_can_wait_on() {
    let got = lines_of(
        r#"
import select, time
for args in ([[0], [], []], [[-1], [], []], [[], [], [], -1], [[object()], [], []]):
    try:
        select.select(*args)
    except (OSError, ValueError, TypeError) as e:
        print(type(e).__name__, e)
start = time.perf_counter()
print(select.select([], [], [], 0.2), time.perf_counter() - start >= 0.19)
"#,
    );
    assert_eq!(got[0], "OSError [Errno 9] Bad file descriptor: in the browser select() can wait only on the ends of a socket.socketpair(), and 0 is not one");
    assert_eq!(
        got[1],
        "ValueError file descriptor cannot be a negative integer (-1)"
    );
    assert_eq!(got[2], "ValueError timeout must be non-negative");
    assert_eq!(
        got[3],
        "TypeError argument must be an int, or have a fileno() method."
    );
    assert_eq!(got[4], "([], [], []) True");
}

#[test]
fn a_network_socket_says_what_to_use_instead() {
    let got = lines_of(
        r#"
import socket
for open_one in (socket.socket, lambda: socket.create_connection(("example.com", 80))):
    try:
        open_one()
    except OSError as e:
        print(type(e).__name__, e)
"#,
    );
    assert_eq!(got, [
        "OSError [Errno 38] socket.socket(): a browser page cannot open network sockets; fetch the page's own files with urllib.request.urlopen(), or pass data between threads with queue.Queue (socket.socketpair() works, in memory)",
        "gaierror [Errno -4] getaddrinfo(): a browser page cannot open network sockets; fetch the page's own files with urllib.request.urlopen(), or pass data between threads with queue.Queue",
    ]);
}

#[test]
fn signal_handlers_are_kept_as_cpython_keeps_them() {
    let got = lines_of(
        r#"
import signal, threading
print(signal.getsignal(signal.SIGINT) is signal.default_int_handler, signal.SIGTERM, signal.Signals.SIGTERM.name)
seen = []
old = signal.signal(signal.SIGUSR1, lambda n, frame: seen.append(n))
print(old, signal.strsignal(signal.SIGTERM))
signal.raise_signal(signal.SIGUSR1)
print(seen)
def elsewhere():
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError as e:
        print(e)
t = threading.Thread(target=elsewhere); t.start(); t.join()
try:
    signal.alarm(1)
except OSError as e:
    print(e)
try:
    signal.raise_signal(signal.SIGINT)
except KeyboardInterrupt:
    print("KeyboardInterrupt")
"#,
    );
    assert_eq!(
        got,
        [
            "True 15 SIGTERM",
            "0 Terminated",
            "[10]",
            "signal only works in main thread of the main interpreter",
            "[Errno 38] signal.alarm(): no signal ever arrives in the browser; use threading.Timer(seconds, function) to run something later",
            "KeyboardInterrupt",
        ]
    );
}

#[test]
fn subprocess_says_there_are_no_programs_to_run() {
    let got = lines_of(
        r#"
import subprocess
try:
    subprocess.run(["ls", "-l"], capture_output=True)
except OSError as e:
    print(e)
print(subprocess.PIPE, subprocess.CompletedProcess(["x"], 0))
"#,
    );
    assert_eq!(got[0], "[Errno 38] cannot run ['ls', '-l']: a browser has no operating-system programs to start; for Python code in another process use multiprocessing.Process or concurrent.futures.ProcessPoolExecutor");
    assert_eq!(got[1], "-1 CompletedProcess(args=['x'], returncode=0)");
}

#[test]
fn stop_ends_an_event_loop_that_never_finishes() {
    for program in [
        // Waiting in select() for the next timer...
        "import asyncio\nasync def main():\n    print('running')\n    while True:\n        await asyncio.sleep(0.05)\nasyncio.run(main())\n",
        // ... or for nothing at all, with no timer.
        "import asyncio\nasync def main():\n    print('running')\n    await asyncio.Event().wait()\nasyncio.run(main())\n",
    ] {
        let outcome = run_with_stop_after(program, Interpreter::FreeThreaded, 300.0);
        assert!(outcome.stopped.is_some(), "{program}: {}", stderr(&outcome));
        assert!(outcome.exception.is_none(), "a stop is not the program's error: {:?}", outcome.exception);
        assert!(outcome.duration_ms < 20_000.0, "{}", outcome.duration_ms);
    }
}

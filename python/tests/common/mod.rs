//! What the native Python tests share: running a program as the runtime does, one at a time.

use std::sync::Mutex;

use playground_python::PythonOutcome;

/// One run at a time: the engine's log and stop flag belong to the process.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `source` on a thread of its own, as the runtime runs a program's main thread on a worker (with
/// a native pool worker's stack: the test harness's 2 MiB threads are too small for an unoptimized
/// interpreter), then stops the threads it left behind and waits until they are gone.
pub fn run(source: &str) -> PythonOutcome {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let source = source.to_string();
    let outcome = std::thread::Builder::new()
        .stack_size(playground::engine::pool::NATIVE_STACK_BYTES)
        .spawn(move || {
            playground_python::reset();
            playground_python::run(&source)
        })
        .expect("a thread for the program")
        .join()
        .expect("the program's main thread panicked");
    playground::engine::cancel::request("the program has ended");
    while playground::engine::pool::POOL.outstanding() > 0 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    outcome
}

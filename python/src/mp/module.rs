//! `_mp`: the native side of our `multiprocessing` (`multiprocessing.py`). Each function is one kernel
//! call; the Python side pickles objects to bytes and back, and names the functions after what CPython's
//! `multiprocessing` does with them.

pub(crate) use mp_module::module_def;

#[rustpython_vm::pymodule(name = "_mp")]
mod mp_module {
    use playground::engine::cancel;
    use rustpython_vm::builtins::PyBytesRef;
    use rustpython_vm::function::OptionalArg;
    use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

    use crate::mp::kernel::{self, Answer};
    use crate::mp::protocol::{Call, Id, Reply};
    use crate::mp::{child, client, shared};

    #[pyattr]
    const MAX_PROCESSES: usize = kernel::MAX_PROCESSES;

    /// Seconds (or `None`) as the kernel's milliseconds.
    fn timeout_ms(timeout: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Option<f64>> {
        if vm.is_none(timeout) {
            return Ok(None);
        }
        let secs = timeout.try_float(vm)?.to_f64();
        if secs.is_nan() {
            return Err(vm.new_value_error("timeout must be a number, not NaN"));
        }
        Ok(Some((secs * 1000.0).max(0.0)))
    }

    /// Makes the call; a stop raises what every wait of ours raises, a program's mistake `ValueError`.
    fn call(c: Call, data: Option<Vec<u8>>, vm: &VirtualMachine) -> PyResult<Answer> {
        let answer = client::call(c, data);
        if cancel::is_cancelled() && answer.0 == Reply::TimedOut {
            return Err(crate::stop::exception(vm));
        }
        match answer.0 {
            Reply::Error { message } => Err(vm.new_value_error(message)),
            Reply::Orphaned => Err(vm.new_runtime_error(
                "this wait can never end: no other thread or process is left that could send what it waits for (CPython would hang here for ever)",
            )),
            _ => Ok(answer),
        }
    }

    fn number(answer: Answer, vm: &VirtualMachine) -> PyResult<i64> {
        match answer.0 {
            Reply::Value { value } => Ok(value),
            other => Err(vm.new_system_error(format!("the kernel answered {other:?}"))),
        }
    }

    fn id(answer: Answer, vm: &VirtualMachine) -> PyResult<Id> {
        match answer.0 {
            Reply::Id { id } => Ok(id),
            other => Err(vm.new_system_error(format!("the kernel answered {other:?}"))),
        }
    }

    #[pyfunction]
    fn new_channel(tokens: u32, via: OptionalArg<String>, vm: &VirtualMachine) -> PyResult<Id> {
        let via = via.into_option();
        id(call(Call::NewChannel { tokens, via }, None, vm)?, vm)
    }

    #[pyfunction]
    fn put(ch: Id, data: PyBytesRef, vm: &VirtualMachine) -> PyResult<()> {
        call(Call::Put { ch }, Some(data.as_bytes().to_vec()), vm).map(drop)
    }

    /// The next item of `ch` as bytes, or `None` when `timeout` (seconds; `None` waits for ever) passed.
    #[pyfunction]
    fn get(ch: Id, timeout: PyObjectRef, vm: &VirtualMachine) -> PyResult<Option<PyObjectRef>> {
        let timeout_ms = timeout_ms(&timeout, vm)?;
        let (reply, data) = call(
            Call::Get {
                ch,
                timeout_ms,
                peek: false,
            },
            None,
            vm,
        )?;
        Ok((reply == Reply::Item).then(|| vm.ctx.new_bytes(data.unwrap_or_default()).into()))
    }

    /// Whether `ch` has an item within `timeout`, taking none (`Connection.poll`).
    #[pyfunction]
    fn poll(ch: Id, timeout: PyObjectRef, vm: &VirtualMachine) -> PyResult<bool> {
        let timeout_ms = timeout_ms(&timeout, vm)?;
        let (reply, _) = call(
            Call::Get {
                ch,
                timeout_ms,
                peek: true,
            },
            None,
            vm,
        )?;
        Ok(reply == Reply::Item)
    }

    #[pyfunction]
    fn qsize(ch: Id, vm: &VirtualMachine) -> PyResult<i64> {
        number(call(Call::Len { ch }, None, vm)?, vm)
    }

    /// The first of `slots` fresh slots of the shared memory (a `Value`'s, an `Array`'s).
    #[pyfunction]
    fn new_shared(slots: u32, vm: &VirtualMachine) -> PyResult<u32> {
        id(call(Call::NewShared { slots }, None, vm)?, vm)
    }

    /// The values of slots `first..first + count` of the shared memory: read here, not by message (but
    /// for a child in solo mode, which cannot map it: see `shared::is_remote`).
    #[pyfunction]
    fn shared_load(first: u32, count: u32, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        if shared::is_remote() {
            let (_, data) = call(Call::LoadShared { first, count }, None, vm)?;
            let values = shared::values_of(&data.unwrap_or_default())
                .into_iter()
                .map(|v| vm.ctx.new_int(v).into())
                .collect();
            return Ok(vm.ctx.new_list(values).into());
        }
        let values = (0..count)
            .map(|i| {
                shared::load(first.saturating_add(i))
                    .map(|v| vm.ctx.new_int(v).into())
                    .map_err(|e| vm.new_value_error(e))
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(vm.ctx.new_list(values).into())
    }

    /// Writes `values` to the slots from `first` on.
    #[pyfunction]
    fn shared_store(first: u32, values: Vec<i64>, vm: &VirtualMachine) -> PyResult<()> {
        if shared::is_remote() {
            return call(
                Call::StoreShared { first },
                Some(shared::bytes_of(&values)),
                vm,
            )
            .map(drop);
        }
        for (i, value) in (0u32..).zip(values) {
            shared::store(first.saturating_add(i), value).map_err(|e| vm.new_value_error(e))?;
        }
        Ok(())
    }

    #[pyfunction]
    fn new_cell(value: i64, vm: &VirtualMachine) -> PyResult<Id> {
        id(call(Call::NewCell { value }, None, vm)?, vm)
    }

    #[pyfunction]
    fn add(cell: Id, delta: i64, vm: &VirtualMachine) -> PyResult<i64> {
        number(call(Call::Add { cell, delta }, None, vm)?, vm)
    }

    #[pyfunction]
    fn store(cell: Id, value: i64, vm: &VirtualMachine) -> PyResult<()> {
        call(Call::Store { cell, value }, None, vm).map(drop)
    }

    #[pyfunction]
    fn load(cell: Id, vm: &VirtualMachine) -> PyResult<i64> {
        number(call(Call::Load { cell }, None, vm)?, vm)
    }

    /// Waits until `cell` is non-zero (or zero); false when `timeout` passed first.
    #[pyfunction]
    fn wait_cell(
        cell: Id,
        nonzero: bool,
        timeout: PyObjectRef,
        vm: &VirtualMachine,
    ) -> PyResult<bool> {
        let timeout_ms = timeout_ms(&timeout, vm)?;
        let (reply, _) = call(
            Call::WaitCell {
                cell,
                nonzero,
                timeout_ms,
            },
            None,
            vm,
        )?;
        Ok(reply == Reply::Done)
    }

    /// Starts a child process named `name` that runs the program as `__mp_main__`, then `payload`
    /// (the pickled `Process`); its pid.
    #[pyfunction]
    fn spawn(name: String, payload: PyBytesRef, vm: &VirtualMachine) -> PyResult<u32> {
        if child::is_child() {
            return Err(vm.new_runtime_error(
                "a child process cannot start processes of its own in the playground (start them all from the main process)",
            ));
        }
        if let Some(refusal) = crate::solo::process_refusal() {
            return Err(vm.new_runtime_error(refusal));
        }
        kernel::spawn(&name, &crate::mp::program(), payload.as_bytes().to_vec())
            .map_err(|message| vm.new_runtime_error(message))
    }

    /// `Process.join(timeout)`: the exit code, or `None` if it is still running after `timeout`.
    #[pyfunction]
    fn join(pid: u32, timeout: PyObjectRef, vm: &VirtualMachine) -> PyResult<Option<i32>> {
        let timeout_ms = timeout_ms(&timeout, vm)?;
        let code = kernel::join(pid, timeout_ms);
        if code.is_none() && cancel::is_cancelled() {
            return Err(crate::stop::exception(vm));
        }
        Ok(code)
    }

    #[pyfunction]
    fn exitcode(pid: u32) -> Option<i32> {
        kernel::exit_code(pid)
    }

    /// `terminate()` (code -15, SIGTERM) and `kill()` (-9).
    #[pyfunction]
    fn kill(pid: u32, code: i32) {
        kernel::kill(pid, code);
    }

    /// Ends the whole run with `reason` (see `_abort_bootstrap` in `multiprocessing.py`).
    #[pyfunction]
    fn abort_run(reason: String, vm: &VirtualMachine) -> PyResult<()> {
        call(Call::Abort { reason }, None, vm).map(drop)
    }

    #[pyfunction]
    fn is_child() -> bool {
        child::is_child()
    }

    /// Whether no thread can run beside the main one (solo mode): a `Pool` then hands its results over
    /// while the main thread waits (`add_pump`) instead of on a thread of its own.
    #[pyfunction]
    fn solo() -> bool {
        crate::solo::is_solo()
    }

    /// Registers `pump(timeout) -> bool`, which hands one result over (see `crate::solo::pump`).
    #[pyfunction]
    fn add_pump(pump: PyObjectRef) {
        crate::solo::pump::add(pump);
    }

    #[pyfunction]
    fn remove_pump(pump: PyObjectRef) {
        crate::solo::pump::remove(&pump);
    }
}

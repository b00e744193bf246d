//! Our `_thread`, registered under that name in place of RustPython's: the module `threading.py` is built
//! on. Python threads are the engine's threads (a Web Worker on the shared memory in the browser, an OS
//! thread natively), Python locks are the engine's locks, so the wait-for graph, the timeline's
//! "waiting for a lock" and the Stop button work for learner code as they do for the lessons.
//!
//! RustPython's own `_thread` starts threads with `std::thread::spawn` (an error on
//! wasm32-unknown-unknown) and times waits with `Instant::now()` (a panic there); nothing here reaches
//! either.

pub(crate) use engine_thread::module_def;

/// Most Python threads alive at once: each one holds a Web Worker (and its stack) while it runs.
pub const MAX_THREADS: usize = 64;

#[rustpython_vm::pymodule(name = "_thread")]
pub mod engine_thread {
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use playground::clock::now_ms;
    use playground::engine::primitives::{AcquireError, Lock as EngineLock};
    use playground::engine::{cancel, thread as engine_thread_api};
    use rustpython_vm::builtins::{PyStrRef, PyTypeRef};
    use rustpython_vm::function::{ArgCallable, FuncArgs, OptionalArg};
    use rustpython_vm::types::{Constructor, Representable};
    use rustpython_vm::{
        pyclass, AsObject, Py, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine,
    };

    use crate::threads::{alive, current_ident, MAIN_IDENT};
    use crate::{stop, threads};

    /// `threading.TIMEOUT_MAX`, in seconds: about 292 years, as on 64-bit Linux.
    #[pyattr]
    const TIMEOUT_MAX: f64 = 9_223_372_036.0;

    #[pyattr]
    fn error(vm: &VirtualMachine) -> PyTypeRef {
        vm.ctx.exceptions.runtime_error.to_owned()
    }

    /// "Lock (main.py:4)": where the program created a lock, for the deadlock report.
    fn lock_name(vm: &VirtualMachine) -> String {
        match vm.current_frame() {
            Some(frame) => format!(
                "the lock made at {}:{}",
                frame.f_code().source_path(),
                frame.lineno()
            ),
            None => "a lock".to_string(),
        }
    }

    fn parse_timeout(blocking: bool, timeout: f64, vm: &VirtualMachine) -> PyResult<Option<f64>> {
        if !blocking {
            if timeout != -1.0 {
                return Err(vm.new_value_error("can't specify a timeout for a non-blocking call"));
            }
            return Ok(Some(0.0));
        }
        if timeout == -1.0 {
            return Ok(None);
        }
        if timeout < 0.0 {
            return Err(vm.new_value_error("timeout value must be a non-negative number"));
        }
        if timeout > TIMEOUT_MAX {
            return Err(vm.new_overflow_error("timeout value is too large"));
        }
        Ok(Some(timeout * 1000.0))
    }

    /// `lock.acquire(blocking=True, timeout=-1)`, from positional or keyword arguments.
    fn acquire_args(args: &FuncArgs, vm: &VirtualMachine) -> PyResult<Option<f64>> {
        let get = |i: usize, name: &str| {
            args.args
                .get(i)
                .cloned()
                .or_else(|| args.kwargs.get(name).cloned())
        };
        let blocking = match get(0, "blocking") {
            Some(b) => b.try_to_bool(vm)?,
            None => true,
        };
        let timeout = match get(1, "timeout") {
            Some(t) if !vm.is_none(&t) => t.try_float(vm)?.to_f64(),
            _ => -1.0,
        };
        parse_timeout(blocking, timeout, vm)
    }

    /// `_thread.lock`: an engine lock, so waits are drawn and deadlocks detected.
    #[pyattr(name = "LockType")]
    #[pyattr(name = "lock")]
    #[pyclass(module = "_thread", name = "lock")]
    #[derive(PyPayload)]
    pub(crate) struct Lock {
        inner: EngineLock,
    }

    impl std::fmt::Debug for Lock {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.pad("Lock")
        }
    }

    impl Lock {
        fn new(vm: &VirtualMachine) -> Self {
            Lock {
                inner: EngineLock::python(&lock_name(vm)),
            }
        }

        fn acquire_for(&self, timeout_ms: Option<f64>, vm: &VirtualMachine) -> PyResult<bool> {
            acquire_engine_lock(&self.inner, timeout_ms, vm)
        }
    }

    /// Takes `lock` (waiting at most `timeout_ms`; `None`: for as long as it takes): whether it was
    /// taken. A stop or a detected deadlock raises instead (see `crate::stop`).
    fn acquire_engine_lock(
        lock: &EngineLock,
        timeout_ms: Option<f64>,
        vm: &VirtualMachine,
    ) -> PyResult<bool> {
        if lock.try_acquire() {
            return Ok(true);
        }
        if timeout_ms == Some(0.0) {
            return Ok(false);
        }
        // Solo mode: a pool's results are handed over while the main thread waits (crate::solo::pump).
        let timeout_ms = match crate::solo::pump::acquire_pumping(lock, timeout_ms, vm)? {
            crate::solo::pump::Pumped::Done(taken) => return Ok(taken),
            crate::solo::pump::Pumped::NoPump { left_ms } => left_ms,
        };
        let result = vm.allow_threads(|| lock.acquire_timeout(timeout_ms));
        match result {
            Ok(()) => Ok(true),
            Err(AcquireError::TimedOut) if !cancel::is_cancelled() => Ok(false),
            Err(AcquireError::TimedOut) => Err(stop::exception(vm)),
            Err(AcquireError::Deadlock(found)) => Err(stop::deadlock(found, vm)),
        }
    }

    #[pyclass(with(Constructor, Representable), flags(BASETYPE, HAS_WEAKREF))]
    impl Lock {
        #[pymethod]
        fn acquire(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
            let timeout = acquire_args(&args, vm)?;
            zelf.acquire_for(timeout, vm)
        }

        #[pymethod]
        fn acquire_lock(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
            Self::acquire(zelf, args, vm)
        }

        #[pymethod]
        fn __enter__(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<bool> {
            zelf.acquire_for(None, vm)
        }

        #[pymethod]
        fn release(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<()> {
            zelf.inner
                .release()
                .map_err(|_| vm.new_runtime_error("release unlocked lock"))
        }

        #[pymethod]
        fn release_lock(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<()> {
            Self::release(zelf, vm)
        }

        #[pymethod]
        fn __exit__(zelf: &Py<Self>, _args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
            Self::release(zelf, vm)
        }

        #[pymethod]
        fn locked(zelf: &Py<Self>) -> bool {
            zelf.inner.locked()
        }

        #[pymethod]
        fn locked_lock(zelf: &Py<Self>) -> bool {
            zelf.inner.locked()
        }

        #[pymethod]
        fn _at_fork_reinit(_zelf: &Py<Self>) {}
    }

    impl Constructor for Lock {
        type Args = FuncArgs;

        fn py_new(
            _cls: &Py<rustpython_vm::builtins::PyType>,
            _args: FuncArgs,
            vm: &VirtualMachine,
        ) -> PyResult<Self> {
            Ok(Lock::new(vm))
        }
    }

    impl Representable for Lock {
        fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
            let state = if zelf.inner.locked() {
                "locked"
            } else {
                "unlocked"
            };
            Ok(format!(
                "<{state} _thread.lock object at {:#x}>",
                zelf.get_id()
            ))
        }
    }

    /// `_thread.RLock`: the thread that holds it may take it again (importlib and `threading.Condition`
    /// use it). Built on a plain engine lock plus an owner and a count, so its waits are drawn and its
    /// cycles detected like a Lock's.
    #[pyattr]
    #[pyclass(module = "_thread", name = "RLock")]
    #[derive(PyPayload)]
    pub(crate) struct RLock {
        inner: EngineLock,
        owner: AtomicU64,
        count: AtomicUsize,
    }

    impl std::fmt::Debug for RLock {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.pad("RLock")
        }
    }

    impl RLock {
        fn owned(&self) -> bool {
            self.owner.load(Ordering::SeqCst) == current_ident()
                && self.count.load(Ordering::SeqCst) > 0
        }

        fn take(&self, timeout_ms: Option<f64>, vm: &VirtualMachine) -> PyResult<bool> {
            if self.owned() {
                self.count.fetch_add(1, Ordering::SeqCst);
                return Ok(true);
            }
            let taken = acquire_engine_lock(&self.inner, timeout_ms, vm)?;
            if taken {
                self.owner.store(current_ident(), Ordering::SeqCst);
                self.count.store(1, Ordering::SeqCst);
            }
            Ok(taken)
        }

        fn give(&self, vm: &VirtualMachine) -> PyResult<()> {
            if !self.owned() {
                return Err(vm.new_runtime_error("cannot release un-acquired lock"));
            }
            if self.count.fetch_sub(1, Ordering::SeqCst) == 1 {
                self.owner.store(0, Ordering::SeqCst);
                let _ = self.inner.release();
            }
            Ok(())
        }
    }

    #[pyclass(with(Constructor, Representable), flags(BASETYPE, HAS_WEAKREF))]
    impl RLock {
        #[pymethod]
        fn acquire(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
            let timeout = acquire_args(&args, vm)?;
            zelf.take(timeout, vm)
        }

        #[pymethod]
        fn __enter__(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<bool> {
            zelf.take(None, vm)
        }

        #[pymethod]
        fn release(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<()> {
            zelf.give(vm)
        }

        #[pymethod]
        fn __exit__(zelf: &Py<Self>, _args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
            zelf.give(vm)
        }

        #[pymethod]
        fn locked(zelf: &Py<Self>) -> bool {
            zelf.inner.locked()
        }

        #[pymethod]
        fn _is_owned(zelf: &Py<Self>) -> bool {
            zelf.owned()
        }

        #[pymethod]
        fn _recursion_count(zelf: &Py<Self>) -> usize {
            if zelf.owned() {
                zelf.count.load(Ordering::SeqCst)
            } else {
                0
            }
        }

        /// For `Condition.wait`: let go entirely, and say how to take it back.
        #[pymethod]
        fn _release_save(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<(usize, u64)> {
            if !zelf.owned() {
                return Err(vm.new_runtime_error("cannot release un-acquired lock"));
            }
            let count = zelf.count.swap(0, Ordering::SeqCst);
            let owner = zelf.owner.swap(0, Ordering::SeqCst);
            let _ = zelf.inner.release();
            Ok((count, owner))
        }

        #[pymethod]
        fn _acquire_restore(
            zelf: &Py<Self>,
            state: rustpython_vm::builtins::PyTupleRef,
            vm: &VirtualMachine,
        ) -> PyResult<()> {
            let [count, owner] = state.as_slice() else {
                return Err(
                    vm.new_type_error("_acquire_restore() needs the state _release_save() gave")
                );
            };
            let (count, owner): (usize, u64) = (count.try_to_value(vm)?, owner.try_to_value(vm)?);
            acquire_engine_lock(&zelf.inner, None, vm)?;
            zelf.owner.store(owner, Ordering::SeqCst);
            zelf.count.store(count, Ordering::SeqCst);
            Ok(())
        }

        #[pymethod]
        fn _at_fork_reinit(_zelf: &Py<Self>) {}
    }

    impl Constructor for RLock {
        type Args = FuncArgs;

        fn py_new(
            _cls: &Py<rustpython_vm::builtins::PyType>,
            _args: FuncArgs,
            vm: &VirtualMachine,
        ) -> PyResult<Self> {
            Ok(RLock {
                inner: EngineLock::python(&format!(
                    "the RLock made at {}",
                    lock_name(vm).trim_start_matches("the lock made at ")
                )),
                owner: AtomicU64::new(0),
                count: AtomicUsize::new(0),
            })
        }
    }

    impl Representable for RLock {
        fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
            let state = if zelf.inner.locked() {
                "locked"
            } else {
                "unlocked"
            };
            Ok(format!(
                "<{state} _thread.RLock object owner={} count={} at {:#x}>",
                zelf.owner.load(Ordering::SeqCst),
                zelf.count.load(Ordering::SeqCst),
                zelf.get_id()
            ))
        }
    }

    #[pyfunction]
    fn allocate_lock(vm: &VirtualMachine) -> Lock {
        Lock::new(vm)
    }

    #[pyfunction]
    fn allocate(vm: &VirtualMachine) -> Lock {
        Lock::new(vm)
    }

    /// What `_ThreadHandle.join` waits on: the engine thread, or nothing for the main thread's handle.
    #[derive(Default)]
    struct HandleState {
        thread: Option<Arc<engine_thread_api::JoinHandle<()>>>,
        /// Set by `_set_done` (the main thread's handle) or once the thread was seen finished.
        done: bool,
        started: bool,
    }

    /// `_thread._ThreadHandle`: what `threading.Thread` joins.
    #[pyattr]
    #[pyclass(module = "_thread", name = "_ThreadHandle")]
    #[derive(PyPayload)]
    pub(crate) struct ThreadHandle {
        ident: AtomicU64,
        state: Mutex<HandleState>,
    }

    impl std::fmt::Debug for ThreadHandle {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.pad("_ThreadHandle")
        }
    }

    impl ThreadHandle {
        fn new(ident: u64, started: bool) -> Self {
            ThreadHandle {
                ident: AtomicU64::new(ident),
                state: Mutex::new(HandleState {
                    started,
                    ..HandleState::default()
                }),
            }
        }

        fn thread(&self) -> Option<Arc<engine_thread_api::JoinHandle<()>>> {
            playground::engine::lock(&self.state).thread.clone()
        }

        fn finished(&self) -> bool {
            let st = playground::engine::lock(&self.state);
            st.done || st.thread.as_ref().is_some_and(|t| !t.is_alive())
        }
    }

    #[pyclass(with(Constructor, Representable))]
    impl ThreadHandle {
        #[pygetset]
        fn ident(zelf: &Py<Self>) -> u64 {
            zelf.ident.load(Ordering::SeqCst)
        }

        #[pymethod]
        fn is_done(zelf: &Py<Self>) -> bool {
            zelf.finished()
        }

        #[pymethod]
        fn _set_done(zelf: &Py<Self>) {
            playground::engine::lock(&zelf.state).done = true;
        }

        /// `join(timeout=None)`: blocks until the thread ends, the timeout passes or the run is stopped.
        #[pymethod]
        fn join(
            zelf: &Py<Self>,
            timeout: OptionalArg<PyObjectRef>,
            vm: &VirtualMachine,
        ) -> PyResult<()> {
            if !playground::engine::lock(&zelf.state).started {
                return Err(vm.new_runtime_error("thread not started"));
            }
            if Self::ident(zelf) == current_ident() {
                return Err(vm.new_runtime_error("Cannot join current thread"));
            }
            let timeout_s = match timeout {
                OptionalArg::Present(t) if !vm.is_none(&t) => {
                    Some(t.try_float(vm)?.to_f64().max(0.0))
                }
                _ => None,
            };
            let Some(thread) = zelf.thread() else {
                return Ok(()); // the main thread's handle: joined only once it is done
            };
            let deadline = timeout_s.map(|s| now_ms() + s * 1000.0);
            vm.allow_threads(|| thread.wait_until(deadline));
            if cancel::is_cancelled() {
                return Err(stop::exception(vm));
            }
            Ok(())
        }
    }

    impl Constructor for ThreadHandle {
        type Args = FuncArgs;

        fn py_new(
            _cls: &Py<rustpython_vm::builtins::PyType>,
            _args: FuncArgs,
            _vm: &VirtualMachine,
        ) -> PyResult<Self> {
            Ok(ThreadHandle::new(0, false))
        }
    }

    impl Representable for ThreadHandle {
        fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
            Ok(format!(
                "<_thread._ThreadHandle object: ident={}>",
                zelf.ident.load(Ordering::SeqCst)
            ))
        }
    }

    #[pyfunction]
    fn get_ident() -> u64 {
        current_ident()
    }

    /// The engine's thread ids are the idents; there is no OS thread id to show.
    #[pyfunction]
    fn get_native_id() -> u64 {
        current_ident()
    }

    #[pyfunction]
    fn _get_main_thread_ident() -> u64 {
        MAIN_IDENT
    }

    #[pyfunction]
    fn _is_main_interpreter() -> bool {
        true
    }

    #[pyfunction]
    fn daemon_threads_allowed() -> bool {
        true
    }

    #[pyfunction]
    fn _count() -> usize {
        alive()
    }

    /// `threading.stack_size()`: every thread runs on a worker whose stack the runtime sizes (see
    /// `crate::limits`), so only 0 (the default) can be set.
    #[pyfunction]
    fn stack_size(size: OptionalArg<usize>, vm: &VirtualMachine) -> PyResult<usize> {
        match size {
            OptionalArg::Present(0) | OptionalArg::Missing => Ok(0),
            OptionalArg::Present(_) => Err(vm.new_value_error(
                "the playground sizes every thread's stack itself; only stack_size(0) is accepted",
            )),
        }
    }

    #[pyfunction]
    fn _make_thread_handle(ident: u64) -> ThreadHandle {
        ThreadHandle::new(ident, true)
    }

    /// Waits for every non-daemon thread, as the interpreter does at exit (`threading._shutdown` calls
    /// this). Daemon threads are left running; the runtime stops them once the program has ended.
    #[pyfunction]
    fn _shutdown(vm: &VirtualMachine) -> PyResult<()> {
        loop {
            let Some(thread) = threads::running_non_daemon() else {
                return Ok(());
            };
            vm.allow_threads(|| thread.wait_until(None));
            if cancel::is_cancelled() && thread.is_alive() {
                return Err(stop::exception(vm));
            }
        }
    }

    #[pyfunction]
    fn exit(vm: &VirtualMachine) -> PyResult<()> {
        Err(vm.new_exception_empty(vm.ctx.exceptions.system_exit.to_owned()))
    }

    #[pyfunction]
    fn interrupt_main(vm: &VirtualMachine) -> PyResult<()> {
        Err(vm.new_runtime_error("interrupt_main() is not available in the playground"))
    }

    #[pyfunction]
    fn set_name(_name: PyStrRef) {}

    /// The Thread object a `_bootstrap` bound method belongs to, for the lane's name.
    fn thread_name(function: &PyObjectRef, vm: &VirtualMachine) -> String {
        function
            .get_attr("__self__", vm)
            .and_then(|owner| owner.get_attr("name", vm))
            .and_then(|name| name.str(vm))
            .map(|s| s.to_string())
            .unwrap_or_else(|_| format!("Thread-{}", threads::last_ident()))
    }

    /// Starts `body` as a Python thread on an engine thread; returns its handle.
    fn spawn(
        function: ArgCallable,
        args: FuncArgs,
        name: String,
        daemon: bool,
        vm: &VirtualMachine,
    ) -> PyResult<PyRef<ThreadHandle>> {
        if cancel::is_cancelled() {
            return Err(stop::exception(vm));
        }
        if let Some(refusal) = crate::solo::thread_refusal() {
            return Err(vm.new_runtime_error(refusal));
        }
        let Some(ident) = threads::reserve(super::MAX_THREADS) else {
            return Err(vm.new_runtime_error(format!(
                "can't start new thread: the playground runs at most {} Python threads at once \
                 (each is a Web Worker); join some before starting more",
                super::MAX_THREADS
            )));
        };
        let handle = ThreadHandle::new(ident, true).into_ref(&vm.ctx);
        let body = vm.new_thread().make_spawn_func(move |vm| {
            threads::set_current(ident);
            if let Err(exc) = function.invoke(args, vm) {
                if !exc.fast_isinstance(vm.ctx.exceptions.system_exit) && !stop::is_stop(&exc, vm) {
                    let msg = function
                        .as_ref()
                        .repr(vm)
                        .ok()
                        .map(|r| format!("Exception ignored in thread started by {r}"));
                    vm.run_unraisable(exc, msg, vm.ctx.none());
                }
            }
            crate::stdio::flush_thread();
            rustpython_vm::vm::thread::cleanup_current_thread_frames(vm);
            threads::finished();
        });
        let thread = Arc::new(engine_thread_api::spawn(name, "python", body));
        if !daemon {
            threads::add_non_daemon(thread.clone());
        }
        playground::engine::lock(&handle.state).thread = Some(thread);
        Ok(handle)
    }

    /// `start_joinable_thread(function, handle=None, daemon=True)`: what `Thread.start()` calls.
    #[pyfunction]
    fn start_joinable_thread(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyRef<ThreadHandle>> {
        let get = |i: usize, name: &str| {
            args.args
                .get(i)
                .cloned()
                .or_else(|| args.kwargs.get(name).cloned())
        };
        let function_obj = get(0, "function").ok_or_else(|| {
            vm.new_type_error(
                "start_joinable_thread() missing required argument 'function' (pos 1)",
            )
        })?;
        let function: ArgCallable = function_obj
            .clone()
            .try_into_value(vm)
            .map_err(|_| vm.new_type_error("thread function must be callable"))?;
        let given = get(1, "handle").filter(|h| !vm.is_none(h));
        let daemon = match get(2, "daemon") {
            Some(d) => d.try_to_bool(vm)?,
            None => true,
        };
        let name = thread_name(&function_obj, vm);
        let started = spawn(function, FuncArgs::default(), name, daemon, vm)?;
        let Some(given) = given else {
            return Ok(started);
        };
        // `threading` passes its own handle: make that one refer to the thread just started.
        let given: PyRef<ThreadHandle> = given
            .downcast()
            .map_err(|_| vm.new_type_error("'handle' must be a _ThreadHandle"))?;
        given
            .ident
            .store(started.ident.load(Ordering::SeqCst), Ordering::SeqCst);
        {
            let mut st = playground::engine::lock(&given.state);
            st.thread = started.thread();
            st.started = true;
        }
        Ok(given)
    }

    /// `start_new_thread(function, args, kwargs={})`: the old, unjoinable way.
    #[pyfunction]
    fn start_new_thread(
        function: ArgCallable,
        args: rustpython_vm::builtins::PyTupleRef,
        kwargs: OptionalArg<rustpython_vm::builtins::PyDictRef>,
        vm: &VirtualMachine,
    ) -> PyResult<u64> {
        let mut call = FuncArgs::from(args.as_slice().to_vec());
        if let OptionalArg::Present(kwargs) = kwargs {
            for (k, v) in kwargs {
                let key = k.str(vm)?.as_wtf8().to_owned();
                call.kwargs.insert(key, v);
            }
        }
        let name = format!("Thread-{}", threads::last_ident());
        Ok(spawn(function, call, name, true, vm)?
            .ident
            .load(Ordering::SeqCst))
    }
}

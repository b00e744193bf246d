//! Our `posix`: what `import os` needs to succeed (RustPython's own needs `host_env`, which does not
//! build for wasm32-unknown-unknown). The native part is the little that needs Rust (random bytes, the
//! core count); `prelude.py` adds the rest in Python: a file system that is empty, an empty environment.

pub(crate) use posix_module::module_def;

#[rustpython_vm::pymodule(name = "posix")]
mod posix_module {
    use rustpython_vm::builtins::PyListRef;
    use rustpython_vm::{PyResult, VirtualMachine};

    /// `os` reads this to build `supports_dir_fd` and friends: we support none of those.
    #[pyattr]
    fn _have_functions(vm: &VirtualMachine) -> PyListRef {
        vm.ctx.new_list(Vec::new())
    }

    /// `os.urandom(n)`: the browser's `crypto.getRandomValues` (the OS's generator natively).
    #[pyfunction]
    fn urandom(n: isize, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let n =
            usize::try_from(n).map_err(|_| vm.new_value_error("negative argument not allowed"))?;
        let mut bytes = vec![0u8; n];
        getrandom::fill(&mut bytes).map_err(|e| vm.new_os_error(format!("urandom: {e}")))?;
        Ok(bytes)
    }

    #[pyfunction]
    fn cpu_count() -> usize {
        crate::platform::cpu_count()
    }

    /// One process: the page's runtime.
    #[pyfunction]
    fn getpid() -> u32 {
        crate::platform::pid()
    }

    #[pyfunction]
    fn getppid() -> u32 {
        0
    }
}

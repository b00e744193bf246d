//! Links the Python artifact (wasm32) with a main stack as large as its thread workers' stacks, so a
//! program run on the runtime worker itself (solo mode: a page that is not cross-origin isolated) has
//! the stack RustPython's recursion guard assumes. The stack sits first in memory (rustc's layout for
//! wasm32), so running past its end traps instead of writing over data.

include!("src/stack_bytes.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/stack_bytes.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=-zstack-size={THREAD_STACK_BYTES}");
    }
}

//! What the Python runtime asks of the machine it runs on: the browser (a worker's `navigator`, a
//! synchronous request) or, natively, the OS. The rest of the crate is the same code on both.

/// Cores available to threads.
pub fn cpu_count() -> usize {
    playground::platform::cores().unwrap_or(1)
}

/// `os.getpid()`: the main process is 1; each child process gets its own (see the multiprocessing work).
pub fn pid() -> u32 {
    1
}

/// The bytes of one of the page's own files, fetched synchronously (a worker may block).
///
/// # Errors
/// Why the request failed, as `urlopen` reports it.
pub fn fetch(path: &str) -> Result<Vec<u8>, String> {
    #[cfg(target_arch = "wasm32")]
    {
        use playground::platform::{fetch_blocking, Body};
        fetch_blocking(path, Body::Bytes, false).map(|(_, bytes)| bytes)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        // Natively (the tests) the "site" is the repository's checkout, or the directory a test names in
        // PLAYGROUND_SITE_ROOT (one with the sample files `npm run build` writes into dist/files/).
        let root = std::env::var_os("PLAYGROUND_SITE_ROOT").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
            std::path::PathBuf::from,
        );
        let clean = path.trim_start_matches('/');
        if clean.split('/').any(|part| part == "..") {
            return Err(format!("cannot fetch {path}: only the page's own files"));
        }
        std::fs::read(root.join(clean)).map_err(|e| format!("cannot fetch {path}: {e}"))
    }
}

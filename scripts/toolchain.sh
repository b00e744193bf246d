# Sourced by the build scripts: finds a Rust toolchain that can rebuild std for wasm32 with atomics.
# Sets WASM_CARGO (command prefix to run cargo with it) and WASM_TOOLCHAIN_DESC. Returns 1 when none fits.
find_wasm_toolchain() {
  # Debian's rustc-web set: a release compiler, so -Z flags need RUSTC_BOOTSTRAP; rustup's shims come
  # first on PATH, so name Debian's binaries explicitly.
  # rust-lld (rust-web-llvm) is a link to lld-22, which that package does not pull in: check it resolves.
  if [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] \
     && [ -x "$(readlink -f /usr/bin/rust-lld 2>/dev/null)" ] \
     && /usr/bin/rustc --print target-list 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    WASM_CARGO="env RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 /usr/bin/cargo"
    WASM_TOOLCHAIN_DESC="Debian $(/usr/bin/rustc --version)"
    return 0
  fi
  # A rustup nightly with rust-src (a developer's own machine).
  if command -v rustup >/dev/null 2>&1 && rustup run nightly rustc --version >/dev/null 2>&1; then
    local sysroot; sysroot=$(rustup run nightly rustc --print sysroot)
    if [ -d "$sysroot/lib/rustlib/src/rust/library" ]; then
      WASM_CARGO="rustup run nightly cargo"
      WASM_TOOLCHAIN_DESC="rustup $(rustup run nightly rustc --version)"
      return 0
    fi
  fi
  return 1
}

# One build cache per machine, shared by every checkout of the project: a fresh clone (CI's, or a second
# worktree) reuses the compiled dependencies instead of compiling RustPython again (about 25 minutes on 2
# cores). Set CARGO_TARGET_DIR to choose another place; `cargo` run by hand still uses ./target.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/threads-playground/target}"

# Our own crates' artifacts do not say which checkout built them (their names and fingerprints are the same
# from every path), and cargo finds them fresh when no source is newer than them. So after a build from
# another checkout, a file edited here before that build would look older than the artifact, and the stale
# artifact would be used. When the cache was last used from another checkout, this one's Rust sources are
# touched: our crates rebuild (a minute or two), the dependencies do not. (A fresh clone's files are newer
# than everything anyway.)
claim_build_cache() {
  mkdir -p "$CARGO_TARGET_DIR"
  local mark="$CARGO_TARGET_DIR/.last-checkout"
  if [ "$(cat "$mark" 2>/dev/null)" != "$PWD" ]; then
    find src python tests build.rs python/build.rs -name '*.rs' -type f -exec touch {} + 2>/dev/null || true
    printf '%s\n' "$PWD" > "$mark"
  fi
}
claim_build_cache

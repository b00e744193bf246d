#!/usr/bin/env bash
# Installs what building and testing the playground needs, and skips what is already there.
#   - a Rust toolchain that can rebuild std with atomics for wasm32 (Debian's rustc-web set, or a rustup
#     nightly with rust-src and the wasm32-unknown-unknown target on a developer's own machine)
#   - the wasm-bindgen CLI at exactly the version Cargo.toml pins
#   - Chromium and ChromeDriver, and Firefox ESR (only with --browser: needed by the tests, not by `npm start`)
#   - the npm packages (package-lock.json)
# Prints one line per step; stops with a clear message when something cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

say() { printf '[setup] %s\n' "$*"; }
have_apt() { command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; }
apt_updated=0
apt_install() {
  if ! have_apt; then return 1; fi
  if [ $apt_updated = 0 ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# 1. Toolchain -----------------------------------------------------------------------------------------
source scripts/toolchain.sh
if ! find_wasm_toolchain; then
  say "no Rust toolchain that can build std for wasm32 with atomics; installing Debian's rustc-web packages"
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22 || true
  if ! find_wasm_toolchain; then
    cat >&2 <<'MSG'
[setup] No usable Rust toolchain for a threaded wasm build was found.
        Building needs the standard library's source to rebuild it with atomics. Install one of:
          - on Debian 12 as root:  apt-get install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
          - with rustup:           rustup toolchain install nightly --component rust-src \
                                   --target wasm32-unknown-unknown
MSG
    exit 1
  fi
fi
say "Rust toolchain: $WASM_TOOLCHAIN_DESC"

# 2. wasm-bindgen CLI, same version as the crate -------------------------------------------------------
wbg_version=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -n "$wbg_version" ] || { echo "[setup] cannot read the pinned wasm-bindgen version from Cargo.toml" >&2; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg_version" ]; then
  say "installing wasm-bindgen-cli $wbg_version (builds from crates.io, about 4 minutes)"
  # No --locked: its lock file names a webpki-roots release some registries do not serve.
  cargo install -q wasm-bindgen-cli --version "$wbg_version" --force
fi
say "wasm-bindgen CLI: $(wasm-bindgen --version)"

# 3. Browser for the tests -----------------------------------------------------------------------------
if [ $want_browser = 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    apt_install chromium chromium-driver || { echo "[setup] could not install chromium; install chromium and chromedriver" >&2; exit 1; }
  fi
  say "browser: $(chromium --version 2>/dev/null | head -1)"
  # Firefox ESR for the tests' Firefox tier (E2E_BROWSER=firefox); Playwright drives it over WebDriver
  # BiDi, so no geckodriver is needed.
  if ! command -v firefox-esr >/dev/null; then
    say "installing Debian's firefox-esr"
    apt_install firefox-esr || say "could not install firefox-esr; the Firefox tier of npm test will fail"
  fi
  command -v firefox-esr >/dev/null && say "browser: $(firefox-esr --version 2>/dev/null | head -1)"
  # The benchmark's CPython references (npm run bench, and its --quick tier in npm test).
  if ! command -v python3 >/dev/null; then
    say "installing python3 (the benchmark's CPython reference)"
    apt_install python3 || { echo "[setup] could not install python3" >&2; exit 1; }
  fi
fi

# 4. npm packages --------------------------------------------------------------------------------------
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "ready"

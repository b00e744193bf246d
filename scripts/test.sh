#!/usr/bin/env bash
# Runs every test tier, installing what is missing first:
#   1. native `cargo test` of the platform-neutral core and of learner Python (python/) on OS threads; it
#      also writes the messages' TypeScript declarations (www/types/generated/), which `tsc` checks www/
#      against once dist/ is built (the wasm bindings' declarations come with the build)
#   2. wasm-bindgen-test in headless Chromium (wasm-specific, single-threaded code)
#   3. end-to-end tests in Chromium via Playwright (thread pools, processes, the page)
#   4. bench --quick: every benchmark figure runs with few samples and the report is complete (no timing
#      assertions; keeps `npm run bench` from rotting)
#   5. the same end-to-end tests in Firefox ESR (E2E_FIREFOX=0 skips this tier, e.g. for a quick local run)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
source scripts/toolchain.sh
find_wasm_toolchain
export PATH="$HOME/.cargo/bin:$PATH"
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
# How long each step took, printed at the end (the CI budget is 40 minutes on 2 cores).
timings=()
step_start=0
# A hung step must fail on its own instead of eating CI's whole budget: every step has a time limit, and a
# browser test that never settles fails after E2E_TEST_TIMEOUT_MS (node --test waits forever by default).
timed_out=0
limited() { # limited SECONDS LOGFILE COMMAND...: runs COMMAND, tees its output, notes a time-out
  local limit=$1 out=$2; shift 2
  set +e
  timeout --kill-after=30 "$limit" "$@" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    echo "[test] $(basename "$out") did not finish within $limit s: FAILED"; timed_out=$((timed_out + 1))
  fi
  return "$rc"
}
E2E_TEST_TIMEOUT_MS=${E2E_TEST_TIMEOUT_MS:-300000}
# Drops the compiler's notes about the unstable target features the threaded wasm build asks for.
cargo_noise_filter="grep --line-buffered -v -e 'unstable feature specified' -e 'not stably supported'"
step() {
  timings+=("$(printf '%5d s  %s' $((SECONDS - step_start)) "$1")")
  step_start=$SECONDS
}
step "setup (scripts/setup.sh --browser)"
echo "[test] build cache: $CARGO_TARGET_DIR"

echo; echo "== tier 1: native cargo test (the engine and lessons; learner Python through our modules)"
# The wasm toolchain's cargo (Rust 1.96): RustPython's parser crates need it, and both builds then share
# one compiler.
# A failing native test ends the run here (the later tiers build on the same code).
limited 2400 "$log/native" bash -c "set -o pipefail; $WASM_CARGO test --workspace --quiet 2>&1 | $cargo_noise_filter"
step "tier 1: native cargo test"

echo; echo "== tier 2: wasm-bindgen-test in headless Chromium"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=$(command -v chromedriver) \
  limited 1200 "$log/wasm" bash -c "set -o pipefail; $WASM_CARGO test --target wasm32-unknown-unknown \
    -Z build-std=panic_abort,std --test web 2>&1 | $cargo_noise_filter"
step "tier 2: wasm-bindgen-test"

echo; echo "== building dist/ for the end-to-end tests"
bash scripts/build.sh
step "build dist/ (scripts/build.sh)"

echo; echo "== types: tsc --checkJs over www/ against the messages' Rust types (tsconfig.json, tsconfig.workers.json)"
# Counts as one test: a message renamed on one side of a worker boundary and not the other fails here.
types_ok=0
if limited 300 "$log/types" npm run --silent typecheck; then types_ok=1; echo "[test] types: ok"; fi
step "types: tsc --checkJs"

echo; echo "== tier 3: end-to-end in Chromium (Playwright)"
# A failing test must not end the script here: the later tiers still run, and the closing line counts it.
limited 2400 "$log/e2e" node --test --test-concurrency=1 --test-timeout="$E2E_TEST_TIMEOUT_MS" tests/e2e/ || true
step "tier 3: end-to-end in Chromium"

echo; echo "== tier 4: bench --quick (every figure present; no timing assertions)"
bench_ok=0
if limited 1200 "$log/bench.log" node scripts/bench.mjs --quick --out "$log/bench"; then bench_ok=1; fi
step "tier 4: bench --quick"

# The same files in Firefox ESR (see README, "Tests"). A missing browser is a failure, not a silent skip.
firefox_missing=0
if [ "${E2E_FIREFOX:-1}" != 0 ]; then
  if command -v firefox-esr >/dev/null; then
    echo; echo "== tier 5: end-to-end in Firefox ESR (Playwright over WebDriver BiDi)"
    E2E_BROWSER=firefox limited 2400 "$log/e2e-firefox" node --test --test-concurrency=1 --test-timeout="$E2E_TEST_TIMEOUT_MS" tests/e2e/ || true
    step "tier 5: end-to-end in Firefox ESR"
  else
    echo "[test] firefox-esr is missing (scripts/setup.sh --browser could not install it): tier 5 FAILED"
    firefox_missing=1
  fi
else
  echo; echo "[test] E2E_FIREFOX=0: tier 5 (Firefox ESR) skipped"
fi
touch "$log/e2e-firefox"

# One closing line over all tiers.
sum() { grep -hoE "$1" "$log/$2" | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }' || true; }
# A browser tier that reported no test at all (a crash before the first file) counts as a failure.
empty=0
for tier in e2e e2e-firefox; do
  if [ -s "$log/$tier" ] && [ "$(sum '^# (pass|fail) [0-9]+' "$tier")" -eq 0 ]; then
    echo "[test] $tier ran no test"; empty=$((empty + 1))
  fi
done
passed=$(( $(sum '[0-9]+ passed' native) + $(sum '[0-9]+ passed' wasm) + types_ok + $(sum '^# pass [0-9]+' e2e) + bench_ok + $(sum '^# pass [0-9]+' e2e-firefox) ))
failed=$(( $(sum '[0-9]+ failed' native) + $(sum '[0-9]+ failed' wasm) + 1 - types_ok + $(sum '^# fail [0-9]+' e2e) + 1 - bench_ok + $(sum '^# fail [0-9]+' e2e-firefox) + firefox_missing + empty + timed_out ))
echo
printf '%s\n' "${timings[@]}"
printf '%5d s  in all\n' "$SECONDS"
echo "all tiers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

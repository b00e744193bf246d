#!/usr/bin/env bash
# Builds the playground into dist/: the threaded wasm module, its JavaScript bindings and the page.
# dist/ is a static folder any web server can host (dist/_headers carries the isolation headers for hosts
# that read such a file).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
find_wasm_toolchain || { echo "[build] no usable toolchain; run scripts/setup.sh first" >&2; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"

echo "[build] compiling Rust to wasm32 with atomics ($WASM_TOOLCHAIN_DESC)"
# std is rebuilt with the target features from .cargo/config.toml, so Mutex, Condvar and thread::sleep
# really block on the shared memory.
$WASM_CARGO build --release --target wasm32-unknown-unknown -Z build-std=panic_abort,std --quiet

echo "[build] compiling the Python runtime to wasm32 (RustPython with the engine; a separate artifact)"
$WASM_CARGO build --profile python --target wasm32-unknown-unknown -Z build-std=panic_abort,std -p playground-python --quiet

echo "[build] generating JavaScript bindings"
rm -rf pkg pkg-python
# With their TypeScript declarations: `tsc` (scripts/test.sh, tsconfig.json) reads the bindings' types from
# them instead of checking the generated glue itself. They stay out of dist/ (below).
wasm-bindgen --target web --out-dir pkg "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/playground.wasm"
wasm-bindgen --target web --out-dir pkg-python "$CARGO_TARGET_DIR/wasm32-unknown-unknown/python/playground_python.wasm"

# wasm-bindgen-rayon starts its pool workers from a blob: copy of its own script (for CDN hosting). The
# page's Content-Security-Policy allows workers from 'self' only, and we host the script ourselves: start
# them from the script's own URL instead. And in Firefox the page creates them (www/worker-host.js).
# The Python artifact links the engine, so it carries the same helper: the same edit applies to it.
for helper in pkg/snippets/wasm-bindgen-rayon-*/src/workerHelpers.no-bundler.js \
              pkg-python/snippets/wasm-bindgen-rayon-*/src/workerHelpers.no-bundler.js; do
node -e '
const fs = require("fs"); const f = process.argv[1]; let s = fs.readFileSync(f, "utf8");
const before = /let scriptBlob = await fetch\(import\.meta\.url\)\.then\(r => r\.blob\(\)\);\s*let url = URL\.createObjectURL\(scriptBlob\);/;
if (!before.test(s)) { console.error("[build] wasm-bindgen-rayon changed: cannot patch its blob: worker for the CSP"); process.exit(1); }
s = s.replace(before, "let url = import.meta.url; // patched by scripts/build.sh: no blob: workers under the CSP")
     .replace("URL.revokeObjectURL(url);", "");
// In Firefox the page creates the pool workers (www/worker-host.js): the runtime sets PlaygroundWorker.
const spawn = "const worker = new Worker(url, {";
if (!s.includes(spawn)) { console.error("[build] wasm-bindgen-rayon changed: cannot patch its worker start"); process.exit(1); }
s = s.replace(spawn, "const worker = new (globalThis.PlaygroundWorker ?? Worker)(url, { // patched by scripts/build.sh");
fs.writeFileSync(f, s);' "$helper"
done

echo "[build] assembling dist/"
rm -rf dist
mkdir -p dist
cp -r index.html embed.js www pkg pkg-python dist/
# Declarations are for tsc only (www/types/: hand-kept and, in generated/, written by cargo test; the bindings').
rm -rf dist/www/types
find dist/pkg dist/pkg-python -name '*.d.ts' -delete
cp www/_headers dist/_headers
# The isolation fallback for hosts that cannot send headers: a service worker from npm (package.json),
# copied, not committed.
coi=node_modules/coi-serviceworker/coi-serviceworker.min.js
[ -f "$coi" ] || { echo "[build] $coi is missing: run npm ci (scripts/setup.sh)" >&2; exit 1; }
cp "$coi" dist/coi-serviceworker.js
# The code editor (CodeMirror 6 from npm) bundled into one module, loaded only when a learner opens code.
mkdir -p dist/www/vendor
node_modules/.bin/esbuild www/python/editor-entry.js --bundle --format=esm --minify --log-level=warning \
  --outfile=dist/www/vendor/editor.js
# A process worker starts from one script: its own code and the wasm-bindgen glue bundled together, instead of
# a chain of four module fetches that cost ~20 ms per process (npm run bench, figure 4). The benchmark's
# process is bundled the same way, so it measures what the lessons start. (The glue's import object repeats
# a key for each import of one snippet; esbuild warns about that, harmlessly.)
for entry in www/runtime/process-worker.js www/bench/bench-process.js; do
  node_modules/.bin/esbuild "$entry" --bundle --format=esm --minify --log-level=warning \
    --log-override:duplicate-object-key=silent --allow-overwrite --outfile="dist/$entry"
done
# Files the download lessons really fetch from the page's own origin (random bytes, so no server can
# compress them away). Their sizes are SERVED_FILE_KIB in src/lessons/common.rs, read from there.
served_kib=$(sed -n 's/^pub const SERVED_FILE_KIB: \[i64; [0-9]*\] = \[\(.*\)\];/\1/p' src/lessons/common.rs | tr -d ',')
[ -n "$served_kib" ] || { echo "[build] cannot read SERVED_FILE_KIB from src/lessons/common.rs" >&2; exit 1; }
mkdir -p dist/files
for kib in $served_kib; do
  head -c $((kib * 1024)) /dev/urandom > "dist/files/sample-${kib}k.bin"
done
wasm_bytes=$(stat -c %s dist/pkg/playground_bg.wasm)
gz_bytes=$(gzip -9 -c dist/pkg/playground_bg.wasm | wc -c)
py_bytes=$(stat -c %s dist/pkg-python/playground_python_bg.wasm)
py_gz_bytes=$(gzip -6 -c dist/pkg-python/playground_python_bg.wasm | wc -c)
echo "[build] done: dist/ (engine wasm $((wasm_bytes / 1024)) KiB, $((gz_bytes / 1024)) KiB gzipped; Python runtime $((py_bytes / 1024)) KiB, $((py_gz_bytes / 1024)) KiB gzipped, loaded on first use)"

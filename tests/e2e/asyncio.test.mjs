// End-to-end tests of learner asyncio in a real browser: the standard asyncio on our `_socket`, `select`
// and `_signal` (python/src/stdlib), an event loop on one of the engine's threads whose waits really
// block. (The asyncio tutorials in python/tests/tutorials run here too, in python.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sharedPlayground, openPlayground, runPythonIn, stdoutOf as stdout, stderrOf as stderr } from './harness.mjs';

const pg = sharedPlayground();
const runPython = (source, options) => runPythonIn(pg.page, source, options);

test('asyncio.gather of three 2 s sleeps takes CPython\'s time + 10 % at most, on one thread', async () => {
  const program = `import asyncio
async def download(n):
    await asyncio.sleep(2)
    print(f"downloaded {n}")
async def main():
    await asyncio.gather(*(download(i) for i in range(3)))
asyncio.run(main())
`;
  const file = path.join(fs.mkdtempSync('/tmp/pg-'), 'gather.py');
  fs.writeFileSync(file, program);
  const t0 = performance.now();
  const cpython = spawnSync('python3', [file], { encoding: 'utf8' });
  const cpythonMs = performance.now() - t0;
  assert.equal(cpython.status, 0, cpython.stderr);
  const r = await runPython(program);
  assert.equal(r.exitCode, 0, stderr(r));
  assert.deepEqual(stdout(r).sort(), cpython.stdout.trim().split('\n').sort());
  console.log(`# asyncio, 3 sleeps × 2 s: ${r.duration_ms.toFixed(0)} ms here, ${cpythonMs.toFixed(0)} ms in CPython (both from start to exit)`);
  assert.ok(r.duration_ms <= cpythonMs * 1.1, `${r.duration_ms} ms against CPython's ${cpythonMs} ms`);
  // One thread ran the three downloads: the event loop's (the lane of the program's main thread).
  const lanes = new Set(r.output.filter((l) => l.stream === 'stdout').map((l) => l.lane));
  assert.equal(lanes.size, 1, `printed from lanes ${[...lanes]}`);
});

test('asyncio.to_thread wakes the event loop from another thread, and Stop ends a loop that never finishes', async () => {
  const woken = await runPython(`import asyncio, time
def blocking(): time.sleep(0.3); return "done on a thread"
async def main(): print(await asyncio.wait_for(asyncio.to_thread(blocking), timeout=10))
asyncio.run(main())
`);
  assert.equal(woken.exitCode, 0, stderr(woken));
  assert.deepEqual(stdout(woken), ['done on a thread']);
  assert.ok(woken.duration_ms < 5000, `${woken.duration_ms} ms`);

  const forever = runPython(`import asyncio
async def main():
    print("waiting")
    await asyncio.Event().wait()
asyncio.run(main())
`);
  await pg.page.waitForTimeout(1500);
  await pg.page.evaluate(() => window.playground.stop('Stopped by the test.'));
  const stopped = await forever;
  assert.match(stopped.stopped ?? '', /Stopped by the test/);
  assert.deepEqual(stdout(stopped), ['waiting']);
  // The loop waits in select(), on the engine's condition variable: a wait that notices the stop.
  assert.ok(!stopped.restarted, 'the runtime had to be restarted');
});

test('Edit and run on "Parallel downloads": the lesson\'s program overlaps waits on threads, processes and asyncio', async () => {
  const { page, errors, context } = await openPlayground(pg.browser, `${pg.site.url}?lesson=downloads&files=3&wait_ms=300&file_kib=16&time_scale=100`);
  try {
    await page.click('#edit-run');
    await page.waitForFunction(() => /Finished|Ended|Stopped/.test(document.getElementById('run-status').textContent), null, { timeout: 120_000 });
    const output = await page.textContent('#output');
    const seconds = (label) => Number(output.match(new RegExp(`${label}: ([\\d.]+) s`))?.[1]);
    assert.ok(seconds('simulated, sequential') >= 0.85, output);
    for (const way of ['3 threads', '3 processes', 'asyncio']) assert.ok(seconds(`simulated, ${way}`) > 0, `${way}: ${output}`);
    assert.ok(seconds('simulated, 3 threads') < 0.6, output);
    assert.ok(seconds('simulated, asyncio') < 0.6, output);
    assert.match(output, /every way fetched 3 files of 16 KiB: \[16384, 16384, 16384\]/);
    assert.equal(await page.$eval('#code-exit', (e) => e.textContent), '0');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

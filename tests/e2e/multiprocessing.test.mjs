// End-to-end tests of learner multiprocessing in a real browser: every child is a Python runtime worker of
// its own (a fresh instance, its own memory) started the spawn way; queues, pipes and shared values go
// through the kernel in the main process. Tutorial programs against CPython, the cost of a start, the
// main-module guard, and children that never end, raise or are terminated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { serve, launch, openPlayground, BROWSER } from './harness.mjs';

let browser, isolated, pg;

before(async () => {
  isolated = await serve({ isolation: true });
  browser = await launch();
  pg = await openPlayground(browser, isolated.url);
});

after(async () => {
  await pg?.context.close();
  await browser?.close();
  isolated?.server.close();
});

function runPython(source, options = {}) {
  return pg.page.evaluate(([s, o]) => window.playground.runPython(s, o), [source, options]);
}
const stdout = (r) => r.output.filter((l) => l.stream === 'stdout').map((l) => l.text);
const stderr = (r) => r.output.filter((l) => l.stream === 'stderr').map((l) => l.text).join('\n');

test('the multiprocessing tutorials (python/tests/tutorials_mp) print the lines CPython prints', async () => {
  const dir = 'python/tests/tutorials_mp';
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.py')).sort();
  assert.ok(names.length >= 4);
  for (const name of names) {
    const file = path.join(dir, name);
    const cpython = spawnSync('python3', [file], { encoding: 'utf8' });
    assert.equal(cpython.status, 0, `CPython failed on ${name}: ${cpython.stderr}`);
    const expected = cpython.stdout.split('\n').filter((l) => l !== '').sort();
    const r = await runPython(fs.readFileSync(file, 'utf8'));
    assert.equal(r.exitCode, 0, `${name}: ${stderr(r)}`);
    assert.deepEqual(stdout(r).filter((l) => l !== '').sort(), expected, name);
    console.log(`# ${BROWSER} ${name}: ${r.duration_ms.toFixed(0)} ms`);
  }
});

test('three processes that each sleep 2 s take about 2 s plus the measured start cost; each has its lane', async () => {
  const r = await runPython(`from multiprocessing import Process, Queue
import time

def nap(q, t0):
    q.put(time.perf_counter() - t0)
    time.sleep(2)

if __name__ == "__main__":
    q = Queue()
    t0 = time.perf_counter()
    ps = [Process(target=nap, args=(q, t0)) for _ in range(3)]
    for p in ps:
        p.start()
    starts = [q.get() for _ in ps]
    for p in ps:
        p.join()
    print(round(time.perf_counter() - t0, 3), round(max(starts), 3), [p.exitcode for p in ps])
`);
  assert.equal(r.exitCode, 0, stderr(r));
  const [t, s] = stdout(r)[0].split(' ', 2).map(Number);
  console.log(`# ${BROWSER}: 3 × sleep(2) in processes took ${t} s; the slowest start ${s} s`);
  assert.match(stdout(r)[0], /\[0, 0, 0\]$/);
  assert.ok(t >= 2 && t <= 2 + s + 0.5, `took ${t} s with starts of up to ${s} s`);
  const lanes = r.lanes.filter((l) => l.kind === 'process').map((l) => l.name);
  assert.deepEqual(lanes, ['Process-1', 'Process-2', 'Process-3']);
  // Each process lane is drawn starting, then running (its own events, forwarded), then finished.
  for (const lane of r.lanes.filter((l) => l.kind === 'process')) {
    const states = r.events.filter((e) => e.lane === lane.id).map((e) => e.state);
    assert.ok(states.includes('starting') && states.includes('sleeping') && states.at(-1) === 'finished', `${lane.name}: ${states}`);
  }
});

test('without the main guard: CPython\'s bootstrapping RuntimeError and an explanation, no hang, no flood; the next run works', async () => {
  const r = await runPython(`from multiprocessing import Process, Queue
def hello(q):
    q.put("hello")
q = Queue()
p = Process(target=hello, args=(q,))
p.start()
print(q.get())
`, { timeLimitS: 60 });
  assert.match(stderr(r), /RuntimeError/);
  assert.match(stderr(r), /bootstrapping phase/);
  assert.match(r.stopped ?? '', /__mp_main__.*if __name__ == "__main__"/);
  assert.equal(r.restarted, false);
  assert.ok(r.duration_ms < 20_000, `ended after ${r.duration_ms} ms`);
  assert.equal(r.lanes.filter((l) => l.kind === 'process').length, 1, 'one child, not a flood');
  const next = await runPython('print("next")');
  assert.deepEqual(stdout(next), ['next']);
});

test('a child that raises exits 1 with its traceback; terminate() gives -15; a child looping for ever ends at the time limit', async () => {
  const r = await runPython(`from multiprocessing import Process
def fail():
    raise ValueError("boom")
def spin():
    while True:
        pass
if __name__ == "__main__":
    p = Process(target=fail); p.start(); p.join()
    s = Process(target=spin); s.start(); s.join(0.5)
    print(p.exitcode, s.is_alive())
    s.terminate(); s.join()
    print(s.exitcode)
`);
  assert.equal(r.exitCode, 0, stderr(r));
  assert.deepEqual(stdout(r), ['1 True', '-15']);
  assert.match(stderr(r), /Process Process-1:[\s\S]*ValueError: boom/);

  const forever = await runPython(`from multiprocessing import Process
def spin():
    while True:
        pass
if __name__ == "__main__":
    Process(target=spin).start()
`, { timeLimitS: 3 });
  assert.match(forever.stopped ?? '', /time limit/);
  assert.equal(forever.restarted, false, 'the child is ended, not the runtime');
  const next = await runPython('import multiprocessing\nprint(multiprocessing.active_children())');
  assert.deepEqual(stdout(next), ['[]']);
});

test('a 50 MB message crosses between processes; a 65th process at once is refused with a clear message', async () => {
  const r = await runPython(`from multiprocessing import Process, Queue
import time
def big(q):
    q.put(b"x" * 50_000_000)
def nap():
    time.sleep(1)
if __name__ == "__main__":
    q = Queue()
    p = Process(target=big, args=(q,)); p.start()
    print(len(q.get())); p.join()
    ps = []
    try:
        for _ in range(200):
            n = Process(target=nap); n.start(); ps.append(n)
    except RuntimeError as e:
        print(len(ps), "then:", e)
    for n in ps:
        n.join()
    print("joined", len(ps))
`, { timeLimitS: 120 });
  assert.equal(r.exitCode, 0, stderr(r));
  assert.equal(stdout(r)[0], '50000000');
  assert.match(stdout(r)[1], /^64 then: can't start a new process: 64 processes are already running/);
  assert.equal(stdout(r)[2], 'joined 64');
  console.log(`# ${BROWSER}: 64 processes started and joined in ${r.duration_ms.toFixed(0)} ms`);
});

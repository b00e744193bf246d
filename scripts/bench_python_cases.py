"""The same Python program timed in CPython (python3) and in the playground's Python (runPython, once with
the emulated GIL and once free-threaded) by `npm run bench`: a pure-Python CPU loop, starting and joining
a thread, two CPU-bound and two I/O-bound tasks on two threads and one after another, and how often the
GIL changes hands. It prints one JSON line of samples in milliseconds (and hand-offs per second).
SAMPLES and LOOP are set by the driver (scripts/bench.mjs)."""
import json
import threading
import time

SAMPLES = 5
LOOP = 200_000
IO_WAIT_S = 0.05
HANDOFF_WINDOW_S = 0.3


def burn(n):
    x = 0
    for i in range(n):
        x = (x * 31 + i) & 0xFFFFFFFF
    return x


def ms(f):
    t0 = time.perf_counter()
    f()
    return (time.perf_counter() - t0) * 1000.0


def start_join():
    t = threading.Thread(target=int)
    t.start()
    t.join()


def on_two_threads(target, *args):
    ts = [threading.Thread(target=target, args=args) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def handoffs_per_second():
    """Two threads append their tag to one list for a while; a change of tag is a change of hands."""
    log = []
    end = time.perf_counter() + HANDOFF_WINDOW_S

    def tag(me):
        while time.perf_counter() < end:
            log.append(me)

    ts = [threading.Thread(target=tag, args=(i,)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(1 for a, b in zip(log, log[1:]) if a != b) / HANDOFF_WINDOW_S


burn(1000)
start_join()
loop = [ms(lambda: burn(LOOP)) for _ in range(SAMPLES)]
threads = [ms(start_join) for _ in range(SAMPLES * 4)]
cpu_seq, cpu_threads, io_seq, io_threads = [], [], [], []
for _ in range(SAMPLES):
    cpu_seq.append(ms(lambda: (burn(LOOP), burn(LOOP))))
    cpu_threads.append(ms(lambda: on_two_threads(burn, LOOP)))
    io_seq.append(ms(lambda: (time.sleep(IO_WAIT_S), time.sleep(IO_WAIT_S))))
    io_threads.append(ms(lambda: on_two_threads(time.sleep, IO_WAIT_S)))
handoffs = [handoffs_per_second() for _ in range(max(2, SAMPLES // 2))]
print(json.dumps({
    "loop_ms": loop, "thread_start_join_ms": threads,
    "cpu_sequential_ms": cpu_seq, "cpu_threads_ms": cpu_threads,
    "io_sequential_ms": io_seq, "io_threads_ms": io_threads,
    "handoffs_per_s": handoffs,
}))

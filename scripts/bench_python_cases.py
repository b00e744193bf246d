"""The same Python program timed in CPython (python3) and in the playground's Python (runPython) by
`npm run bench`: a pure-Python CPU loop, and starting and joining a thread. It prints one JSON line of
samples in milliseconds. SAMPLES and LOOP are set by the driver (scripts/bench.mjs)."""
import json
import threading
import time

SAMPLES = 5
LOOP = 200_000


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


burn(1000)
start_join()
loop = [ms(lambda: burn(LOOP)) for _ in range(SAMPLES)]
threads = [ms(start_join) for _ in range(SAMPLES * 4)]
print(json.dumps({"loop_ms": loop, "thread_start_join_ms": threads}))

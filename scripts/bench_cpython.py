#!/usr/bin/env python3
"""CPython references for `npm run bench` (scripts/bench.mjs), measured on the same machine in the same run.

  python3 scripts/bench_cpython.py start --samples 30   # start cost: thread, fork, spawn to the first reply
  python3 scripts/bench_cpython.py gil --reps 5         # the GIL fidelity reference (issue 4)

Prints one JSON object with raw samples in milliseconds; the driver computes medians and spreads.
"""
import json
import multiprocessing as mp
import queue
import sys
import threading
import time


def reply(conn):
    conn.send(1)
    conn.close()


def burn(n):
    """CPU-bound pure-Python work: n steps of an integer hash."""
    x = 0
    for i in range(n):
        x = (x * 31 + i) & 0xFFFFFFFF
    return x


def ms_since(t0):
    return (time.perf_counter() - t0) * 1000.0


def start_costs(samples):
    out = {}
    for method in ("spawn", "fork"):
        ctx = mp.get_context(method)
        first, whole = [], []
        for i in range(samples + 1):  # the first is a warm-up and is dropped
            t0 = time.perf_counter()
            parent, child = ctx.Pipe(duplex=False)
            p = ctx.Process(target=reply, args=(child,))
            p.start()
            parent.recv()
            t1 = ms_since(t0)
            p.join()
            t2 = ms_since(t0)
            parent.close()
            if i > 0:
                first.append(t1)
                whole.append(t2)
        out[method] = {"first_reply_ms": first, "start_join_ms": whole}
    first, whole = [], []
    for i in range(samples + 1):
        t0 = time.perf_counter()
        q = queue.SimpleQueue()
        th = threading.Thread(target=q.put, args=(1,))
        th.start()
        q.get()
        t1 = ms_since(t0)
        th.join()
        t2 = ms_since(t0)
        if i > 0:
            first.append(t1)
            whole.append(t2)
    out["thread"] = {"first_reply_ms": first, "start_join_ms": whole}
    return out


def calibrate(target_s):
    """Steps of `burn` that take about target_s on one core: the fastest of three trials."""
    n = 200_000
    best = min(timed(burn, n) for _ in range(3))
    return max(1, int(n * target_s / best))


def timed(f, *args):
    t0 = time.perf_counter()
    f(*args)
    return time.perf_counter() - t0


def two(kind, n, ctx=None):
    t0 = time.perf_counter()
    if kind == "sequential":
        burn(n)
        burn(n)
    else:
        make = threading.Thread if kind == "threads" else ctx.Process
        workers = [make(target=burn, args=(n,)) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    return ms_since(t0)


def gil(reps):
    n = calibrate(0.24)
    runs = {"one_task": [], "sequential": [], "threads": [], "processes_fork": [], "processes_spawn": []}
    fork, spawn = mp.get_context("fork"), mp.get_context("spawn")
    for _ in range(reps):
        runs["one_task"].append(timed(burn, n) * 1000.0)
        runs["sequential"].append(two("sequential", n))
        runs["threads"].append(two("threads", n))
        runs["processes_fork"].append(two("processes", n, fork))
        runs["processes_spawn"].append(two("processes", n, spawn))
    return {"steps_per_task": n, "switch_interval_s": sys.getswitchinterval(), "runs_ms": runs}


def main():
    args = sys.argv[1:]
    opt = lambda name, default: int(args[args.index(name) + 1]) if name in args else default  # noqa: E731
    result = {"python": sys.version.split()[0], "implementation": sys.implementation.name}
    if "start" in args:
        result["start"] = start_costs(opt("--samples", 30))
    if "gil" in args:
        result["gil"] = gil(opt("--reps", 5))
    print(json.dumps(result))


if __name__ == "__main__":
    main()

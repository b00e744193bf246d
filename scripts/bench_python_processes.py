"""Learner multiprocessing, timed by `npm run bench` in CPython (python3, with the spawn and forkserver
start methods) and in the playground's Python (its processes are spawned): starting a process until its
first line runs, a Queue round trip between two processes, `v.value += 1` on a RawValue in a child (shared
memory, no message), and Pool.map of a CPU-bound function on one and on two processes. It prints one JSON line of samples in milliseconds.
SAMPLES, LOOP and METHOD are set by the driver (scripts/bench.mjs)."""
import json
import multiprocessing as mp
import time

SAMPLES = 5
LOOP = 200_000
METHOD = "spawn"
ROUND_TRIPS = 50
VALUE_OPS = 20_000


def burn(n):
    x = 0
    for i in range(n):
        x = (x * 31 + i) & 0xFFFFFFFF
    return x


def first_line(q, t0):
    q.put(time.perf_counter() - t0)


def bump(v, q):
    t0 = time.perf_counter()
    for _ in range(VALUE_OPS):
        v.value += 1
    q.put((time.perf_counter() - t0) * 1000.0 / VALUE_OPS)


def echo(inbox, outbox):
    while True:
        item = inbox.get()
        if item is None:
            break
        outbox.put(item)


def main():
    ctx = mp.get_context(METHOD)
    q = ctx.Queue()
    start = []
    for _ in range(SAMPLES):
        t0 = time.perf_counter()
        p = ctx.Process(target=first_line, args=(q, t0))
        p.start()
        start.append(q.get() * 1000.0)
        p.join()
    inbox, outbox = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=echo, args=(inbox, outbox))
    p.start()
    inbox.put(0)
    outbox.get()
    round_trip = []
    for _ in range(SAMPLES):
        t0 = time.perf_counter()
        for i in range(ROUND_TRIPS):
            inbox.put(i)
            outbox.get()
        round_trip.append((time.perf_counter() - t0) * 1000.0 / ROUND_TRIPS)
    inbox.put(None)
    p.join()
    value_op = []
    v = ctx.RawValue("i", 0)
    for _ in range(SAMPLES):
        p = ctx.Process(target=bump, args=(v, q))
        p.start()
        value_op.append(q.get())
        p.join()
    pool_one, pool_two = [], []
    with ctx.Pool(1) as one, ctx.Pool(2) as two:
        one.map(burn, [1000])
        two.map(burn, [1000, 1000], chunksize=1)
        for _ in range(SAMPLES):
            for pool, out in ((one, pool_one), (two, pool_two)):
                t0 = time.perf_counter()
                pool.map(burn, [LOOP, LOOP], chunksize=1)
                out.append((time.perf_counter() - t0) * 1000.0)
    print(json.dumps({"method": METHOD, "start_ms": start, "queue_round_trip_ms": round_trip,
                      "value_op_ms": value_op, "pool_map_1_ms": pool_one, "pool_map_2_ms": pool_two}))


if __name__ == "__main__":
    main()

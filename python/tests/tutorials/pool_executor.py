import time
from concurrent.futures import ThreadPoolExecutor, as_completed

def fetch(n):
    time.sleep(0.2)
    return n * 10

def fails():
    raise ValueError("bad input")

with ThreadPoolExecutor(max_workers=4) as pool:
    print(list(pool.map(fetch, range(4))))
    futures = [pool.submit(fetch, n) for n in range(3)]
    print(sorted(f.result() for f in as_completed(futures)))
    broken = pool.submit(fails)
    try:
        broken.result()
    except ValueError as e:
        print("result() raised:", e)

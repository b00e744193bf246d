import asyncio
import time


async def download(name, seconds):
    print(f"start {name}")
    await asyncio.sleep(seconds)  # gives the event loop to the other tasks while this one waits
    print(f"done {name}")
    return f"{name} took {seconds} s"


async def main():
    start = time.perf_counter()
    results = await asyncio.gather(download("a", 0.3), download("b", 0.2), download("c", 0.1))
    print(results)
    print("the waits overlapped:", time.perf_counter() - start < 0.5)  # 0.3 s, not 0.6 s

    task = asyncio.create_task(download("d", 0.1))
    print("created, not yet finished:", not task.done())
    print(await task)

    try:
        await asyncio.wait_for(asyncio.sleep(10), timeout=0.1)
    except TimeoutError:
        print("wait_for timed out")

    slow = asyncio.create_task(asyncio.sleep(10))
    await asyncio.sleep(0)
    slow.cancel()
    try:
        await slow
    except asyncio.CancelledError:
        print("cancelled:", slow.cancelled())


asyncio.run(main())

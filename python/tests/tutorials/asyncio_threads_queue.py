import asyncio
import threading
import time


def blocking_io(n):
    time.sleep(0.2)  # a blocking call: run it on a thread, not on the event loop
    return n * n


async def producer(queue, n):
    for i in range(n):
        await queue.put(i)
        await asyncio.sleep(0.01)
    await queue.put(None)


async def consumer(queue):
    total = 0
    while (item := await queue.get()) is not None:
        total += item
    return total


async def main():
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    squares = await asyncio.gather(*(asyncio.to_thread(blocking_io, n) for n in range(4)))
    print("squares:", squares)
    print("the threads overlapped:", time.perf_counter() - start < 0.6)
    print("run_in_executor:", await loop.run_in_executor(None, blocking_io, 5))

    queue = asyncio.Queue()
    _, total = await asyncio.gather(producer(queue, 10), consumer(queue))
    print("queue total:", total)

    done = asyncio.Event()

    def from_another_thread():
        time.sleep(0.05)
        loop.call_soon_threadsafe(done.set)  # the loop's own thread runs done.set()

    threading.Thread(target=from_another_thread).start()
    await done.wait()
    print("the event was set from another thread")

    limit = asyncio.Semaphore(2)
    running = most = 0

    async def limited():
        nonlocal running, most
        async with limit:
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.02)
            running -= 1

    await asyncio.gather(*(limited() for _ in range(6)))
    print("at most", most, "at once")

    async with asyncio.TaskGroup() as group:
        one = group.create_task(asyncio.sleep(0.02, result="one"))
        two = group.create_task(asyncio.sleep(0.01, result="two"))
    print(one.result(), two.result())


asyncio.run(main())

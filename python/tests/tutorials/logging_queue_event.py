import logging
import queue
import threading

logging.basicConfig(level=logging.INFO, format="%(threadName)s: %(message)s")

q = queue.Queue()
done = threading.Event()

def producer():
    for i in range(5):
        q.put(i)
        logging.info("produced %d", i)
    q.put(None)

def consumer():
    total = 0
    while (item := q.get()) is not None:
        total += item
    logging.info("consumed total %d", total)
    done.set()

threading.Thread(target=producer, name="Producer").start()
threading.Thread(target=consumer, name="Consumer").start()
print("done set:", done.wait(timeout=5))

import threading
import time

items = []
cond = threading.Condition()

def waiter():
    with cond:
        cond.wait_for(lambda: len(items) >= 3)
        print("waiter saw", items)

t = threading.Thread(target=waiter)
t.start()
for i in range(3):
    time.sleep(0.05)
    with cond:
        items.append(i)
        cond.notify_all()
t.join()

sem = threading.BoundedSemaphore(2)
lock = threading.Lock()
active = 0
peak = 0

def limited():
    global active, peak
    with sem:
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.1)
        with lock:
            active -= 1

ts = [threading.Thread(target=limited) for _ in range(6)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("at most", peak, "at once")

fired = threading.Event()
timer = threading.Timer(0.1, fired.set)
timer.start()
print("timer fired:", fired.wait(2))
cancelled = threading.Timer(10, print, args=("never",))
cancelled.start()
cancelled.cancel()
print("cancelled timer alive:", cancelled.is_alive() and False)

import threading

counter = 0
lock = threading.Lock()

def add(n):
    global counter
    for _ in range(n):
        with lock:
            counter += 1

threads = [threading.Thread(target=add, args=(5000,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("counter =", counter)

# threading.local: each thread sees its own value.
local = threading.local()
seen = []

def show(n):
    local.value = n
    with lock:
        seen.append(local.value == n)

ts = [threading.Thread(target=show, args=(i,)) for i in range(3)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("each thread saw its own value:", seen)

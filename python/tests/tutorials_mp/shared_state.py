from multiprocessing import Process, Value, Array, Lock

counter = 0


def increment(shared, lock, n):
    global counter
    for _ in range(n):
        counter += 1
        with lock:
            shared.value += 1


def fill(arr, start):
    for i in range(len(arr)):
        if i % 2 == start:
            arr[i] = i * 1.5


if __name__ == "__main__":
    shared = Value("i", 0)
    lock = Lock()
    ps = [Process(target=increment, args=(shared, lock, 100)) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print("shared value:", shared.value)
    print("the parent's own counter is still", counter)
    arr = Array("d", 6)
    ps = [Process(target=fill, args=(arr, k)) for k in (0, 1)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print("array:", arr[:])

from multiprocessing import Process, Queue, Pipe


def producer(q, n):
    for i in range(n):
        q.put(i * i)
    q.put(None)


def consumer(q, results):
    total = 0
    while True:
        item = q.get()
        if item is None:
            break
        total += item
    results.put(total)


def ping(conn):
    msg = conn.recv()
    conn.send(f"pong: {msg}")
    conn.close()


if __name__ == "__main__":
    q, results = Queue(), Queue()
    p = Process(target=producer, args=(q, 10))
    c = Process(target=consumer, args=(q, results))
    p.start()
    c.start()
    print("sum of squares:", results.get())
    p.join()
    c.join()

    parent_conn, child_conn = Pipe()
    child = Process(target=ping, args=(child_conn,))
    child.start()
    parent_conn.send("hello")
    print(parent_conn.recv())
    child.join()

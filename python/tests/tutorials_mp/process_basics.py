import multiprocessing
import time


def worker(name, delay, seconds):
    time.sleep(delay)  # one at a time, so CPython's lines never interleave mid-line
    print(f"{multiprocessing.current_process().name}: {name} starting", flush=True)
    time.sleep(seconds)
    print(f"{name} finished after {seconds} s", flush=True)


class Squarer(multiprocessing.Process):
    def __init__(self, n):
        super().__init__()
        self.n = n

    def run(self):
        print(f"{self.name} says {self.n} squared is {self.n * self.n}", flush=True)


if __name__ == "__main__":
    processes = []
    for i in range(3):
        p = multiprocessing.Process(target=worker, args=(f"task-{i}", 0.2 * i, 0.5))
        processes.append(p)
        p.start()
    for p in processes:
        p.join()
    print("exit codes:", [p.exitcode for p in processes])
    s = Squarer(7)
    s.start()
    s.join()
    print("alive after join:", s.is_alive())
    print("start method works:", multiprocessing.get_start_method() in ("spawn", "fork", "forkserver"))

import threading
import time

class Worker(threading.Thread):
    def __init__(self, n):
        super().__init__(name=f"Worker-{n}")
        self.n = n
        self.result = None

    def run(self):
        time.sleep(0.2)
        self.result = self.n * self.n

workers = [Worker(n) for n in range(4)]
for w in workers:
    w.start()
for w in workers:
    w.join()
print([w.result for w in workers])
print(sorted(w.name for w in workers))

import threading
import time

def download(name, seconds):
    print(f"start {name}")
    time.sleep(seconds)
    print(f"done {name}")

threads = [threading.Thread(target=download, args=(f"file{i}", 0.3)) for i in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("all downloads finished")

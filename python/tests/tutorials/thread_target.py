import threading
import time

print_lock = threading.Lock()  # CPython interleaves the text and the newline of prints from threads


def say(text):
    with print_lock:
        print(text)


def download(name, seconds):
    say(f"start {name}")
    time.sleep(seconds)
    say(f"done {name}")

threads = [threading.Thread(target=download, args=(f"file{i}", 0.3)) for i in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("all downloads finished")

import threading
import time

slow = threading.Thread(target=time.sleep, args=(0.5,))
slow.start()
slow.join(timeout=0.1)
print("alive after join(timeout=0.1):", slow.is_alive())
slow.join()
print("alive after join():", slow.is_alive())

def forever():
    while True:
        time.sleep(0.05)

threading.Thread(target=forever, daemon=True).start()
print("main thread exits; the daemon thread is abandoned")

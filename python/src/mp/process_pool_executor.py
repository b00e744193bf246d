# The playground's `concurrent.futures.process`: ProcessPoolExecutor on our real processes, by way of our
# multiprocessing.pool (CPython's own needs _multiprocessing, pipes and a wakeup file descriptor).
import os
import threading
from concurrent.futures import _base
from multiprocessing.pool import Pool

__all__ = ["ProcessPoolExecutor", "BrokenProcessPool"]


class BrokenProcessPool(_base.BrokenExecutor):
    pass


class _ExecutorPool(Pool):
    _worker_name = "SpawnProcess"


class ProcessPoolExecutor(_base.Executor):
    def __init__(self, max_workers=None, mp_context=None, initializer=None, initargs=(), *,
                 max_tasks_per_child=None):
        if max_workers is None:
            max_workers = os.cpu_count() or 1
        elif max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        self._max_workers = max_workers
        self._initializer = initializer
        self._initargs = initargs
        self._max_tasks = max_tasks_per_child
        self._pool = None
        self._shutdown = False
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if self._pool is None:
                self._pool = _ExecutorPool(self._max_workers, self._initializer, self._initargs,
                                           self._max_tasks)
            future = _base.Future()

            def done(value):
                if future.set_running_or_notify_cancel():
                    future.set_result(value)

            def failed(exc):
                if future.set_running_or_notify_cancel():
                    future.set_exception(exc)

            self._pool.apply_async(fn, args, kwargs, callback=done, error_callback=failed)
            return future

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        if chunksize < 1:
            raise ValueError("chunksize must be >= 1.")
        return super().map(fn, *iterables, timeout=timeout)

    def shutdown(self, wait=True, *, cancel_futures=False):
        with self._lock:
            self._shutdown = True
            pool = self._pool
        if pool is not None:
            pool.close()
            if wait:
                pool.join()

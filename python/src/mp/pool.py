# The playground's `multiprocessing.pool`: CPython's Pool on our real processes. Worker processes take
# tasks from one queue and put results on another; a thread of the main process hands each result to
# the AsyncResult waiting for it, as CPython's result handler does. Where no thread can run beside the
# main one (a page that is not cross-origin isolated: solo mode, python/src/solo/pump.rs), the main thread
# hands the results over itself whenever it waits for a lock, and when the pool is joined.
import itertools
import os
import sys
import threading
import traceback
import queue as _queue
import multiprocessing as _mp_pkg
import _mp
from multiprocessing import Process, Queue, TimeoutError

__all__ = ["Pool", "ApplyResult", "AsyncResult", "MapResult", "IMapIterator"]

RUN, CLOSE, TERMINATE = 0, 1, 2


class RemoteTraceback(Exception):
    def __init__(self, tb):
        self.tb = tb

    def __str__(self):
        return self.tb


class ExceptionWithTraceback:
    """An exception and its traceback text, pickled from a worker (a traceback cannot be)."""

    def __init__(self, exc, tb):
        text = "".join(traceback.format_exception(type(exc), exc, tb))
        self.exc = exc
        self.tb = '\n"""\n%s"""' % text

    def __reduce__(self):
        return _rebuild_exc, (self.exc, self.tb)


def _rebuild_exc(exc, tb):
    exc.__cause__ = RemoteTraceback(tb)
    return exc


class MaybeEncodingError(Exception):
    def __init__(self, exc, value):
        self.exc = repr(exc)
        self.value = repr(value)
        super().__init__(self.exc, self.value)

    def __str__(self):
        return "Error sending result: '%s'. Reason: '%s'" % (self.value, self.exc)


def mapstar(args):
    return list(map(*args))


def starmapstar(args):
    return list(itertools.starmap(args[0], args[1]))


def worker(inqueue, outqueue, initializer=None, initargs=(), maxtasks=None):
    """A pool worker process: runs tasks until it gets None (or has run maxtasks)."""
    if initializer is not None:
        initializer(*initargs)
    completed = 0
    while maxtasks is None or completed < maxtasks:
        task = inqueue.get()
        if task is None:
            break
        job, i, func, args, kwds = task
        try:
            result = (True, func(*args, **kwds))
        except Exception as e:
            result = (False, ExceptionWithTraceback(e, e.__traceback__))
        try:
            outqueue.put((job, i, result))
        except Exception as e:
            outqueue.put((job, i, (False, MaybeEncodingError(e, result[1]))))
        completed += 1


class ApplyResult:
    def __init__(self, pool, callback, error_callback):
        self._pool = pool
        self._event = threading.Event()
        self._job = next(pool._job_counter)
        self._callback = callback
        self._error_callback = error_callback
        self._value = None
        self._success = None
        pool._cache[self._job] = self

    def ready(self):
        return self._event.is_set()

    def successful(self):
        if not self.ready():
            raise ValueError("%r not ready" % self)
        return self._success

    def wait(self, timeout=None):
        self._event.wait(timeout)

    def get(self, timeout=None):
        self.wait(timeout)
        if not self.ready():
            raise TimeoutError
        if self._success:
            return self._value
        raise self._value

    def _set(self, i, result):
        self._success, self._value = result
        if self._callback and self._success:
            self._callback(self._value)
        if self._error_callback and not self._success:
            self._error_callback(self._value)
        self._event.set()
        del self._pool._cache[self._job]


AsyncResult = ApplyResult


class MapResult(ApplyResult):
    def __init__(self, pool, chunksize, length, callback, error_callback):
        super().__init__(pool, callback, error_callback)
        self._success = True
        self._value = [None] * length
        self._chunksize = chunksize
        self._number_left = 0 if chunksize <= 0 else length // chunksize + bool(length % chunksize)
        if self._number_left == 0:
            self._event.set()
            del self._pool._cache[self._job]

    def _set(self, i, result):
        self._number_left -= 1
        success, value = result
        if success and self._success:
            self._value[i * self._chunksize:(i + 1) * self._chunksize] = value
            if self._number_left == 0:
                if self._callback:
                    self._callback(self._value)
                del self._pool._cache[self._job]
                self._event.set()
        else:
            if not success and self._success:
                self._success = False
                self._value = value
            if self._number_left == 0:
                if self._error_callback:
                    self._error_callback(self._value)
                del self._pool._cache[self._job]
                self._event.set()


class IMapIterator:
    def __init__(self, pool, ordered):
        self._pool = pool
        self._cond = threading.Condition(threading.Lock())
        self._job = next(pool._job_counter)
        self._ordered = ordered
        self._items = []
        self._unsorted = {}
        self._index = 0
        self._length = None
        pool._cache[self._job] = self

    def __iter__(self):
        return self

    def next(self, timeout=None):
        with self._cond:
            while not self._items:
                if self._index == self._length:
                    raise StopIteration
                if not self._cond.wait(timeout):
                    raise TimeoutError
            success, value = self._items.pop(0)
        if success:
            return value
        raise value

    __next__ = next

    def _set(self, i, result):
        with self._cond:
            if self._ordered:
                self._unsorted[i] = result
                while self._index in self._unsorted:
                    self._items.append(self._unsorted.pop(self._index))
                    self._index += 1
            else:
                self._items.append(result)
                self._index += 1
            self._cond.notify()
            if self._index == self._length:
                self._pool._cache.pop(self._job, None)

    def _set_length(self, length):
        with self._cond:
            self._length = length
            self._cond.notify()
            if self._index == self._length:
                self._pool._cache.pop(self._job, None)


class Pool:
    """CPython's multiprocessing.Pool: `processes` worker processes (default: one per core)."""

    _worker_name = "SpawnPoolWorker"

    def __init__(self, processes=None, initializer=None, initargs=(), maxtasksperchild=None, context=None):
        if processes is None:
            processes = os.cpu_count() or 1
        if processes < 1:
            raise ValueError("Number of processes must be at least 1")
        if maxtasksperchild is not None and (not isinstance(maxtasksperchild, int) or maxtasksperchild <= 0):
            raise ValueError("maxtasksperchild must be a positive int or None")
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        self._processes = processes
        self._initializer = initializer
        self._initargs = initargs
        self._maxtasks = maxtasksperchild
        self._state = RUN
        self._cache = {}
        self._job_counter = itertools.count()
        self._taskqueue = Queue(_via="Pool tasks")
        self._outqueue = Queue(_via="Pool results")
        self._pool = []
        for _ in range(processes):
            self._start_worker()
        self._pump = None
        if _mp.solo():
            self._handler = None
            self._pump = self._hand_over_one
            _mp.add_pump(self._pump)
        else:
            self._handler = threading.Thread(target=self._handle_results, name="Pool-result-handler", daemon=True)
            self._handler.start()

    def _start_worker(self):
        w = Process(target=worker, args=(self._taskqueue, self._outqueue, self._initializer, self._initargs,
                                         self._maxtasks), daemon=True)
        w.name = w.name.replace("Process", self._worker_name)
        w.start()
        self._pool.append(w)

    def _handle_results(self):
        while self._hand_over(self._outqueue.get()):
            pass

    def _hand_over(self, item):
        """Gives a result to the AsyncResult waiting for it; False for the end of the results (None)."""
        if item is None:
            return False
        job, i, result = item
        task = self._cache.get(job)
        if task is not None:
            task._set(i, result)
        if self._maxtasks is not None and self._state == RUN:
            self._replace_exited()
        return True

    def _hand_over_one(self, timeout):
        """Solo mode's pump: hands over the next result, waiting up to `timeout` s (None: for ever)."""
        try:
            item = self._outqueue.get(timeout=timeout)
        except _queue.Empty:
            return False
        if item is None:
            self._outqueue.put(None)  # the end, for _finish_results to find
            return False
        # The handler thread this stands in for runs no event loop: a callback that asks (asyncio's
        # wrap_future) then wakes the waiting loop with call_soon_threadsafe, as it would from there, rather
        # than setting its future in place and leaving the loop asleep in select().
        events = sys.modules.get("asyncio.events")
        loop = events._get_running_loop() if events is not None else None
        if loop is not None:
            events._set_running_loop(None)
        try:
            return self._hand_over(item)
        finally:
            if loop is not None:
                events._set_running_loop(loop)

    def _finish_results(self):
        """After the end of the results was put: the handler thread ends, or (solo mode) this thread hands
        over what is left."""
        if self._handler is None:
            if self._pump is not None:
                _mp.remove_pump(self._pump)
                self._pump = None
                self._handle_results()
        elif self._handler is not threading.current_thread():
            self._handler.join()

    def _replace_exited(self):
        for w in list(self._pool):
            if w.exitcode is not None:
                self._pool.remove(w)
                self._start_worker()

    def _check_running(self):
        if self._state != RUN:
            raise ValueError("Pool not running")

    def _put(self, job, i, func, args, kwds):
        self._taskqueue.put((job, i, func, args, kwds))

    def apply(self, func, args=(), kwds={}):
        return self.apply_async(func, args, kwds).get()

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        self._check_running()
        result = ApplyResult(self, callback, error_callback)
        self._put(result._job, 0, func, tuple(args), dict(kwds))
        return result

    def _map_async(self, func, iterable, mapper, chunksize=None, callback=None, error_callback=None):
        self._check_running()
        if not hasattr(iterable, "__len__"):
            iterable = list(iterable)
        if chunksize is None:
            chunksize, extra = divmod(len(iterable), len(self._pool) * 4)
            if extra:
                chunksize += 1
        if len(iterable) == 0:
            chunksize = 0
        result = MapResult(self, chunksize, len(iterable), callback, error_callback)
        items = list(iterable)
        for i in range(0, len(items) if chunksize else 0, chunksize or 1):
            self._put(result._job, i // chunksize, mapper, ((func, tuple(items[i:i + chunksize])),), {})
        return result

    def map(self, func, iterable, chunksize=None):
        return self._map_async(func, iterable, mapstar, chunksize).get()

    def map_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return self._map_async(func, iterable, mapstar, chunksize, callback, error_callback)

    def starmap(self, func, iterable, chunksize=None):
        return self._map_async(func, iterable, starmapstar, chunksize).get()

    def starmap_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return self._map_async(func, iterable, starmapstar, chunksize, callback, error_callback)

    def _imap(self, func, iterable, chunksize, ordered):
        self._check_running()
        if chunksize < 1:
            raise ValueError("Chunksize must be 1+, not {0:n}".format(chunksize))
        result = IMapIterator(self, ordered)
        items = list(iterable)
        if chunksize == 1:
            for i, item in enumerate(items):
                self._put(result._job, i, func, (item,), {})
            result._set_length(len(items))
            return result
        chunks = [tuple(items[i:i + chunksize]) for i in range(0, len(items), chunksize)]
        for i, chunk in enumerate(chunks):
            self._put(result._job, i, mapstar, ((func, chunk),), {})
        result._set_length(len(chunks))
        return (item for chunk in result for item in chunk)

    def imap(self, func, iterable, chunksize=1):
        return self._imap(func, iterable, chunksize, True)

    def imap_unordered(self, func, iterable, chunksize=1):
        return self._imap(func, iterable, chunksize, False)

    def close(self):
        if self._state == RUN:
            self._state = CLOSE

    def terminate(self):
        self._state = TERMINATE
        for w in self._pool:
            if w.exitcode is None:
                w.terminate()
        for w in self._pool:
            w.join()
        self._outqueue.put(None)
        self._finish_results()

    def join(self):
        if self._state == RUN:
            raise ValueError("Pool is still running")
        if self._state == CLOSE:
            for _ in self._pool:
                self._taskqueue.put(None)
            for w in self._pool:
                w.join()
            self._outqueue.put(None)
            self._finish_results()

    def __enter__(self):
        self._check_running()
        return self

    def __exit__(self, *exc):
        self.terminate()

    def __repr__(self):
        state = {RUN: "RUN", CLOSE: "CLOSE", TERMINATE: "TERMINATE"}[self._state]
        return "<%s.%s state=%s pool_size=%d>" % (type(self).__module__, type(self).__qualname__, state,
                                                  len(self._pool))


class ThreadPool:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("multiprocessing.pool.ThreadPool is not in the playground yet: use "
                                  "concurrent.futures.ThreadPoolExecutor")

# The playground's `multiprocessing`: CPython's API on real processes. Each child is a fresh instance of
# the Python runtime with a memory of its own, started the spawn way (CPython's default on macOS and
# Windows, and on Linux since 3.14): it runs the program again as `__mp_main__`, unpickles its Process
# and calls run(). Processes share nothing but the shared memory under Value and Array (mp/shared.rs):
# queues, pipes, locks and events are kept by the kernel (mp/kernel.rs) in the main process, and every
# object crosses as a pickle. Native side: `_mp`.
import itertools
import operator
import os
import pickle
import sys
import threading
import _mp
from queue import Empty, Full

__all__ = [
    "Process", "current_process", "parent_process", "active_children", "cpu_count", "get_start_method",
    "set_start_method", "get_all_start_methods", "get_context", "freeze_support", "Queue", "SimpleQueue",
    "JoinableQueue", "Pipe", "Lock", "RLock", "Semaphore", "BoundedSemaphore", "Event", "Value", "Array",
    "RawValue", "RawArray", "Pool", "ProcessError", "TimeoutError", "AuthenticationError",
    "BufferTooShort", "Connection",
]

# In the main process `__mp_main__` names the main module too, as in CPython: what a child pickles from
# its `__mp_main__` unpickles here.
if "__main__" in sys.modules:
    sys.modules.setdefault("__mp_main__", sys.modules["__main__"])


class ProcessError(Exception):
    pass


class BufferTooShort(ProcessError):
    pass


class TimeoutError(ProcessError):
    pass


class AuthenticationError(ProcessError):
    pass


_BOOTSTRAP_ERROR = '''
        An attempt has been made to start a new process before the
        current process has finished its bootstrapping phase.

        This probably means that you are not using fork to start your
        child processes and you have forgotten to use the proper idiom
        in the main module:

            if __name__ == '__main__':
                freeze_support()
                ...

        The "freeze_support()" line can be omitted if the program
        is not going to be frozen to produce an executable.

        To fix this issue, refer to the "Safe importing of main module"
        section in https://docs.python.org/3/library/multiprocessing.html
        '''

class _BootstrapError(RuntimeError):
    """CPython's RuntimeError for a process started while the child imports the main module."""


_BootstrapError.__name__ = _BootstrapError.__qualname__ = "RuntimeError"
_BootstrapError.__module__ = "builtins"

_bootstrapping = False
_identity_counter = itertools.count(1)
_children = set()


class BaseProcess:
    """A process object: CPython's `multiprocessing.Process`."""

    def __init__(self, group=None, target=None, name=None, args=(), kwargs={}, *, daemon=None):
        assert group is None, "group argument must be None for now"
        count = next(_identity_counter)
        self._identity = _current._identity + (count,)
        self._parent_pid = os.getpid()
        self._parent_name = _current.name
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs)
        self._name = name or type(self).__name__ + "-" + ":".join(str(i) for i in self._identity)
        self._daemon = _current.daemon if daemon is None else daemon
        self._pid = None
        self._exitcode = None
        self._closed = False
        self._started = False

    def run(self):
        if self._target:
            self._target(*self._args, **self._kwargs)

    def start(self):
        self._check_closed()
        assert not self._started, "cannot start a process twice"
        assert self._parent_pid == os.getpid(), "can only start a process object created by current process"
        assert not _current._daemon_child, "daemonic processes are not allowed to have children"
        if _bootstrapping:
            raise _BootstrapError(_BOOTSTRAP_ERROR)
        _reap()
        # Spawn: the process object crosses to the child as a pickle (a lambda target cannot).
        payload = pickle.dumps(self)
        self._pid = _mp.spawn(self._name, payload)
        self._started = True
        _children.add(self)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_started"] = False
        state.pop("_popen", None)
        return state

    def terminate(self):
        """Ends the process at once, as SIGTERM does: its exit code is -15."""
        self._check_closed()
        if self._pid is not None:
            _mp.kill(self._pid, -15)

    def kill(self):
        """Ends the process at once, as SIGKILL does: its exit code is -9."""
        self._check_closed()
        if self._pid is not None:
            _mp.kill(self._pid, -9)

    def join(self, timeout=None):
        self._check_closed()
        assert self._parent_pid == os.getpid(), "can only join a child process"
        assert self._started, "can only join a started process"
        code = _mp.join(self._pid, timeout)
        if code is not None:
            self._exitcode = code
            _children.discard(self)

    def is_alive(self):
        self._check_closed()
        if self is _current:
            return True
        if not self._started:
            return False
        return self.exitcode is None

    def close(self):
        if self._started and self.exitcode is None:
            raise ValueError("Cannot close a process while it is still running. "
                             "You should first call join() or terminate().")
        self._closed = True
        _children.discard(self)

    def _check_closed(self):
        if self._closed:
            raise ValueError("process object is closed")

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, name):
        assert isinstance(name, str), "name must be a string"
        self._name = name

    @property
    def daemon(self):
        return self._daemon

    @daemon.setter
    def daemon(self, daemonic):
        assert not self._started, "process has already started"
        self._daemon = daemonic

    @property
    def exitcode(self):
        self._check_closed()
        if self._exitcode is None and self._pid is not None and self is not _current:
            self._exitcode = _mp.exitcode(self._pid)
        return self._exitcode

    @property
    def pid(self):
        self._check_closed()
        return self._pid

    ident = pid

    @property
    def authkey(self):
        return b"playground"

    def __repr__(self):
        status = "initial"
        if self is _current:
            status = "started"
        elif self._closed:
            status = "closed"
        elif self._started:
            code = self.exitcode
            status = "started" if code is None else "stopped" if code == 0 else "stopped exitcode=%d" % code
        info = [type(self).__name__, "name=%r" % self._name]
        if self._pid is not None:
            info.append("pid=%s" % self._pid)
        info.append("parent=%s" % self._parent_pid)
        info.append(status)
        if self._daemon:
            info.append("daemon")
        return "<%s>" % " ".join(info)


class Process(BaseProcess):
    pass


class _MainProcess(BaseProcess):
    def __init__(self):
        self._identity = ()
        self._name = "MainProcess"
        self._parent_pid = None
        self._parent_name = None
        self._daemon = False
        self._pid = os.getpid()
        self._exitcode = None
        self._closed = False
        self._started = True
        self._target = None
        self._args = ()
        self._kwargs = {}


_current = _MainProcess()
_current._daemon_child = False
_parent = None


def current_process():
    return _current


def parent_process():
    return _parent


def _reap():
    for p in list(_children):
        if p._exitcode is not None or _mp.exitcode(p._pid) is not None:
            p._exitcode = _mp.exitcode(p._pid)
            _children.discard(p)


def active_children():
    _reap()
    return list(_children)


def cpu_count():
    return os.cpu_count() or 1


def get_start_method(allow_none=False):
    return "spawn"


def get_all_start_methods():
    return ["spawn"]


def set_start_method(method, force=False):
    if method != "spawn":
        raise ValueError("cannot use start method %r here: the playground's processes are spawned "
                         "(fresh instances with a memory of their own; a browser cannot fork)" % method)


def get_context(method=None):
    if method not in (None, "spawn"):
        set_start_method(method)
    return sys.modules[__name__]


def freeze_support():
    pass


def set_executable(executable):
    pass


def allow_connection_pickling():
    pass


def _abort_bootstrap():
    """A child started processes while running the program as __mp_main__: the program has no main
    guard. The whole run ends, with why (otherwise every child would start children of its own)."""
    _mp.abort_run(
        "Stopped: %s started a process while it was importing the program as __mp_main__ (the "
        "RuntimeError above). With spawn, every child runs the whole file again: put the code that "
        "starts processes under if __name__ == \"__main__\":." % _current.name)


def _child_main(source, name, pid, payload):
    """A child process, as CPython's spawn runs one: the program as __mp_main__, then its Process."""
    global _bootstrapping, _current, _parent
    import types
    import posix
    posix.getpid = os.getpid = lambda: pid
    posix.getppid = os.getppid = lambda: 1
    _current._name = name
    _current._pid = pid
    main = types.ModuleType("__mp_main__")
    main.__file__ = "main.py"
    main.__builtins__ = __builtins__
    sys.modules["__mp_main__"] = sys.modules["__main__"] = main
    _bootstrapping = True
    try:
        code = compile(source, "main.py", "exec")
        exec(code, main.__dict__)
    except SystemExit as e:
        return _exit_code(e)
    except BaseException as e:
        import traceback
        traceback.print_exc()
        if isinstance(e, _BootstrapError):
            _abort_bootstrap()
        return 1
    finally:
        _bootstrapping = False
    process = pickle.loads(payload)
    process._pid = pid
    process._started = True
    _parent = _MainProcess()
    _parent._pid = 1
    _parent._name = process._parent_name or "MainProcess"
    process._daemon_child = process._daemon
    _current = process
    try:
        process.run()
        code = 0
    except SystemExit as e:
        code = _exit_code(e)
    except BaseException:
        sys.stderr.write("Process %s:\n" % process.name)
        import traceback
        traceback.print_exc()
        code = 1
    finally:
        threading._shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    return code


def _exit_code(e):
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code
    sys.stderr.write("%s\n" % e.code)
    return 1


def _exit_function():
    """What CPython does as the main process exits: terminate daemonic children, join the others."""
    for p in active_children():
        if p.daemon:
            p.terminate()
    for p in active_children():
        p.join()


# --- queues ------------------------------------------------------------------------------------------

class Queue:
    """A process-safe FIFO: CPython's multiprocessing.Queue. Items are pickled by put()."""

    def __init__(self, maxsize=0, *, ctx=None, _via=None):
        if maxsize <= 0:
            maxsize = 0
        self._maxsize = maxsize
        # What the timeline calls its items' arrows: the class, or the pool's part (pool.py).
        self._ch = _mp.new_channel(0, _via or type(self).__name__)
        # A bounded queue's free places are tokens: put() takes one (waiting while there is none).
        self._slots = _mp.new_channel(maxsize) if maxsize else None
        self._closed = False

    def __getstate__(self):
        return (self._maxsize, self._ch, self._slots)

    def __setstate__(self, state):
        self._maxsize, self._ch, self._slots = state
        self._closed = False

    def put(self, obj, block=True, timeout=None):
        if self._closed:
            raise ValueError("Queue %r is closed" % self)
        data = pickle.dumps(obj)
        if self._slots is not None:
            if _mp.get(self._slots, timeout if block else 0) is None:
                raise Full
        _mp.put(self._ch, data)

    def get(self, block=True, timeout=None):
        if self._closed:
            raise ValueError("Queue %r is closed" % self)
        data = _mp.get(self._ch, timeout if block else 0)
        if data is None:
            raise Empty
        if self._slots is not None:
            _mp.put(self._slots, b"")
        return pickle.loads(data)

    def put_nowait(self, obj):
        return self.put(obj, False)

    def get_nowait(self):
        return self.get(False)

    def qsize(self):
        return _mp.qsize(self._ch)

    def empty(self):
        return self.qsize() == 0

    def full(self):
        return bool(self._maxsize) and self.qsize() >= self._maxsize

    def close(self):
        self._closed = True

    def join_thread(self):
        pass

    def cancel_join_thread(self):
        pass


class SimpleQueue(Queue):
    def __init__(self, *, ctx=None):
        super().__init__(0)


class JoinableQueue(Queue):
    def __init__(self, maxsize=0, *, ctx=None):
        super().__init__(maxsize)
        self._unfinished = _mp.new_cell(0)

    def __getstate__(self):
        return super().__getstate__() + (self._unfinished,)

    def __setstate__(self, state):
        super().__setstate__(state[:3])
        self._unfinished = state[3]

    def put(self, obj, block=True, timeout=None):
        _mp.add(self._unfinished, 1)
        try:
            super().put(obj, block, timeout)
        except BaseException:
            _mp.add(self._unfinished, -1)
            raise

    def task_done(self):
        if _mp.add(self._unfinished, -1) < 0:
            _mp.add(self._unfinished, 1)
            raise ValueError("task_done() called too many times")

    def join(self):
        _mp.wait_cell(self._unfinished, False, None)


# --- pipes -------------------------------------------------------------------------------------------

class Connection:
    """One end of a Pipe: send() pickles, recv() blocks until an object arrives."""

    def __init__(self, recv_ch, send_ch):
        self._recv_ch = recv_ch
        self._send_ch = send_ch
        self._closed = False

    def __getstate__(self):
        return (self._recv_ch, self._send_ch)

    def __setstate__(self, state):
        self._recv_ch, self._send_ch = state
        self._closed = False

    def _check(self, channel, what):
        if self._closed:
            raise OSError("handle is closed")
        if channel is None:
            raise OSError("connection is %s-only" % ("read" if what == "write" else "write"))
        return channel

    def send(self, obj):
        _mp.put(self._check(self._send_ch, "write"), pickle.dumps(obj))

    def recv(self):
        return pickle.loads(_mp.get(self._check(self._recv_ch, "read"), None))

    def send_bytes(self, buf, offset=0, size=None):
        data = bytes(memoryview(buf)[offset:None if size is None else offset + size])
        _mp.put(self._check(self._send_ch, "write"), b"B" + data)

    def recv_bytes(self, maxlength=None):
        data = _mp.get(self._check(self._recv_ch, "read"), None)
        return data[1:] if data[:1] == b"B" else data

    def poll(self, timeout=0.0):
        return _mp.poll(self._check(self._recv_ch, "read"), timeout)

    def close(self):
        self._closed = True

    @property
    def closed(self):
        return self._closed

    @property
    def readable(self):
        return self._recv_ch is not None

    @property
    def writable(self):
        return self._send_ch is not None

    def fileno(self):
        raise OSError("the playground's connections are not file descriptors")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def Pipe(duplex=True):
    """Two connections: duplex, each sends to the other; else (reader, writer)."""
    a = _mp.new_channel(0, "Pipe")
    if duplex:
        b = _mp.new_channel(0, "Pipe")
        return Connection(a, b), Connection(b, a)
    return Connection(a, None), Connection(None, a)


# --- synchronization: semaphores are channels of tokens, an event's flag is a cell ---------------------

class Semaphore:
    def __init__(self, value=1, *, ctx=None):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        self._ch = _mp.new_channel(value)
        self._max = None

    def acquire(self, block=True, timeout=None):
        return _mp.get(self._ch, timeout if block else 0) is not None

    def release(self):
        if self._max is not None and _mp.qsize(self._ch) >= self._max:
            raise ValueError("semaphore or lock released too many times")
        _mp.put(self._ch, b"")

    def get_value(self):
        return _mp.qsize(self._ch)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


class BoundedSemaphore(Semaphore):
    def __init__(self, value=1, *, ctx=None):
        super().__init__(value)
        self._max = value


class Lock(BoundedSemaphore):
    def __init__(self, *, ctx=None):
        super().__init__(1)

    def __repr__(self):
        return "<Lock(owner=%s)>" % ("None" if self.get_value() else "SomeOtherProcess")


class RLock:
    """Held by one thread of one process, any number of times."""

    def __init__(self, *, ctx=None):
        self._lock = Lock()
        self._owner = None
        self._count = 0

    def __getstate__(self):
        return self._lock

    def __setstate__(self, lock):
        self._lock, self._owner, self._count = lock, None, 0

    def acquire(self, block=True, timeout=None):
        me = (os.getpid(), threading.get_ident())
        if self._owner == me:
            self._count += 1
            return True
        if not self._lock.acquire(block, timeout):
            return False
        self._owner, self._count = me, 1
        return True

    def release(self):
        if self._owner != (os.getpid(), threading.get_ident()):
            raise AssertionError("attempt to release recursive lock not owned by thread")
        self._count -= 1
        if self._count == 0:
            self._owner = None
            self._lock.release()

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()


class Event:
    def __init__(self, *, ctx=None):
        self._flag = _mp.new_cell(0)

    def __getstate__(self):
        return self._flag

    def __setstate__(self, flag):
        self._flag = flag

    def is_set(self):
        return _mp.load(self._flag) != 0

    def set(self):
        _mp.store(self._flag, 1)

    def clear(self):
        _mp.store(self._flag, 0)

    def wait(self, timeout=None):
        return _mp.wait_cell(self._flag, True, timeout)


# --- shared values: slots of the memory every process maps (python/src/mp/shared.rs), one per element.
# A read and a write are two steps, so an unlocked `v.value += 1` in two processes loses updates, as with
# CPython's shared memory. Pickled, a Value or an Array is its slots' place, never its contents. --------

_INT_CODES = "bBhHiIlLqQ"
_FLOAT_CODES = "fd"


def _typecode(t):
    code = t if isinstance(t, str) else getattr(t, "_type_", None)
    if not isinstance(code, str) or code not in _INT_CODES + _FLOAT_CODES + "c?u":
        raise TypeError("unsupported type for a shared value: %r (use a typecode such as 'i' or 'd')" % (t,))
    return code


def _encode(code, value):
    if code in _FLOAT_CODES:
        import struct
        return struct.unpack("<q", struct.pack("<d", float(value)))[0]
    if code == "c":
        return value[0] if isinstance(value, (bytes, bytearray)) else int(value)
    if code == "u":
        return ord(value)
    return int(value)


def _decode(code, raw):
    if code in _FLOAT_CODES:
        import struct
        return struct.unpack("<d", struct.pack("<q", raw))[0]
    if code == "c":
        return bytes([raw])
    if code == "u":
        return chr(raw)
    if code == "?":
        return bool(raw)
    return raw


class _Shared:
    def get_lock(self):
        if self._lock is None:
            raise AttributeError("a raw shared value has no lock")
        return self._lock

    def get_obj(self):
        return self

    def acquire(self, *args):
        return self.get_lock().acquire(*args)

    def release(self):
        return self.get_lock().release()

    def __enter__(self):
        return self.get_lock().__enter__()

    def __exit__(self, *exc):
        return self.get_lock().__exit__(*exc)


class _Value(_Shared):
    def __init__(self, code, value, lock):
        self._code = code
        self._slot = _mp.new_shared(1)
        _mp.shared_store(self._slot, [_encode(code, value)])
        self._lock = (RLock() if lock is True else lock) if lock else None

    @property
    def value(self):
        return _decode(self._code, _mp.shared_load(self._slot, 1)[0])

    @value.setter
    def value(self, value):
        _mp.shared_store(self._slot, [_encode(self._code, value)])

    def __repr__(self):
        return "<Synchronized wrapper for c_%s(%r)>" % (self._code, self.value)


def Value(typecode_or_type, *args, lock=True, ctx=None):
    code = _typecode(typecode_or_type)
    return _Value(code, args[0] if args else 0, lock)


def RawValue(typecode_or_type, *args):
    return Value(typecode_or_type, *args, lock=False)


class _Array(_Shared):
    def __init__(self, code, size_or_initializer, lock):
        self._code = code
        if isinstance(size_or_initializer, int):
            values = [0] * size_or_initializer
        else:
            values = list(size_or_initializer)
        self._len = len(values)
        self._slot = _mp.new_shared(self._len)
        _mp.shared_store(self._slot, [_encode(code, v) for v in values])
        self._lock = (RLock() if lock is True else lock) if lock else None

    def __len__(self):
        return self._len

    def _index(self, i):
        i = operator.index(i)
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("invalid index")
        return i

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(self._len)
            if step == 1:
                raw = _mp.shared_load(self._slot + start, max(0, stop - start))
            else:
                raw = [_mp.shared_load(self._slot + j, 1)[0] for j in range(start, stop, step)]
            return [_decode(self._code, r) for r in raw]
        return _decode(self._code, _mp.shared_load(self._slot + self._index(i), 1)[0])

    def __setitem__(self, i, value):
        if isinstance(i, slice):
            places = range(*i.indices(self._len))
            values = list(value)
            if len(values) != len(places):
                raise ValueError("Can only assign sequence of same size")
            for j, v in zip(places, values):
                _mp.shared_store(self._slot + j, [_encode(self._code, v)])
        else:
            _mp.shared_store(self._slot + self._index(i), [_encode(self._code, value)])

    def __iter__(self):
        return iter(self[:])

    def __repr__(self):
        return "<SynchronizedArray wrapper for c_%s_Array_%d(%r)>" % (self._code, len(self), self[:])


def Array(typecode_or_type, size_or_initializer, *, lock=True, ctx=None):
    return _Array(_typecode(typecode_or_type), size_or_initializer, lock)


def RawArray(typecode_or_type, size_or_initializer):
    return Array(typecode_or_type, size_or_initializer, lock=False)


def Pool(processes=None, initializer=None, initargs=(), maxtasksperchild=None):
    from multiprocessing.pool import Pool
    return Pool(processes, initializer, initargs, maxtasksperchild)


def Manager():
    raise NotImplementedError("multiprocessing.Manager() is not in the playground: use Queue, Pipe, Value "
                              "or Array, which it has")


def Condition(lock=None):
    raise NotImplementedError("multiprocessing.Condition is not in the playground yet: use an Event, a "
                              "Queue or a Semaphore")


def Barrier(parties, action=None, timeout=None):
    raise NotImplementedError("multiprocessing.Barrier is not in the playground yet: use an Event or a "
                              "JoinableQueue")

# The playground's prelude: runs once in every fresh interpreter, before the learner's program.
# It wires the standard library to the engine through our native modules (`_playground`, `posix`,
# `_thread`), using only public hooks: module attributes, sys.stdout/sys.stderr, sys.meta_path.
import sys
import builtins
import _playground
import posix as _posix


# --- posix: the rest of what `import os` needs -----------------------------------------------------
# There is no file system and no environment here; the calls that would need one say so.
def _install_posix(ns):
    def no_file_system(name):
        def call(path=None, *args, **kwargs):
            raise FileNotFoundError(2, "No such file or directory (the playground has no file system)", path)
        call.__name__ = name
        return call

    for name in ("stat", "lstat", "open", "scandir", "mkdir", "rmdir", "remove", "unlink", "rename",
                 "replace", "chdir", "chmod", "utime", "readlink", "truncate", "link", "symlink"):
        ns[name] = no_file_system(name)

    def listdir(path="."):
        if path in (".", "/", "", b".", b"/"):
            return []
        raise FileNotFoundError(2, "No such file or directory (the playground has no file system)", path)

    def write(fd, data):
        if fd not in (1, 2):
            raise OSError(9, "Bad file descriptor")
        text = bytes(data).decode("utf-8", "replace")
        _playground.write(fd, text)
        return len(data)

    def _exit(code=0):
        raise SystemExit(code)

    def strerror(code):
        import errno
        return errno.errorcode.get(code, "Unknown error %d" % code)

    ns.update(
        listdir=listdir, write=write, _exit=_exit, strerror=strerror,
        getcwd=lambda: "/", getcwdb=lambda: b"/", getlogin=lambda: "learner",
        access=lambda path, mode, **kw: False, isatty=lambda fd: False,
        device_encoding=lambda fd: None, umask=lambda mask: 0o022,
        environ={b"HOME": b"/", b"USER": b"learner"},
        F_OK=0, R_OK=4, W_OK=2, X_OK=1,
        O_RDONLY=0, O_WRONLY=1, O_RDWR=2, O_CREAT=0o100, O_EXCL=0o200, O_NOCTTY=0o400, O_TRUNC=0o1000,
        O_APPEND=0o2000, O_NONBLOCK=0o4000, O_CLOEXEC=0o2000000, O_NOFOLLOW=0o400000, O_DIRECTORY=0o200000,
        SEEK_SET=0, SEEK_CUR=1, SEEK_END=2,
    )
    # Types other modules name (shutil, tempfile), though nothing here returns one.
    for name in ("stat_result", "terminal_size", "times_result", "uname_result", "DirEntry"):
        ns[name] = type(name, (tuple,), {"__module__": "os"})


_install_posix(_posix.__dict__)
del _install_posix


# --- errno: wasm's is empty; the Linux numbers of the errors our modules raise and tutorials name ----
def _install_errno():
    import errno
    linux = dict(EPERM=1, ENOENT=2, EINTR=4, EBADF=9, EAGAIN=11, EWOULDBLOCK=11, ENOMEM=12, EACCES=13,
                 EEXIST=17, ENOTDIR=20, EISDIR=21, EINVAL=22, EPIPE=32, ENOSYS=38, ETIMEDOUT=110,
                 ECONNREFUSED=111)
    for name, code in linux.items():
        if not hasattr(errno, name):
            setattr(errno, name, code)
            errno.errorcode.setdefault(code, name)


_install_errno()
del _install_errno


# --- _thread._local: threading.local() in Python, one dict per thread ident ------------------------
# (threading's own fallback, _threading_local, imports threading while threading imports it.)
import _thread


class _local:
    """threading.local: attributes that each thread sees separately."""

    __slots__ = ("_local__dicts", "_local__args", "__weakref__")

    def __new__(cls, /, *args, **kwargs):
        if (args or kwargs) and cls.__init__ is object.__init__:
            raise TypeError("Initialization arguments are not supported")
        self = object.__new__(cls)
        object.__setattr__(self, "_local__dicts", {})
        object.__setattr__(self, "_local__args", (args, kwargs))
        object.__getattribute__(self, "_local__dicts")[_thread.get_ident()] = {}
        return self


def _local_dict(self):
    dicts = object.__getattribute__(self, "_local__dicts")
    ident = _thread.get_ident()
    d = dicts.get(ident)
    if d is None:
        d = dicts[ident] = {}
        args, kwargs = object.__getattribute__(self, "_local__args")
        type(self).__init__(self, *args, **kwargs)  # a new thread gets its own, freshly initialized
    return d


def _local_getattribute(self, name):
    if name == "__dict__":
        return _local_dict(self)
    d = _local_dict(self)
    if name in d:
        return d[name]
    return object.__getattribute__(self, name)


def _local_setattr(self, name, value):
    if name == "__dict__":
        raise AttributeError("'%s' object attribute '__dict__' is read-only" % type(self).__name__)
    _local_dict(self)[name] = value


def _local_delattr(self, name):
    d = _local_dict(self)
    if name not in d:
        raise AttributeError(name)
    del d[name]


_local.__getattribute__ = _local_getattribute
_local.__setattr__ = _local_setattr
_local.__delattr__ = _local_delattr
_local.__module__ = "_thread"
_thread._local = _local
del _local, _local_getattribute, _local_setattr, _local_delattr


# --- stdout and stderr: whole lines go to the run's output, labelled with the writing thread --------
class _Output:
    encoding = "utf-8"
    errors = "strict"
    newlines = None
    line_buffering = True
    closed = False

    def __init__(self, fd, name):
        self._fd = fd
        self.name = name

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        return _playground.write(self._fd, s)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        _playground.flush(self._fd)

    def isatty(self):
        return False

    def fileno(self):
        return self._fd

    def readable(self):
        return False

    def writable(self):
        return True

    def seekable(self):
        return False

    def close(self):
        pass

    def __repr__(self):
        return "<_io.TextIOWrapper name='%s' mode='w' encoding='utf-8'>" % self.name


sys.stdout = sys.__stdout__ = _Output(1, "<stdout>")
sys.stderr = sys.__stderr__ = _Output(2, "<stderr>")


def input(prompt=""):
    sys.stdout.write(str(prompt))
    sys.stdout.flush()
    raise EOFError("input(): the playground has no keyboard input; put the value in the code instead")


builtins.input = input
del input


# --- time: the engine's clock, and sleeps that really block (and end when the run is stopped) -------
def _install_time():
    import time
    now = _playground.time
    clock = _playground.monotonic
    time.time = now
    time.time_ns = lambda: int(now() * 1e9)
    time.monotonic = time.perf_counter = clock
    time.monotonic_ns = time.perf_counter_ns = lambda: int(clock() * 1e9)
    time.sleep = _playground.sleep

    # asyncio's event loop reads the monotonic clock's resolution (wasm's time module has no
    # get_clock_info). The engine's clock counts milliseconds as floats, finer than a microsecond.
    def get_clock_info(name):
        if name not in ("time", "monotonic", "perf_counter"):
            raise ValueError("unknown clock")
        from types import SimpleNamespace
        return SimpleNamespace(implementation="the playground engine's clock", monotonic=name != "time",
                               adjustable=name == "time", resolution=1e-06)
    time.get_clock_info = get_clock_info
    # These read the system clock when called without a time; give them ours.
    localtime, gmtime, ctime, asctime, strftime = (
        time.localtime, time.gmtime, time.ctime, time.asctime, time.strftime)
    time.localtime = lambda secs=None: localtime(now() if secs is None else secs)
    time.gmtime = lambda secs=None: gmtime(now() if secs is None else secs)
    time.ctime = lambda secs=None: ctime(now() if secs is None else secs)
    time.asctime = lambda t=None: asctime(time.localtime() if t is None else t)
    time.strftime = lambda fmt, t=None: strftime(fmt, time.localtime() if t is None else t)


_install_time()
del _install_time


# --- modules we do not have: say which, and what to use instead ------------------------------------
_INSTEAD = {
    "requests": "use urllib.request.urlopen() on the page's own files (for example 'files/sample-16k.bin')",
    "aiohttp": "use urllib.request.urlopen() in threads",
    "httpx": "use urllib.request.urlopen() in threads",
    "numpy": "use lists and the math module",
    "pandas": "use lists, dicts and the csv module",
    "tkinter": "there is no window system here; print() instead",
}


class _MissingModuleHints:
    """Last on sys.meta_path: only asked when no other finder knows the module."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if path is not None or "." in name:
            return None
        hint = _INSTEAD.get(name)
        if hint is None:
            hint = "this playground has the Python standard library only; packages cannot be installed"
        raise ModuleNotFoundError("No module named '%s' (%s)" % (name, hint), name=name)

    @staticmethod
    def invalidate_caches():
        pass


sys.meta_path.append(_MissingModuleHints)


# --- our own modules: multiprocessing on real processes, concurrent.futures.process over it, and the
# _socket, select, _signal and subprocess that asyncio imports (see stdlib/mod.rs). Served ahead of the
# frozen standard library, whose versions need _multiprocessing, pipes and fork, or are not built for wasm.

class _OurLoader:
    def __init__(self, name, source):
        self._name = name
        self._source = source

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        filename = "/playground/%s.py" % self._name.replace(".", "/")
        exec(compile(self._source, filename, "exec"), module.__dict__)

    def get_source(self, name):
        return self._source


class _OurModules:
    @staticmethod
    def find_spec(name, path=None, target=None):
        found = _playground.module_source(name)
        if found is None:
            return None
        import importlib.util
        return importlib.util.spec_from_loader(name, _OurLoader(name, found[0]), is_package=found[1])

    @staticmethod
    def invalidate_caches():
        pass


sys.meta_path.insert(0, _OurModules)


# --- urllib.request: the page's own files, by a synchronous request from this thread's worker ----------
# The standard urllib.request needs sockets (http.client); ours is registered under the same name and
# offers what scraping tutorials use: urlopen(url) -> a response with read(), status, headers, a context.
_URLLIB_REQUEST = r"""
import email.message
import urllib.error
import _playground

class Request:
    def __init__(self, url, data=None, headers={}, method=None):
        self.full_url = url
        self.data = data
        self.headers = dict(headers)
        self.method = method or ("POST" if data is not None else "GET")

class _Response:
    def __init__(self, url, body):
        self.url = url
        self._body = body
        self._pos = 0
        self.status = self.code = 200
        self.reason = "OK"
        self.headers = email.message.Message()
        self.headers["Content-Length"] = str(len(body))
    def read(self, n=-1):
        end = len(self._body) if n is None or n < 0 else self._pos + n
        chunk = self._body[self._pos:end]
        self._pos += len(chunk)
        return chunk
    def getcode(self):
        return self.status
    def geturl(self):
        return self.url
    def info(self):
        return self.headers
    def close(self):
        pass
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self.close()

def urlopen(url, data=None, timeout=None, **kwargs):
    if isinstance(url, Request):
        if url.method != "GET":
            raise urllib.error.URLError("only GET requests of the page's own files work here")
        url = url.full_url
    try:
        body = _playground.fetch(str(url))
    except OSError as e:
        raise urllib.error.URLError(str(e)) from None
    return _Response(str(url), body)
"""


class _UrllibRequestFinder:
    """First on sys.meta_path, for urllib.request only."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "urllib.request":
            return None
        import importlib.util
        return importlib.util.spec_from_loader(name, _UrllibRequestFinder)

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        exec(compile(_URLLIB_REQUEST, "<playground urllib.request>", "exec"), module.__dict__)

    @staticmethod
    def invalidate_caches():
        pass


sys.meta_path.insert(0, _UrllibRequestFinder)


# --- tracebacks: show the program's own lines, and find the line to point at in the editor ----------
class SourceLoader:
    """`__loader__` of the learner's `__main__`: linecache reads the program's lines from it."""

    def __init__(self, source):
        self._source = source

    def get_source(self, name):
        return self._source


def report(exc, filename):
    """(type name, message, traceback text, line in the learner's file or None) for an exception."""
    import traceback
    text = "".join(traceback.format_exception(exc))
    line = None
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        line = exc.lineno
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return type(exc).__name__, str(exc), text, line


# --- the GIL (see gil_module.rs) -----------------------------------------------------------------------
# sys tells the truth about the emulated GIL in every run; the switch points cost something, so they are
# registered only in a run with the GIL (or in solo mode, where they also report progress: solo/mod.rs), just
# before the program starts.
import _gil

sys._is_gil_enabled = _gil.enabled
sys.getswitchinterval = _gil.getswitchinterval
sys.setswitchinterval = _gil.setswitchinterval


def use_gil():
    """Makes backward jumps and function entries switch points (CPython's eval breaker), for every thread."""
    m = sys.monitoring
    m.use_tool_id(_gil.TOOL_ID, "playground GIL")
    m.register_callback(_gil.TOOL_ID, m.events.JUMP, _gil.switch_point)
    m.register_callback(_gil.TOOL_ID, m.events.PY_START, _gil.switch_point)
    m.set_events(_gil.TOOL_ID, m.events.JUMP | m.events.PY_START)

"""select.select(), over the in-memory sockets of `socket.socketpair()` (see `_memsocket`).

The browser has no file descriptors to wait on. What asyncio's event loop waits on is its own socket
pair, and its timers (select's timeout): this select really blocks until one of the sockets it watches
gets bytes, or the timeout passes, so `asyncio.sleep` sleeps and `call_soon_threadsafe` wakes the loop.
Without poll and epoll, `selectors.DefaultSelector` is the `SelectSelector` over this.
"""
import errno as _errno
import time as _time

import _memsocket

error = OSError


def _memory_socket(obj):
    if isinstance(obj, int):
        fd = obj
    else:
        fileno = getattr(obj, "fileno", None)
        if fileno is None:
            raise TypeError("argument must be an int, or have a fileno() method.")
        fd = fileno()
    if fd < 0:
        raise ValueError("file descriptor cannot be a negative integer (%d)" % fd)
    sock = _memsocket.lookup(fd)
    if sock is None:
        raise OSError(_errno.EBADF, "Bad file descriptor: in the browser select() can wait only on the ends "
                      "of a socket.socketpair(), and %d is not one" % fd)
    return sock


def _select(rlist, wlist, xlist, timeout=None):
    """Wait until some of `rlist` can be read or some of `wlist` written, or `timeout` seconds pass."""
    if timeout is not None:
        try:
            timeout = float(timeout)
        except (TypeError, ValueError):
            raise TypeError("timeout must be a float or None") from None
        if timeout < 0:
            raise ValueError("timeout must be non-negative")
    readers = [(obj, _memory_socket(obj)) for obj in rlist]
    writers = [(obj, _memory_socket(obj)) for obj in wlist]
    for obj in xlist:
        _memory_socket(obj)            # checked; in-memory sockets have no exceptional conditions
    deadline = None if timeout is None else _time.monotonic() + timeout
    with _memsocket.changed:
        while True:
            ready_r = [obj for obj, sock in readers if sock.readable()]
            ready_w = [obj for obj, sock in writers if sock.writable()]
            if ready_r or ready_w:
                return ready_r, ready_w, []
            if deadline is None:
                _memsocket.changed.wait()
                continue
            left = deadline - _time.monotonic()
            if left <= 0:
                return [], [], []
            _memsocket.changed.wait(left)


# A staticmethod, so that it does not become a method where it is stored on a class, as a built-in
# would not: selectors.SelectSelector has `_select = select.select`.
select = staticmethod(_select)

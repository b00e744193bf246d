"""The ends of in-memory socket pairs, between the threads of one process: under `socket.socketpair()`.

The browser has no sockets. asyncio's event loop needs one pair, to wake itself from another thread
(`call_soon_threadsafe`, `to_thread`, `run_in_executor`): a byte sent into one end makes the other end
readable, and our `select.select()` waits for that. An end is what a file descriptor names in an OS: it
carries bytes in memory and really blocks; our `_socket.socket` objects are handles on ends. Every
change is announced on one condition, which `select` and `recv` wait on.
"""
import errno as _errno
import threading as _threading
import time as _time

# Notified whenever an end gets bytes or closes.
changed = _threading.Condition()
_by_fd = {}
_next_fd = 1000          # far from 0-2 (stdio): an end's descriptor is not a real one


def lookup(fd):
    """The open end with descriptor `fd`, or None."""
    return _by_fd.get(fd)


def pair():
    """Two connected ends: bytes sent into one are received from the other."""
    a, b = End(), End()
    a._peer, b._peer = b, a
    return a, b


class End:
    def __init__(self):
        global _next_fd
        with changed:
            self.fd = _next_fd
            _next_fd += 1
            _by_fd[self.fd] = self
        self._peer = None
        self._incoming = bytearray()
        self.closed = False

    def readable(self):
        """select()'s test: bytes are waiting, or reading would return at once (end of stream)."""
        return bool(self._incoming) or self.closed or self._peer.closed

    def writable(self):
        return True   # the buffer in memory has no bound: a send never waits

    def send(self, data):
        data = bytes(memoryview(data))
        with changed:
            self._check_open()
            if self._peer.closed:
                raise BrokenPipeError(_errno.EPIPE, "Broken pipe: the other end of the socket pair is closed")
            self._peer._incoming += data
            changed.notify_all()
        return len(data)

    def recv(self, bufsize, timeout):
        """Up to `bufsize` bytes; waits for some first (None: as long as it takes, 0.0: not at all)."""
        if bufsize < 0:
            raise ValueError("negative buffersize in recv")
        deadline = None if not timeout else _time.monotonic() + timeout
        with changed:
            while not self._incoming:
                self._check_open()
                if self._peer.closed:
                    return b""
                if timeout == 0.0:
                    raise BlockingIOError(_errno.EAGAIN, "Resource temporarily unavailable")
                if deadline is None:
                    changed.wait()
                    continue
                left = deadline - _time.monotonic()
                if left <= 0:
                    raise TimeoutError("timed out")
                changed.wait(left)
            chunk = bytes(self._incoming[:bufsize])
            del self._incoming[:bufsize]
            return chunk

    def close(self):
        with changed:
            if not self.closed:
                self.closed = True
                _by_fd.pop(self.fd, None)
                changed.notify_all()

    def _check_open(self):
        if self.closed:
            raise OSError(_errno.EBADF, "Bad file descriptor")

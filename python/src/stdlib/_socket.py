"""_socket, as far as a browser has sockets: the pairs of `socketpair()`, in memory, and no network.

The standard `socket` module is built on this (its `socket` class derives from ours), and asyncio's
event loop wakes itself through `socket.socketpair()`. A pair's two sockets carry bytes between the
threads of one process (`_memsocket`); `select.select()` waits on them. A page cannot open network
sockets, so `socket()` without a pair's descriptor, and name lookups, raise an OSError that says what
to use instead.
"""
import errno as _errno

import _memsocket

AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6 = 0, 1, 2, 10
SOCK_STREAM, SOCK_DGRAM, SOCK_RAW = 1, 2, 3
SOL_SOCKET, SO_REUSEADDR, SO_ERROR, SO_BROADCAST, SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE = 1, 2, 4, 6, 7, 8, 9
SO_REUSEPORT = 15
IPPROTO_IP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_IPV6, IPV6_V6ONLY, TCP_NODELAY = 0, 6, 17, 41, 26, 1
MSG_OOB, MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL = 1, 2, 64, 256
AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST, AI_V4MAPPED, AI_ALL, AI_ADDRCONFIG, AI_NUMERICSERV = (
    1, 2, 4, 8, 16, 32, 1024)
NI_NUMERICHOST, NI_NUMERICSERV = 1, 2
EAI_NONAME, EAI_AGAIN, EAI_FAIL, EAI_FAMILY, EAI_SERVICE = -2, -3, -4, -6, -8
SHUT_RD, SHUT_WR, SHUT_RDWR = 0, 1, 2
SOMAXCONN = 4096
INADDR_ANY, INADDR_LOOPBACK = 0, 0x7F000001
has_ipv6 = False

error = OSError
timeout = TimeoutError


class herror(OSError):
    pass


class gaierror(OSError):
    pass


_NO_NETWORK = ("a browser page cannot open network sockets; fetch the page's own files with "
               "urllib.request.urlopen(), or pass data between threads with queue.Queue")
_default_timeout = None


def getdefaulttimeout():
    return _default_timeout


def setdefaulttimeout(value):
    global _default_timeout
    _default_timeout = _checked_timeout(value)


def _checked_timeout(value):
    if value is None:
        return None
    value = float(value)
    if value < 0:
        raise ValueError("Timeout value out of range")
    return value


class socket:
    """A handle on one end of a socket pair (see `_memsocket`)."""

    __slots__ = ("_end", "_family", "_type", "_proto", "_timeout")

    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        self._end = None
        if fileno is None:
            raise OSError(_errno.ENOSYS, "socket.socket(): " + _NO_NETWORK + " (socket.socketpair() works, in memory)")
        end = _memsocket.lookup(int(fileno))
        if end is None:
            raise OSError(_errno.EBADF, "Bad file descriptor: here only the ends of a socket.socketpair() are sockets")
        self._end = end
        self._family = AF_UNIX if family == -1 else int(family)
        self._type = SOCK_STREAM if type == -1 else int(type)
        self._proto = 0 if proto == -1 else int(proto)
        self._timeout = _default_timeout

    family = property(lambda self: self._family)
    type = property(lambda self: self._type)
    proto = property(lambda self: self._proto)

    def fileno(self):
        return -1 if self._end is None or self._end.closed else self._end.fd

    def _open_end(self):
        if self._end is None or self._end.closed:
            raise OSError(_errno.EBADF, "Bad file descriptor")
        return self._end

    def setblocking(self, flag):
        self._timeout = None if flag else 0.0

    def getblocking(self):
        return self._timeout != 0.0

    def settimeout(self, value):
        self._timeout = _checked_timeout(value)

    def gettimeout(self):
        return self._timeout

    def send(self, data, flags=0):
        return self._open_end().send(data)

    def sendall(self, data, flags=0):
        self._open_end().send(data)

    def recv(self, bufsize, flags=0):
        return self._open_end().recv(bufsize, self._timeout)

    def recv_into(self, buffer, nbytes=0, flags=0):
        view = memoryview(buffer).cast("B")
        chunk = self.recv(nbytes or len(view))
        view[:len(chunk)] = chunk
        return len(chunk)

    def getsockname(self):
        self._open_end()
        return ""          # an unnamed AF_UNIX socket, as an OS's socketpair() gives

    getpeername = getsockname

    def shutdown(self, how):
        self._open_end()

    def close(self):
        if self._end is not None:
            self._end.close()
            self._end = None

    def detach(self):
        """The descriptor, left open for another handle (`socket.socket(fileno=...)`)."""
        fd = self.fileno()
        self._end = None
        return fd

    def setsockopt(self, *args):
        self._open_end()

    def getsockopt(self, level, option, buflen=None):
        self._open_end()
        return 0


SocketType = socket


def socketpair(family=AF_UNIX, type=SOCK_STREAM, proto=0):
    """Two connected sockets, in memory: bytes sent into one are received from the other."""
    a, b = _memsocket.pair()
    return socket(family, type, proto, a.fd), socket(family, type, proto, b.fd)


def _no_network(name):
    def unavailable(*args, **kwargs):
        raise gaierror(EAI_FAIL, "%s(): %s" % (name, _NO_NETWORK))
    unavailable.__name__ = name
    return unavailable


gethostname = _no_network("gethostname")
gethostbyname = _no_network("gethostbyname")
gethostbyname_ex = _no_network("gethostbyname_ex")
gethostbyaddr = _no_network("gethostbyaddr")
getaddrinfo = _no_network("getaddrinfo")
getnameinfo = _no_network("getnameinfo")


def htons(x):
    return ((x & 0xFF) << 8) | ((x >> 8) & 0xFF)


def htonl(x):
    return int.from_bytes((x & 0xFFFFFFFF).to_bytes(4, "little"), "big")


ntohs, ntohl = htons, htonl


def close(fd):
    end = _memsocket.lookup(fd)
    if end is None:
        raise OSError(_errno.EBADF, "Bad file descriptor")
    end.close()

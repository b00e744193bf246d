"""_signal, as far as a browser has signals: none ever arrives from outside.

The standard `signal` module is built on this, and asyncio's `run()` installs its Ctrl-C handler with
it. Handlers are stored and returned as CPython does (only from the main thread), and
`signal.raise_signal()` calls them, but nothing else delivers a signal: the page's Stop button and the
time limit end a run instead. What needs a timer signal (`alarm`, `setitimer`, `pause`) says what to use.
"""
import errno as _errno
import sys as _sys

SIG_DFL = 0
SIG_IGN = 1
NSIG = 65

SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE = 1, 2, 3, 4, 5, 6, 7, 8
SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM = 9, 10, 11, 12, 13, 14, 15
SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH = 17, 18, 19, 20, 21, 22, 28

_NAMES = {
    SIGHUP: "Hangup", SIGINT: "Interrupt", SIGQUIT: "Quit", SIGILL: "Illegal instruction",
    SIGTRAP: "Trace/breakpoint trap", SIGABRT: "Aborted", SIGBUS: "Bus error",
    SIGFPE: "Floating point exception", SIGKILL: "Killed", SIGUSR1: "User defined signal 1",
    SIGSEGV: "Segmentation fault", SIGUSR2: "User defined signal 2", SIGPIPE: "Broken pipe",
    SIGALRM: "Alarm clock", SIGTERM: "Terminated", SIGCHLD: "Child exited", SIGCONT: "Continued",
    SIGSTOP: "Stopped (signal)", SIGTSTP: "Stopped", SIGTTIN: "Stopped (tty input)",
    SIGTTOU: "Stopped (tty output)", SIGWINCH: "Window changed",
}
# Signals whose default action is not to end the process.
_HARMLESS = {SIGCHLD, SIGCONT, SIGWINCH}


def default_int_handler(signalnum, frame):
    """The default handler of SIGINT: raises KeyboardInterrupt."""
    raise KeyboardInterrupt


# As CPython starts: SIGINT raises KeyboardInterrupt, SIGPIPE is ignored.
_handlers = {SIGINT: default_int_handler, SIGPIPE: SIG_IGN}
_wakeup_fd = -1


def _checked(signalnum):
    if not isinstance(signalnum, int):
        raise TypeError("signal number must be an integer, not %s" % type(signalnum).__name__)
    if not 1 <= signalnum < NSIG:
        raise ValueError("signal number out of range")
    return signalnum


def _in_main_thread(what):
    import threading
    if threading.current_thread() is not threading.main_thread():
        raise ValueError("%s only works in main thread of the main interpreter" % what)


def signal(signalnum, handler):
    """Sets the handler of `signalnum`, returns the previous one."""
    _checked(signalnum)
    _in_main_thread("signal")
    if handler not in (SIG_DFL, SIG_IGN) and not callable(handler):
        raise TypeError("signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object")
    if signalnum in (SIGKILL, SIGSTOP):
        raise OSError(_errno.EINVAL, "Invalid argument")
    previous = _handlers.get(signalnum, SIG_DFL)
    _handlers[signalnum] = handler
    return previous


def getsignal(signalnum):
    return _handlers.get(_checked(signalnum), SIG_DFL)


def raise_signal(signalnum):
    """Delivers `signalnum` to this program now: its handler runs, or its default action happens."""
    signalnum = int(_checked(signalnum))     # a handler gets the number, not the Signals member
    handler = getsignal(signalnum)
    if handler == SIG_IGN or (handler == SIG_DFL and signalnum in _HARMLESS):
        return
    if handler == SIG_DFL:
        # The default action ends the process; a shell reports that as 128 + the signal's number.
        raise SystemExit(128 + signalnum)
    handler(signalnum, _sys._getframe(1))


def set_wakeup_fd(fd, *, warn_on_full_buffer=True):
    global _wakeup_fd
    _in_main_thread("set_wakeup_fd")
    previous, _wakeup_fd = _wakeup_fd, int(fd)
    return previous


def siginterrupt(signalnum, flag):
    _checked(signalnum)


def valid_signals():
    return set(range(1, NSIG))


def strsignal(signalnum):
    return _NAMES.get(_checked(signalnum))


def _no_timer_signals(name, instead):
    def unavailable(*args):
        raise OSError(_errno.ENOSYS, "signal.%s(): no signal ever arrives in the browser; %s" % (name, instead))
    unavailable.__name__ = name
    return unavailable


alarm = _no_timer_signals("alarm", "use threading.Timer(seconds, function) to run something later")
setitimer = _no_timer_signals("setitimer", "use threading.Timer(seconds, function) to run something later")
pause = _no_timer_signals("pause", "wait on a threading.Event, which another thread sets")

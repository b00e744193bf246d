"""subprocess, as far as a browser has it: its names, and a clear error when a program is to be run.

A browser runs no operating-system programs, so there is nothing to start. The names are here because
other modules (asyncio's event loop among them) import them; `Popen`, `run` and the rest raise an
OSError that says what to use for Python code in another process: multiprocessing.
"""
import errno as _errno

__all__ = ["Popen", "PIPE", "STDOUT", "DEVNULL", "call", "check_call", "check_output", "getoutput",
           "getstatusoutput", "run", "CalledProcessError", "CompletedProcess", "SubprocessError",
           "TimeoutExpired"]

PIPE = -1
STDOUT = -2
DEVNULL = -3


class SubprocessError(Exception):
    pass


class CalledProcessError(SubprocessError):
    def __init__(self, returncode, cmd, output=None, stderr=None):
        self.returncode = returncode
        self.cmd = cmd
        self.output = self.stdout = output
        self.stderr = stderr

    def __str__(self):
        return "Command '%s' returned non-zero exit status %d." % (self.cmd, self.returncode)


class TimeoutExpired(SubprocessError):
    def __init__(self, cmd, timeout, output=None, stderr=None):
        self.cmd = cmd
        self.timeout = timeout
        self.output = self.stdout = output
        self.stderr = stderr

    def __str__(self):
        return "Command '%s' timed out after %s seconds" % (self.cmd, self.timeout)


class CompletedProcess:
    def __init__(self, args, returncode, stdout=None, stderr=None):
        self.args = args
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self):
        return "CompletedProcess(args=%r, returncode=%r)" % (self.args, self.returncode)

    def check_returncode(self):
        if self.returncode:
            raise CalledProcessError(self.returncode, self.args, self.stdout, self.stderr)


def _no_programs(args):
    raise OSError(_errno.ENOSYS, "cannot run %r: a browser has no operating-system programs to start; for "
                  "Python code in another process use multiprocessing.Process or "
                  "concurrent.futures.ProcessPoolExecutor" % (args,))


class Popen:
    def __init__(self, args, *rest, **options):
        _no_programs(args)


def run(args, *rest, **options):
    _no_programs(args)


call = check_call = check_output = run


def getoutput(cmd):
    _no_programs(cmd)


getstatusoutput = getoutput

"""Run a reader in a child process, bounded in time and memory.

Readers of binary formats call C libraries (PDFium, libxml2) on files from anywhere.
A damaged file may crash such a library, and a crafted one may expand into gigabytes
or loop: in the batch's own process that would kill a worker and lose its other
documents. The child is forked (it shares the parent's loaded modules, so it starts in
about a millisecond), limited with setrlimit, and killed at the deadline; whatever
happens to it becomes a ReadError here. Where there is no fork (Windows) the reader
runs in the calling process.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import select
import signal
import time
from typing import Any, Callable

from ..reading import ReadError

DEFAULT_TIMEOUT = 300.0          # seconds for one file
DEFAULT_MEMORY = 2 * 1024 ** 3   # bytes of address space a reader may add


def _address_space() -> int:
    """The bytes of virtual memory this process maps now (0 where unknown)."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child(reader: Callable[[bytes, int], Any], data: bytes, memory: int, out: int) -> None:
    """In the child: run the reader and write the pickled outcome to `out`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    faulthandler.disable()  # a crash is reported by the parent, once, as an error row
    try:
        import resource

        limit = _address_space() + memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    outcome: tuple[Any, ...]
    try:
        outcome = ("ok", reader(data, len(data)))
    except ReadError as exc:
        outcome = ("error", exc.reason, str(exc))
    except MemoryError:
        outcome = ("error", "too_large", f"needs more than {memory // 1024 ** 2} MiB of "
                   "memory to read")
    except RecursionError:
        outcome = ("error", "corrupt", "is nested too deeply to read")
    except Exception as exc:  # a damaged file: each library raises its own types
        outcome = ("error", "corrupt", f"cannot be parsed: {type(exc).__name__}: {exc}")
    payload = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
    view = memoryview(payload)
    while view:
        view = view[os.write(out, view):]


def _collect(fd: int, pid: int, deadline: float) -> bytes | None:
    """Everything the child writes, or None when the deadline passes first."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_isolated(reader: Callable[[bytes, int], Any], data: bytes, what: str, *,
                 timeout: float | None = None, memory: int | None = None) -> Any:
    """reader(data, len(data)) in a child process; its ReadError raised here, a crash,
    a time-out or a memory blow-up turned into one."""
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    memory = DEFAULT_MEMORY if memory is None else memory
    if not hasattr(os, "fork"):
        return reader(data, len(data))
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        try:
            os.close(rfd)
            _child(reader, data, memory, wfd)
        finally:
            os._exit(0)
    os.close(wfd)
    try:
        payload = _collect(rfd, pid, time.monotonic() + timeout)
    finally:
        os.close(rfd)
    if payload is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise ReadError("too_large", f"took more than {timeout:g} s to read as {what} "
                        "(stopped)")
    _, status = os.waitpid(pid, 0)
    if not payload:
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
            raise ReadError("corrupt", f"crashed the {what} reader ({name}): a damaged or "
                            "hostile file")
        raise ReadError("corrupt", f"stopped the {what} reader (exit status "
                        f"{os.waitstatus_to_exitcode(status)}) before it gave a result")
    outcome = pickle.loads(payload)
    if outcome[0] == "ok":
        return outcome[1]
    raise ReadError(outcome[1], outcome[2])

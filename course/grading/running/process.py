"""What the grader does to a process that runs student code: drop its privileges, cap its resources, kill what it left.

Each is one function, and every grading path calls that one:

- :func:`drop_privileges`: the worker (:mod:`course.grading.running.worker`) calls it in each task
  before the student's code is imported, in a forked child or in its own process, and in its
  launcher for a plain command (:meth:`course.grading.running.sandbox.Sandbox.command`);
- :func:`set_limits`: the grading child (:mod:`course.grading.running.child`) and the batch worker
  (:mod:`course.grading.running.batch_worker`);
- :func:`kill_leftovers`: the worker when one of its tasks ends, and the runner
  (:mod:`course.grading.running.runner`) when a sandbox ends;
- :func:`become_subreaper`: the batch (:mod:`course.grading.running.sandbox_batch`) and the watcher
  (:mod:`course.watch.reaper`), so that a process that detaches from its tree stays theirs to kill.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import time

from course.grading.running.confine import effective_capabilities  # imported while this process may still read it

#: prctl options (linux/prctl.h).
_PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 24, 38, 47, 4
_PR_SET_CHILD_SUBREAPER = 36
#: capset's header version (linux/capability.h, _LINUX_CAPABILITY_VERSION_3).
_CAPABILITY_VERSION_3 = 0x20080522


def drop_privileges(ident: int) -> None:
    """As root: become ``ident`` (uid and gid) with no groups, no capabilities and no way back.

    It does what ``setpriv --reuid --regid --clear-groups --bounding-set=-all --no-new-privs``
    does, in this process (so it works after a ``fork``, without an ``exec``). ``ident`` 0 keeps
    root's uid and drops only its capabilities (the ``landlock`` level as root, where no other uid
    can reach Python).

    Args:
        ident: int, the uid and gid to become.

    Raises:
        OSError: a step failed; the caller must not run student code then.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in range(64):  # empty the bounding set while CAP_SETPCAP is still ours
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == 22:  # EINVAL: past the last cap
            break
    os.setgroups([])
    os.setresgid(ident, ident, ident)
    os.setresuid(ident, ident, ident)  # from root to another uid, this clears the permitted and effective sets
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    if libc.capset(header, (ctypes.c_uint32 * 6)()) != 0:  # effective, permitted, inheritable: none (uid 0 too)
        raise OSError(ctypes.get_errno(), "capset failed")
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if os.getuid() != ident or os.geteuid() != ident or os.getgid() != ident or effective_capabilities():
        raise OSError(f"could not drop to uid {ident} without capabilities")


def set_limits(*, memory_mb: int = 0, file_mb: int = 0, processes: int = 0) -> None:
    """Cap this process and its children, soft and hard (so student code cannot raise them); no core dumps.

    Args:
        memory_mb: int, address space (RLIMIT_AS); 0 leaves it, and so does macOS, which does not
            enforce it (it is RLIMIT_RSS there).
        file_mb: int, the largest file written (RLIMIT_FSIZE, a disk fill); 0 leaves it.
        processes: int, processes and threads of this uid (RLIMIT_NPROC, a fork bomb); 0 leaves it
            (root ignores it: run as root only without a sandbox).
    """
    wanted = {resource.RLIMIT_CORE: 0, resource.RLIMIT_FSIZE: file_mb * 2**20, resource.RLIMIT_NPROC: processes}
    if sys.platform != "darwin":
        wanted[resource.RLIMIT_AS] = memory_mb * 2**20
    for limit, value in wanted.items():
        if value > 0 or limit == resource.RLIMIT_CORE:
            soft, hard = resource.getrlimit(limit)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(limit, (value, value))


def kill_leftovers(group: int | None, ident: int | None, *, session: int | None = None,
                   seconds: float = 2.5) -> int:
    """Kill a process group and what else is left of it: every process of its uid, or of its session.

    A big process tree (a fork bomb of TensorFlow-sized processes) takes the kernel a while to tear
    down, and a process that left its group is still found by its uid (a uid of its own) or its
    session (the worker's, which every task's group stays in unless it calls ``setsid``); each sweep
    stops them first, so none forks while the others die.

    Args:
        group: int or None, a process group to kill (a task's child, or a sandbox's first process).
        ident: int or None, a uid that only student code runs as (None or 0: none of its own).
        session: int or None, a session whose every process is killed (a worker's, outside
            bubblewrap's pid namespace, which would end them by itself).
        seconds: float, how long to keep sweeping.

    Returns:
        int, how many processes the sweeps found.
    """
    if group is not None:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
    if not ident and session is None:
        return 0
    me, found = os.getpid(), set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc"))) if pid != me and _alive_in(
                pid, ident, session)]
        if not left:
            break
        found.update(left)
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in left:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
        time.sleep(0.05)
    return len(found)


def _alive_in(pid: int, ident: int | None, session: int | None) -> bool:
    """Whether a process still runs (a zombie waits only to be reaped) as ``ident`` or in ``session``.

    Args:
        pid: int.
        ident: int or None, a uid of its own.
        session: int or None, a session id.

    Returns:
        bool.
    """
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # after the command's name, which may hold anything
    except (OSError, IndexError):
        return False
    if fields[0] in ("Z", "X"):
        return False
    return bool((session is not None and int(fields[3]) == session) or (ident and _real_uid(pid) == ident))


def _real_uid(pid: int) -> int | None:
    """A process's real uid, from ``/proc/PID/status`` (not the folder's owner: a process that
    changed its uid is not dumpable, and its ``/proc`` folder then belongs to root).

    Args:
        pid: int, the process id.

    Returns:
        int, or None when the process is gone.
    """
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def become_subreaper() -> bool:
    """Make this process adopt its orphaned descendants (Linux ``PR_SET_CHILD_SUBREAPER``).

    A student process that double-forks to leave its process group and session would otherwise
    be adopted by init and outlive its grading; adopted by this process, it stays among its
    descendants, where the caller's sweep finds it.

    Returns:
        bool, whether it took effect (never outside Linux).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False

"""Landlock, through its three system calls: read-only views, one writable folder, no TCP, no signals out.

Landlock (Linux >= 5.13) lets an unprivileged process restrict itself, irreversibly, for
itself and every process it starts. It needs neither namespaces nor privileges, so it
works where ``bwrap`` cannot start: as root in Docker's default profile (when that profile
allows the ``landlock_*`` calls), and as a user whose user namespaces are denied.

Why a ctypes module of our own: PyPI's ``landlock`` (1.0.0.dev5, a development release)
covers filesystem rules only, with no TCP rules (ABI 4) and no scopes (ABI 6), which the
grading fence needs; the other bindings are young single-author projects. The interface is
three system calls and two packed structs (``linux/landlock.h``), small enough to keep here
and to test against the kernel directly.

Rights are asked for as far as the kernel's ABI knows them (:func:`abi`): filesystem rights
of ABI 1-3 and 5, TCP ``bind``/``connect`` from ABI 4, and from ABI 6 the scopes that keep
a process from signalling, or connecting to abstract Unix sockets of, processes outside
its own Landlock domain.
"""

from __future__ import annotations

import ctypes
import os
import stat
from pathlib import Path

#: System call numbers (the same in every architecture's table since Linux 5.13).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# Filesystem rights (linux/landlock.h), with the ABI that introduced each.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15  # ABI 2, 3, 5
#: TCP rights (ABI 4): with them handled and no port allowed, no TCP bind or connect succeeds.
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
#: Scopes (ABI 6): no abstract Unix socket connection and no signal to a process outside the domain.
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

#: Rights that apply to a file (not only to a folder).
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
#: Reading and running what is there.
READ = EXECUTE | READ_FILE | READ_DIR
#: Everything, inside the writable folder.
WRITE = (READ | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | MAKE_SOCK | MAKE_FIFO | MAKE_SYM
         | REFER | TRUNCATE)


class _RulesetAttr(ctypes.Structure):
    """``struct landlock_ruleset_attr`` (its ABI 6 size; the kernel accepts zeros it does not know)."""

    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    """``struct landlock_path_beneath_attr`` (packed)."""

    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _call(number: int, *args: object) -> int:
    """Make a system call, raising OSError on failure.

    Args:
        number: int, the system call.
        *args: its arguments (ctypes values).

    Returns:
        int, the result.

    Raises:
        OSError: with the call's errno.
    """
    result = _libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, f"landlock system call {number}: {os.strerror(error)}")
    return result


def abi() -> int:
    """The Landlock ABI this kernel offers.

    Returns:
        int, 0 when Landlock is missing, disabled at boot, or denied (e.g. by a seccomp profile).
    """
    try:
        return _call(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except OSError:
        return 0


def handled_fs(version: int) -> int:
    """The filesystem rights a ruleset handles at an ABI (each one denied unless a rule allows it).

    Args:
        version: int, the ABI.

    Returns:
        int, the bit mask.
    """
    rights = (1 << 13) - 1
    if version >= 2:
        rights |= REFER
    if version >= 3:
        rights |= TRUNCATE
    if version >= 5:
        rights |= IOCTL_DEV
    return rights


def single_threaded() -> bool:
    """Whether this process has one thread (Landlock and seccomp bind the calling thread only).

    Returns:
        bool.
    """
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return True


def restrict(read: list[Path], write: list[Path], devices: list[Path], listable: list[Path] = ()) -> int:
    """Confine this process and its descendants, for good: read ``read``, write ``write``, nothing else.

    Every filesystem right the ABI knows is handled: only what a rule below allows stays.
    From ABI 4 TCP bind and connect are handled with no port allowed; from ABI 6 signals
    and abstract Unix sockets are scoped to the domain. Sets ``no_new_privs`` first, as
    Landlock requires of an unprivileged process.

    Args:
        read: list of Path, files and folders to read and run (missing ones are skipped).
        write: list of Path, folders to read, write, create and delete in.
        devices: list of Path, device files to read and write (``/dev/null`` ...).
        listable: list of Path, folders whose entries (names only) may be listed.

    Returns:
        int, the ABI used.

    Raises:
        OSError: Landlock is missing or refused; or the process has several threads.
    """
    version = abi()
    if version < 1:
        raise OSError("Landlock is not available on this kernel (or a seccomp profile denies it)")
    if not single_threaded():
        raise OSError("Landlock must be applied before any thread starts: this process already has several")
    attr = _RulesetAttr(handled_access_fs=handled_fs(version),
                        handled_access_net=NET_BIND_TCP | NET_CONNECT_TCP if version >= 4 else 0,
                        scoped=SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0)
    ruleset = _call(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)), ctypes.c_uint32(0))
    try:
        for paths, access in ((read, READ), (write, WRITE), (devices, READ_FILE | WRITE_FILE), (listable, READ_DIR)):
            for path in paths:
                _allow(ruleset, Path(path), access & handled_fs(version))
        if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        _call(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    return version


def _allow(ruleset: int, path: Path, access: int) -> None:
    """Add one rule: ``access`` beneath ``path`` (file rights only, when it is a file).

    Args:
        ruleset: int, the ruleset's file descriptor.
        path: Path, a file or folder; skipped when it does not exist.
        access: int, the rights.
    """
    try:
        descriptor = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(descriptor).st_mode):
            access &= FILE_RIGHTS
        rule = _PathBeneathAttr(allowed_access=access, parent_fd=descriptor)
        _call(_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule),
              ctypes.c_uint32(0))
    finally:
        os.close(descriptor)

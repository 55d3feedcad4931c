"""A seccomp filter for grading children, built with libseccomp: no sockets but Unix ones, no ptrace, no namespaces.

The filter allows every system call except those that would let student code leave
the fence of :mod:`course.grading.running.confine` or reach other processes:

- sockets of any family but ``AF_UNIX`` (no IP, no netlink, no raw packets);
- ``ptrace`` and the calls that read or write another process's memory or descriptors;
- new namespaces (``unshare``, ``setns``, ``clone`` with a ``CLONE_NEW*`` flag; ``clone3``,
  whose flags a filter cannot read, answers ``ENOSYS`` so that the C library falls back to
  ``clone``, as Docker's profile does) and every mount call;
- kernel interfaces a grading child never needs and that have carried escapes: ``bpf``,
  ``perf_event_open``, ``userfaultfd``, ``io_uring_*`` (whose operations bypass seccomp),
  the key ring, ``open_by_handle_at``, module loading, ``kexec``, ``reboot``, swap, ``acct``.

Denied calls fail with ``EPERM`` (``EAFNOSUPPORT`` for a socket family), so well-behaved
libraries see an ordinary error. Like Landlock the filter is inherited by every child and
cannot be removed; it needs ``no_new_privs`` (which libseccomp sets) or CAP_SYS_ADMIN.

Why ctypes over ``libseccomp.so.2`` rather than a binding from PyPI: libseccomp's own Python
binding is a Cython extension that is not published as a wheel, ``pyseccomp`` (its ctypes
twin) was last released in 2021, and the six functions used here have been stable since
libseccomp 2.2. libseccomp itself (the library Docker, podman and systemd build their
filters with) resolves the system call numbers for the machine's architecture.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno

#: libseccomp's actions and attributes (seccomp.h).
_ACT_ALLOW = 0x7FFF0000
_ATTR_CTL_TSYNC = 4
_CMP_NE, _CMP_MASKED_EQ = 1, 7
#: ``AF_UNIX``.
_AF_UNIX = 1
#: clone's namespace flags (linux/sched.h).
CLONE_NEW_FLAGS: tuple[int, ...] = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                                    0x40000000)

#: System calls denied outright.
DENIED: tuple[str, ...] = (
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr",
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "keyctl", "add_key", "request_key", "open_by_handle_at", "init_module", "finit_module", "delete_module",
    "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "acct",
)


class _ArgCmp(ctypes.Structure):
    """``struct scmp_arg_cmp``."""

    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


def _errno_action(code: int) -> int:
    """``SCMP_ACT_ERRNO(code)``.

    Args:
        code: int, the errno the denied call returns.

    Returns:
        int.
    """
    return 0x00050000 | (code & 0xFFFF)


def library() -> ctypes.CDLL | None:
    """Load libseccomp.

    Returns:
        The library, or None when it is not installed.
    """
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    return lib


def install() -> int:
    """Install the filter on this process (and, through TSYNC, every thread it has), for good.

    Returns:
        int, how many rules were added.

    Raises:
        OSError: libseccomp is missing, or a rule or the filter was refused.
    """
    lib = library()
    if lib is None:
        raise OSError("libseccomp is not installed (Debian: libseccomp2)")
    context = lib.seccomp_init(_ACT_ALLOW)
    if not context:
        raise OSError("seccomp_init failed")
    rules = 0

    def add(name: str, code: int, *compares: tuple[int, int, int, int]) -> None:
        """Deny one system call (when this architecture has it), under optional argument comparisons."""
        nonlocal rules
        number = lib.seccomp_syscall_resolve_name(name.encode())
        if number < 0:
            return
        array = (_ArgCmp * max(1, len(compares)))(*(_ArgCmp(*c) for c in compares))
        result = lib.seccomp_rule_add_array(context, _errno_action(code), number, len(compares), array)
        if result < 0:
            raise OSError(-result, f"seccomp rule for {name} refused")
        rules += 1

    try:
        lib.seccomp_attr_set(context, _ATTR_CTL_TSYNC, 1)
        for name in DENIED:
            add(name, errno.EPERM)
        for name in ("socket", "socketpair"):
            add(name, errno.EAFNOSUPPORT, (0, _CMP_NE, _AF_UNIX, 0))
        for flag in CLONE_NEW_FLAGS:
            add("clone", errno.EPERM, (0, _CMP_MASKED_EQ, flag, flag))
        add("clone3", errno.ENOSYS)
        result = lib.seccomp_load(context)
        if result < 0:
            raise OSError(-result, "seccomp_load refused the filter")
    finally:
        lib.seccomp_release(context)
    return rules

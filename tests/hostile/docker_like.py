"""Start a command where bubblewrap cannot: as root confined like Docker's defaults, or as a user without namespaces.

``python docker_like.py root [--no-landlock] -- COMMAND...`` (run as root):

- a seccomp filter that denies what Docker's default profile denies a container without
  CAP_SYS_ADMIN and that bubblewrap needs: ``unshare``, ``setns``, ``clone`` with any
  ``CLONE_NEW*`` flag, ``clone3`` (``ENOSYS``), ``mount``, ``umount2``, ``pivot_root``;
  with ``--no-landlock`` also the ``landlock_*`` calls, as Docker's profiles before 2022 did;
- Docker's default capability set as the bounding set (no CAP_SYS_ADMIN; CAP_SETUID stays).

``python docker_like.py user UID [--no-landlock] -- COMMAND...`` (run as root): the same
filter, then ``setpriv`` to ``UID`` with no groups: a user whose user namespaces are denied,
as AppArmor denies them on Ubuntu 24.04.

Test scaffolding: it calls libseccomp directly rather than the grader's own filter module.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import sys

#: Docker's default capabilities (moby's ``oci/caps/defaults.go``).
DOCKER_CAPS = ("chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid", "setuid", "setfcap",
               "setpcap", "net_bind_service", "sys_chroot", "kill", "audit_write")
_CLONE_NEW = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)


class _ArgCmp(ctypes.Structure):
    """``struct scmp_arg_cmp``."""

    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


def install_filter(deny_landlock: bool) -> None:
    """Install the container-like seccomp filter on this process.

    Args:
        deny_landlock: bool, also deny the Landlock calls.
    """
    lib = ctypes.CDLL(ctypes.util.find_library("seccomp") or "libseccomp.so.2")
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    context = lib.seccomp_init(0x7FFF0000)  # allow by default
    lib.seccomp_attr_set(context, 3, 0)  # no no_new_privs: Docker does not set it, and root may skip it

    def deny(name: str, code: int = errno.EPERM, compare: tuple[int, int, int, int] | None = None) -> None:
        """Deny a system call, optionally only when an argument compares so."""
        number = lib.seccomp_syscall_resolve_name(name.encode())
        if number < 0:
            return
        array = (_ArgCmp * 1)(_ArgCmp(*compare) if compare else _ArgCmp())
        if lib.seccomp_rule_add_array(context, 0x00050000 | code, number, 1 if compare else 0, array) < 0:
            raise OSError(f"rule for {name} refused")

    for name in ("unshare", "setns", "mount", "umount2", "pivot_root", "fsopen", "fsmount", "open_tree", "move_mount"):
        deny(name)
    for flag in _CLONE_NEW:
        deny("clone", compare=(0, 7, flag, flag))  # SCMP_CMP_MASKED_EQ
    deny("clone3", errno.ENOSYS)
    if deny_landlock:
        for name in ("landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self"):
            deny(name, errno.ENOSYS)
    if lib.seccomp_load(context) < 0:
        raise OSError("seccomp_load failed")


def main(argv: list[str]) -> int:
    """Confine, then become the command.

    Args:
        argv: ``root|user UID [--no-landlock] -- COMMAND...``.

    Returns:
        Never returns when the command starts; 2 on a usage error.
    """
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    install_filter("--no-landlock" in options)
    if options[0] == "root":
        bounding = "-all," + ",".join(f"+{cap}" for cap in DOCKER_CAPS)
        os.execvp("setpriv", ["setpriv", f"--bounding-set={bounding}", "--inh-caps=-all", "--", *command])
    elif options[0] == "user":
        uid = options[1]
        os.execvp("setpriv", ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--", *command])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

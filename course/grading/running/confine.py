"""The sandbox tier without namespaces: Landlock and a seccomp filter, applied by the process that will run student code.

Where ``bwrap`` cannot start (Docker's default profile as root; AppArmor's ban on
unprivileged user namespaces on Ubuntu 24.04), :mod:`course.grading.running.sandbox` falls back
to this tier. Its levels:

- ``landlock+uid`` (as root): the process first drops to a uid of its own
  (:func:`course.grading.running.sandbox.unprivileged_id`, by
  :func:`course.grading.running.process.drop_privileges`), then :func:`apply` confines it;
- ``landlock`` (as another user): the same without the uid change;
- ``seccomp+uid`` (as root where Landlock is missing: an old kernel, or a seccomp profile
  that predates the ``landlock_*`` calls): the uid change and the seccomp filter only.

:func:`apply` is the one place every task calls
(:func:`course.grading.running.worker.become`), before any student module is imported and
while the process has one thread. It sets ``no_new_privs``, then:

- **Landlock** (:mod:`course.grading.running.landlock`): read and run only what the
  ``bwrap`` tiers show (``/usr`` and its links, a few ``/etc`` files, Python's installation,
  the virtual environment, the ``course`` package folder) plus ``/proc``; read and write
  only the part's scratch folder, which is also ``HOME`` and ``TMPDIR``; the character
  devices ``/dev/null``, ``/dev/zero``, ``/dev/full``, ``/dev/random``, ``/dev/urandom``. So
  the repository (``solutions/``), the grading user's home, ``/tmp``, ``/var/tmp`` and
  ``/dev/shm`` are neither readable nor writable. TCP bind and connect are denied (ABI 4),
  and signals and abstract Unix sockets stop at the domain's edge (ABI 6);
- **seccomp** (:mod:`course.grading.running.syscall_filter`): no socket but ``AF_UNIX``, no
  ``ptrace``, no namespaces or mounts.

Both are inherited across ``fork`` and ``exec`` and can never be lifted. Limits (processes,
file size, memory) are set by :mod:`course.grading.running.child` as in every tier, and the
wall clock by the runner.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

#: The levels of this tier, strongest first.
LANDLOCK_UID = "landlock+uid"
LANDLOCK = "landlock"
SECCOMP_UID = "seccomp+uid"
LEVELS: tuple[str, ...] = (LANDLOCK_UID, LANDLOCK, SECCOMP_UID)
#: Device files a grading child may read and write.
DEVICES: tuple[str, ...] = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


def spec(level: str, scratch: Path, read: list[Path], listable: list[Path] = ()) -> dict[str, Any]:
    """What :func:`apply` needs, as JSON-ready data (made by the trusted parent).

    Args:
        level: str, one of :data:`LEVELS`.
        scratch: Path, the one writable folder (``HOME`` and ``TMPDIR`` point inside it).
        read: list of Path, what may be read and run (``/proc`` is added).
        listable: list of Path, folders whose entries may be listed but not read: a
            ``sys.path`` folder that holds the ``course`` package (a plain path install, as a
            ``.pth`` line makes), which Python's import system must list to find ``course``.

    Returns:
        dict with ``level``, ``read``, ``write``, ``list`` and ``devices``.
    """
    return {"level": level, "read": [*map(str, read), "/proc"], "write": [str(Path(scratch).resolve())],
            "list": [str(p) for p in listable], "devices": list(DEVICES)}


def apply(fence: dict[str, Any]) -> None:
    """Confine this process and everything it starts, irreversibly (see the module's docstring).

    Args:
        fence: dict from :func:`spec`.

    Raises:
        OSError: a part of the fence the level promises could not be applied; the caller must
            not run student code then.
        ValueError: an unknown level, root where the level promises a uid of its own, or
            any capability left.
    """
    from course.grading.running import landlock, syscall_filter

    level = fence["level"]
    if level not in LEVELS:
        raise ValueError(f"unknown confinement level {level!r}")
    if level.endswith("+uid") and (os.geteuid() == 0 or os.getuid() == 0):
        raise ValueError(f"level {level} runs student code under a uid of its own, but this process is root")
    if effective_capabilities():  # with CAP_SYS_PTRACE, say, Landlock lets it read the grader's /proc files
        raise ValueError("student code must run without capabilities (drop them first: process.drop_privileges)")
    if level in (LANDLOCK_UID, LANDLOCK):
        landlock.restrict([Path(p) for p in fence["read"]], [Path(p) for p in fence["write"]],
                          [Path(p) for p in fence["devices"]], [Path(p) for p in fence.get("list", ())])
    syscall_filter.install()  # sets no_new_privs first when Landlock did not


def effective_capabilities() -> int:
    """This process's effective capabilities.

    Returns:
        int, the ``CapEff`` mask of ``/proc/self/status`` (0 when it cannot be read).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("CapEff:"):
                    return int(line.split()[1], 16)
    except OSError:
        pass
    return 0

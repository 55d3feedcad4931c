"""One sandbox per submission: a pre-started worker that imports TensorFlow once and forks a child per part.

The old path (:func:`course.grading.running.runner.run_part`) starts one sandbox and one Python
per run part, and each imports TensorFlow and Keras (5-10 s each on 2 cores). Here the
parent starts ONE sandbox for the submission, running ``python -I -m
course.grading.running.zygote WORKDIR``. That worker (the zygote, grader code only) imports
TensorFlow, Keras and the probes, then forks one child per part *before any TensorFlow
op runs* (no eager context, no thread pools yet: checked by :func:`fork_safe`), at most
``jobs`` at a time. (When cores would otherwise idle, a part runs as several tasks, one
child each: :mod:`course.grading.running.tasks`; below, "part" means such a task.) Each
child is what a part's own process was before:

- its own folder ``WORKDIR/<part>/`` with its request, inputs, submission copy, output
  log and evidence files (``out_0.json``, ``out_0.npz``), read by the parent exactly as
  :mod:`course.grading.running.runner` reads them;
- its own limits (memory, file size, processes), set after the fork by
  :func:`course.grading.running.child.main`, and its own runtime guard;
- in the tier without namespaces (:mod:`course.grading.running.confine`): Landlock and seccomp,
  applied by the child itself after the uid drop and before it imports student code;
- as root (``bwrap+uid``, ``landlock+uid``, ``seccomp+uid``): its own unprivileged uid and gid
  (:func:`course.grading.running.sandbox.unprivileged_id` of its folder, the uid the part's own
  sandbox had), no supplementary groups, an empty capability bounding set and
  ``no_new_privs``, so RLIMIT_NPROC (per uid) stays per part and one part cannot read,
  write or signal another's files or processes;
- its own wall-clock limit, enforced by the zygote (which the children cannot signal),
  which kills the part's process group and, as root, every process of its uid.

A crash, exit, timeout or kill of one child costs only that part: the zygote records each
child's end in ``WORKDIR/status/<part>.json`` (a folder no child can write) and goes on.

The zygote is used where it keeps every guarantee of the per-part sandboxes: as root in
``bwrap+uid``, ``landlock+uid`` and ``seccomp+uid`` (one uid per part), and at any level
for a single part (``check --parts layer``), which shares its sandbox with no other part.
As another user grading several parts (``bwrap`` or ``landlock``: one uid for the whole
sandbox) and without a sandbox, :func:`enabled` says no and the core keeps the per-part
path. :data:`ZYGOTE_ENV` (``on``/``off``) overrides that choice (``on`` is for measuring;
``off`` restores the old path everywhere), except on macOS, where a process that imported
TensorFlow must not fork: there the zygote is never used
(:func:`course.platform_support.can_fork_after_tensorflow`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from course.grading import limits as grading_limits
from course.grading.running.tasks import Task

#: Environment variable: ``auto`` (default), ``on`` or ``off``.
ZYGOTE_ENV = "LSTM_COURSE_ZYGOTE"
#: Seconds the parent adds to the zygote's own limits before it kills the whole sandbox.
MARGIN = 60.0
#: Modules the zygote imports before it forks (grader code and libraries only).
PRELOAD: tuple[str, ...] = (
    "numpy", "tensorflow", "keras", "course.grading.running.child", "course.grading.running.guard", "course.grading.checking.contract",
    "course.grading.checking.recording", "course.grading.checking.parts.data", "course.grading.checking.parts.cell",
    "course.grading.checking.parts.layer", "course.grading.checking.parts.model", "course.grading.checking.parts.training",
)
#: prctl options (linux/prctl.h).
_PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS = 24, 38


def enabled(level: str, parts: int = 2) -> bool:
    """Whether the core should grade through the zygote at this isolation level.

    Args:
        level: str, the sandbox level (:data:`course.grading.running.sandbox.LEVELS`).
        parts: int, how many distinct parts the grading runs (a split part counts once).

    Returns:
        bool: never where a process may not fork after importing TensorFlow (macOS:
        :func:`course.platform_support.can_fork_after_tensorflow`); as root with a uid per part
        (:data:`course.grading.running.sandbox.UID_LEVELS`) always; at any other level only for a
        single part, whose children (one, or one per probe group of that part) share nothing with
        another part's, so one uid for the sandbox costs no isolation.
    """
    from course.grading.running import sandbox as jail
    from course.platform_support import can_fork_after_tensorflow

    if not can_fork_after_tensorflow():  # macOS: a forked TensorFlow process is unsafe, whatever the setting
        return False
    choice = os.environ.get(ZYGOTE_ENV, "auto") or "auto"
    if choice == "off":
        return False
    if choice == "on":
        return True
    return level in jail.UID_LEVELS or parts == 1


# ---------------------------------------------------------------- parent side


def run_parts(tasks: list[Task], folder: Path, inputs: dict[str, Any], *, timeouts: dict[str, float] | None = None,
              memory_mb: int | None = None, jobs: int = 2, keep: Path | None = None) -> dict[str, Any]:
    """Run every part's probes on one submission in one sandbox, one forked child per task.

    Args:
        tasks: list of :class:`course.grading.running.tasks.Task`, in start order (a part, or one
            probe group of a part, each in its own child and folder, with the part's limits).
        folder: Path, the submission folder (copied once per task).
        inputs: dict of part to PartInputs.
        timeouts: dict of part to wall-clock seconds (default :data:`course.grading.limits.PART_SECONDS`).
        memory_mb: int, each child's address-space cap (default :data:`course.grading.limits.PART_MEMORY_MB`).
        jobs: int, children at once.
        keep: Path or None, where to copy each task's raw outputs before the folders are deleted:
            ``keep/PART`` (a split part: ``keep/PART/GROUP``), the zygote's own log as ``keep/zygote.txt``.

    Returns:
        dict of task name to :class:`course.grading.running.runner.PartRun`, the same fields the
        per-part path fills.
    """
    import numpy as np

    from course.grading.running import runner
    from course.grading.running import sandbox as jail
    from course.impl import REPO_ROOT

    memory_mb = grading_limits.PART_MEMORY_MB if memory_mb is None else memory_mb
    limits = {t.name: float((timeouts or {}).get(t.part) or grading_limits.PART_SECONDS[t.part]) for t in tasks}
    names = [t.name for t in tasks]
    start = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="lstm-zygote-"))
    box = jail.current()
    try:
        os.chmod(workdir, 0o755)  # traversable by every part's uid; writable by none
        (workdir / "status").mkdir(mode=0o755)
        copies = []
        processes = runner.process_limit(box)  # one sandbox: one count for all its children
        for task in tasks:
            partdir = workdir / task.name
            partdir.mkdir(mode=0o700)
            copy = partdir / "submission_0"
            runner._copy(folder, copy)
            copies.append(copy)
            request = {"part": task.part, "group": task.group,
                       "submissions": [{"folder": str(copy), "name": f"submission_{task.part}_0"}],
                       "config": inputs[task.part].config, "memory_mb": memory_mb, "file_mb": grading_limits.FILE_MB,
                       "processes": processes, "repo_root": str(REPO_ROOT)}
            (partdir / "request.json").write_text(json.dumps(request))
            np.savez(partdir / "inputs.npz", **inputs[task.part].arrays)
            box.prepare(partdir)  # as root: the part's folder belongs to the part's own uid
        plan = {"tasks": names, "timeouts": limits, "jobs": max(1, jobs),
                "drop_to": {n: jail.unprivileged_id(workdir / n) for n in names} if box.level in jail.UID_LEVELS else {},
                "fence": {n: box.fence(workdir / n) for n in names},
                "private_tmp": box.namespaced}  # as runner.child_environment decides HOME
        (workdir / "plan.json").write_text(json.dumps(plan))
        env = runner.child_environment(box, workdir)
        argv = [sys.executable, "-I", "-m", "course.grading.running.zygote", str(workdir)]
        # The zygote itself stays root (no setpriv): it drops each child to its part's uid and confines it.
        command = box.zygote_command(argv, scratch=workdir, readonly=tuple(copies), env=env) if box.active else argv
        backstop = _backstop(limits, max(1, jobs))
        with open(workdir / "zygote.txt", "wb") as sink:
            process = subprocess.Popen(command, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=sink,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            killed = False
            try:
                process.wait(timeout=backstop)
            except subprocess.TimeoutExpired:
                killed = True
            finally:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
                for name in names:
                    box.reap(workdir / name)
        return {t.name: _collect(workdir, t, limits[t.name], box.level, killed, backstop, start) for t in tasks}
    finally:
        if keep is not None:
            from course.grading.running.keep import copy_regular, save_raw

            copy_regular(workdir / "zygote.txt", keep / "zygote.txt")  # the zygote's own log
            for task in tasks:
                save_raw(workdir / task.name, keep / task.part / (task.group or ""),
                         workdir / "status" / f"{task.name}.json")
        shutil.rmtree(workdir, ignore_errors=True)


def _backstop(limits: dict[str, float], jobs: int) -> float:
    """The parent's limit on the whole sandbox: every part's limit run ``jobs`` at a time, plus a margin.

    Args:
        limits: dict of part to seconds.
        jobs: int.

    Returns:
        float, seconds.
    """
    return sum(limits.values()) / jobs + max(limits.values(), default=0.0) + MARGIN


def _collect(workdir: Path, task: Task, limit: float, level: str, killed: bool, backstop: float,
             start: float) -> Any:
    """Turn one task's folder and the zygote's status record into a PartRun.

    Args:
        workdir: Path.
        task: Task.
        limit: float, the part's wall-clock limit.
        level: str, the isolation level.
        killed: bool, whether the parent had to kill the whole sandbox.
        backstop: float, the parent's limit.
        start: float, when grading of the submission started (monotonic).

    Returns:
        PartRun.
    """
    from course.grading.running import runner

    partdir = workdir / task.name
    try:
        status = json.loads((workdir / "status" / f"{task.name}.json").read_text())
    except (OSError, ValueError):
        status = None
    evidence = [runner._read(partdir, 0)]
    seconds = float(status["seconds"]) if status else time.monotonic() - start
    if status is None:
        state, reason = ("timeout", f"the grading did not finish within {backstop:g} s") if killed else (
            "crashed", "the grading worker stopped before this part ended")
    elif status.get("timed_out"):
        state, reason = "timeout", f"the part did not finish within {limit:g} s"
    else:
        state, reason = "ok", ""
    if state == "ok" and evidence[0] is None:
        state, reason = "crashed", runner._describe_exit(int(status.get("code", 1)))
    try:
        with open(partdir / "output.txt", "rb") as handle:
            output = handle.read(4 * 2**20).decode("utf-8", errors="replace")
    except OSError:
        output = ""
    return runner.PartRun(part=task.part, status=state, seconds=seconds, reason=reason,
                          output=runner._truncate(runner._clean(output)), evidence=evidence, isolation=level)


# ---------------------------------------------------------------- inside the sandbox


def fork_safe() -> bool:
    """Whether TensorFlow's eager context is still unmade (a fork now copies no runtime state).

    Returns:
        bool.
    """
    from tensorflow.python.eager import context

    return context.context_safe() is None


def drop_privileges(ident: int) -> None:
    """As root: become ``ident`` (uid and gid), with no groups, capabilities or way back (like ``setpriv``).

    Args:
        ident: int, the part's uid and gid.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in range(64):  # empty the bounding set while CAP_SETPCAP is still ours
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == 22:  # EINVAL: past the last cap
            break
    os.setgroups([])
    os.setresgid(ident, ident, ident)
    os.setresuid(ident, ident, ident)  # clears the permitted and effective capabilities
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if os.getuid() != ident or os.geteuid() != ident or os.getgid() != ident:
        raise OSError("could not drop to the part's uid")


def _child(workdir: Path, part: str, ident: int | None, fence: dict | None = None, private_tmp: bool = False) -> None:
    """Become one part's grading child (in a forked process); never returns.

    Args:
        workdir: Path.
        part: str.
        ident: int or None, the uid to drop to (as root).
        fence: dict or None, the tier without namespaces to apply after the uid drop
            (:func:`course.grading.running.confine.apply`).
        private_tmp: bool, whether the sandbox gives a private ``/tmp`` (its namespaces), where
            the child's ``HOME`` goes; otherwise ``HOME`` is the part's folder.
    """
    code = 70
    try:
        os.setpgid(0, 0)
        partdir = workdir / part
        log = os.open(partdir / "output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        if ident is not None:
            os.fchown(log, ident, ident)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        if ident is not None:
            drop_privileges(ident)
        if fence is not None:
            from course.grading.running import confine

            confine.apply(fence)  # before the student's code is imported, while this process has one thread
        home = Path("/tmp") / f"home-{part}" if private_tmp else partdir
        home.mkdir(mode=0o700, exist_ok=True)
        os.environ.update({"HOME": str(home), "TMPDIR": str(home)})
        tempfile.tempdir = None
        os.chdir(partdir)
        from course.grading.running import child

        code = child.main([str(partdir)])
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported through the exit code; the parent finds no evidence
        import traceback

        traceback.print_exc()
        code = 71
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _kill_part(pid: int, ident: int | None) -> None:
    """Kill a part's process group and, as root, every process of its uid.

    Args:
        pid: int, the child's pid (its process group).
        ident: int or None, the part's uid.
    """
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    if ident is None:
        return
    for _ in range(50):
        left = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid == ident:
                        left.append(int(entry))
                except OSError:
                    pass
        if not left:
            return
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for other in left:
                try:
                    os.kill(other, sig)
                except OSError:
                    pass
        time.sleep(0.05)


def main(argv: list[str]) -> int:
    """The zygote: import once, then fork, watch and record one child per part.

    Args:
        argv: ``[WORKDIR]``.

    Returns:
        0 when every part's end was recorded.
    """
    import importlib

    workdir = Path(argv[0]).resolve()
    plan = json.loads((workdir / "plan.json").read_text())
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for name in PRELOAD:
        importlib.import_module(name)
    if not fork_safe():
        raise RuntimeError("TensorFlow's runtime started before the fork: refusing to share it between parts")
    drop_to = {part: int(ident) for part, ident in plan.get("drop_to", {}).items()}
    waiting = list(plan["tasks"])
    running: dict[int, tuple[str, float]] = {}
    while waiting or running:
        while waiting and len(running) < int(plan["jobs"]):
            part = waiting.pop(0)
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                _child(workdir, part, drop_to.get(part), (plan.get("fence") or {}).get(part),
                       bool(plan.get("private_tmp")))
            running[pid] = (part, time.monotonic())
        pid, wait_status = os.waitpid(-1, os.WNOHANG)
        now = time.monotonic()
        ended = []
        if pid and pid in running:
            code = os.waitstatus_to_exitcode(wait_status)
            ended.append((pid, code, False))
        for other, (part, began) in running.items():
            if other != pid and now - began > float(plan["timeouts"][part]):
                _kill_part(other, drop_to.get(part))
                os.waitpid(other, 0)
                ended.append((other, -signal.SIGKILL, True))
        for done, code, timed_out in ended:
            part, began = running.pop(done)
            if not timed_out:
                _kill_part(done, drop_to.get(part))  # whatever the part left running
            record = {"code": code, "timed_out": timed_out, "seconds": time.monotonic() - began}
            tmp = workdir / "status" / f".{part}.tmp"
            tmp.write_text(json.dumps(record))
            tmp.replace(workdir / "status" / f"{part}.json")
        if not ended:
            time.sleep(0.05)
    return 0


if __name__ == "__main__":
    from course.teardown import exit_skipping_teardown

    exit_skipping_teardown(main(sys.argv[1:]))

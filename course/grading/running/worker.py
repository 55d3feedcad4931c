"""The grading worker, inside the sandbox: ``python -I -m course.grading.running.worker serve SCRATCH [--fork]``.

Started by :class:`course.grading.running.runner.Runner`, never by hand. It is grader code only,
and it never imports a student's module itself. It reads requests from its stdin, one JSON line
each: ``{"run": NAME}`` names a folder ``SCRATCH/NAME`` that the runner prepared, with a
``plan.json`` (the tasks, their time limits, uids and fences) and one folder per task (its
request, inputs and submission copies: :mod:`course.grading.running.child` reads them).

- **Forking** (``--fork``, the *zygote*): it imports TensorFlow, Keras and the probes once
  (:data:`PRELOAD`), before any TensorFlow op runs (:func:`fork_safe`), then forks one child per
  task, at most ``jobs`` at a time. It kills a task past its limit (its process group and, with a
  uid of its own, every process of that uid: :func:`course.grading.running.process.kill_leftovers`),
  records each task's end in ``SCRATCH/NAME/status/TASK.json`` (a folder no task can write at the
  ``+uid`` levels) and answers ``{"run": NAME}`` on its stdout once every task has ended. Then it
  waits for the next request: a warm runner keeps it, with TensorFlow imported, between runs.
- **Not forking** (where a process that imported TensorFlow must not fork: macOS; or where parts
  would share a uid): the plan has one task, and the worker becomes it in its own process; the
  runner reads its exit code and enforces its time limit.

Either way a task is entered by :func:`enter_task`, the same steps in the same order: its own
process group, stdin from ``/dev/null``, stdout and stderr to its ``output.txt``, then
:func:`become` (its own uid with no capabilities, then the Landlock and seccomp fence where the
level has one), then its ``HOME``, and only then :func:`course.grading.running.child.main`,
which caps its resources and imports the student's code.

``python -I -m course.grading.running.worker exec SPEC -- COMMAND...`` becomes the same uid and
fence and executes a command: how :meth:`course.grading.running.sandbox.Sandbox.command` runs a
plain command (the sandbox's probe, the hostile tests) as a task would run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: Modules a forking worker imports before it forks (grader code and libraries only).
PRELOAD: tuple[str, ...] = (
    "numpy", "tensorflow", "keras", "course.grading.running.child", "course.grading.running.guard", "course.grading.checking.contract",
    "course.grading.checking.probes", "course.grading.checking.probes.data", "course.grading.checking.probes.cell",
    "course.grading.checking.probes.layer", "course.grading.checking.probes.model", "course.grading.checking.probes.training",
)
#: Exit codes of a task that could not report: its setup failed (70) or it raised past the child (71).
SETUP_FAILED, RAISED = 70, 71


def fork_safe() -> bool:
    """Whether TensorFlow's eager context is still unmade (a fork now copies no runtime state).

    Returns:
        bool.
    """
    from tensorflow.python.eager import context

    return context.context_safe() is None


def become(ident: int | None, fence: dict | None) -> None:
    """Become what student code runs as: a uid of its own without capabilities, then the fence.

    Args:
        ident: int or None, the uid to drop to (as root: 0 keeps the uid and drops the capabilities;
            None: nothing to drop).
        fence: dict or None, the tier without namespaces to apply after the drop
            (:func:`course.grading.running.confine.apply`).
    """
    from course.grading.running import process

    if ident is not None:
        process.drop_privileges(ident)
    if fence is not None:
        from course.grading.running import confine

        confine.apply(fence)  # before the student's code is imported, while this process has one thread


def task_home(rundir: Path, task: str, private_tmp: bool) -> Path:
    """A task's ``HOME`` and ``TMPDIR``: in the sandbox's private ``/tmp``, or its own folder.

    Args:
        rundir: Path, the run's folder.
        task: str, the task's name.
        private_tmp: bool, whether the sandbox has a private ``/tmp`` (bubblewrap's namespaces).

    Returns:
        Path.
    """
    return Path("/tmp") / f"home-{rundir.name}-{task}" if private_tmp else rundir / task


def enter_task(rundir: Path, plan: dict[str, Any], task: str, *, forked: bool) -> None:
    """Become one task's grading child and run it; never returns.

    Args:
        rundir: Path, the run's folder.
        plan: dict, the run's plan.
        task: str, the task's name (its folder in ``rundir``).
        forked: bool, whether this process was forked for the task (it then leads a process
            group of its own; otherwise it leads the session the runner started).
    """
    code = SETUP_FAILED
    try:
        if forked:
            os.setpgid(0, 0)
        partdir = rundir / task
        ident = plan["uids"].get(task)
        log = os.open(partdir / "output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        if ident is not None:
            os.fchown(log, ident, ident)
        nothing = os.open(os.devnull, os.O_RDONLY)
        os.dup2(nothing, 0)  # never the worker's requests
        os.dup2(log, 1)  # never the worker's answers
        os.dup2(log, 2)
        os.close(nothing)
        os.close(log)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        become(ident, plan["fences"].get(task))
        home = task_home(rundir, task, bool(plan.get("private_tmp")))
        home.mkdir(mode=0o700, exist_ok=True)
        os.environ.update({"HOME": str(home), "TMPDIR": str(home)})
        tempfile.tempdir = None
        os.chdir(partdir)
        from course.grading.running import child

        code = child.main([str(partdir)])
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported through the exit code; the runner finds no evidence
        import traceback

        traceback.print_exc()
        code = RAISED
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def record_end(rundir: Path, task: str, record: dict[str, Any]) -> None:
    """Write a task's end where the runner reads it (atomically): by a forking worker, or by the
    runner for a worker that became its task.

    Args:
        rundir: Path, the run's folder.
        task: str.
        record: dict, ``code``, ``timed_out`` and ``seconds``.
    """
    tmp = rundir / "status" / f".{task}.tmp"
    tmp.write_text(json.dumps(record))
    tmp.replace(rundir / "status" / f"{task}.json")


def run_forked(rundir: Path, plan: dict[str, Any]) -> None:
    """Fork, watch and record one child per task of a run, at most ``jobs`` at a time.

    Args:
        rundir: Path, the run's folder.
        plan: dict, the run's plan.
    """
    from course.grading.running.process import kill_leftovers

    if not fork_safe():
        raise RuntimeError("TensorFlow's runtime started before the fork: refusing to share it between tasks")
    uids = {task: ident for task, ident in plan["uids"].items() if ident}
    waiting = list(plan["tasks"])
    running: dict[int, tuple[str, float]] = {}
    while waiting or running:
        while waiting and len(running) < int(plan["jobs"]):
            task = waiting.pop(0)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                enter_task(rundir, plan, task, forked=True)
            running[pid] = (task, time.monotonic())
        pid, wait_status = os.waitpid(-1, os.WNOHANG)
        now = time.monotonic()
        ended = []
        if pid and pid in running:
            ended.append((pid, os.waitstatus_to_exitcode(wait_status), False))
        for other, (task, began) in running.items():
            if other != pid and now - began > float(plan["timeouts"][task]):
                kill_leftovers(other, uids.get(task))
                os.waitpid(other, 0)
                ended.append((other, -signal.SIGKILL, True))
        for done, code, timed_out in ended:
            task, began = running.pop(done)
            if not timed_out:
                kill_leftovers(done, uids.get(task))  # whatever the task left running
            record_end(rundir, task, {"code": code, "timed_out": timed_out, "seconds": time.monotonic() - began})
            if plan.get("private_tmp"):  # the next run's tasks start from an empty /tmp
                shutil.rmtree(task_home(rundir, task, True), ignore_errors=True)
        if not ended:
            time.sleep(0.02)


def serve(scratch: Path, fork: bool) -> int:
    """Answer the runner's requests until its stdin closes.

    Args:
        scratch: Path, the sandbox's folder (each run's folder is inside).
        fork: bool, fork a child per task (else become the one task of the first request).

    Returns:
        0 when the runner closed the requests.
    """
    import importlib

    if fork:
        for name in PRELOAD:
            importlib.import_module(name)
    for line in sys.stdin:
        name = str(json.loads(line)["run"])
        if not name or "/" in name or name.startswith("."):
            raise ValueError(f"not a run folder: {name!r}")
        rundir = scratch / name
        plan = json.loads((rundir / "plan.json").read_text())
        if not fork:
            enter_task(rundir, plan, plan["tasks"][0], forked=False)
        run_forked(rundir, plan)
        sys.stdout.write(json.dumps({"run": name}) + "\n")
        sys.stdout.flush()
    return 0


def launch(spec: dict[str, Any], argv: list[str]) -> int:
    """Become a task's uid and fence, then execute ``argv`` (its program by absolute path).

    Args:
        spec: dict, ``uid`` and ``fence`` (each may be None).
        argv: list of str.

    Returns:
        Never returns when the command starts; 126 when the uid or the fence could not be applied.
    """
    try:
        become(spec.get("uid"), spec.get("fence"))
    except (OSError, ValueError) as error:
        print(f"worker: the sandbox could not be applied: {error}", file=sys.stderr)
        return 126
    os.execv(argv[0], argv)


def main(argv: list[str]) -> int:
    """``serve SCRATCH [--fork]`` or ``exec SPEC -- COMMAND...``.

    Args:
        argv: list of str.

    Returns:
        int, the exit code.
    """
    if len(argv) >= 2 and argv[0] == "serve":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        return serve(Path(argv[1]).resolve(), "--fork" in argv[2:])
    if len(argv) >= 4 and argv[0] == "exec" and argv[2] == "--":
        return launch(json.loads(argv[1]), argv[3:])
    print("usage: python -m course.grading.running.worker serve SCRATCH [--fork] | exec SPEC -- COMMAND...",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    from course.teardown import exit_skipping_teardown

    exit_skipping_teardown(main(sys.argv[1:]))

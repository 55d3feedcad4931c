"""The one runner: the only place that starts, limits, kills, reaps and reads a process that runs student code.

:class:`Runner` runs a list of tasks (:class:`course.grading.running.tasks.Task`: a part, or one
probe group of a part) on a submission. For each task it prepares a folder (the part's request
and inputs, a copy of the submission, handed to the task's uid), starts the grading worker
(:mod:`course.grading.running.worker`, grader code only) in a sandbox
(:mod:`course.grading.running.sandbox`), waits with a backstop, kills and reaps what is left, reads
the raw evidence each task wrote (JSON and an ``.npz`` read with ``allow_pickle=False``) and
explains how each ended: a :class:`PartRun`. Anything missing or malformed becomes a crashed
part, never an exception here. Two shapes, one code path:

- **forking** (the *zygote*): ONE sandbox for every task; the worker imports TensorFlow once and
  forks a child per task, ``jobs`` at a time, each with its own process group, time limit and,
  as root, its own uid (so RLIMIT_NPROC, files and signals stay per task). Used where that keeps
  every guarantee of one sandbox per task: as root at the ``+uid`` levels, and at any level for a
  single part (:func:`forks`);
- **not forking**: one sandbox per task, ``jobs`` at a time, each running the same worker with a
  one-task plan, which becomes the task in its own process. Used where tasks of several parts
  would share one uid (``bwrap`` and ``landlock`` as another user, and no sandbox), and always
  where a process that imported TensorFlow must not fork (macOS:
  :func:`course.platform_support.can_fork_after_tensorflow`).

:data:`ZYGOTE_ENV` (``on``/``off``) overrides the automatic choice (for measuring, and so that
``rerun.sh`` of :mod:`course.grading.running.keep` takes the path the graded part took), except
on macOS, which never forks.

**Warm** (``Runner(warm=True)``): the forking worker stays alive between :meth:`Runner.run` calls,
in its sandbox, with TensorFlow imported; each run is a request naming a fresh run folder, and
each task of each run is a fresh fork with a fresh folder (as root, a fresh uid). If the worker
died (killed by the backstop, say), the next run starts a new one. A warm worker forks whatever
the level, so several parts of one submission may share a sandbox and, as another user, one
uid: fine for ``lstm-course check --watch``, a student's self-check on their own code, and
never used to grade students against each other. Where forking is unsafe (macOS), ``warm``
quietly runs each task in a sandbox of its own, as a one-shot runner does.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from course.grading import limits
from course.grading.checking.judges import Evidence
from course.grading.running import sandbox as jail
from course.grading.running import tasks as part_tasks
from course.grading.running.process import kill_leftovers
from course.grading.running.tasks import Task
from course.grading.running.worker import record_end
from course.impl import REPO_ROOT
from course.tf_noise import drop_startup_lines

#: Environment variable: ``auto`` (default), ``on`` (fork wherever it is safe) or ``off`` (never fork).
ZYGOTE_ENV = "LSTM_COURSE_ZYGOTE"
#: Seconds the runner adds to a forking worker's own limits before it kills the whole sandbox.
MARGIN = 60.0
#: Processes and threads a task's uid may have (RLIMIT_NPROC; a fork bomb stops there).
#: TensorFlow starts a few dozen threads per process (more on many cores). The count is the
#: sandbox's own: under a user namespace by the kernel's per-namespace accounting, as root
#: because each task gets a uid of its own (:func:`course.grading.running.sandbox.unprivileged_id`).
#: TensorFlow's pools grow with the cores: measured 9 threads in a trained process on 2 cores.
PROCESSES = max(128, 4 * (os.cpu_count() or 1) + 32)
#: Captured output kept from each task: this many characters from its start and its end.
OUTPUT_KEEP = 1500
#: Largest result file read from a task.
MAX_RESULT_BYTES = 50 * 2**20
#: Files copied from a submission into a task's folder (regular files only).
SUBMISSION_SUFFIXES: tuple[str, ...] = (".py", ".md", ".txt", ".json", ".npz")


@dataclass
class PartRun:
    """How one task's child went.

    Attributes:
        part: str.
        status: str, ``ok``, ``timeout`` or ``crashed``.
        seconds: float, wall-clock time.
        reason: str, why it is not ``ok``.
        output: str, what the child printed (truncated).
        evidence: list of Evidence or None, one per submission (None: nothing came back).
        isolation: str, the sandbox the child ran in (:data:`course.grading.running.sandbox.LEVELS`).
    """

    part: str
    status: str
    seconds: float
    reason: str = ""
    output: str = ""
    evidence: list[Evidence | None] = field(default_factory=list)
    isolation: str = jail.NONE


def forks(level: str, parts: int, *, warm: bool = False) -> bool:
    """Whether a runner forks its tasks from one worker at this isolation level.

    Args:
        level: str, the sandbox level (:data:`course.grading.running.sandbox.LEVELS`).
        parts: int, how many distinct parts the tasks belong to (a split part counts once).
        warm: bool, a warm runner (forks at every level: see the module's docstring).

    Returns:
        bool: never where a process may not fork after importing TensorFlow (macOS); otherwise as
        :data:`ZYGOTE_ENV` says, and by default as root with a uid per task
        (:data:`course.grading.running.sandbox.UID_LEVELS`), for a single part (whose children share
        nothing with another part's, so one uid for the sandbox costs no isolation), or warm.
    """
    from course.platform_support import can_fork_after_tensorflow

    if not can_fork_after_tensorflow():  # macOS: a forked TensorFlow process is unsafe, whatever the setting
        return False
    choice = os.environ.get(ZYGOTE_ENV, "auto") or "auto"
    if choice in ("on", "off"):
        return choice == "on"
    return warm or level in jail.UID_LEVELS or parts == 1


def copy_submission(source: Path, target: Path) -> None:
    """Copy a submission's regular files (no caches, no links followed out of it).

    Args:
        source: Path, the submission folder.
        target: Path, where the copy goes (created).
    """
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file() and not path.is_symlink() and path.suffix in SUBMISSION_SUFFIXES:
            shutil.copyfile(path, target / path.name)


def _truncate(text: str) -> str:
    """Keep the start and the end of long output.

    Args:
        text: str.

    Returns:
        str.
    """
    if len(text) <= 2 * OUTPUT_KEEP:
        return text
    return f"{text[:OUTPUT_KEEP]}\n[... {len(text) - 2 * OUTPUT_KEEP:,} characters cut ...]\n{text[-OUTPUT_KEEP:]}"


def read_evidence(partdir: Path, index: int) -> Evidence | None:
    """Read one submission's raw outputs from a task's folder, defensively.

    Args:
        partdir: Path, the task's folder.
        index: int, the submission's position in the task.

    Returns:
        Evidence, or None when it is missing or malformed.
    """
    record_path, arrays_path = partdir / f"out_{index}.json", partdir / f"out_{index}.npz"
    try:
        if record_path.stat().st_size > MAX_RESULT_BYTES or arrays_path.stat().st_size > MAX_RESULT_BYTES:
            return None
        record = json.loads(record_path.read_text())
        with np.load(arrays_path, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        return Evidence(values=dict(record.get("values", {})), arrays=arrays,
                        errors=dict(record.get("errors", {})), guard=[str(g) for g in record.get("guard", [])][:50])
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return None


def describe_exit(code: int) -> str:
    """Explain a task's exit code.

    Args:
        code: int, the return code (negative: killed by that signal).

    Returns:
        str.
    """
    import signal

    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        extra = " (out of memory or file size limit?)" if name in ("SIGKILL", "SIGXFSZ", "SIGSEGV") else ""
        return f"the process was killed by {name}{extra}"
    return f"the process exited with code {code} before reporting"


def process_limit(box: jail.Sandbox) -> int:
    """RLIMIT_NPROC for a task in this sandbox (0: none).

    As root each task has a uid of its own, so :data:`PROCESSES` is the task's alone. Under a
    user namespace the kernel may count every thread of the user (before Linux 5.14 it did), so
    the ones the user already runs are added. Without a sandbox the limit would count the user's
    whole session: none is set (the task's wall clock and the batch's memory cap still stop a
    fork bomb). At ``landlock`` the count is the user's, as under a user namespace (as root the
    kernel ignores it).

    Args:
        box: the Sandbox the task runs in.

    Returns:
        int.
    """
    if box.level in jail.UID_LEVELS:
        return PROCESSES
    if box.level in (jail.BWRAP, jail.LANDLOCK):
        import psutil

        uid, running = os.getuid(), 0
        for process in psutil.process_iter(["uids", "num_threads"]):
            if process.info["uids"] and process.info["uids"].real == uid:
                running += process.info["num_threads"] or 1
        return PROCESSES + running
    return 0


def child_environment(box: jail.Sandbox, scratch: Path) -> dict[str, str]:
    """The whole environment of the grading worker (and so of its tasks, which set their own ``HOME``).

    Args:
        box: the Sandbox it runs in.
        scratch: Path, its folder (``HOME`` and ``TMPDIR``, except in bubblewrap's namespaces,
            where they are the private ``/tmp``).

    Returns:
        dict: a fixed ``PATH``, ``HOME``, ``TMPDIR``, locale and TensorFlow settings, plus the
        batch grader's ``LSTM_COURSE_*`` settings; nothing else of this process's environment.
    """
    home = "/tmp" if box.namespaced else str(scratch)
    env = {"PATH": "/usr/bin:/bin" if box.active else os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": home, "TMPDIR": home,
           "TF_CPP_MIN_LOG_LEVEL": "2", "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "CUDA_VISIBLE_DEVICES": ""}
    env.update({k: v for k, v in os.environ.items() if k.startswith("LSTM_COURSE_")})
    return env


def backstop(seconds: dict[str, float], jobs: int) -> float:
    """A forking worker's limit: every task's limit run ``jobs`` at a time, plus a margin.

    Args:
        seconds: dict of task to its limit.
        jobs: int.

    Returns:
        float, seconds.
    """
    return sum(seconds.values()) / jobs + max(seconds.values(), default=0.0) + MARGIN


@dataclass
class _Worker:
    """A started grading worker and its sandbox.

    Attributes:
        process: the worker's Popen (stdin: requests; stdout: answers).
        scratch: Path, the sandbox's folder.
        box: the Sandbox.
        fork: bool, whether it forks a child per task.
        uids: list of int, the task uids it has been handed (swept when it ends).
        runs: int, runs requested so far.
    """

    process: subprocess.Popen
    scratch: Path
    box: jail.Sandbox
    fork: bool
    uids: list[int] = field(default_factory=list)
    runs: int = 0

    @property
    def alive(self) -> bool:
        """Whether the worker still runs.

        Returns:
            bool.
        """
        return self.process.poll() is None


def _start(box: jail.Sandbox, fork: bool, prefix: str) -> _Worker:
    """Start a grading worker in a sandbox of its own.

    Args:
        box: the Sandbox.
        fork: bool, whether it forks a child per task.
        prefix: str, its folder's name prefix.

    Returns:
        _Worker.
    """
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(scratch, 0o755)  # traversable by every task's uid; writable by none
    env = child_environment(box, scratch)
    argv = [sys.executable, "-I", "-m", "course.grading.running.worker", "serve", str(scratch),
            *(["--fork"] if fork else [])]
    with open(scratch / "worker.txt", "wb") as log:
        process = subprocess.Popen(box.wrap(argv, scratch=scratch, env=env), cwd=scratch, env=env,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, start_new_session=True)
    return _Worker(process, scratch, box, fork)


def _end(worker: _Worker) -> None:
    """Kill a worker and everything it started, reap it and sweep its tasks' uids (its folder stays).

    Args:
        worker: _Worker.
    """
    # Outside bubblewrap's pid namespace, a forking worker's tasks lead groups of their own: its session finds them.
    kill_leftovers(worker.process.pid, None, session=None if worker.box.namespaced else worker.process.pid)
    worker.process.wait()
    for stream in (worker.process.stdin, worker.process.stdout):
        try:
            stream.close()
        except OSError:
            pass
    for ident in worker.uids:  # whatever of the sandbox is still being torn down
        kill_leftovers(None, ident, seconds=15.0)
    worker.uids.clear()


def _prepare(worker: _Worker, tasks: list[Task], folders: list[Path], inputs: dict[str, Any],
             seconds: dict[str, float], memory_mb: int, jobs: int) -> Path:
    """Make a run's folder in the worker's scratch: one folder per task, and the plan.

    Args:
        worker: _Worker.
        tasks: list of Task.
        folders: list of Path, the submissions (a task copies those of its ``submissions``).
        inputs: dict of part to PartInputs.
        seconds: dict of task name to its limit.
        memory_mb: int, each task's address-space cap.
        jobs: int, tasks at once.

    Returns:
        Path, the run's folder.
    """
    box = worker.box
    worker.runs += 1
    rundir = worker.scratch / f"run-{worker.runs}"
    rundir.mkdir(mode=0o755)
    (rundir / "status").mkdir(mode=0o755)
    processes = process_limit(box)
    for task in tasks:
        partdir = rundir / task.name
        partdir.mkdir(mode=0o700)
        entries = [{"folder": str(partdir / f"submission_{k}"), "name": f"submission_{task.part}_{k}"}
                   for k in range(len(task.submissions))]
        request = {"part": task.part, "group": task.group, "submissions": entries,
                   "config": inputs[task.part].config, "memory_mb": memory_mb, "file_mb": limits.FILE_MB,
                   "processes": processes, "repo_root": str(REPO_ROOT)}
        (partdir / "request.json").write_text(json.dumps(request))
        np.savez(partdir / "inputs.npz", **inputs[task.part].arrays)
        box.prepare(partdir)  # as root: the task's folder belongs to the task's own uid
        for entry, index in zip(entries, task.submissions):  # the grader's, readable and not writable there
            copy_submission(folders[index], Path(entry["folder"]))
    uids = {task.name: box.task_uid(rundir / task.name) for task in tasks}
    worker.uids += [ident for ident in uids.values() if ident]
    plan = {"tasks": [t.name for t in tasks], "timeouts": seconds, "jobs": jobs, "uids": uids,
            "fences": {t.name: box.fence(rundir / t.name) for t in tasks}, "private_tmp": box.namespaced}
    (rundir / "plan.json").write_text(json.dumps(plan))
    return rundir


def _request(worker: _Worker, rundir: Path, deadline: float) -> str:
    """Send a run to the worker and wait for its end, or the deadline.

    Args:
        worker: _Worker.
        rundir: Path, the run's folder.
        deadline: float, seconds from now.

    Returns:
        str: ``done`` (a forking worker answered), ``ended`` (the worker exited: a one-task worker's
        end, or a forking worker that died) or ``killed`` (the deadline passed).
    """
    start = time.monotonic()
    try:
        worker.process.stdin.write((json.dumps({"run": rundir.name}) + "\n").encode())
        worker.process.stdin.flush()
        if not worker.fork:
            worker.process.stdin.close()  # one task, then the worker is that task
    except OSError:
        return "ended"
    if not worker.fork:
        try:
            worker.process.wait(timeout=deadline)
            return "ended"
        except subprocess.TimeoutExpired:
            return "killed"
    answer, pipe = b"", worker.process.stdout.fileno()
    while True:
        left = deadline - (time.monotonic() - start)
        if left <= 0:
            return "killed"
        ready, _, _ = select.select([pipe], [], [], left)
        if not ready:
            continue
        chunk = os.read(pipe, 4096)
        if not chunk:
            return "ended"
        answer += chunk
        for line in answer.splitlines()[: answer.count(b"\n")]:
            try:
                if json.loads(line).get("run") == rundir.name:
                    return "done"
            except (ValueError, AttributeError):
                pass


def _collect(rundir: Path, task: Task, limit: float, level: str, how: str, deadline: float,
             start: float) -> PartRun:
    """Turn one task's folder and its end's record into a PartRun.

    Args:
        rundir: Path, the run's folder.
        task: Task.
        limit: float, the task's wall-clock limit.
        level: str, the isolation level.
        how: str, how the run ended (:func:`_request`).
        deadline: float, the limit the runner waited for.
        start: float, when the run started (monotonic).

    Returns:
        PartRun.
    """
    partdir = rundir / task.name
    try:
        status = json.loads((rundir / "status" / f"{task.name}.json").read_text())
    except (OSError, ValueError):
        status = None
    evidence = [read_evidence(partdir, k) for k in range(len(task.submissions))]
    seconds = float(status["seconds"]) if status else time.monotonic() - start
    if status is None:
        state, reason = ("timeout", f"the grading did not finish within {deadline:g} s") if how == "killed" else (
            "crashed", "the grading worker stopped before this part ended")
    elif status.get("timed_out"):
        state, reason = "timeout", f"the part did not finish within {limit:g} s"
    else:
        state, reason = "ok", ""
    if state == "ok" and any(e is None for e in evidence):
        state, reason = "crashed", describe_exit(int(status.get("code", 1)))
    try:
        with open(partdir / "output.txt", "rb") as handle:
            output = handle.read(4 * 2**20).decode("utf-8", errors="replace")
    except OSError:
        output = ""
    return PartRun(part=task.part, status=state, seconds=seconds, reason=reason,
                   output=_truncate(drop_startup_lines(output)), evidence=evidence, isolation=level)


class Runner:
    """Runs part tasks on submissions, in the sandbox; a context manager (see the module's docstring).

    Example:
        ```python
        with Runner(jobs=2, warm=True) as runner:
            runs = runner.run(runner.plan(["data", "cell"]), folder, inputs)
            runs = runner.run(runner.plan(["cell"]), folder, inputs)  # the same worker, TensorFlow imported
        ```

    Args:
        jobs: int, tasks at once.
        warm: bool, keep a forking worker between runs.
        memory_mb: int or None, each task's address-space cap (default
            :data:`course.grading.limits.PART_MEMORY_MB`).
    """

    def __init__(self, *, jobs: int = 2, warm: bool = False, memory_mb: int | None = None) -> None:
        self.jobs = max(1, jobs)
        self.warm = warm
        self.memory_mb = limits.PART_MEMORY_MB if memory_mb is None else memory_mb
        self._warm_worker: _Worker | None = None
        self._live: set[int] = set()  # process groups of the workers running now
        self._lock = threading.Lock()  # one run at a time on the warm worker
        self._starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="runner-start")

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    @property
    def worker_pid(self) -> int | None:
        """The pid of the warm worker's sandbox while it runs (None: none).

        Returns:
            int or None.
        """
        worker = self._warm_worker
        return worker.process.pid if worker is not None and worker.alive else None

    def forks(self, parts: list[str]) -> bool:
        """Whether this runner forks the tasks of these parts from one worker (:func:`forks`).

        Args:
            parts: list of str, the parts of the tasks.

        Returns:
            bool.

        Raises:
            course.grading.running.sandbox.SandboxUnavailable: no sandbox can start and the policy requires one.
        """
        return forks(jail.current().level, len(set(parts)), warm=self.warm)

    def plan(self, parts: list[str]) -> list[Task]:
        """The tasks for ``parts``: a forking runner splits a part over idle job slots
        (:func:`course.grading.running.tasks.plan`); one that does not fork would pay an import per
        extra child, so it runs each part whole.

        Args:
            parts: list of str, in start order.

        Returns:
            list of Task.
        """
        return part_tasks.plan(parts, self.jobs) if self.forks(parts) else [Task(part) for part in parts]

    def run(self, tasks: list[Task], folder: Path | list[Path], inputs: dict[str, Any], *,
            timeouts: dict[str, float] | None = None, keep: Path | None = None) -> dict[str, PartRun]:
        """Run tasks on a submission (or on several trusted ones: :func:`course.grading.core.grade_shared`).

        Args:
            tasks: list of Task, in start order.
            folder: Path, the submission folder (copied once per task), or a list of folders that
                the tasks' ``submissions`` index.
            inputs: dict of part to PartInputs (only ``config`` and ``arrays`` reach a task).
            timeouts: dict of task name or part to wall-clock seconds (a task's name wins;
                default :data:`course.grading.limits.PART_SECONDS`).
            keep: Path or None, where to copy each task's raw outputs before its folder is deleted:
                ``keep/PART`` (a split part: ``keep/PART/GROUP``), a forking worker's log as
                ``keep/worker.txt`` (:func:`course.grading.running.keep.save_raw`).

        Returns:
            dict of task name to PartRun.
        """
        if not tasks:
            return {}
        folders = [Path(folder)] if isinstance(folder, (str, os.PathLike)) else [Path(f) for f in folder]
        timeouts = timeouts or {}
        seconds = {t.name: float(timeouts.get(t.name) or timeouts.get(t.part) or limits.PART_SECONDS[t.part])
                   for t in tasks}
        box = jail.current()
        if forks(box.level, len({t.part for t in tasks}), warm=self.warm):
            with self._lock:
                return self._run_in_sandbox(box, tasks, folders, inputs, seconds, keep, fork=True)
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            futures = [pool.submit(self._run_in_sandbox, box, [task], folders, inputs, seconds, keep, fork=False)
                       for task in tasks]
            return {name: run for future in futures for name, run in future.result().items()}

    def _run_in_sandbox(self, box: jail.Sandbox, tasks: list[Task], folders: list[Path], inputs: dict[str, Any],
                        seconds: dict[str, float], keep: Path | None, *, fork: bool) -> dict[str, PartRun]:
        """Run tasks in one sandbox: a forking worker's (the warm one, or a fresh one), or one task's own.

        Args:
            box: the Sandbox.
            tasks: list of Task (one when not forking).
            folders: list of Path, the submissions.
            inputs: dict of part to PartInputs.
            seconds: dict of task name to its limit.
            keep: Path or None.
            fork: bool, whether the worker forks a child per task (else it becomes the one task).

        Returns:
            dict of task name to PartRun.
        """
        start, warm = time.monotonic(), fork and self.warm
        worker = self._warm_worker if warm and self._warm_worker is not None and self._warm_worker.alive else None
        if worker is None:
            self._drop_warm_worker()  # died since the last run (a backstop, say): start afresh
            prefix = "lstm-zygote-" if fork else f"lstm-{tasks[0].part}-"
            worker = self._starter.submit(_start, box, fork, prefix).result()
            self._live.add(worker.process.pid)
            self._warm_worker = worker if warm else None
        rundir, how = None, "ended"
        try:
            rundir = _prepare(worker, tasks, folders, inputs, seconds, self.memory_mb, self.jobs if fork else 1)
            deadline = backstop(seconds, self.jobs) if fork else seconds[tasks[0].name]
            how = _request(worker, rundir, deadline)
            if not (warm and how == "done"):
                _end(worker)  # before the evidence is read: nothing of the sandbox may still write it
            if not fork:  # the worker was the task: its end is the task's
                record_end(rundir, tasks[0].name, {"code": worker.process.returncode, "timed_out": how == "killed",
                                                   "seconds": time.monotonic() - start})
            return {t.name: _collect(rundir, t, seconds[t.name], box.level, how, deadline, start) for t in tasks}
        finally:
            if rundir is not None and keep is not None:
                from course.grading.running.keep import copy_regular, save_raw

                if fork:
                    copy_regular(worker.scratch / "worker.txt", keep / "worker.txt")
                for task in tasks:
                    save_raw(rundir / task.name, keep / task.part / (task.group or ""),
                             rundir / "status" / f"{task.name}.json")
            if warm and how == "done":
                shutil.rmtree(rundir, ignore_errors=True)  # the warm worker stays for the next run
            else:
                if self._warm_worker is worker:
                    self._warm_worker = None
                self._finish(worker)

    def _finish(self, worker: _Worker) -> None:
        """End a worker for good and remove its folder.

        Args:
            worker: _Worker.
        """
        _end(worker)
        self._live.discard(worker.process.pid)
        shutil.rmtree(worker.scratch, ignore_errors=True)

    def _drop_warm_worker(self) -> None:
        """End the warm worker, if any (the caller holds the lock or owns the runner)."""
        if self._warm_worker is not None:
            worker, self._warm_worker = self._warm_worker, None
            self._finish(worker)

    def close(self) -> None:
        """Kill every worker and everything it started, a run in progress included; safe to call again."""
        for group in list(self._live):  # a run in progress then sees its worker end, and returns
            kill_leftovers(group, None)
        with self._lock:
            self._drop_warm_worker()
        self._starter.shutdown()

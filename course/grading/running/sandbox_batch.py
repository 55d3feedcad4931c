"""Run one grading worker in its own process tree, with limits the worker cannot lift.

The batch grader never runs student code in its own process. It starts a *worker*
(``python -m course.grading.running.batch_worker``, trusted code) per submission; the worker calls
the grading core, whose per-part children import the student's modules. This module is
the fence around that whole tree:

- **wall clock**: the tree is killed when the submission's time is up;
- **memory**: the resident memory of the whole tree is summed a few times a second and
  the tree is killed above the cap (an rlimit would count TensorFlow's huge virtual
  reservations, not what a submission really uses);
- **output**: stdout and stderr of the tree go to one pipe; the head and the tail are
  kept, the middle is counted and dropped, so a flood costs CPU, not memory or disk;
- **stragglers**: everything in the tree's session, every descendant seen while it
  ran, every process that carries the run's marker in its environment, and every
  orphan this process adopted as a Linux child subreaper is killed when the worker
  ends, so a daemon cannot outlive its submission;
- **the sandbox policy**: the worker's part children run student code in the bubblewrap
  sandbox of :mod:`course.grading.running.sandbox` (read-only files, no network, no view of the
  repository or the grading user's home, an unprivileged uid); ``sandbox_mode`` tells the
  worker whether it may ever run them without (``off``) or must refuse (``require``);
- **the result channel**: the worker writes its result to a private pipe, signed with
  a key it read from stdin, so bytes that student code writes anywhere else, or writes
  unsigned into an inherited descriptor, are never taken for a result.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from course.grading.limits import FILE_MB, OUTPUT_KB, SUBMISSION_MEMORY_MB, SUBMISSION_SECONDS
from course.grading.running import process as process_control

#: Environment variable that marks every process of one grading run (inherited by children).
RUN_MARKER = "LSTM_COURSE_GRADING_RUN"
#: Prefix of the one line that carries a signed result on the result pipe.
RESULT_PREFIX = b"LSTM-COURSE-RESULT "


@dataclass(frozen=True)
class Limits:
    """Resource limits for grading one submission (defaults: :mod:`course.grading.limits`).

    Attributes:
        wall_seconds: float, wall-clock limit for the whole submission.
        memory_mb: int, cap on the summed resident memory of the submission's processes.
        output_bytes: int, bytes of stdout/stderr kept (half from the start, half from the end).
        file_mb: int, largest file any process of the submission may write (RLIMIT_FSIZE).
    """

    wall_seconds: float = SUBMISSION_SECONDS
    memory_mb: int = SUBMISSION_MEMORY_MB
    output_bytes: int = OUTPUT_KB * 1024
    file_mb: int = FILE_MB


@dataclass
class WorkerOutcome:
    """What happened to one worker process tree.

    Attributes:
        result: dict or None, the worker's verified result (None if it delivered none).
        status: str, ``ok`` (a verified result arrived), ``timeout`` or ``crashed``.
        reason: str, a one-line explanation when status is not ``ok``.
        returncode: int or None, the worker's exit code.
        seconds: float, wall-clock time.
        peak_memory_mb: float, the highest summed resident memory seen.
        output: str, the tree's stdout and stderr, truncated.
        output_bytes: int, how many bytes of output the tree produced in all.
        rejected_messages: int, result-looking lines that failed verification.
    """

    result: dict | None
    status: str
    reason: str
    returncode: int | None
    seconds: float
    peak_memory_mb: float
    output: str
    output_bytes: int
    rejected_messages: int = 0


@dataclass
class _Drain:
    """Reads a pipe to its end in a thread, keeping only a head and a tail."""

    fd: int
    keep: int
    head: bytearray = field(default_factory=bytearray)
    tail: bytearray = field(default_factory=bytearray)
    total: int = 0

    def run(self) -> None:
        """Read until EOF (or until the descriptor is closed under us)."""
        half = max(self.keep // 2, 1)
        try:
            while chunk := os.read(self.fd, 65536):
                self.total += len(chunk)
                room = half - len(self.head)
                if room > 0:
                    self.head += chunk[:room]
                    chunk = chunk[room:]
                if chunk:
                    self.tail += chunk
                    del self.tail[:-half]
        except OSError:
            pass

    def text(self) -> str:
        """The kept output, with a marker where the middle was dropped.

        Returns:
            The head, a ``[... N bytes dropped ...]`` line if needed, and the tail.
        """
        dropped = self.total - len(self.head) - len(self.tail)
        middle = f"\n[... {dropped:,} bytes of output dropped ...]\n".encode() if dropped > 0 else b""
        return (bytes(self.head) + middle + bytes(self.tail)).decode("utf-8", "replace")


def sign(key: bytes, payload: bytes) -> str:
    """HMAC-SHA256 of a result payload.

    Args:
        key: bytes, the run's secret key.
        payload: bytes, the JSON payload.

    Returns:
        The hex digest.
    """
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def encode_result(key: bytes, result: dict) -> bytes:
    """Frame a result as one signed line for the result pipe (used by the worker).

    Args:
        key: bytes, the secret the worker read from its stdin.
        result: dict, JSON-serialisable result.

    Returns:
        ``RESULT_PREFIX + mac + " " + json + "\\n"`` as bytes.
    """
    payload = json.dumps(result, allow_nan=False).encode()
    return RESULT_PREFIX + sign(key, payload).encode() + b" " + payload + b"\n"


def decode_results(key: bytes, data: bytes) -> tuple[dict | None, int]:
    """Find the last correctly signed result in what came through the result pipe.

    Args:
        key: bytes, the run's secret key.
        data: bytes, everything read from the result pipe.

    Returns:
        ``(result or None, number of lines that looked like results but failed verification)``.
    """
    result, rejected = None, 0
    for line in data.splitlines():
        if not line.startswith(RESULT_PREFIX):
            rejected += bool(line.strip())
            continue
        mac, _, payload = line[len(RESULT_PREFIX):].partition(b" ")
        if hmac.compare_digest(mac.decode("ascii", "replace"), sign(key, payload)):
            try:
                result = json.loads(payload)
            except ValueError:
                rejected += 1
        else:
            rejected += 1
    return result, rejected


def _tree(root: psutil.Process | None) -> list[psutil.Process]:
    """The root and its descendants that are still alive.

    Args:
        root: psutil.Process, the worker (None when it was gone before it could be watched).

    Returns:
        A list of processes (possibly empty when the root is gone).
    """
    if root is None:
        return []
    try:
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _rss_mb(processes: list[psutil.Process]) -> float:
    """Summed resident memory of some processes, in MiB (vanished ones count 0).

    Args:
        processes: list of psutil.Process.

    Returns:
        The sum in MiB.
    """
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


#: Workers running now (the batch's direct children that are not orphans).
_WORKERS: set[int] = set()
_WORKERS_LOCK = threading.Lock()
#: Children this process had before it became a subreaper (never touched).
_PREEXISTING: set[int] = set()


@functools.cache
def become_subreaper() -> bool:
    """Adopt orphaned descendants (:func:`course.grading.running.process.become_subreaper`), once per process.

    A student process that double-forks out of its worker's tree is then found and killed by
    the sweep after its worker ends; the children this process already had are never touched.

    Returns:
        True when this process is now a subreaper.
    """
    _PREEXISTING.update(p.pid for p in psutil.Process().children())
    return process_control.become_subreaper()


def _orphans() -> list[psutil.Process]:
    """Children adopted by this subreaper: not a running worker, not a child it had before.

    Returns:
        The processes.
    """
    # Under the lock that run_isolated holds from starting a worker to registering it, so a
    # worker another thread has just started is never taken for an orphan.
    with _WORKERS_LOCK:
        keep = _WORKERS | _PREEXISTING
        try:
            return [p for p in psutil.Process().children() if p.pid not in keep]
        except psutil.Error:
            return []


def _kill_everything(session: int, seen: dict[int, psutil.Process], marker: str) -> None:
    """SIGKILL the session, every descendant seen, and every process carrying the marker.

    Args:
        session: int, the session (and process group) id of the worker.
        seen: dict of pid to psutil.Process, descendants noticed while the worker ran.
        marker: str, the run's ``RUN_MARKER`` value.
    """
    try:
        os.killpg(session, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    victims: list[psutil.Process] = [*seen.values(), *_orphans()]
    me = os.getpid()
    for process in psutil.process_iter(["pid"]):
        if process.pid == me:
            continue
        try:
            if os.getsid(process.pid) == session or process.environ().get(RUN_MARKER) == marker:
                victims.append(process)
        except (psutil.Error, OSError):
            pass
    for process in victims:
        try:
            process.kill()
        except psutil.Error:
            pass
    psutil.wait_procs([p for p in victims if p.is_running()], timeout=2)


def run_isolated(args: list[str], *, limits: Limits, cwd: Path, env: dict[str, str] | None = None,
                 sandbox_mode: str = "require", poll_seconds: float = 0.2) -> WorkerOutcome:
    """Run ``python -m course.grading.running.batch_worker ARGS`` under the limits and collect its result.

    The worker receives ``--result-fd N`` and a secret key on stdin; see
    :mod:`course.grading.running.batch_worker`.

    Args:
        args: list of str, the worker's arguments (the submission and options).
        limits: Limits, wall clock, memory, output and file-size caps.
        cwd: Path, the working directory (a scratch folder, never the repository).
        env: dict or None, the environment (default: this process's).
        sandbox_mode: str, the workers' sandbox policy (``require`` or ``off``, see
            :data:`course.grading.running.sandbox.MODE_ENV`).
        poll_seconds: float, how often the memory and the clock are checked.

    Returns:
        A :class:`WorkerOutcome`.
    """
    key = secrets.token_bytes(32)
    marker = secrets.token_hex(16)
    result_r, result_w = os.pipe()
    log_r, log_w = os.pipe()
    environment = dict(os.environ if env is None else env)
    environment[RUN_MARKER] = marker
    environment["LSTM_COURSE_FILE_MB"] = str(limits.file_mb)
    environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    environment["TMPDIR"] = str(cwd)  # the core's scratch folders go where the parent cleans up
    environment["LSTM_COURSE_SANDBOX"] = sandbox_mode
    argv = [sys.executable, "-m", "course.grading.running.batch_worker", *args, "--result-fd", str(result_w)]
    become_subreaper()
    start = time.monotonic()
    with _WORKERS_LOCK:  # started and registered at once: another thread's sweep must not see it unregistered
        process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=log_w, stderr=log_w, pass_fds=(result_w,),
            cwd=cwd, env=environment, start_new_session=True,
        )
        _WORKERS.add(process.pid)
    os.close(result_w)
    os.close(log_w)
    try:
        assert process.stdin is not None
        process.stdin.write(key.hex().encode() + b"\n")
        process.stdin.close()
    except OSError:
        pass
    result_drain = _Drain(result_r, keep=16 * 2**20)  # a result is small and comes last
    log_drain = _Drain(log_r, keep=limits.output_bytes)
    threads = [threading.Thread(target=d.run, daemon=True) for d in (result_drain, log_drain)]
    for thread in threads:
        thread.start()

    try:
        root = psutil.Process(process.pid)
    except psutil.NoSuchProcess:  # it has ended already: the loop below does not run
        root = None
    seen: dict[int, psutil.Process] = {}
    status, reason, peak = "ok", "", 0.0
    while process.poll() is None:
        tree = _tree(root)
        seen.update({p.pid: p for p in tree[1:]})
        peak = max(peak, memory := _rss_mb(tree))
        if memory > limits.memory_mb:
            status, reason = "crashed", f"memory limit: {memory:,.0f} MiB > {limits.memory_mb:,} MiB"
            break
        if time.monotonic() - start > limits.wall_seconds:
            status, reason = "timeout", f"wall-clock limit of {limits.wall_seconds:g} s per submission"
            break
        time.sleep(poll_seconds)
    with _WORKERS_LOCK:
        _WORKERS.discard(process.pid)
    process.kill()  # our own child: killed and reaped here, not by the sweep
    process.wait()
    _kill_everything(process.pid, seen, marker)
    seconds = time.monotonic() - start
    for thread in threads:
        thread.join(timeout=5)
    for fd in (result_r, log_r):
        try:
            os.close(fd)
        except OSError:
            pass

    result, rejected = decode_results(key, bytes(result_drain.head + result_drain.tail))
    if status == "ok" and result is None:
        status = "crashed"
        reason = f"the grading worker ended (exit code {process.returncode}) without a verified result"
    if status != "ok":
        result = None
    return WorkerOutcome(result=result, status=status, reason=reason, returncode=process.returncode,
                         seconds=seconds, peak_memory_mb=peak, output=log_drain.text(),
                         output_bytes=log_drain.total, rejected_messages=rejected)

"""Run one part's child process: copy the submission(s), send the inputs, enforce limits, read raw outputs.

The child writes only data (JSON and an ``.npz`` read with ``allow_pickle=False``);
anything missing or malformed becomes a crashed part, never an exception here.
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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course.grading import limits
from course.grading.running import sandbox as jail
from course.grading.checking.inputs import PartInputs
from course.grading.checking.judges import Evidence
from course.impl import REPO_ROOT
from course.tf_noise import drop_startup_lines

#: Processes and threads the child's uid may have (RLIMIT_NPROC; a fork bomb stops there).
#: TensorFlow starts a few dozen threads per process (more on many cores). The count is the
#: sandbox's own: under a user namespace by the kernel's per-namespace accounting, as root
#: because each sandbox gets a uid of its own (:func:`course.grading.running.sandbox.unprivileged_id`).
#: TensorFlow's pools grow with the cores: measured 9 threads in a trained process on 2 cores.
PROCESSES = max(128, 4 * (os.cpu_count() or 1) + 32)
#: Captured output kept from each child: this many characters from its start and its end.
OUTPUT_KEEP = 1500
#: Largest result file read from a child.
MAX_RESULT_BYTES = 50 * 2**20


@dataclass
class PartRun:
    """How one part's child went.

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


def _copy(source: Path, target: Path) -> None:
    """Copy a submission's regular files (no caches, no symlinks followed out of it).

    Args:
        source: Path, the submission folder.
        target: Path, where the copy goes.
    """
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file() and not path.is_symlink() and path.suffix in (".py", ".md", ".txt", ".json", ".npz"):
            shutil.copyfile(path, target / path.name)


def _clean(text: str) -> str:
    """Drop TensorFlow's start-up log lines from captured output (they are not the student's).

    Args:
        text: str.

    Returns:
        str.
    """
    return drop_startup_lines(text)


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


def _read(workdir: Path, index: int) -> Evidence | None:
    """Read one submission's raw outputs, defensively.

    Args:
        workdir: Path.
        index: int.

    Returns:
        Evidence, or None when it is missing or malformed.
    """
    record_path, arrays_path = workdir / f"out_{index}.json", workdir / f"out_{index}.npz"
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


def _describe_exit(code: int) -> str:
    """Explain a child's exit code.

    Args:
        code: int, the return code (negative: killed by that signal).

    Returns:
        str.
    """
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        extra = " (out of memory or file size limit?)" if name in ("SIGKILL", "SIGXFSZ", "SIGSEGV") else ""
        return f"the process was killed by {name}{extra}"
    return f"the process exited with code {code} before reporting"


def process_limit(box: jail.Sandbox) -> int:
    """RLIMIT_NPROC for a child in this sandbox (0: none).

    As root each sandbox has a uid of its own, so :data:`PROCESSES` is the sandbox's
    alone. Under a user namespace the kernel may count every thread of the user (before
    Linux 5.14 it did), so the ones the user already runs are added. Without a sandbox the
    limit would count the user's whole session: none is set (the part's wall clock and the
    batch's memory cap still stop a fork bomb). At ``landlock`` the count is the user's, as
    under a user namespace (as root without capabilities the kernel ignores it).

    Args:
        box: the Sandbox the child runs in.

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


def child_environment(box: jail.Sandbox, workdir: Path) -> dict[str, str]:
    """The whole environment of a grading process that runs student code (a part's child, or the zygote).

    Args:
        box: the Sandbox it runs in.
        workdir: Path, its work folder (``HOME`` and ``TMPDIR``, except in bubblewrap's namespaces,
            where they are the private ``/tmp``).

    Returns:
        dict: a fixed ``PATH``, ``HOME``, ``TMPDIR``, locale and TensorFlow settings, plus the
        batch grader's ``LSTM_COURSE_*`` settings; nothing else of this process's environment.
    """
    home = "/tmp" if box.namespaced else str(workdir)
    env = {"PATH": "/usr/bin:/bin" if box.active else os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": home, "TMPDIR": home,
           "TF_CPP_MIN_LOG_LEVEL": "2", "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "CUDA_VISIBLE_DEVICES": ""}
    env.update({k: v for k, v in os.environ.items() if k.startswith("LSTM_COURSE_")})
    return env


def run_part(part: str, submissions: list[Path], inputs: PartInputs, *, timeout: float | None = None,
             memory_mb: int = limits.PART_MEMORY_MB, keep: Path | None = None) -> PartRun:
    """Run one part's probes on one or more submissions in one child process.

    Args:
        part: str, a run part.
        submissions: list of Path, submission folders (each is copied first).
        inputs: the part's inputs (only ``config`` and ``arrays`` reach the child).
        timeout: float, wall-clock limit in seconds (default :data:`course.grading.limits.PART_SECONDS`).
        memory_mb: int, the child's address-space cap.
        keep: Path or None, where to copy the child's raw outputs before its folder is deleted
            (:func:`course.grading.running.keep.save_raw`).

    Returns:
        PartRun.
    """
    timeout = timeout or limits.PART_SECONDS[part]
    start = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix=f"lstm-{part}-"))
    try:
        entries = []
        for index, folder in enumerate(submissions):
            copy = workdir / f"submission_{index}"
            _copy(folder, copy)
            entries.append({"folder": str(copy), "name": f"submission_{part}_{index}"})
        box = jail.current()
        request = {"part": part, "submissions": entries, "config": inputs.config, "memory_mb": memory_mb,
                   "file_mb": limits.FILE_MB, "processes": process_limit(box), "repo_root": str(REPO_ROOT)}
        (workdir / "request.json").write_text(json.dumps(request))
        np.savez(workdir / "inputs.npz", **inputs.arrays)
        env = child_environment(box, workdir)
        log = workdir / "output.txt"
        box.prepare(workdir)
        command = box.command([sys.executable, "-I", "-m", "course.grading.running.child", str(workdir)], scratch=workdir,
                              readonly=tuple(Path(e["folder"]) for e in entries), env=env)
        with open(log, "wb") as sink:
            process = subprocess.Popen(command, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=sink,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            status, reason = "ok", ""
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                status, reason = "timeout", f"the part did not finish within {timeout:g} s"
            finally:
                try:
                    os.killpg(process.pid, signal.SIGKILL)  # the child and anything it started
                except ProcessLookupError:
                    pass
                process.wait()
                box.reap(workdir)  # whatever of the sandbox is still being torn down
        evidence = [_read(workdir, i) for i in range(len(submissions))]
        if status == "ok" and any(e is None for e in evidence):
            status, reason = "crashed", _describe_exit(process.returncode)
        with open(log, "rb") as handle:
            output = handle.read(4 * 2**20).decode("utf-8", errors="replace")
        return PartRun(part=part, status=status, seconds=time.monotonic() - start, reason=reason,
                       output=_truncate(_clean(output)), evidence=evidence, isolation=box.level)
    finally:
        if keep is not None:
            from course.grading.running.keep import save_raw

            save_raw(workdir, keep)
        shutil.rmtree(workdir, ignore_errors=True)

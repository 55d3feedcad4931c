"""Keep a part's raw outputs and the command that reruns it (``check --keep DIR``, ``grade --keep DIR``).

A teaching assistant who sees a 0 wants what the child really wrote and a way to make it
happen again on their own machine. With ``keep`` set, the grader copies each task's work
folder before it deletes it (:func:`save_raw`), then, once every child of the grading has
ended, writes per part (:func:`write_part`):

- ``DIR/submission/``: the files graded (the same filtered copy the children got);
- ``DIR/PART/``: the child's raw outputs (``request.json``, ``inputs.npz``, ``out_0.json``,
  ``out_0.npz``, the whole ``output.txt``; a part split into probe groups has one folder per
  group), ``verdicts.json`` (the part's checks as judged), and ``held_out.npz`` (the labels
  only the parent had; written after the run, never where a child of the run could read it);
- ``DIR/PART/rerun.sh``: ``lstm-course check`` on ``DIR/submission`` for that part alone, with
  the same seed, the same shape of runner (forking or one sandbox per part, forced through
  :data:`course.grading.running.runner.ZYGOTE_ENV`), the same number of children, the same
  part time limit and the same sandbox policy. Extra arguments go to ``check``
  (``rerun.sh --keep DIR2`` keeps the rerun too).

The files are copied, never followed: a link a child left in its folder stays out.
"""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

#: Raw outputs copied from a task's work folder (regular files only; the child's out_N pair per submission).
RAW_FILES: tuple[str, ...] = ("request.json", "inputs.npz", "output.txt", "out_0.json", "out_0.npz")
#: Largest raw file kept, bytes (the child's output log is capped by its file-size limit anyway).
MAX_KEPT_BYTES = 64 * 2**20


def save_raw(workdir: Path, target: Path, status: Path | None = None) -> None:
    """Copy one task's raw outputs out of its work folder, before the folder is deleted.

    Args:
        workdir: Path, the task's work folder (the child's ``WORKDIR``).
        target: Path, where the copies go (created).
        status: Path or None, the record of the task's end, kept as ``status.json``.
    """
    for name in RAW_FILES:
        copy_regular(workdir / name, target / name)
    if status is not None:
        copy_regular(status, target / "status.json")


def copy_regular(source: Path, target: Path) -> None:
    """Copy a file when it is a regular file of a sane size (a link or a device a child left is skipped).

    Args:
        source: Path.
        target: Path, its folder created when missing.
    """
    if source.is_symlink() or not source.is_file() or source.stat().st_size > MAX_KEPT_BYTES:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def cli_command() -> list[str]:
    """How to start ``lstm-course`` with this Python (the one whose grader graded).

    Returns:
        list of str.
    """
    return [sys.executable, "-m", "course.cli"]


def rerun_command(part: str, submission: str, *, seed: int, zygote: bool, children: int, isolation: str,
                  part_timeout: float | None) -> str:
    """The shell line that reruns one part as it ran.

    Args:
        part: str, the run part.
        submission: str, the kept submission as a shell word (e.g. ``"$here/../submission"``).
        seed: int, the inputs' seed.
        zygote: bool, whether the part ran in a forking worker (else in a sandbox of its own).
        children: int, how many children the part ran as (a split part: one per probe group), the
            ``--jobs`` that makes a forking runner split it the same way.
        isolation: str, the sandbox it ran in (``none``: the rerun runs without one too).
        part_timeout: float or None, the part's wall-clock limit when it was not the default.

    Returns:
        str, for ``sh``.
    """
    from course.grading.running.runner import ZYGOTE_ENV
    from course.grading.running.sandbox import MODE_ENV, NONE

    env = [f"{ZYGOTE_ENV}={'on' if zygote else 'off'}", f"{MODE_ENV}={'off' if isolation == NONE else 'require'}"]
    options = ["--parts", part, "--seed", str(seed), "--jobs", str(children)]
    if part_timeout is not None:
        options += ["--part-timeout", f"{part_timeout:g}"]
    return " ".join([*env, *map(shlex.quote, [*cli_command(), "check"]), submission,
                     *map(shlex.quote, options), '"$@"'])


def write_part(folder: Path, part: str, *, run: Any, results: list[Any], held_out: dict[str, np.ndarray],
               command: str, seed: int, zygote: bool) -> None:
    """Write one part's verdicts, held-out labels and rerun script (after every child has ended).

    Args:
        folder: Path, the part's kept folder (``DIR/PART``).
        part: str.
        run: :class:`course.grading.running.runner.PartRun`, the part's merged run.
        results: list of :class:`course.grading.core.CheckResult`, the part's checks.
        held_out: dict of array, what only the parent kept (:attr:`PartInputs.secret`).
        command: str, from :func:`rerun_command` (``$here`` is this folder).
        seed: int.
        zygote: bool, the runner it took.
    """
    folder.mkdir(parents=True, exist_ok=True)
    verdicts = {"part": part, "seed": seed, "runner": "zygote" if zygote else "per-part", "status": run.status,
                "reason": run.reason, "isolation": run.isolation, "seconds": round(run.seconds, 2),
                "checks": {r.name: {"passed": r.passed, "score": r.score, "detail": r.detail} for r in results}}
    (folder / "verdicts.json").write_text(json.dumps(verdicts, indent=1))
    if held_out:
        np.savez(folder / "held_out.npz", **held_out)
    script = folder / "rerun.sh"
    script.write_text(f"#!/bin/sh\n# Reruns the {part} part as it was graded: seed {seed}, "
                      f"{verdicts['runner']} runner, isolation {run.isolation}.\n"
                      f"# Compare with verdicts.json here; add --keep DIR to keep the rerun's raw outputs too.\n"
                      f'here="$(cd "$(dirname "$0")" && pwd)"\n{command}\n')
    script.chmod(0o755)


def keep_submission(source: Path, folder: Path) -> Path:
    """Copy the graded files to ``folder/submission`` (once per grading), as the children got them.

    Args:
        source: Path, the submission folder graded.
        folder: Path, the keep folder.

    Returns:
        Path, the copy.
    """
    from course.grading.running.runner import copy_submission

    copy = folder / "submission"
    if copy.exists():
        shutil.rmtree(copy)
    folder.mkdir(parents=True, exist_ok=True)
    copy_submission(source, copy)
    return copy


def write_kept(keep: Path, folder: Path, *, runs: dict[str, Any], results: list[Any], inputs: dict[str, Any],
               children: dict[str, int], seed: int, zygote: bool, timeouts: dict[str, float]) -> None:
    """Write everything a grading keeps besides the raw outputs: the submission, and each part's files.

    Called by the core once every child of the grading has ended.

    Args:
        keep: Path, the keep folder.
        folder: Path, the submission graded.
        runs: dict of part to its merged PartRun.
        results: list of CheckResult, every check.
        inputs: dict of part to PartInputs.
        children: dict of part to the number of children it ran as.
        seed: int.
        zygote: bool, the runner the parts took.
        timeouts: dict of part to the wall-clock limit given (absent: the default).
    """
    keep_submission(folder, keep)
    for part, run in runs.items():
        command = rerun_command(part, '"$here/../submission"', seed=seed, zygote=zygote, children=children[part],
                                isolation=run.isolation, part_timeout=timeouts.get(part))
        write_part(keep / part, part, run=run, results=[r for r in results if r.check.part == part],
                   held_out=inputs[part].secret, command=command, seed=seed, zygote=zygote)

"""The grading bench's ``watch`` scenario: how soon ``check --watch`` answers a save.

One watcher (``lstm-course check --watch``, in a fresh process, as a student starts it) grades a
copy of the reference once; then, round after round, the bench saves each run part's own file
with a harmless edit (a new comment, so the verdicts stay full marks) and times, from the moment
the file is written and closed:

- ``part_s``: until the saved part's verdict line appears (``cell 9/9  (... after the save)``);
- ``whole_s``: until the whole check has been printed (the parts that run the file regraded too:
  a save of ``cell.py`` also regrades the layer, which runs it).

Training is left out (the issue's goal excludes it: it trains). The goals on 2 cores: the part
within 2 s, the whole check within 4 s. Times are walls on this machine under its current load.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from course.impl import REPO_ROOT

#: The issue's goals on 2 cores, seconds after the save.
TARGETS: dict[str, float] = {"part_s": 2.0, "whole_s": 4.0}
#: Each run part's own file.
FILES: dict[str, str] = {"data": "data.py", "cell": "cell.py", "layer": "layer.py", "model": "model.py",
                         "training": "train.py"}


@dataclass
class WatchConfig:
    """Sizes of the scenario.

    Attributes:
        parts: list of str, the parts whose file is saved, round after round.
        graded: list of str or None, the watcher's ``--parts`` (None: every part).
        rounds: int, saves of each part's file.
    """

    parts: list[str] = field(default_factory=lambda: ["data", "cell", "layer", "model"])
    graded: list[str] | None = None
    rounds: int = 3

    @classmethod
    def quick(cls) -> WatchConfig:
        """CI's sizes: a watcher of the data part, saved once."""
        return cls(parts=["data"], graded=["data"], rounds=1)


class Lines:
    """A process's output lines with the time each arrived, read in a thread."""

    def __init__(self, stream: object) -> None:
        """Start reading.

        Args:
            stream: a text stream (the process's stdout).
        """
        self.lines: list[tuple[float, str]] = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: object) -> None:
        """Read until the stream ends.

        Args:
            stream: a text stream.
        """
        for line in stream:
            self.lines.append((time.monotonic(), line))

    def wait_for(self, pattern: str, after: int, timeout: float) -> tuple[int, float]:
        """Wait for a line matching ``pattern`` from line ``after`` on.

        Args:
            pattern: str, a regular expression.
            after: int, the first line to look at.
            timeout: float, seconds.

        Returns:
            ``(index after the line, the time it arrived)``.

        Raises:
            TimeoutError: when no such line comes in time.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for index in range(after, len(self.lines)):
                if re.search(pattern, self.lines[index][1]):
                    return index + 1, self.lines[index][0]
            time.sleep(0.01)
        tail = "".join(line for _, line in self.lines[after:])[-1500:]
        raise TimeoutError(f"no line matching {pattern!r} within {timeout:g} s:\n{tail}")


def measure(solution: Path, config: WatchConfig, *, env: dict[str, str] | None = None,
            timeout: float = 600) -> dict[str, object]:
    """Save each part's file ``rounds`` times under one watcher and time its answers.

    Args:
        solution: Path, a correct submission (it is copied).
        config: WatchConfig.
        env: dict or None, the watcher's environment (default this process's).
        timeout: float, the longest wait for any one answer, in seconds.

    Returns:
        dict: ``parts`` (part to ``part_s``, ``whole_s`` medians and every round's figures),
        ``first_s`` (the first whole check, TensorFlow's start included), ``score`` (the last
        total line), ``targets``.
    """
    with tempfile.TemporaryDirectory(prefix="lstm-bench-watch-") as scratch:
        mine = Path(shutil.copytree(solution, Path(scratch) / "mine", ignore=shutil.ignore_patterns("__pycache__")))
        command = [sys.executable, "-m", "course.cli", "check", str(mine), "--watch", "--seed", "1",
                   *(["--parts", ",".join(config.graded)] if config.graded else [])]
        start = time.monotonic()
        process = subprocess.Popen(command, env={**(env or os.environ), "TF_CPP_MIN_LOG_LEVEL": "2"}, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   cwd=REPO_ROOT, start_new_session=True)
        lines = Lines(process.stdout)
        rounds: dict[str, dict[str, list[float]]] = {p: {"part_s": [], "whole_s": []} for p in config.parts}
        try:
            at, seen = lines.wait_for(r"^Total", 0, timeout)
            first = seen - start
            at, _ = lines.wait_for(r"Watching for the next save", at, timeout)
            for round_ in range(config.rounds):
                for part in config.parts:
                    path = mine / FILES[part]
                    with open(path, "a") as handle:
                        handle.write(f"\n# bench save {round_}\n")
                    saved = time.monotonic()
                    at, verdict = lines.wait_for(rf"^{part} \d+/\d+", at, timeout)
                    at, whole = lines.wait_for(r"Whole check .* after the save", at, timeout)
                    rounds[part]["part_s"].append(round(verdict - saved, 3))
                    rounds[part]["whole_s"].append(round(whole - saved, 3))
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            lines.thread.join(10)
    totals = [line for _, line in lines.lines if line.startswith("Total")]
    return {"parts": {part: {"part_s": statistics.median(r["part_s"]), "whole_s": statistics.median(r["whole_s"]),
                             "part_rounds": r["part_s"], "whole_rounds": r["whole_s"]}
                      for part, r in rounds.items()},
            "first_s": round(first, 2), "score": totals[-1].strip() if totals else "",
            "stopped": any("Stopped watching." in line for _, line in lines.lines),
            "graded": config.graded, "targets": TARGETS}


def summary_lines(watch: dict) -> list[str]:
    """The scenario's rows for the grading section's table: each saved part, both latencies, both goals.

    Args:
        watch: dict, :func:`measure`'s result.

    Returns:
        list of str, Markdown.
    """
    scope = f" (watching parts: {', '.join(watch['graded'])})" if watch.get("graded") else ""
    lines = ["", f"`check --watch`{scope}: seconds from a save to the answer, median of the rounds "
             f"(first whole check, TensorFlow's start included: {watch['first_s']:.1f} s).", "",
             "| file saved | its part's verdict | whole check |", "|---|---:|---:|"]
    for part, entry in watch["parts"].items():
        lines.append(f"| `{FILES[part]}` | {entry['part_s']:.2f} | {entry['whole_s']:.2f} |")
    lines.append(f"| goal | ≤ {watch['targets']['part_s']:g} | ≤ {watch['targets']['whole_s']:g} |")
    return lines

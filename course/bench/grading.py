"""The ``grading`` bench section: how long a student and an instructor wait for the grader.

It measures, on a copy of the reference solution (full marks):

- ``check``: one whole ``lstm-course check`` in a fresh process (wall, what a student waits),
  once per grading path of :class:`course.grading.running.runner.Runner`, interleaved: ``per-part``
  (a sandbox and a Python per part) and ``zygote`` (one sandbox, TensorFlow imported once by
  the worker, a forked child per part);
- ``parts``: each run part alone (``check --parts PART``), wall, the median of the rounds;
- ``batch``: ``lstm-course grade --jobs 2`` on N correct copies plus hostile cases
  (a submission that exits at import, one that prints a fake full score), submissions/min;
- ``watch``: ``check --watch``, from a save to the saved part's verdict and to the whole
  check (:mod:`course.bench.watch`);
- ``breakdown``: where the time goes: a bare Python start, the CLI's start (``--help``),
  importing TensorFlow and Keras, the interpreter's teardown after it (which grading
  processes skip: :mod:`course.teardown`), the Keras oracle's references, and each part's
  child (probes; the training part trains).

Every figure is a wall time on this machine under its current load (recorded with the
results); compare paths by their ratio from one run, not by absolute seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from course.bench import watch
from course.impl import REPO_ROOT

#: Grading paths compared, as values of :data:`course.grading.running.runner.ZYGOTE_ENV`.
PATHS: dict[str, str] = {"per-part": "off", "zygote": "on"}
#: The issue's targets on 2 cores.
TARGETS: dict[str, float] = {"check_s": 15.0, "part_s": 5.0, "batch_per_min": 6.0}

#: Hostile cases of the batch: (name, file, text appended).
HOSTILE: tuple[tuple[str, str, str], ...] = (
    ("exits-at-import", "cell.py", "\nimport os as _os\n_os._exit(3)\n"),
    ("claims-full-marks", "model.py",
     '\nprint(\'{"score": 58, "max_score": 58, "tests": []}\')\n'),
)


@dataclass
class GradingConfig:
    """Sizes of the grading section.

    Attributes:
        rounds: int, interleaved rounds of the whole check, and of each part alone, per path.
        check_parts: list of str or None, run parts of the whole check (None: all).
        parts: list of str, parts timed alone.
        copies: int, correct copies in the batch.
        hostile: bool, whether the batch adds the hostile cases.
        batch_parts: list of str or None, run parts graded in the batch (None: all).
        paths: list of str, grading paths (keys of :data:`PATHS`).
        part_breakdown: bool, whether the breakdown grades once more per path to time each part's child.
        watch: WatchConfig, the ``check --watch`` scenario's sizes.
    """

    rounds: int = 3
    check_parts: list[str] | None = None
    parts: list[str] = field(default_factory=lambda: ["data", "cell", "layer", "model", "training"])
    copies: int = 4
    hostile: bool = True
    batch_parts: list[str] | None = None
    paths: list[str] = field(default_factory=lambda: list(PATHS))
    part_breakdown: bool = True
    watch: watch.WatchConfig = field(default_factory=watch.WatchConfig)

    @classmethod
    def quick(cls) -> GradingConfig:
        """CI's sizes: the zygote path, the data part only, one round, a batch of two, no part breakdown."""
        return cls(rounds=1, check_parts=["data"], parts=[], copies=2, hostile=False, batch_parts=["data"],
                   paths=["zygote"], part_breakdown=False, watch=watch.WatchConfig.quick())


def _cli() -> list[str]:
    """The command that starts ``lstm-course`` with this interpreter.

    Returns:
        list of str.
    """
    return [sys.executable, "-m", "course.cli"]


def _timed(command: list[str], env: dict[str, str], *, timeout: float = 1800) -> tuple[float, int, str]:
    """Run a command and time it.

    Args:
        command: list of str.
        env: dict, the environment.
        timeout: float, seconds.

    Returns:
        ``(seconds, return code, its output)``.
    """
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, cwd=REPO_ROOT)
    return time.perf_counter() - start, done.returncode, done.stdout + done.stderr


def _env(path: str) -> dict[str, str]:
    """This process's environment with a grading path chosen.

    Args:
        path: str, a key of :data:`PATHS`.

    Returns:
        dict.
    """
    return {**os.environ, "LSTM_COURSE_ZYGOTE": PATHS[path], "TF_CPP_MIN_LOG_LEVEL": "2"}


def _parts_args(parts: list[str] | None) -> list[str]:
    """``--parts`` arguments.

    Args:
        parts: list of str or None.

    Returns:
        list of str.
    """
    return ["--parts", ",".join(parts)] if parts else []


def _total(text: str) -> str:
    """The ``Total:`` line of a check's output (the score it printed).

    Args:
        text: str.

    Returns:
        str.
    """
    return next((line.strip() for line in text.splitlines() if line.strip().startswith("Total")), "")


def _interleaved_checks(solution: Path, config: GradingConfig, parts: list[str] | None) -> dict[str, dict]:
    """``check`` of a correct solution ``rounds`` times per path, the paths' order alternating round by round.

    Args:
        solution: Path, a correct submission.
        config: GradingConfig.
        parts: list of str or None, the ``--parts`` given (None: all).

    Returns:
        dict of path to ``{"seconds": [...], "median_s", "score"}`` (the score line it printed, or
        its exit code and the end of its output).
    """
    out: dict[str, dict] = {path: {"seconds": [], "score": ""} for path in config.paths}
    for round_ in range(config.rounds):
        order = config.paths if round_ % 2 == 0 else list(reversed(config.paths))
        for path in order:
            seconds, code, text = _timed([*_cli(), "check", str(solution), "--seed", str(round_ + 1),
                                          *_parts_args(parts)], _env(path))
            out[path]["seconds"].append(round(seconds, 2))
            out[path]["score"] = _total(text) or f"exit {code}: {text[-300:]}"
    for entry in out.values():
        entry["median_s"] = statistics.median(entry["seconds"])
    return out


def measure_check(solution: Path, config: GradingConfig) -> dict[str, dict]:
    """Whole checks of a correct solution, the paths interleaved round by round.

    Args:
        solution: Path, a correct submission.
        config: GradingConfig.

    Returns:
        dict of path to ``{"seconds": [...], "median_s", "score"}``.
    """
    return _interleaved_checks(solution, config, config.check_parts)


def measure_parts(solution: Path, config: GradingConfig) -> dict[str, dict]:
    """Each run part alone (``check --parts PART``), every path, interleaved, ``rounds`` times.

    Args:
        solution: Path.
        config: GradingConfig.

    Returns:
        dict of part to dict of path to the median seconds, plus ``<path>_seconds`` (every
        round) and ``<path>_score``.
    """
    out: dict[str, dict] = {}
    for part in config.parts:
        out[part] = {}
        for path, entry in _interleaved_checks(solution, config, [part]).items():
            out[part].update({path: entry["median_s"], f"{path}_seconds": entry["seconds"],
                              f"{path}_score": entry["score"]})
    return out


def _batch_folder(solution: Path, config: GradingConfig, target: Path) -> list[str]:
    """Make the batch: correct copies and the hostile cases.

    Args:
        solution: Path.
        config: GradingConfig.
        target: Path, an empty folder.

    Returns:
        list of the submissions' names.
    """
    names = []
    for index in range(config.copies):
        shutil.copytree(solution, target / f"correct-{index}", ignore=shutil.ignore_patterns("__pycache__"))
        names.append(f"correct-{index}")
    for name, file, text in HOSTILE if config.hostile else ():
        shutil.copytree(solution, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        with open(target / name / file, "a") as handle:
            handle.write(text)
        names.append(name)
    return names


def measure_batch(solution: Path, config: GradingConfig, scratch: Path) -> dict[str, dict]:
    """``lstm-course grade --jobs 2`` on the batch, every path.

    Args:
        solution: Path.
        config: GradingConfig.
        scratch: Path, a temporary folder.

    Returns:
        dict of path to ``{"seconds", "submissions", "per_min", "scores"}``.
    """
    out: dict[str, dict] = {}
    for path in config.paths:
        folder = scratch / f"batch-{path}"
        folder.mkdir()
        names = _batch_folder(solution, config, folder / "in")
        book = folder / "gradebook.csv"
        seconds, code, _ = _timed([*_cli(), "grade", str(folder / "in"), "--jobs", "2", "--out", str(book),
                                      *_parts_args(config.batch_parts)], _env(path))
        scores = _scores(book)
        out[path] = {"seconds": round(seconds, 2), "submissions": len(names), "exit": code,
                     "per_min": round(60 * len(names) / seconds, 2), "scores": scores}
    return out


def _scores(book: Path) -> dict[str, str]:
    """Each submission's score from a gradebook.

    Args:
        book: Path, the CSV.

    Returns:
        dict of submission to its score (as written).
    """
    import csv

    if not book.exists():
        return {}
    with open(book, newline="") as handle:
        rows = list(csv.DictReader(handle))
    key = next((k for k in ("submission", "name", "path") if rows and k in rows[0]), None)
    return {Path(row[key]).name if key else str(i): row.get("score", "") for i, row in enumerate(rows)}


def measure_breakdown(solution: Path, config: GradingConfig) -> dict[str, float]:
    """Where a check's time goes: process start, CLI start, imports, the oracle, each part's child.

    Args:
        solution: Path.
        config: GradingConfig.

    Returns:
        dict of step to seconds.
    """
    env = _env("zygote")
    out = {"python_start_s": _timed([sys.executable, "-c", "pass"], env)[0],
           "cli_help_s": _timed([*_cli(), "--help"], env)[0]}
    # The import timed inside the process; what the process takes beyond it and its own start is
    # the interpreter's teardown of TensorFlow, which every grading process now skips (course.teardown).
    importing = "import time; t = time.perf_counter(); import tensorflow, keras; print(time.perf_counter() - t)"
    wall, code, text = _timed([sys.executable, "-c", importing], env)
    printed = [line for line in text.splitlines() if line.strip().replace(".", "", 1).isdigit()]
    inside = float(printed[0]) if code == 0 and printed else float("nan")
    out["import_tensorflow_keras_s"] = inside
    out["teardown_after_tensorflow_s"] = wall - inside - out["python_start_s"]
    probe = ("import time, json; from course.grading.checking import oracle;"
             "import keras; s = time.perf_counter(); oracle.keras_references('cell', 1);"
             "oracle.keras_references('layer', 1); print(json.dumps(time.perf_counter() - s))")
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=600,
                          cwd=REPO_ROOT)
    out["oracle_s"] = float(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else float("nan")
    for path in config.paths if config.part_breakdown else ():
        runs = _part_seconds(solution, config.check_parts, path)
        out.update({f"{path}:{part}_s": seconds for part, seconds in runs.items()})
    return {key: round(value, 2) for key, value in out.items()}


def _part_seconds(solution: Path, parts: list[str] | None, path: str) -> dict[str, float]:
    """Each part child's own wall time in one grading (from the report's runs), in a fresh process.

    Args:
        solution: Path.
        parts: list of str or None.
        path: str, the grading path.

    Returns:
        dict of part to seconds.
    """
    code = ("import json, sys; from course.grading.core import grade_submission;"
            f"r = grade_submission(sys.argv[1], jobs=2, seed=1, parts={tuple(parts) if parts else None!r});"
            "print(json.dumps({p: run.seconds for p, run in r.runs.items()}))")
    done = subprocess.run([sys.executable, "-c", code, str(solution)], env=_env(path), capture_output=True,
                          text=True, timeout=1800, cwd=REPO_ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {}


def measure(config: GradingConfig, *, solution: Path | None = None,
            log: Callable[[str], None] = lambda line: None) -> dict[str, object]:
    """The whole grading section.

    Args:
        config: GradingConfig.
        solution: Path, a correct submission (default: the repository's ``solutions/``).
        log: callable, receives one line per step.

    Returns:
        dict with ``check``, ``parts``, ``batch``, ``breakdown``, ``watch``, ``load`` and ``targets``.
    """
    solution = solution or REPO_ROOT / "solutions"
    with tempfile.TemporaryDirectory(prefix="lstm-bench-grading-") as scratch:
        copy = Path(scratch) / "solution"
        shutil.copytree(solution, copy, ignore=shutil.ignore_patterns("__pycache__"))
        load_before = os.getloadavg()[0]
        log("grading: whole check, per path")
        check = measure_check(copy, config)
        log("grading: each part alone")
        parts = measure_parts(copy, config)
        log("grading: batch with --jobs 2")
        batch = measure_batch(copy, config, Path(scratch))
        log("grading: where the time goes")
        breakdown = measure_breakdown(copy, config)
        log("grading: check --watch, from a save to the verdicts")
        watched = watch.measure(copy, config.watch)
    return {"check": check, "parts": parts, "batch": batch, "breakdown": breakdown, "watch": watched,
            "load": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2),
                     "cpus": os.cpu_count()},
            "check_parts": config.check_parts, "batch_parts": config.batch_parts, "targets": TARGETS}


def summary_md(results: dict) -> str:
    """The grading section as Markdown: each figure, per path, with its target.

    Args:
        results: dict, benchmark results with a ``grading`` entry.

    Returns:
        str.
    """
    g = results["grading"]
    paths = list(g["check"])
    lines = [f"| what | {' | '.join(paths)} | target |", "|---|" + "---:|" * len(paths) + "---|"]
    scope = f" (parts: {', '.join(g['check_parts'])})" if g.get("check_parts") else ""
    lines.append(f"| `check` of a correct solution{scope}, median s | "
                 + " | ".join(f"{g['check'][p]['median_s']:.1f}" for p in paths) + f" | ≤ {g['targets']['check_s']:g} |")
    for part, entry in g["parts"].items():
        target = f"≤ {g['targets']['part_s']:g}" if part != "training" else ""
        lines.append(f"| `check --parts {part}`, median s | " + " | ".join(f"{entry[p]:.1f}" for p in paths) + f" | {target} |")
    lines.append("| batch `grade --jobs 2`, submissions/min | "
                 + " | ".join(f"{g['batch'][p]['per_min']:.1f}" for p in paths)
                 + f" | ≥ {g['targets']['batch_per_min']:g} |")
    if "watch" in g:
        lines += watch.summary_lines(g["watch"])
    b = g["breakdown"]
    lines += ["", "Where the time goes (s): "
              + ", ".join(f"{k.removesuffix('_s')} {v:.2f}" for k, v in b.items()), ""]
    m = results.get("machine")
    if m:
        lines.append(f"Measured by `{results.get('command', 'lstm-course bench --only grading')}` on "
                     f"{str(results.get('date', ''))[:10]}: {m['cpu']}, {m['cores']} cores, Python {m['python']}, "
                     f"TensorFlow {m['tensorflow']}, Keras {m['keras']}.")
    lines.append(f"Load average {g['load']['before']} before, {g['load']['after']} after (the section's own "
                 f"processes count), on {g['load']['cpus']} CPUs.")
    return "\n".join(lines)


def write_fragment(results: dict, folder: Path) -> Path:
    """Write the section's Markdown fragment (``grading.md``) for the pages to include.

    Args:
        results: dict, benchmark results with a ``grading`` entry.
        folder: Path.

    Returns:
        Path, the written file.
    """
    from course.bench.report import write_generated

    return write_generated(folder, "grading.md", f"{summary_md(results)}\n")

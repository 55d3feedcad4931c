"""Training curves: runs ``lstm-course train --plot`` and turns its JSON into a table for the page."""

from __future__ import annotations

import json
from pathlib import Path

from course import task
from course.cli import main as lstm_course

#: (epochs, samples, validation samples) for a full run (the homework's epoch, course/task.py) and a quick one.
FULL = (2, task.NUM_SAMPLES, 8_000)
QUICK = (1, 1_280, 640)  # whole batches of 64: no retrace for a partial batch


def train_command(out_dir: Path, quick: bool = False, seed: int = 0) -> list[str]:
    """The ``lstm-course train`` arguments that make the training figure.

    Args:
        out_dir: Path, folder for ``training-curves.png`` and ``training.json``.
        quick: bool, train on a few thousand samples instead of the full epochs.
        seed: int, seed for TensorFlow, NumPy and Python.

    Returns:
        The argument list, without the program name.
    """
    epochs, samples, val_samples = QUICK if quick else FULL
    return ["train", "--epochs", str(epochs), "--samples", str(samples), "--val-samples", str(val_samples),
            "--seed", str(seed), "--plot", str(out_dir / "training-curves.png"),
            "--json", str(out_dir / "training.json")]


def draw_training(out_dir: Path, fragment: Path, quick: bool = False) -> Path:
    """Train the reference model with ``lstm-course train``, then write the page's table.

    Args:
        out_dir: Path, folder for the curves (PNG) and the run's JSON.
        fragment: Path, the Markdown table the training chapter includes.
        quick: bool, a short run (for tests), see :data:`QUICK`.

    Returns:
        The path of the PNG.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    args = train_command(out_dir, quick=quick)
    from course import figures

    if figures.IMPLEMENTATION:
        args += ["--impl", figures.IMPLEMENTATION]
    if lstm_course(args) != 0:  # it has said why (e.g. which exercise is still a stub)
        raise RuntimeError("lstm-course train stopped; see the line above")
    write_fragment(out_dir / "training.json", fragment, "lstm-course " + " ".join(
        a if not a.startswith(str(out_dir)) else a.replace(str(out_dir), "docs/assets/figures") for a in args))
    return out_dir / "training-curves.png"


def write_fragment(record_path: Path, fragment: Path, command: str) -> Path:
    """Turn the JSON of one ``lstm-course train --json`` run into a Markdown table.

    Args:
        record_path: Path, the run's JSON (history, seconds, arguments).
        fragment: Path, the Markdown file to write.
        command: str, the command that made the run, printed under the table.

    Returns:
        ``fragment``.
    """
    record = json.loads(record_path.read_text())
    history, run = record["history"], record["args"]
    rows = ["| epoch | train loss | train accuracy | validation loss | validation accuracy |",
            "|---:|---:|---:|---:|---:|"]
    for epoch, values in enumerate(zip(history["loss"], history["accuracy"],
                                       history["val_loss"], history["val_accuracy"]), start=1):
        rows.append(f"| {epoch} | " + " | ".join(f"{v:.4f}" for v in values) + " |")
    samples = int(run["samples"]) * int(run["epochs"])
    # No wall-clock time here: it depends on the machine's load; the Performance chapter measures speed.
    rows += ["", f"{samples:,} training samples (T = {run['seq_len']}, batch {run['batch_size']}, "
                 f"{run['data']} data path, seed {run['seed']}). "
                 f"Made by `{command}` (run by `lstm-course figures`)."]
    fragment.parent.mkdir(parents=True, exist_ok=True)
    fragment.write_text("\n".join(rows) + "\n")
    return fragment

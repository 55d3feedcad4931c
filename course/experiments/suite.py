"""Run experiments by name and write their JSON result, figure and Markdown table.

Full mode writes the committed files: ``docs/assets/experiments/NAME.json``
and ``NAME.png``, and ``docs/generated/experiments/NAME.md`` (the table that
the chapter includes). Quick mode (CI) uses tiny budgets and writes all
three into another folder, never over the committed results.
"""

from __future__ import annotations

import json
import platform
import time
import types
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from course.impl import default_impl, describe

from . import forget_bias, plots, regression, runner, seq_len, tables, tbptt
from .paths import RESULTS_DIR, TABLES_DIR

#: Every experiment by its command-line name, in the order ``all`` runs them.
EXPERIMENTS: dict[str, types.ModuleType] = {
    module.NAME: module for module in (forget_bias, seq_len, tbptt, regression)
}


def command(name: str, quick: bool, seeds: int | None, implementation: str | None = None) -> str:
    """The command line that reproduces a result.

    Args:
        name: str, the experiment's name.
        quick: bool, quick mode.
        seeds: int or None, the ``--seeds`` value if one was given.
        implementation: str or None, the ``--impl`` value when it is not the default.

    Returns:
        For example ``"lstm-course experiment tbptt --seeds 3"``.
    """
    parts = ["lstm-course experiment", name]
    if quick:
        parts.append("--quick")
    if seeds is not None:
        parts.append(f"--seeds {seeds}")
    if implementation is not None:
        parts.append(f"--impl {implementation}")
    return " ".join(parts)


def run_experiment(name: str, *, quick: bool = False, seeds: int | None = None,
                   out_dir: Path | None = None) -> dict[str, Path]:
    """Run one experiment and write its result, figure and table.

    Args:
        name: str, a key of :data:`EXPERIMENTS`.
        quick: bool, tiny budgets (for CI); the files go to ``out_dir``.
        seeds: int or None, how many seeds (0, 1, ...); the mode's default when None.
        out_dir: Path or None, where to write. Full mode defaults to the
            committed folders; quick mode requires a folder.

    Returns:
        ``{"json", "figure", "table"}``: the paths written.

    Raises:
        ValueError: quick mode without ``out_dir``.
    """
    if quick and out_dir is None:
        raise ValueError("quick mode writes to a folder of its own: pass out_dir")
    module = EXPERIMENTS[name]
    settings = module.SETTINGS["quick" if quick else "full"]
    seed_list = list(range(seeds if seeds is not None else settings["seeds"]))
    start = time.perf_counter()
    result = module.run(settings, seed_list)
    trained = describe(runner.IMPLEMENTATION or default_impl())
    result = {
        "name": name,
        "mode": "quick" if quick else "full",
        "command": command(name, quick, seeds, trained if trained != default_impl() else None),
        "implementation": trained,
        "seeds": seed_list,
        "settings": settings,
        "data_path": "in-memory NumPy noise per seed, tf.data.Dataset.from_tensor_slices, batched",
        "wall_seconds": time.perf_counter() - start,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": {"python": platform.python_version(), "tensorflow": tf.__version__,
                     "keras": keras.__version__, "numpy": np.__version__},
        **result,
    }
    json_dir = out_dir or RESULTS_DIR
    json_dir.mkdir(parents=True, exist_ok=True)
    json_path = json_dir / f"{name}.json"
    json_path.write_text(json.dumps(result, indent=1) + "\n")
    figure = plots.plot(result, json_dir / f"{name}.png")
    table = tables.write(result, (out_dir or TABLES_DIR) / f"{name}.md", source=json_path)
    return {"json": json_path, "figure": figure, "table": table}

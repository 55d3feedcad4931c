"""Markdown tables generated from the experiments' JSON, so every number on a page has a source.

The chapters include ``docs/generated/experiments/NAME.md`` with
``--8<-- "docs/generated/experiments/NAME.md"``. ``write_all()`` regenerates
them from the committed JSON; a test checks the committed tables match it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from course.impl import REPO_ROOT

from .paths import RESULTS_DIR, TABLES_DIR


def pm(spread: dict, digits: int = 3) -> str:
    """Format a spread over seeds as ``mean ± std``.

    Args:
        spread: ``{"mean", "std", ...}`` from :func:`course.experiments.metrics.spread`.
        digits: int, decimals.

    Returns:
        For example ``"0.937 ± 0.012"``.
    """
    return f"{spread['mean']:.{digits}f} ± {spread['std']:.{digits}f}"


def reached(samples: list[int | None]) -> str:
    """Summarise how many seeds reached 80 % and after how many sequences.

    Args:
        samples: one entry per seed, samples to reach 80 % or None.

    Returns:
        For example ``"3/3, by 1,920–2,560"`` or ``"0/3"``.
    """
    hits = sorted(s for s in samples if s is not None)
    text = f"{len(hits)}/{len(samples)}"
    if hits:
        text += f", by {hits[0]:,}" if hits[0] == hits[-1] else f", by {hits[0]:,}–{hits[-1]:,}"
    return text


def setup_line(result: dict) -> str:
    """One line saying how the numbers were made.

    The link is relative to ``docs/``: the fragment is pasted into a chapter
    in ``docs/``, and links resolve from the chapter.

    Args:
        result: dict, the experiment's JSON result.

    Returns:
        A Markdown paragraph in italics.
    """
    settings = result["settings"]
    return (f"*{len(result['seeds'])} seeds ({', '.join(map(str, result['seeds']))}), "
            f"{settings['samples']:,} training sequences per run (batch 64, Adam 1e-3, 32 units), "
            f"{settings['val_samples']:,} held-out sequences; mean ± standard deviation over seeds. "
            f"Made by `{result['command']}` ({result['mode']} mode); "
            f"data: [{result['name']}.json](assets/experiments/{result['name']}.json).*")


def table_forget_bias(result: dict) -> str:
    """Accuracy, paired difference, forget-gate activation and samples to 80 % per T and bias."""
    rows = ["| T | bias | held-out accuracy | bias 1 − bias 0 (paired) | mean $f_t$ at init | mean $f_t$ trained "
            "| seeds at 80 % (sequences) |", "|---|---|---|---|---|---|---|"]
    diffs = {s["seq_len"]: s for s in result["summary"] if s["forget_bias"] == "1 - 0"}
    for s in result["summary"]:
        if s["forget_bias"] == "1 - 0":
            continue
        diff = pm(diffs[s["seq_len"]]["val_accuracy"]) if s["forget_bias"] == 1.0 else ""
        rows.append(f"| {s['seq_len']} | {s['forget_bias']:g} | {pm(s['val_accuracy'])} | {diff} | "
                    f"{s['forget_gate_init']['mean']:.3f} | {s['forget_gate_trained']['mean']:.3f} | "
                    f"{reached(s['samples_to_80'])} |")
    return "\n".join(rows)


def table_seq_len(result: dict) -> str:
    """Accuracy per T and how many seeds clear the homework's bar."""
    rows = ["| T | held-out accuracy | min – max over seeds | seeds ≥ 0.80 | seeds at 80 % on the curve (sequences) |",
            "|---|---|---|---|---|"]
    for s in result["summary"]:
        acc = s["val_accuracy"]
        rows.append(f"| {s['seq_len']} | {pm(acc)} | {acc['min']:.3f} – {acc['max']:.3f} | "
                    f"{s['seeds_above_bar']}/{acc['n']} | {reached(s['samples_to_80'])} |")
    return "\n".join(rows)


def table_tbptt(result: dict) -> str:
    """Accuracy, samples to 80 % and step time per window."""
    seq_len = result["settings"]["seq_len"]
    timing = {t["window"]: t for t in result["timing"]}
    rows = ["| window k | gradient reaches | held-out accuracy | seeds at 80 % (sequences) "
            "| ms per step (median of rounds; best round) | time vs full BPTT (median of per-round ratios) |",
            "|---|---|---|---|---|---|"]
    for s in result["summary"]:
        k = s["window"]
        reach = f"all {seq_len} steps (full BPTT)" if k >= seq_len else f"last {k} of {seq_len} steps"
        rows.append(f"| {k} | {reach} | {pm(s['val_accuracy'])} | {reached(s['samples_to_80'])} | "
                    f"{timing[k]['step_ms']:.1f}; {timing[k]['step_ms_best']:.1f} | {timing[k]['ratio_to_full']:.2f}x |")
    return "\n".join(rows)


ARM_NAMES = {("bce", "last"): "classification (BCE on the sign), last step",
             ("mse", "last"): "regression (MSE on sum/√T), last step",
             ("bce", "all"): "classification, every step",
             ("mse", "all"): "regression, every step"}


def table_regression(result: dict) -> str:
    """Accuracy, calibration and R² per T and arm."""
    rows = ["| T | framing | held-out accuracy | ECE | R² of the sum |", "|---|---|---|---|---|"]
    for s in result["summary"]:
        r2 = pm(s["r2"]) if "r2" in s else "–"
        rows.append(f"| {s['seq_len']} | {ARM_NAMES[(s['loss'], s['targets'])]} | {pm(s['val_accuracy'])} | "
                    f"{pm(s['ece'])} | {r2} |")
    return "\n".join(rows)


TABLES: dict[str, Callable[[dict], str]] = {
    "forget-bias": table_forget_bias, "seq-len": table_seq_len, "tbptt": table_tbptt, "regression": table_regression,
}


def render(result: dict, source: Path | None = None) -> str:
    """The Markdown fragment of one experiment: its table and the line saying how it was made.

    Args:
        result: dict, the experiment's JSON result.
        source: Path or None, the JSON file the result was read from or written to (default:
            the committed one); named relative to the repository when inside it.

    Returns:
        Markdown text ending in a newline.
    """
    source = (source or RESULTS_DIR / f"{result['name']}.json").resolve()
    try:
        named = source.relative_to(REPO_ROOT.resolve()).as_posix()
    except ValueError:  # --out elsewhere, a quick run's temporary folder
        named = str(source)
    header = f"<!-- generated from {named} by course/experiments/tables.py -->"
    return f"{header}\n\n{TABLES[result['name']](result)}\n\n{setup_line(result)}\n"


def write(result: dict, path: Path, source: Path | None = None) -> Path:
    """Write the fragment of one experiment.

    Args:
        result: dict, the experiment's JSON result.
        path: Path, the Markdown file to write.
        source: Path or None, the JSON the result comes from (default: the committed one).

    Returns:
        ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(result, source))
    return path


def write_all(results_dir: Path = RESULTS_DIR, out_dir: Path = TABLES_DIR) -> list[Path]:
    """Regenerate every table from the committed JSON.

    Args:
        results_dir: Path, the folder with ``NAME.json`` files.
        out_dir: Path, where the ``NAME.md`` fragments go.

    Returns:
        The paths written.
    """
    return [write(json.loads((results_dir / f"{name}.json").read_text()), out_dir / f"{name}.md",
                  results_dir / f"{name}.json")
            for name in TABLES if (results_dir / f"{name}.json").exists()]

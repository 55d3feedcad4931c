"""Turn benchmark results into ratios, a rich table and Markdown fragments.

Pages include the fragments (``--8<-- "docs/generated/bench/NAME.md"``), so
every number on the site comes from the committed ``results.json``.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table


#: The fast path's target: its train step in at most this fraction of the Keras twin's time.
FAST_TARGET = 0.5
#: The Keras configurations measured by the train-step section; the fast path is compared with
#: the fastest of them in each run, not only with the default one.
KERAS_CONFIGS = ("keras", "keras-unrolled", "keras-xla")
#: Ratios measured on other machines, committed by hand with their source (see the file).
OTHER_MACHINES_JSON = Path(__file__).resolve().parents[2] / "docs" / "assets" / "bench" / "other_machines.json"
#: Ratios of one machine's run whose values differ by more than this fraction from another's are flagged.
DIFFERENT = 0.10


def _ms(variants: dict, name: str) -> float | None:
    """The median train-step time of a variant in ms, or None when it failed or was not run."""
    entry = variants.get(name, {})
    return entry.get("median_ms")


def fastest_keras(variants: dict) -> str | None:
    """The fastest Keras configuration of one run's train-step variants.

    Args:
        variants: dict, ``results["train_step"]["variants"]``.

    Returns:
        str, one of :data:`KERAS_CONFIGS` (the lowest median that did not fail), or None.
    """
    measured = {name: _ms(variants, name) for name in KERAS_CONFIGS if _ms(variants, name)}
    return min(measured, key=measured.get) if measured else None


def ratios(results: dict) -> dict[str, float | None]:
    """The headline ratios of the train-step section (lower is faster).

    Args:
        results: dict, as returned by :func:`course.bench.run.run`.

    Returns:
        dict name -> ratio, or None when a side is missing.
    """
    variants = results.get("train_step", {}).get("variants", {})

    def ratio(a: str, b: str | None) -> float | None:
        x, y = _ms(variants, a), _ms(variants, b) if b else None
        return x / y if x is not None and y else None

    fastest = fastest_keras(variants)
    return {
        "fast / fastest Keras": ratio("fast", fastest),
        "fast-xla / fastest Keras": ratio("fast-xla", fastest),
        "fast / keras": ratio("fast", "keras"),
        "reference / keras": ratio("reference", "keras"),
        "fast / keras-unrolled": ratio("fast", "keras-unrolled"),
        "fast-unfolded / keras": ratio("fast-unfolded", "keras"),
        "fast-while / keras": ratio("fast-while", "keras"),
        "fast-autodiff / keras": ratio("fast-autodiff", "keras"),
        "fast-xla / keras-xla": ratio("fast-xla", "keras-xla"),
        "reference-xla / keras-xla": ratio("reference-xla", "keras-xla"),
        "fast-unrolled-xla / keras-xla": ratio("fast-unrolled-xla", "keras-xla"),
        "fast-xla / keras": ratio("fast-xla", "keras"),
        "keras-unrolled / keras": ratio("keras-unrolled", "keras"),
        "keras-xla / keras": ratio("keras-xla", "keras"),
        "eager-loop / reference (graph speed-up)": ratio("eager-loop", "reference"),
    }


def machine_line(results: dict) -> str:
    """One line naming the machine, the stack and the command.

    Args:
        results: dict, benchmark results.

    Returns:
        str, Markdown.
    """
    m = results["machine"]
    load = m.get("load_average_at_start")
    threads = results.get("threads", 0)
    threading = (f"TensorFlow limited to {threads} inter-op and {threads} intra-op thread(s)" if threads
                 else "TensorFlow's default threads")
    shared = "the machine was shared" if load and load[0] >= 0.5 * m["cores"] else "a quiet machine"
    return (f"Measured by `{results['command']}` on {results['date'][:10]}: {m['cpu']}, {m['cores']} cores"
            f" (load average {load[0]:.1f} at the start: {shared}), {threading},"
            f" Python {m['python']}, TensorFlow {m['tensorflow']}, Keras {m['keras']}.")


def _fmt(x: float | None, spec: str = ".2f", suffix: str = "") -> str:
    return "n/a" if x is None else f"{x:{spec}}{suffix}"


def train_step_md(results: dict) -> str:
    """Markdown table of the train-step section, ratios first."""
    section = results["train_step"]
    variants = section["variants"]
    keras_ms, keras_xla_ms = _ms(variants, "keras"), _ms(variants, "keras-xla")
    lines = [f"Train step (forward, backward, Adam) at B = {section['batch']}, T = {section['seq_len']},"
             f" H = {section['units']}; medians of {results['config']['rounds']} interleaved rounds.", "",
             "| variant | × Keras | × Keras (XLA) | median ms | what it is |", "|---|---:|---:|---:|---|"]
    for name, entry in variants.items():
        if "error" in entry:
            lines.append(f"| `{name}` | fails | | | {entry['label']}: `{entry['error'][:120]}` |")
            continue
        ms = entry["median_ms"]
        xla = _fmt(ms / keras_xla_ms, ".2f", "×") if name.endswith("-xla") and keras_xla_ms else ""
        lines.append(f"| `{name}` | {_fmt(ms / keras_ms if keras_ms else None, '.2f', '×')} | {xla} |"
                     f" {ms:.2f} | {entry['label']} |")
    return "\n".join(lines + ["", machine_line(results), ""])


def graph_vs_eager_md(results: dict) -> str:
    """Markdown table: the reference in graph mode against the eager Python loop."""
    variants = results["train_step"]["variants"]
    eager, graph = _ms(variants, "eager-loop"), _ms(variants, "reference")
    lines = ["| train step | median ms | speed-up |", "|---|---:|---:|",
             f"| eager Python `for` loop over the reference cell | {_fmt(eager)} | 1× |",
             f"| reference `tf.while_loop` in `tf.function` | {_fmt(graph)} |"
             f" {_fmt(eager / graph if eager and graph else None, '.0f', '×')} |"]
    return "\n".join(lines + ["", machine_line(results), ""])


def growth_md(results: dict) -> str:
    """Markdown tables of cost growth with T and with H."""
    g = results["growth"]
    by_t, by_h = g["seq_len"], g["units"]
    names = list(by_t["per_step_us"])
    lines = [f"Time per time step (µs) of a whole train step, H = {by_t['units']}:", "",
             "| T | " + " | ".join(f"`{n}`" for n in names) + " |", "|---:|" + "---:|" * len(names)]
    for i, t in enumerate(by_t["values"]):
        lines.append(f"| {t} | " + " | ".join(f"{by_t['per_step_us'][n][i]:.0f}" for n in names) + " |")
    lines += ["", f"Train step (ms), T = {by_h['seq_len']}:", "",
              "| H | " + " | ".join(f"`{n}`" for n in names) + " |", "|---:|" + "---:|" * len(names)]
    for i, h in enumerate(by_h["values"]):
        lines.append(f"| {h} | " + " | ".join(f"{by_h['step_ms'][n][i]:.1f}" for n in names) + " |")
    return "\n".join(lines + ["", machine_line(results), ""])


def pipelines_md(results: dict) -> str:
    """Markdown tables of pipeline throughput and of starvation in ``train``."""
    p = results["pipelines"]
    through = p["throughput"]
    base = through["per-sample"]["samples_per_s"]
    lines = [f"Samples per second, T = {p['seq_len']}, batches of {p['batch']}, {p['samples']:,} samples per pass:", "",
             "| pipeline | samples/s | × per-sample | what it is |", "|---|---:|---:|---|"]
    for name, entry in through.items():
        lines.append(f"| `{name}` | {entry['samples_per_s']:,.0f} | {entry['samples_per_s'] / base:.1f}× | {entry['label']} |")
    lines += ["", "Does the data starve training? `solutions.train.train` steps/s on each data path,"
              " against steps/s on one cached batch (1.0 = never waits for data):", "",
              "| data path | steps/s | cached batch steps/s | ratio |", "|---|---:|---:|---:|"]
    for name, entry in p["starvation"].items():
        lines.append(f"| `{name}` | {entry['steps_per_s']:.0f} | {entry['cached_steps_per_s']:.0f} | {entry['ratio']:.2f} |")
    return "\n".join(lines + ["", machine_line(results), ""])


def time_to_accuracy_md(results: dict) -> str:
    """Markdown table of the race to the target validation accuracy."""
    a = results["time_to_accuracy"]
    lines = [f"Reference model, T = {a['seq_len']}, Adam 1e-3, B = 64; the clock runs from building the"
             f" dataset until a validation score ≥ {a['target']} (budget {a['max_samples']:,} samples).", "",
             "| data path | seconds | samples | reached | what it is |", "|---|---:|---:|---|---|"]
    for name, run in a["runs"].items():
        lines.append(f"| `{name}` | {run['seconds']:.1f} | {run['samples']:,} | {'yes' if run['reached'] else 'no'} | {run['label']} |")
    runs = a["runs"]
    if {"per-sample", "batched"} <= set(runs):
        lines += ["", f"Speed-up to {a['target']}: **{runs['per-sample']['seconds'] / runs['batched']['seconds']:.1f}×**."]
    return "\n".join(lines + ["", machine_line(results), ""])


def _keras_config_label(name: str | None) -> str:
    """How a Keras configuration was run, for prose."""
    return {"keras": "`keras.layers.LSTM` as it comes", "keras-unrolled": "`keras.layers.LSTM(unroll=True)`",
            "keras-xla": "`keras.layers.LSTM` compiled with XLA"}.get(name or "", "not measured")


def summary_md(results: dict) -> str:
    """Markdown table of the headline ratios, for the top of the Performance page."""
    fastest = fastest_keras(results.get("train_step", {}).get("variants", {}))
    explain = {
        "fast / fastest Keras": f"the fast path against the fastest Keras configuration of this run, `{fastest}`"
                                f" ({_keras_config_label(fastest)})",
        "fast-xla / fastest Keras": f"the fast path with XLA against the same `{fastest}`",
        "fast / keras": f"the fast path against `keras.layers.LSTM` as it comes (target ≤ {FAST_TARGET})",
        "reference / keras": "the reference solution against `keras.layers.LSTM` (target ≤ 1.0)",
        "fast / keras-unrolled": "the fast path against Keras' LSTM with `unroll=True`",
        "fast-unfolded / keras": "the fast path without folding the linear read-in into the LSTM's input weights",
        "fast-while / keras": "the fast path kept in `tf.while_loop`s",
        "fast-autodiff / keras": "the fast path with TensorFlow's own gradient instead of the hand-written one",
        "fast-xla / keras-xla": "both compiled with XLA (`jit_compile=True`); the fast path's `tf.while_loop` flavour",
        "reference-xla / keras-xla": "the reference under XLA",
        "fast-unrolled-xla / keras-xla": "the unrolled fast path under XLA",
        "fast-xla / keras": f"the fast path with XLA against plain Keras (target ≤ {FAST_TARGET})",
        "keras-unrolled / keras": "what `unroll=True` buys Keras",
        "keras-xla / keras": "what XLA buys Keras",
        "eager-loop / reference (graph speed-up)": "eager Python loop against the reference in graph mode",
    }
    lines = ["| ratio of train-step times | value | what it compares |", "|---|---:|---|"]
    for name, value in ratios(results).items():
        shown = "fails" if value is None and name.endswith("xla / keras-xla") else _fmt(value, ".2f", "×")
        lines.append(f"| {name} | {shown} | {explain[name]} |")
    runs = results.get("time_to_accuracy", {}).get("runs", {})
    if {"per-sample", "batched"} <= set(runs):
        a = results["time_to_accuracy"]
        lines.append(f"| time to {a['target']}: per-sample / batched | "
                     f"{runs['per-sample']['seconds'] / runs['batched']['seconds']:.1f}× | end to end, reference model |")
    starvation = results.get("pipelines", {}).get("starvation", {})
    for name, entry in starvation.items():
        lines.append(f"| `train()` steps/s on `{name}` / on one cached batch | {entry['ratio']:.2f} |"
                     " 1.0 = the data never makes the model wait (target ≥ 0.9) |")
    return "\n".join(lines + ["", machine_line(results), ""])


def target_md(results: dict) -> str:
    """One paragraph: did the fast path reach its target in this run, against Keras as it comes and
    against the fastest Keras configuration, with and without XLA?

    Args:
        results: dict, benchmark results.

    Returns:
        str, Markdown.
    """
    r = ratios(results)
    plain, xla, both = r["fast / keras"], r["fast-xla / keras"], r["fast-xla / keras-xla"]
    fastest = fastest_keras(results["train_step"]["variants"])

    def verdict(value: float | None) -> str:
        if value is None:
            return "was not measured"
        return f"took **{value:.2f}×**, {'within' if value <= FAST_TARGET else 'above'} the target"

    def against_fastest(value: float | None) -> str:
        if value is None:
            return "was not measured"
        if value <= FAST_TARGET:
            return f"took **{value:.2f}×** its time, within {FAST_TARGET}× even there"
        return f"took **{value:.2f}×** its time, {'faster, but above' if value < 1 else 'not faster, and above'} {FAST_TARGET}×"

    text = (f"The target: the fast path's train step in at most {FAST_TARGET}× the Keras twin's time."
            f" In this run, `fast` (plain `tf.function`) {verdict(plain)}; `fast-xla` (the same model"
            f" compiled with XLA) {verdict(xla)}. XLA speeds up Keras too: against the Keras twin"
            f" compiled with XLA, `fast-xla` took {_fmt(both, '.2f', '×')}.")
    if fastest and fastest != "keras":
        text += (f" Keras as it comes is not the fastest Keras: its fastest configuration in this run was"
                 f" `{fastest}` ({_keras_config_label(fastest)}). Against it, `fast`"
                 f" {against_fastest(r['fast / fastest Keras'])}, and `fast-xla`"
                 f" {against_fastest(r['fast-xla / fastest Keras'])}.")
    return text + "\n"


#: The train-step variants compared across machines, each as a ratio to the default Keras twin.
MACHINE_ROWS = ("reference", "fast", "fast-xla", "keras-unrolled", "keras-xla")


def other_machines(path: Path = OTHER_MACHINES_JSON) -> list[dict]:
    """The other machines' train-step ratios, as committed by hand with their source.

    Args:
        path: Path, the JSON file (see its ``about``).

    Returns:
        list of dict, one per machine (empty when the file does not exist).
    """
    import json

    return json.loads(path.read_text())["machines"] if path.exists() else []


def machines_md(results: dict, others: list[dict] | None = None) -> str:
    """Markdown table: this run's train-step ratios beside other machines', differences flagged.

    Args:
        results: dict, benchmark results (this run).
        others: list of dict, other machines (default: :func:`other_machines`).

    Returns:
        str, Markdown.
    """
    others = other_machines() if others is None else others
    variants = results["train_step"]["variants"]
    keras_ms = _ms(variants, "keras")
    here = {name: _ms(variants, name) / keras_ms for name in MACHINE_ROWS if _ms(variants, name) and keras_ms}
    columns = [(f"{results['machine']['cpu']} (this page's run)", here)]
    # Other machines' ratios were typed in by hand from where they were reported: quotes, not measurements.
    columns += [(f"{m['label']} (quoted, {m['source'].split(' (')[0]})", m["ratio_to_keras"]) for m in others]

    def fastest(ratio_to_keras: dict) -> str | None:
        measured = {"keras": 1.0, **{k: v for k, v in ratio_to_keras.items() if k in KERAS_CONFIGS}}
        return min(measured, key=measured.get)

    rows: list[tuple[str, list[float | None]]] = [
        (f"{name} / keras", [ratios_.get(name) for _, ratios_ in columns]) for name in MACHINE_ROWS]
    rows.append(("fastest Keras", [None for _ in columns]))
    for flavour in ("fast", "fast-xla"):
        rows.append((f"{flavour} / fastest Keras",
                     [r[flavour] / {"keras": 1.0, **r}[fastest(r)] if flavour in r else None for _, r in columns]))
    lines = ["| ratio of train-step times | " + " | ".join(label for label, _ in columns) + " | differs |",
             "|---|" + "---:|" * len(columns) + "---|"]
    differ = []
    for name, values in rows:
        if name == "fastest Keras":
            lines.append(f"| {name} | " + " | ".join(f"`{fastest(r)}`" for _, r in columns) + " | |")
            continue
        known = [v for v in values if v is not None]
        flag = len(known) > 1 and (max(known) - min(known)) > DIFFERENT * min(known)
        if flag:
            differ.append(name)
        lines.append(f"| {name} | " + " | ".join(_fmt(v, ".2f", "×") for v in values) + f" | {'**yes**' if flag else ''} |")
    lines += ["", f"{results['machine']['cpu']}: {machine_line(results)}"]
    for m in others:
        lines += ["", f"{m['label']}: quoted by hand, not measured by this run; measured by `{m['command']}` on"
                      f" {m['date']}: {m['cpu']}, {m['cores']} cores, {m['software']}. Source: {m['source']}."]
    if others:
        lines += ["", ("Ratios that differ by more than "
                       f"{DIFFERENT:.0%} between these machines: " + ", ".join(f"`{d}`" for d in differ) + "."
                       if differ else f"No ratio differs by more than {DIFFERENT:.0%} between these machines.")]
    return "\n".join(lines + [""])


def machine_md(results: dict) -> str:
    """The machine line alone, for pages that quote one number."""
    return machine_line(results) + "\n"


FRAGMENTS = {
    "summary.md": ("train_step", summary_md),
    "target.md": ("train_step", target_md),
    "train_step.md": ("train_step", train_step_md),
    "graph_vs_eager.md": ("train_step", graph_vs_eager_md),
    "growth.md": ("growth", growth_md),
    "pipelines.md": ("pipelines", pipelines_md),
    "time_to_accuracy.md": ("time_to_accuracy", time_to_accuracy_md),
    "machine.md": ("machine", machine_md),
    "machines.md": ("train_step", machines_md),
}


def write_generated(folder: Path, filename: str, text: str,
                    source: str = "lstm-course bench from results.json") -> Path:
    """Write one generated Markdown fragment under a header that says where it came from.

    Args:
        folder: Path, created when missing.
        filename: str, e.g. ``grading.md``.
        text: str, the fragment.
        source: str, the command and file it was generated from.

    Returns:
        Path, the written file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(f"<!-- generated by {source}; do not edit -->\n{text}")
    return path


def write_fragments(results: dict, folder: Path) -> list[Path]:
    """Write one Markdown fragment per section present in ``results``.

    Args:
        results: dict, benchmark results.
        folder: Path, where to write.

    Returns:
        list of the written paths.
    """
    return [write_generated(folder, filename, render(results))
            for filename, (section, render) in FRAGMENTS.items() if section in results]


def print_tables(results: dict, console: Console | None = None) -> None:
    """Print the results as rich tables, ratios first.

    Args:
        results: dict, benchmark results.
        console: rich Console (default: a new one).
    """
    console = console or Console()
    table = Table(title="Headline ratios (lower is faster)")
    table.add_column("ratio")
    table.add_column("value", justify="right")
    for name, value in ratios(results).items():
        table.add_row(name, _fmt(value, ".2f", "×"))
    console.print(table)
    if "train_step" in results:
        table = Table(title="Train step, B=64 T=25 H=32")
        for column in ("variant", "median ms", "× keras", "spread", "what"):
            table.add_column(column, justify="right" if column not in ("variant", "what") else "left")
        variants = results["train_step"]["variants"]
        keras_ms = _ms(variants, "keras")
        for name, entry in variants.items():
            if "error" in entry:
                table.add_row(name, "[red]fails[/]", "", "", entry["error"][:80])
            else:
                table.add_row(name, f"{entry['median_ms']:.2f}", _fmt(entry["median_ms"] / keras_ms if keras_ms else None),
                              f"{entry['spread']:.0%}", entry["label"])
        console.print(table)
    if "growth" in results:
        g = results["growth"]["seq_len"]
        table = Table(title=f"µs per time step vs T (H={g['units']})")
        table.add_column("T", justify="right")
        for name in g["per_step_us"]:
            table.add_column(name, justify="right")
        for i, t in enumerate(g["values"]):
            table.add_row(str(t), *(f"{g['per_step_us'][n][i]:.0f}" for n in g["per_step_us"]))
        console.print(table)
    if "pipelines" in results:
        table = Table(title="Data pipelines")
        for column in ("pipeline", "samples/s"):
            table.add_column(column, justify="right" if column != "pipeline" else "left")
        for name, entry in results["pipelines"]["throughput"].items():
            table.add_row(name, f"{entry['samples_per_s']:,.0f}")
        for name, entry in results["pipelines"]["starvation"].items():
            table.add_row(f"train() on {name} / cached batch", f"{entry['ratio']:.2f}")
        console.print(table)
    if "time_to_accuracy" in results:
        a = results["time_to_accuracy"]
        table = Table(title=f"Time to {a['target']} validation accuracy")
        for column in ("data path", "seconds", "samples", "reached"):
            table.add_column(column)
        for name, run in a["runs"].items():
            table.add_row(name, f"{run['seconds']:.1f}", f"{run['samples']:,}", str(run["reached"]))
        console.print(table)
    console.print(machine_line(results))

"""``lstm-course figures [--quick]``: redraw every figure of the course site."""

from __future__ import annotations

import argparse
import importlib
import inspect
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

#: Other helpers' figure modules: each defines ``replot_all() -> list[Path]`` (redraw from committed JSON).
EXTERNAL_PLOTS = ("course.experiments.plots", "course.bench.plots")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``figures`` subcommand.

    Args:
        subparsers: the top-level parser's subparsers.
    """
    parser = subparsers.add_parser(
        "figures", help="redraw every figure of the course site",
        description="A full run of the reference (the default in the course repository) rewrites the committed "
                    "figures, tables and notebooks' outputs: it refreshes the site. --quick, --out, or another "
                    "implementation (every run in the student release) write to a temporary folder instead and "
                    "leave the committed files alone.")
    parser.add_argument("--quick", action="store_true",
                        help="short training run into a new temporary folder (for tests)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the figures (default: docs/assets/figures for a full run of the"
                             " reference, which also executes the notebooks; a new temporary folder otherwise)")
    parser.add_argument("--fragments", type=Path, default=None,
                        help="folder for the Markdown tables pages include (default: docs/generated/site for"
                             " a full run of the reference, else the figures' folder)")
    parser.add_argument("--impl", default=None,
                        help="the implementation to draw with: solutions, exercises or a folder (default: solutions"
                             " in the course repository, exercises in the student release)")
    parser.add_argument("--skip-training", action="store_true", help="do not rerun the training figure")
    parser.add_argument("--site-only", action="store_true",
                        help="only the site's own figures, not the experiments' and benchmarks' replots")
    parser.set_defaults(func=run, tensorflow=True)


def _external(module_name: str) -> Callable[[], list[Path]] | None:
    """Import another helper's ``replot_all``, or return None when that module does not exist yet.

    Args:
        module_name: str, dotted module name.

    Returns:
        The module's ``replot_all`` function, or None.
    """
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        parts = module_name.split(".")
        if error.name in {".".join(parts[:n]) for n in range(1, len(parts) + 1)}:
            return None  # the module (or its package) is not there: nothing to redraw
        raise  # the module exists but one of its imports is broken: say so
    return getattr(module, "replot_all", None)


def writes_committed_files(args: argparse.Namespace) -> bool:
    """Whether this run is the one that refreshes the committed site.

    Only a full run of the reference (``solutions/``) into the default folders rewrites the
    committed figures, tables and notebooks: that is the full run's job. A quick run, another
    implementation's run (and so every run in the student release, which has no reference)
    and a run given ``--out`` write to another folder, and leave the notebooks as they are.

    Args:
        args: the parsed command-line arguments.

    Returns:
        bool.
    """
    from course.impl import REPO_ROOT, resolve

    if args.quick or args.out is not None or not (REPO_ROOT / "solutions").is_dir():
        return False
    try:
        return resolve(args.impl or "solutions") == resolve("solutions")
    except FileNotFoundError:  # no such implementation: its steps say so, in a folder of their own
        return False


def run(args: argparse.Namespace) -> int:
    """Draw the site's figures, then the experiments' and benchmarks' (from their committed JSON).

    Args:
        args: the parsed command-line arguments.

    Returns:
        0 when every figure was drawn, 1 when a step failed.
    """
    from rich.console import Console

    from course.figures import FIGURES_DIR, GENERATED_DIR
    from course.figures.gates import draw_cell_diagram, draw_gate_activations
    from course.figures.graph_size import draw_graph_size
    from course.figures.task import draw_task

    import course.figures

    console = Console()
    course.figures.IMPLEMENTATION = args.impl
    committed = writes_committed_files(args)
    if committed:
        out, fragments = FIGURES_DIR, args.fragments or GENERATED_DIR
    else:
        out = args.out or Path(tempfile.mkdtemp(prefix="lstm-figures-"))
        fragments = args.fragments or out
        console.print(f"writing to [bold]{out}[/] (the committed figures are the reference's full run;"
                      " the notebooks are left as they are)", highlight=False)
    steps: list[tuple[str, Callable[[], object]]] = [
        ("task", lambda: draw_task(out)),
        ("cell diagram", lambda: draw_cell_diagram(out)),
        ("gate activations", lambda: draw_gate_activations(out)),
        ("graph size", lambda: draw_graph_size(out, [5, 10, 25] if args.quick else None)),
    ]
    if not args.skip_training:
        from course.figures.training import draw_training

        steps.append(("training curves", lambda: draw_training(out, fragments / "training.md", quick=args.quick)))
    from course.figures.notebooks import execute, notebooks, write_speed_fragment

    if committed:
        for notebook in notebooks():
            steps.append((f"notebook {notebook.name}", lambda nb=notebook: execute(nb, write=True)))
    # after the notebooks: the graph-mode page quotes the committed notebook's timing
    steps.append(("graph-mode speed quote", lambda: write_speed_fragment(fragments / "graph-mode-speed.txt")))
    if not args.site_only:
        steps += external_steps(console, None if committed else out)
    return 1 if run_steps(steps, console) else 0


def external_steps(console: object, out_dir: Path | None = None) -> list[tuple[str, Callable[[], object]]]:
    """The other helpers' ``replot_all`` functions that exist, as named steps.

    Args:
        console: rich Console, told about every module that is skipped.
        out_dir: Path or None, where the redrawn figures go (a subfolder per module); None:
            next to their committed JSON. A ``replot_all`` without an ``out_dir`` parameter
            is skipped then, so that it cannot overwrite the committed figures.

    Returns:
        ``(name, replot_all)`` pairs, in the order of :data:`EXTERNAL_PLOTS`.
    """
    steps = []
    for module_name in EXTERNAL_PLOTS:
        replot = _external(module_name)
        if replot is None:
            console.print(f"[yellow]skipped[/] {module_name}.replot_all: the module is not here "
                          "(the student release leaves the benchmarks out: they are instructor-only)")
        elif out_dir is None:
            steps.append((f"{module_name}.replot_all", replot))
        elif "out_dir" in inspect.signature(replot).parameters:
            folder = out_dir / module_name.split(".")[1]
            steps.append((f"{module_name}.replot_all", lambda r=replot, f=folder: r(out_dir=f)))
        else:
            console.print(f"[yellow]skipped[/] {module_name}.replot_all: it can only write the committed figures")
    return steps


def run_steps(steps: list[tuple[str, Callable[[], object]]], console: object) -> int:
    """Run every drawing step, report each, and keep going after a failure.

    Args:
        steps: ``(name, function)`` pairs; a function returns a Path, a list of Paths or anything.
        console: rich Console for the report.

    Returns:
        The number of steps that raised.
    """
    failed = 0
    for name, step in steps:
        start = time.perf_counter()
        try:
            result = step()
        except Exception as error:  # report every failing figure, not just the first
            from rich.markup import escape

            from course.unfinished import stub_message

            failed += 1
            why = stub_message(error) or (str(error) if isinstance(error, NotImplementedError) and str(error)
                                          else f"{type(error).__name__}: {error}")
            console.print(f"[red]failed[/] {escape(name)}: {escape(why)}", highlight=False)
            continue
        made = result if isinstance(result, list) else [result] if isinstance(result, Path) else []
        where = ", ".join(str(p) for p in made) or "done"
        console.print(f"[green]drew[/] {name} in {time.perf_counter() - start:.1f} s: {where}")
    return failed

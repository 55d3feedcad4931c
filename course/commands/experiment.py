"""``lstm-course experiment NAME``: the seeded experiments behind the chapters."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

NAMES = ("forget-bias", "seq-len", "tbptt", "regression")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``experiment`` subcommand.

    Args:
        subparsers: the top-level parser's subparsers.
    """
    parser = subparsers.add_parser(
        "experiment", help="run a seeded experiment and write its JSON, figure and table",
        description="Full mode (default) overwrites the committed results in docs/assets/experiments/ "
                    "and docs/generated/experiments/. --quick runs tiny budgets into a temporary folder.")
    parser.add_argument("name", choices=(*NAMES, "all"), help="which experiment (all: every one)")
    parser.add_argument("--quick", action="store_true", help="tiny budgets, for CI; never touches the committed files")
    parser.add_argument("--seeds", type=int, default=None, help="number of seeds 0..N-1 (default: 3 full, 2 quick)")
    parser.add_argument("--impl", default=None,
                        help="the implementation to train: solutions, exercises or a folder (default: solutions"
                             " in the course repository, exercises in the student release)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write here instead (default: committed folders; quick: a new temporary folder)")
    parser.set_defaults(func=run, tensorflow=True)


def run(args: argparse.Namespace) -> int:
    """Run the experiment(s) and print where the files went.

    Args:
        args: the parsed command-line arguments.

    Returns:
        0.
    """
    import logging

    from rich.console import Console
    from rich.logging import RichHandler

    from course.experiments import runner
    from course.experiments.suite import run_experiment
    from course.impl import default_impl, resolve

    console = Console()
    if args.impl is not None:
        try:
            resolve(args.impl)
        except FileNotFoundError as error:
            console.print(f"[red]{error}[/]")
            return 2
        runner.IMPLEMENTATION = args.impl
    # One line per training run, so a long full run shows its progress.
    logging.basicConfig(level=logging.WARNING, format="%(message)s",
                        handlers=[RichHandler(console=console, show_path=False)])
    logging.getLogger("course.experiments").setLevel(logging.INFO)
    out = args.out
    # The committed results are the reference's: another implementation's go elsewhere.
    other = (args.impl or default_impl()) != default_impl()
    if (args.quick or other) and out is None:
        out = Path(tempfile.mkdtemp(prefix="lstm-experiments-"))
    names = NAMES if args.name == "all" else (args.name,)
    for name in names:
        with console.status(f"running {name}{' (quick)' if args.quick else ''}"):
            paths = run_experiment(name, quick=args.quick, seeds=args.seeds, out_dir=out)
        console.print(f"[bold]{name}[/]: " + ", ".join(str(p) for p in paths.values()))
    return 0

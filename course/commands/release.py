"""``lstm-course release``: the student release, with no solutions in it."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``release`` subcommand.

    Args:
        subparsers: the top-level parser's subparsers.
    """
    parser = subparsers.add_parser(
        "release", help="make the student release: exercises, docs, graders, course package; no solutions")
    parser.add_argument("--out", type=Path, required=True, help="folder to create (must be empty or absent)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the release and say what is in it.

    Args:
        args: the parsed arguments.

    Returns:
        0, or 1 when the release would leak reference code or the folder is not empty.
    """
    from collections import Counter

    from rich.console import Console

    from course.release.build import ACCEPTED_DEFINITIONS, build, find_definitions

    console = Console()
    try:
        files = build(args.out)
    except (FileExistsError, RuntimeError) as error:
        console.print(f"[red]{error}[/]")
        return 1
    tops = Counter(f.parts[0] for f in files)
    console.print(f"wrote the student release to [bold]{args.out}[/]: "
                  + ", ".join(f"{top} ({n})" for top, n in sorted(tops.items())))
    console.print("No solutions: checked that no line of a solution body appears anywhere in it, and that no "
                  "file outside exercises/ defines an exercise function.")
    for hit in find_definitions(args.out):
        console.print(f"[yellow]accepted for now[/] {hit} "
                      f"({ACCEPTED_DEFINITIONS.get(hit.split(':', 1)[0], 'not accepted')})", highlight=False)
    return 0

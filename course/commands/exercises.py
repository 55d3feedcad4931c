"""``lstm-course exercises``: regenerate ``exercises/`` from ``solutions/`` (or check that it is current)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``exercises`` subcommand.

    Args:
        subparsers: the top-level parser's subparsers.
    """
    parser = subparsers.add_parser("exercises", help="regenerate exercises/ from solutions/")
    parser.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Regenerate or check the exercises.

    Args:
        args: the parsed arguments.

    Returns:
        0, or 1 with ``--check`` when a file is stale.
    """
    from course import exercises_gen

    if args.check:
        stale = exercises_gen.stale()
        print("exercises/ is up to date" if not stale else f"stale: {', '.join(stale)} (run: lstm-course exercises)")
        return 1 if stale else 0
    written = exercises_gen.write()
    print(f"wrote {', '.join(written)}" if written else "exercises/ already up to date")
    return 0

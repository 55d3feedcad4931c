"""``lstm-course gradescope``: build the ``autograder.zip`` that Gradescope runs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from course.grading.limits import GRADESCOPE_JOBS
from course.grading.limits import GRADESCOPE_MEMORY_MB, GRADESCOPE_SECONDS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``gradescope`` subcommand.

    Args:
        subparsers: the top-level parser's subparsers.
    """
    parser = subparsers.add_parser(
        "gradescope", help="build autograder.zip for Gradescope (setup.sh, run_autograder, the course; no solutions)")
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip to write (default: autograder.zip)")
    parser.add_argument("--timeout", type=float, default=GRADESCOPE_SECONDS,
                        help=f"wall-clock seconds per submission (default: {GRADESCOPE_SECONDS:g})")
    parser.add_argument("--part-timeout", type=float,
                        help="wall-clock seconds per part (one child process per part), passed to the core")
    parser.add_argument("--memory-mb", type=int, default=GRADESCOPE_MEMORY_MB,
                        help=f"cap on a submission's summed resident memory, MiB (default: {GRADESCOPE_MEMORY_MB})")
    parser.add_argument("--jobs", type=int, default=GRADESCOPE_JOBS,
                        help=f"part processes at once for one submission (default: {GRADESCOPE_JOBS})")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="let the bundle grade where bubblewrap cannot start (student code then runs unconfined, "
                             "as root on Gradescope); without it such a run scores 0 and says why")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the bundle and list what is in it.

    Args:
        args: the parsed arguments.

    Returns:
        0.
    """
    from rich.console import Console

    from course.grading.outputs.gradescope import build

    config: dict = {"timeout": args.timeout, "memory_mb": args.memory_mb, "jobs": args.jobs, "core_options": {}}
    if args.no_sandbox:
        config["no_sandbox"] = True
    if args.part_timeout is not None:
        from course.grading.checking.checks import RUN_PARTS

        config["core_options"]["timeouts"] = {part: args.part_timeout for part in RUN_PARTS}
    names = build(args.out, config=config)
    console = Console()
    console.print(f"wrote [bold]{args.out}[/]: {len(names)} files; settings {json.dumps(config)}")
    console.print("Upload it on Gradescope as a zip autograder (Configure Autograder -> Zip file upload).")
    return 0

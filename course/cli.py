"""The ``lstm-course`` command line.

Each subcommand lives in its own module in :mod:`course.commands` and
defines ``register(subparsers)``; this file only collects them. A command that sets
``tensorflow=True`` in its defaults gets TensorFlow started quietly (:mod:`course.quiet`)
before it runs, and a command stopped by an exercise that is still a stub prints one line
naming the function and its chapter (:mod:`course.unfinished`) instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

# Keep TensorFlow's C++ start-up chatter out of the output; set before anything imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from course import commands  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every subcommand found in :mod:`course.commands`.

    Returns:
        The top-level argument parser.
    """
    parser = argparse.ArgumentParser(
        prog="lstm-course", description="LSTM from Scratch: train, check, grade, benchmark."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``lstm-course`` with ``argv`` (default: the process's arguments).

    Args:
        argv: list of str, the arguments after the program name.

    Returns:
        The process exit code (2 on a system the course does not run on, after one line that says so).
    """
    from course.platform_support import unsupported_message

    refusal = unsupported_message()
    if refusal is not None:  # before any command imports what only POSIX has (resource, os.killpg)
        print(refusal, file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    if getattr(args, "tensorflow", False):
        from course.quiet import start_tensorflow

        start_tensorflow()
    try:
        return int(args.func(args) or 0)
    except Exception as error:  # an exercise not written yet is news, not a crash
        from course.unfinished import stub_message

        message = stub_message(error)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 1


def entry() -> None:
    """The ``lstm-course`` script: run :func:`main` and exit without TensorFlow's 0.85 s teardown."""
    from course.teardown import exit_skipping_teardown

    exit_skipping_teardown(main())


if __name__ == "__main__":
    entry()

"""``lstm-course check [DIR]``: grade your work and show every check with its hint.

For students: it runs the same grading core as the instructors' ``grade`` and
prints a table (check, points, pass or fail, hint) and the total. It always exits 0.
With ``--watch`` it keeps watching the folder and regrades after each save
(:mod:`course.watch`).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``check`` subcommand.

    Args:
        subparsers: the top-level parser's subparsers.
    """
    parser = subparsers.add_parser("check", help="grade a folder (default exercises/) and show hints")
    parser.add_argument("folder", nargs="?", default="exercises",
                        help="your submission folder or .zip (default: exercises)")
    parser.add_argument("--jobs", type=int, default=None, help="parts graded at once (default: one per core)")
    parser.add_argument("--seed", type=int, default=None, help="seed for the grader's inputs (default: random)")
    parser.add_argument("--parts", help="comma-separated run parts to grade (default: all; rules and answers "
                                        "are always judged), e.g. cell,layer after fixing those files")
    parser.add_argument("--part-timeout", type=float, help="wall-clock seconds per part (default: each part's own)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep each part's raw outputs, verdicts and a rerun.sh that reruns it, in DIR")
    parser.add_argument("--watch", action="store_true",
                        help="keep watching the folder: after each save, regrade the parts the saved file "
                             "touches and show their checks, then the whole check (Ctrl-C to stop)")
    parser.set_defaults(func=run)


def _resolve(folder: str) -> Path:
    """Find the folder: as given, or ``exercises``/``solutions`` in the repository.

    Args:
        folder: str.

    Returns:
        Path.
    """
    from course.impl import REPO_ROOT

    path = Path(folder)
    if not path.exists() and folder in ("exercises", "solutions") and (REPO_ROOT / folder).exists():
        return REPO_ROOT / folder
    return path


def render(report: object, console: object, parts: tuple[str, ...] | None = None) -> None:
    """Print the report as a table and a total.

    Args:
        report: GradeReport.
        console: rich Console.
        parts: tuple of str or None, the run parts graded (None: all); the checks of the
            other run parts did not run and are left out of the table and the total.
    """
    from rich import box
    from rich.table import Table

    from course.grading.checking.checks import RUN_PARTS

    shown = [r for r in report.results if parts is None or r.check.part in parts or r.check.part not in RUN_PARTS]

    table = Table(title=f"Checks for {report.submission}", box=box.SIMPLE_HEAVY, show_lines=False,
                  expand=False)
    table.add_column("check", no_wrap=True)
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("hint", overflow="fold")
    for result in shown:
        table.add_row(*row(result, report.submission))
    console.print(table)
    for warning in report.warnings:
        console.print(f"  [yellow]Warning (no points):[/] {warning}")
    for name, part in report.parts.items():
        if parts is not None and name in RUN_PARTS and name not in parts:
            continue
        note = f"  [red]{part.status}: {part.reason}[/]" if part.status != "ok" else ""
        console.print(f"  {name:<9} {part.score:g}/{part.max_score:g}{note}")
    score, maximum = sum(r.score for r in shown), float(sum(r.check.points for r in shown))
    label = "Total" if parts is None else f"Total of {', '.join(p for p in RUN_PARTS if p in parts)}, rules, answers"
    console.print(f"[bold]{label}: {score:g} / {maximum:g}[/]  "
                  f"({report.seconds:.0f} s; inputs from seed {report.seed})")
    if parts is not None:
        console.print(f"[dim]Only these parts ran; run without --parts for the full total "
                      f"({report.max_score:g} points).[/]")
    if any(r.check.manual for r in shown):
        console.print("[dim]Checks marked manual are provisional: an instructor reads your answers.[/]")


def row(result: object, submission: str) -> tuple[str, str, str, str]:
    """One check's row of the table: its name, points, verdict and hint (rich markup).

    Args:
        result: CheckResult.
        submission: str, the graded folder (a stub's hint names its chapter from it).

    Returns:
        ``(check, points, result, hint)``.
    """
    points = f"{result.score:g}/{result.check.points:g}"
    if result.passed:
        return result.name, points, "[green]pass[/]" + (" [yellow](manual)[/]" if result.check.manual else ""), ""
    hint = _with_chapter(result.hint, submission) if result.not_implemented else \
        result.hint if result.raised else f"{result.hint} [dim]({result.detail})[/]"
    return result.name, points, "[red]FAIL[/]", hint


def warn_without_sandbox(console: object) -> None:
    """Say once, before grading, when student code will run without the sandbox.

    Here the student grades their own code, so grading goes on; the instructors' batch
    grader and Gradescope runner refuse instead.

    Args:
        console: rich Console.
    """
    from course.grading.running import sandbox
    from course.platform_support import no_sandbox_warning

    try:
        box = sandbox.current()
    except (sandbox.SandboxUnavailable, ValueError) as error:
        console.print(f"[yellow]Warning: {error}[/]")
        return
    if not box.active:
        console.print(f"[yellow]Warning: {no_sandbox_warning(box.reason)}[/]")


def run(args: argparse.Namespace) -> int:
    """Grade the folder and print the table.

    Args:
        args: the parsed arguments.

    Returns:
        0, whatever the score.
    """
    from rich.console import Console

    from course.grading.checking.checks import RUN_PARTS
    from course.grading.core import default_jobs, grade_submission

    console = Console(no_color="NO_COLOR" in os.environ or None, highlight=False)
    if not console.is_terminal:
        console.width = 120  # a log or a pipe: wide enough for the hints
    try:
        parts = _parts(args.parts)
    except ValueError as error:
        console.print(f"[red]{error}[/]")
        return 2
    path = _resolve(args.folder)
    warn_without_sandbox(console)
    timeouts = None if args.part_timeout is None else dict.fromkeys(parts or RUN_PARTS, args.part_timeout)
    if args.watch:
        return _watch(args, path, parts, timeouts, console)
    scope = f"parts {', '.join(parts)}" if parts else "every part, each in its own sandboxed process"
    console.print(f"Grading {path} ({scope})...")
    report = grade_submission(path, jobs=args.jobs or default_jobs(), seed=args.seed, parts=parts,
                              timeouts=timeouts, keep=args.keep)
    render(report, console, parts)
    if args.keep is not None:
        console.print(f"Kept each part's raw outputs and its rerun.sh in {args.keep}/")
    return 0


def _watch(args: argparse.Namespace, path: Path, parts: tuple[str, ...] | None, timeouts: dict[str, float] | None,
           console: object) -> int:
    """``check --watch``: regrade on every save until Ctrl-C (:mod:`course.watch`).

    Args:
        args: the parsed arguments.
        path: Path, the folder to watch.
        parts: tuple of str or None, the run parts to grade.
        timeouts: dict of part to seconds, or None.
        console: rich Console.

    Returns:
        0 once stopped; 2 for a folder that cannot be watched or an option watch mode does not take.
    """
    import secrets

    from course.grading.core import default_jobs
    from course.watch.session import watch

    if args.keep is not None:
        console.print("[red]--keep and --watch do not go together: keep one grading with `check --keep DIR`.[/]")
        return 2
    if not path.is_dir():
        console.print(f"[red]--watch needs a folder: {path} is not one.[/]")
        return 2
    seed = secrets.randbits(31) if args.seed is None else args.seed
    return watch(path, parts=parts, seed=seed, jobs=args.jobs or default_jobs(), timeouts=timeouts, console=console)


def _with_chapter(hint: str, submission: str) -> str:
    """Add the chapter that explains a stub to its "not implemented yet" hint.

    Args:
        hint: str, e.g. ``not implemented yet: prepare: shuffle, then batch, then prefetch``.
        submission: str, the graded folder (its TODO lines name the chapters).

    Returns:
        The hint, plus ``(chapter "Generators and tf.data", docs/data.md)`` when the stub names one.
    """
    import re

    from course.unfinished import chapter_of

    named = re.match(r"not implemented yet: (?P<name>[\w.]+): ", hint)
    chapter = chapter_of(Path(submission), named["name"]) if named and Path(submission).is_dir() else None
    return f"{hint}; see the chapter {chapter}" if chapter else hint


def _parts(text: str | None) -> tuple[str, ...] | None:
    """Read ``--parts`` as ``lstm-course grade --parts`` does: comma-separated run parts.

    Args:
        text: str or None, the option's value.

    Returns:
        The parts in the order given, or None (every part) when the option is absent.

    Raises:
        ValueError: when a name is not a run part.
    """
    if not text:
        return None
    from course.grading.checking.checks import RUN_PARTS

    parts = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    unknown = [p for p in parts if p not in RUN_PARTS]
    if unknown or not parts:
        raise ValueError(f"--parts: unknown part(s) {', '.join(unknown) or repr(text)}; "
                         f"choose from {', '.join(RUN_PARTS)}")
    return parts

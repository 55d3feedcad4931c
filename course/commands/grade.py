"""``lstm-course grade``: grade submissions in isolation into a gradebook, reports, or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from course.grading.limits import OUTPUT_KB, SUBMISSION_MEMORY_MB, SUBMISSION_SECONDS

if TYPE_CHECKING:  # imported lazily at run time, so `lstm-course --help` stays fast
    from rich.console import Console

    from course.grading.batch import BatchOptions
    from course.grading.batch_submission import Submission
    from course.grading.outputs.gradebook import Row


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``grade`` subcommand.

    Args:
        subparsers: the top-level parser's subparsers.
    """
    parser = subparsers.add_parser(
        "grade", help="grade submissions (folders, zips, or folders of them) into a gradebook",
        description="Grade every submission in its own process tree with time, memory and output limits. "
                    "Writes one gradebook row and one report per submission, skips submissions already "
                    "graded (same content, same grader) unless --force, and with --json prints the "
                    "Gradescope results JSON of one submission on stdout and nothing else.",
    )
    parser.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION",
                        help="a submission folder or .zip, or a folder of them")
    parser.add_argument("--jobs", type=int, default=1,
                        help="processes at once: submissions in parallel (or parts of one submission)")
    parser.add_argument("--out", type=Path, help="gradebook CSV (default: gradebook.csv; none with --json)")
    parser.add_argument("--reports", type=Path, help="folder for the reports (default: next to the gradebook)")
    parser.add_argument("--force", action="store_true", help="regrade submissions the gradebook already holds")
    parser.add_argument("--json", action="store_true",
                        help="print the Gradescope results JSON (one object per submission) on stdout")
    parser.add_argument("--timeout", type=float, default=SUBMISSION_SECONDS,
                        help=f"wall-clock seconds per submission (default: {SUBMISSION_SECONDS:g})")
    parser.add_argument("--part-timeout", type=float,
                        help="wall-clock seconds per part (the core runs each part's checks in one child process)")
    parser.add_argument("--parts", help="comma-separated run parts to grade (default: all; rules and answers "
                                        "are always judged), e.g. data,cell for a quick pass")
    parser.add_argument("--memory-mb", type=int, default=SUBMISSION_MEMORY_MB,
                        help=f"cap on a submission's summed resident memory, MiB (default: {SUBMISSION_MEMORY_MB})")
    parser.add_argument("--output-kb", type=int, default=OUTPUT_KB,
                        help=f"output kept per submission, KiB (default: {OUTPUT_KB})")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep each submission's raw part outputs, verdicts and rerun scripts in DIR/NAME "
                             "(with --force for submissions already graded)")
    parser.add_argument("--core-option", action="append", default=[], metavar="KEY=VALUE",
                        help="extra keyword argument for the grading core (VALUE read as JSON if it parses)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="grade even where no sandbox can start: student code then runs unconfined, as you "
                             "(recorded as isolation 'none' in the gradebook and the reports)")
    parser.add_argument("--core", default="course.grading.core", help=argparse.SUPPRESS)
    parser.set_defaults(func=run)


def _core_options(args: argparse.Namespace) -> dict:
    """Keyword arguments for ``grade_submission`` from ``--part-timeout``, ``--parts`` and ``--core-option``.

    Args:
        args: the parsed arguments.

    Returns:
        dict of keyword arguments.
    """
    from course.grading.checking.checks import RUN_PARTS

    options: dict = {}
    if args.part_timeout is not None:
        options["timeouts"] = {part: args.part_timeout for part in RUN_PARTS}
    if args.parts:
        options["parts"] = [part.strip() for part in args.parts.split(",") if part.strip()]
    for item in args.core_option:
        key, _, value = item.partition("=")
        try:
            options[key] = json.loads(value)
        except ValueError:
            options[key] = value
    return options


def run(args: argparse.Namespace) -> int:
    """Grade, write the gradebook and reports, show progress, print a summary or JSON.

    Args:
        args: the parsed arguments.

    Returns:
        0 whatever the scores; 2 when a path does not exist or no sandbox can start (without
        ``--no-sandbox``); 3 when the grader's own files changed while grading.
    """
    from rich.console import Console

    from course.grading.batch import BatchOptions, GraderChanged, isolation_for
    from course.grading.batch_submission import discover
    from course.grading.running import confine, sandbox
    from course.grading.running.sandbox import SandboxUnavailable
    from course.grading.running.sandbox_batch import Limits

    err = Console(stderr=True)
    try:
        submissions = discover(args.submissions)
    except FileNotFoundError as error:
        err.print(f"[red]{error}[/]")
        return 2
    if not submissions:
        err.print("[yellow]no submissions found[/]")
        return 2
    many = len(submissions) > 1
    options = BatchOptions(
        jobs=args.jobs if many else 1, core_jobs=1 if many else args.jobs,
        limits=Limits(wall_seconds=args.timeout, memory_mb=args.memory_mb, output_bytes=args.output_kb * 1024),
        core_options=_core_options(args), force=args.force, core=args.core,
        sandbox="off" if args.no_sandbox else "require",
        # Per submission, so that the folder does not change the grader's fingerprint.
        core_options_for={s.name: {"keep": str(args.keep.resolve() / s.name)} for s in submissions} if args.keep else {},
    )
    try:
        isolation = isolation_for(options)
    except SandboxUnavailable as error:
        err.print(f"[red]Refusing to grade: {error}[/]")
        return 2
    if isolation == "none":
        err.print("[yellow]--no-sandbox: student code runs unconfined, as you; rows record isolation 'none'.[/]")
    elif isolation in confine.LEVELS:
        err.print(f"[yellow]Sandbox without namespaces here: isolation '{isolation}' "
                  f"({sandbox.current('require').reason}).[/]")
    try:
        if args.json:
            return _run_json(submissions, options, args)
        out = args.out or Path("gradebook.csv")
        reports = args.reports or out.with_name(f"{out.stem}-reports")
        rows = _with_progress(submissions, out, reports, options, err)
    except GraderChanged as error:
        err.print(f"[red bold]Stopped: {error}[/]")
        return 3
    _summary(rows, out, reports)
    return 0


def _with_progress(submissions: list[Submission], out: Path, reports: Path, options: BatchOptions,
                   err: Console) -> list[Row]:
    """Run the batch under a rich progress bar on stderr.

    Args:
        submissions: list of Submission.
        out: Path, the gradebook.
        reports: Path, the reports folder.
        options: BatchOptions.
        err: rich Console on stderr.

    Returns:
        The rows.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from course.grading.batch import grade_batch

    columns = (TextColumn("[bold]grading[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("eta"), TimeRemainingColumn(), TextColumn("{task.fields[last]}"))
    with Progress(*columns, console=err) as bar:
        task = bar.add_task("grade", total=len(submissions), last="")

        def on_start(total: int, skipped: int) -> None:
            """Say how many are already graded."""
            if skipped:
                err.print(f"{skipped} of {total} already graded (same content and grader): skipped; --force regrades")

        def on_done(row: Row, skipped: bool) -> None:
            """Advance the bar and show the last result."""
            tag = "skipped" if skipped else f"{row.status} {row.score:g}/{row.max_score:g} in {row.seconds:.0f} s"
            bar.update(task, advance=1, last=f"{row.name}: {tag}")

        return grade_batch(submissions, out=out, reports=reports, options=options,
                           on_start=on_start, on_done=on_done)


def _summary(rows: list[Row], out: Path, reports: Path) -> None:
    """Print a table of the rows and where the gradebook and reports are.

    On a terminal the table fits its width; redirected, it keeps every name and score whole.

    Args:
        rows: list of Row.
        out: Path, the gradebook.
        reports: Path, the reports folder.
    """
    from collections import Counter

    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Table

    table = Table(title="Gradebook")
    parts = list(dict.fromkeys(p for r in rows for p in r.parts))
    for column in ("submission", "status", "score", *parts, "seconds"):
        table.add_column(column, justify="left" if column in ("submission", "status") else "right")
    colours = {"ok": "green", "timeout": "yellow", "crashed": "red", "invalid": "magenta"}
    for row in rows:
        cells = [f"{row.parts[p][0]:g}/{row.parts[p][1]:g}" if p in row.parts else "" for p in parts]
        table.add_row(row.name, f"[{colours.get(row.status, 'white')}]{row.status}[/]",
                      f"{row.score:g}/{row.max_score:g}", *cells, f"{row.seconds:.0f}")
    console = Console()
    if not console.is_terminal:  # a CI log or a file: no terminal width to fit, so cut nothing
        unbounded = console.options.update_width(10_000)
        console = Console(width=max(console.width, Measurement.get(console, unbounded, table).maximum))
    console.print(table)
    counts = Counter(r.status for r in rows)
    console.print(", ".join(f"{n} {s}" for s, n in counts.items()) + f" · gradebook: {out} · reports: {reports}/")


def _run_json(submissions: list[Submission], options: BatchOptions, args: argparse.Namespace) -> int:
    """Grade and print each result as one JSON object per line on stdout (nothing else there).

    Args:
        submissions: list of Submission.
        options: BatchOptions.
        args: the parsed arguments (``--out`` and ``--reports`` are honoured when given).

    Returns:
        0.

    Raises:
        GraderChanged: the grader's package changed while a submission was graded.
    """
    from course.grading.outputs import gradebook
    from course.grading.batch import GraderChanged, grade_one, package_hash, write_report
    from course.grading.outputs.results import gradescope_result

    book = gradebook.read(args.out) if args.out else {}
    fence = package_hash(options.fence)
    for submission in submissions:
        row, report, outcome = grade_one(submission, options)
        if package_hash(options.fence) != fence:
            raise GraderChanged(f"the grader's own files in {options.fence} changed while grading {submission.name}; "
                                "nothing more is graded. Reinstall the grader, then regrade.")
        if args.reports or args.out:
            write_report(row, report, outcome, args.reports or args.out.with_name(f"{args.out.stem}-reports"))
        if args.out:
            book[row.submission] = row
            gradebook.write(args.out, list(book.values()))
        sys.stdout.write(json.dumps(gradescope_result(report)) + "\n")
        sys.stdout.flush()
    return 0

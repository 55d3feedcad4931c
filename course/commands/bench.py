"""``lstm-course bench``: measure train steps, growth, pipelines and time to accuracy."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

#: The benchmark's sections, in the order they run.
SECTIONS = ["train_step", "growth", "pipelines", "time_to_accuracy", "grading"]
#: Sections that, run alone, write their own file next to results.json, and their own fragment
#: (``write_fragment`` of the bench module named after the section). One-off studies, such as the
#: training budget's, live outside the package: ``studies/`` (``python -m studies.training_budget``).
OWN_FILES = {"grading": "grading.json"}


def _write_own_fragment(section: str, results: dict, folder: Path) -> Path:
    """Write the fragment of a section listed in :data:`OWN_FILES`.

    Args:
        section: str, a key of :data:`OWN_FILES`.
        results: dict, benchmark results with that section.
        folder: Path, where the fragment goes.

    Returns:
        Path, the written fragment.
    """
    import importlib

    return importlib.import_module(f"course.bench.{section}").write_fragment(results, folder)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``bench`` subcommand.

    Args:
        subparsers: the top-level parser's subparsers.
    """
    parser = subparsers.add_parser(
        "bench", help="benchmark the train step, cost growth, data pipelines and time to accuracy")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes for CI; writes to a temporary folder, never over the committed results")
    parser.add_argument("--json", type=Path,
                        help="write the results here (default: docs/assets/bench/results.json, or a temp dir with --quick)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS,
                        help="run only these sections (with --json or --quick: the committed results keep every section)")
    parser.add_argument("--threads", type=int, default=1,
                        help="TensorFlow inter-op and intra-op threads (default 1: stable ratios on a shared"
                             " machine; 0 = TensorFlow's default)")
    parser.add_argument("--docs-only", action="store_true",
                        help="measure nothing: redraw the figures and Markdown fragments from the committed JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, print tables, write JSON, figures and (full runs) the docs' fragments.

    Args:
        args: the parsed command-line arguments.

    Returns:
        0, or 2 when ``--only`` would overwrite the committed results with part of a run.
    """
    from rich.console import Console

    from course.quiet import start_tensorflow

    console = Console()
    # First (the bench modules import TensorFlow): quietly, with the threads set before the first op.
    if not start_tensorflow(0 if args.docs_only else args.threads):  # TensorFlow started already (pytest)
        console.print("[yellow]TensorFlow is already running: --threads ignored[/]")
        args.threads = 0

    from course.bench import plots, report
    from course.bench.run import FRAGMENTS_DIR, RESULTS_JSON, Config
    from course.bench.run import run as run_bench

    if args.docs_only:
        results = json.loads(RESULTS_JSON.read_text())
        written = plots.replot_all() + report.write_fragments(results, FRAGMENTS_DIR)
        for section, filename in OWN_FILES.items():
            own = RESULTS_JSON.with_name(filename)
            if own.exists():
                written.append(_write_own_fragment(section, json.loads(own.read_text()), FRAGMENTS_DIR))
        console.print("\n".join(f"wrote {p}" for p in written))
        return 0

    # grading alone: its own file, and no tables, figures or other fragments
    alone = args.only[0] if args.only and len(args.only) == 1 and args.only[0] in OWN_FILES else None
    if args.json:
        out_json = args.json
    elif alone and not args.quick:  # its own file: the other sections' committed results stay as they are
        out_json = RESULTS_JSON.with_name(OWN_FILES[alone])
    elif args.quick:
        out_json = Path(tempfile.mkdtemp(prefix="lstm-bench-")) / "results.json"
    else:
        out_json = RESULTS_JSON
    committed = out_json.resolve() == RESULTS_JSON.resolve()
    if committed and args.only and set(args.only) != set(SECTIONS):
        # The committed file holds every section from one run on one machine; the pages name
        # that machine under every table. A partial run would drop the other sections.
        console.print(f"[red]--only measures part of the benchmark: write it elsewhere with --json PATH;"
                      f" {RESULTS_JSON.name} keeps every section from one machine.[/] To quote another"
                      " machine's train-step ratios on the pages, add them to other_machines.json beside it.")
        return 2
    config = Config.quick() if args.quick else Config()
    results = run_bench(config, quick=args.quick, sections=args.only, threads=args.threads,
                        log=lambda line: console.print(f"[bold cyan]bench[/] {line}"))
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(results, indent=1))
    if not alone:
        report.print_tables(results, console)
    committed = committed or bool(alone and out_json.resolve() == RESULTS_JSON.with_name(OWN_FILES[alone]).resolve())
    fragments = FRAGMENTS_DIR if committed else out_json.parent / "generated"
    written = [out_json]
    if not alone:
        written += plots.draw_all(results, out_json.parent)
        # Fragments go to the docs only from the committed results; otherwise next to the JSON.
        written += report.write_fragments(results, fragments)
    for section in OWN_FILES:
        if section in results:
            fragment = _write_own_fragment(section, results, fragments)
            written.append(fragment)
            console.print(fragment.read_text())
    console.print("\n".join(f"wrote {p}" for p in written))
    return 0

"""A study: the smallest training budget that still tells correct from broken (``python -m studies.training_budget``).

Its conclusion is committed (``docs/assets/bench/training_budget.json`` and the Performance
page: keep today's budget), so it lives outside the installed package: it grades the
repository's corpora (``tests/grading``) and needs a checkout. Run it from the repository's
root with the project's Python; ``--quick`` is a smoke run into a temporary folder.

The grader's training part trains the student's ``train`` on a grader-owned model for
:data:`course.grading.checking.inputs.TRAINING_BUDGET` (4000 pairs, 2 epochs); a smaller
budget would make the part quicker, if it still judged the same. This study grades the training part of every
*correct* training submission we have (``solutions/``, the ``model_fit`` variant, every
``train`` style of the hand-written outside corpus) and every *broken* one (the mutants of
``tests/grading/patches.py`` and the outside corpus's mutants that edit ``train.py``) under
a grid of smaller budgets and several seeds, with the grader's own runner
(:class:`course.grading.running.runner.Runner`) and judge (:func:`course.grading.core.judge_run`).

Per budget it records every check's verdict per submission and seed, each submission's
held-out accuracy, the lowest accuracy of a correct submission and its margin over the
0.80 bar, whether every verdict equals the verdict under today's budget (same seed), and
the training part's child time for the reference alone (what a student waits for).
:func:`quickest` then picks the quickest budget whose verdicts all equal today's and whose
lowest correct accuracy clears the bar by :data:`MARGIN`; :func:`recommend` takes it when it saves
at least :data:`MIN_SAVING` of today's child time (less is timing noise), else keeps today's.
Nothing here changes the grader.

The corpus files are trusted, so the submissions of one budget and seed share one child.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from course.impl import REPO_ROOT

#: The held-out accuracy a correct submission must reach (``training.reaches_80``).
BAR = 0.80
#: The margin over :data:`BAR` the lowest correct accuracy must keep for a budget to be recommended.
MARGIN = 0.05
#: The least share of today's training child time a smaller budget must save to be recommended (less
#: is within the timing noise of a shared machine).
MIN_SAVING = 0.10
#: The check of the bar.
REACHES = "training.reaches_80"
#: The command that runs this study (from the repository's root).
COMMAND = "python -m studies.training_budget"
#: The committed results, and the folder of the fragment the Performance page includes.
RESULTS = REPO_ROOT / "docs" / "assets" / "bench" / "training_budget.json"
FRAGMENTS = REPO_ROOT / "docs" / "generated" / "bench"


@dataclass
class BudgetConfig:
    """Sizes of the training-budget study.

    Attributes:
        budgets: list of ``[training pairs, epochs]``; today's budget is always added.
        seeds: list of int, the inputs' seeds (each budget is graded on every one).
        cases: list of str or None, the submissions graded (names from :func:`case_names`; None: all).
        timing_rounds: int, rounds in which the reference is graded alone per budget, one child at
            a time, to time the training part's child as a check pays it (0: the shared child's time).
        jobs: int, children at once while grading the verdicts (the timing rounds run one at a time).
        margin: float, :data:`MARGIN`.
        min_saving: float, :data:`MIN_SAVING`.
    """

    budgets: list[list[int]] = field(default_factory=lambda: [
        [pairs, epochs] for epochs in (1, 2) for pairs in (64, 125, 250, 500, 1000, 2000, 4000)])
    seeds: list[int] = field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 7, 8])
    cases: list[str] | None = None
    timing_rounds: int = 5
    jobs: int = 2
    margin: float = MARGIN
    min_saving: float = MIN_SAVING

    @classmethod
    def quick(cls) -> BudgetConfig:
        """CI's sizes: one seed, the smallest budget against today's, the reference and one mutant."""
        return cls(budgets=[[500, 1]], seeds=[1], cases=["solutions", "mutant:loss_on_first_step"],
                   timing_rounds=0, jobs=2)


def today() -> list[int]:
    """Today's budget, ``[training pairs, epochs]``.

    Returns:
        list of two int.
    """
    from course.grading.checking.inputs import TRAINING_BUDGET

    return [int(TRAINING_BUDGET["train"]), int(TRAINING_BUDGET["epochs"])]


def key(budget: list[int]) -> str:
    """A budget's name in the results, e.g. ``"4000x2"``.

    Args:
        budget: ``[training pairs, epochs]``.

    Returns:
        str.
    """
    return f"{budget[0]}x{budget[1]}"


def corpora() -> tuple[Any, Any]:
    """The repository's mutant and outside corpora (``tests/grading``), importable from the checkout.

    Returns:
        ``(patches module, outside corpus module)``.
    """
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from tests.grading import patches
    from tests.grading.outside import corpus

    return patches, corpus


def case_names() -> dict[str, str]:
    """Every training submission of the corpora and whether it is correct.

    Returns:
        dict of name to ``"correct"`` or the check that must catch it (broken).
    """
    patches, corpus = corpora()
    out = {"solutions": "correct"}
    out.update({f"variant:{v.name}": "correct" for v in patches.VARIANTS
                if any(p.file == "train.py" for p in v.patches)})
    out.update({f"outside:train:{style.stem}": "correct" for style in sorted((corpus.POOL / "train").glob("*.py"))})
    out.update({f"mutant:{m.name}": m.caught_by for m in patches.MUTANTS
                if any(p.file == "train.py" for p in m.patches)})
    out.update({f"outside-mutant:{m.name}": m.caught_by for m in corpus.OUTSIDE_MUTANTS if m.file == "train.py"})
    return out


def build(name: str, folder: Path) -> Path:
    """Make one submission of :func:`case_names` in ``folder``.

    Args:
        name: str.
        folder: Path, created.

    Returns:
        Path, the folder.

    Raises:
        AssertionError: when a patch no longer matches its file.
        KeyError: for an unknown name.
    """
    patches, corpus = corpora()
    kind, _, rest = name.partition(":")
    if kind == "solutions":
        shutil.copytree(REPO_ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
        return folder
    if kind in ("variant", "mutant"):
        case = {c.name: c for c in (*patches.MUTANTS, *patches.VARIANTS)}[rest]
        return patches.build(case, folder, REPO_ROOT / "solutions")
    if kind == "outside":  # only train.py runs in the training part; the rest is any corpus submission's
        styles = {**next(iter(corpus.SUBMISSIONS.values())), "train.py": rest.removeprefix("train:")}
        return corpus.assemble(styles, folder)
    if kind == "outside-mutant":
        return corpus.build_mutant({m.name: m for m in corpus.OUTSIDE_MUTANTS}[rest], folder)
    raise KeyError(f"unknown training case {name!r}")


def _grade(folders: list[Path], budget: list[int], seed: int) -> dict[str, Any]:
    """Grade the training part of several submissions in one child with one budget.

    Args:
        folders: list of Path.
        budget: ``[training pairs, epochs]``.
        seed: int.

    Returns:
        dict with ``seconds``, ``status``, ``reason`` and ``submissions`` (per folder: ``failed``,
        the checks it failed; ``accuracy``, held-out, or None; ``details``, check -> the judge's text).
    """
    from course.grading.checking.inputs import make_inputs
    from course.grading.checking.judges import _accuracy  # the judge's own accuracy, not a copy
    from course.grading.core import judge_run
    from course.grading.limits import PART_SECONDS
    from course.grading.running.runner import Runner
    from course.grading.running.tasks import Task

    inputs = make_inputs("training", seed, budget={"train": budget[0], "epochs": budget[1]})
    task = Task("training", submissions=tuple(range(len(folders))))
    with Runner(jobs=1) as runner:
        run = runner.run([task], list(folders), {"training": inputs},
                         timeouts={"training": PART_SECONDS["training"] * len(folders)})[task.name]
    out = []
    for index in range(len(folders)):
        verdicts = judge_run("training", inputs, run, index, None)
        evidence = run.evidence[index] if index < len(run.evidence) else None
        test = evidence.arrays.get("train.test") if evidence is not None else None
        accuracy = None if test is None else round(_accuracy(test.ravel(), inputs.secret["y_test"]), 4)
        out.append({"failed": [c for c, v in verdicts.items() if not v[0]], "accuracy": accuracy,
                    "details": {c: v[1] for c, v in verdicts.items()}})
    return {"seconds": round(run.seconds, 2), "status": run.status, "reason": run.reason, "submissions": out}


def measure(config: BudgetConfig, *, log: Callable[[str], None] = lambda line: None) -> dict[str, Any]:
    """The whole study: every budget on every seed, then the summary and the recommendation.

    Args:
        config: BudgetConfig.
        log: callable, receives one line per child.

    Returns:
        dict with ``cases``, ``checks``, ``today``, ``runs`` (budget -> seed -> graded), ``timing``
        (budget -> list of child seconds), ``summary`` (:func:`summarise`), ``quickest``
        (:func:`quickest`), ``recommended`` (:func:`recommend`), ``margin``, ``min_saving``, ``bar``,
        ``load``, ``seconds`` and ``config``.
    """
    from concurrent.futures import ThreadPoolExecutor

    from course.grading.checking.checks import checks_for

    every = case_names()
    names = list(config.cases) if config.cases else list(every)
    unknown = [n for n in names if n not in every]
    if unknown:
        raise ValueError(f"unknown training cases {unknown}; known: {sorted(every)}")
    budgets = [list(b) for b in config.budgets]
    if today() not in budgets:
        budgets.append(today())
    start, load_before = time.perf_counter(), os.getloadavg()[0]
    runs: dict[str, dict[str, dict]] = {key(b): {} for b in budgets}
    timing: dict[str, list[float]] = {key(b): [] for b in budgets}
    with tempfile.TemporaryDirectory(prefix="lstm-bench-budget-") as scratch:
        folders = [build(n, Path(scratch) / f"case-{i}") for i, n in enumerate(names)]
        solo = [build("solutions", Path(scratch) / "solo")]

        def verdicts(job: tuple[list[int], int]) -> dict[str, Any]:
            """Grade every submission with one ``(budget, seed)`` and log the child's time."""
            graded = _grade(folders, *job)
            log(f"training budget {key(job[0])}, seed {job[1]}: {graded['status']} {graded['reason']}".rstrip()
                + f", {graded['seconds']:.1f} s for {len(folders)} submissions")
            return graded

        # Verdicts: every budget on every seed, the submissions of one budget and seed in one child.
        jobs = [(budget, seed) for seed in config.seeds for budget in budgets]
        with ThreadPoolExecutor(max_workers=max(1, config.jobs)) as pool:
            for (budget, seed), graded in zip(jobs, pool.map(verdicts, jobs)):
                runs[key(budget)][str(seed)] = {**graded, "submissions": dict(zip(names, graded["submissions"]))}
                if not config.timing_rounds:
                    timing[key(budget)].append(graded["seconds"])
        # Time: the reference alone per budget, one child at a time (as a check pays it), the
        # budgets' order alternating round by round so a drift in the load does not always
        # land on the same budget.
        for round_ in range(config.timing_rounds):
            for budget in budgets if round_ % 2 == 0 else list(reversed(budgets)):
                alone = _grade(solo, budget, config.seeds[round_ % len(config.seeds)])
                timing[key(budget)].append(alone["seconds"])
                log(f"training budget {key(budget)}: the reference alone {alone['seconds']:.1f} s")
    summary = summarise(runs, timing, every, key(today()), margin=config.margin)
    for seeds in runs.values():  # the judges' texts stay only where a verdict differs (in the summary)
        for graded in seeds.values():
            for sub in graded["submissions"].values():
                sub.pop("details", None)
    return {"cases": {n: every[n] for n in names}, "checks": [c.name for c in checks_for("training")],
            "today": key(today()), "bar": BAR, "margin": config.margin,
            "timing_source": (f"the reference alone, {config.timing_rounds} round(s), one child at a time"
                              if config.timing_rounds else f"the shared child of {len(names)} submissions"),
            "runs": runs, "timing": timing, "summary": summary,
            "quickest": quickest(summary, margin=config.margin), "min_saving": config.min_saving,
            "recommended": recommend(summary, key(today()), margin=config.margin, min_saving=config.min_saving),
            "load": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()},
            "seconds": round(time.perf_counter() - start, 1), "config": asdict(config)}


def keeps_margin(lowest: float | None, margin: float) -> bool:
    """Whether the lowest accuracy of a correct submission clears :data:`BAR` by ``margin``.

    Args:
        lowest: float or None (None: no correct submission was graded).
        margin: float.

    Returns:
        bool (a float's last bit of rounding does not count against it).
    """
    return lowest is not None and lowest - BAR >= margin - 1e-9


def summarise(runs: dict[str, dict[str, dict]], timing: dict[str, list[float]], cases: dict[str, str],
              today_key: str, *, margin: float = MARGIN) -> dict[str, dict[str, Any]]:
    """Per budget: lowest correct accuracy, its margin, verdicts against today's, separation, time.

    A submission's verdicts are its ``failed`` checks: two runs' verdicts are equal when they
    failed the same checks (every check of the part is judged in every run).

    Args:
        runs: budget -> seed -> ``{"submissions": name -> {"failed", "accuracy", "details"?}, ...}``.
        timing: budget -> child seconds.
        cases: name -> ``"correct"`` or the check that must catch it.
        today_key: str, today's budget's key in ``runs``.
        margin: float, the margin over :data:`BAR` asked for.

    Returns:
        dict budget -> ``{"child_s", "shared_child_s", "lowest_correct", "lowest_correct_case", "margin", "keeps_margin",
        "equal_to_today", "differences", "separates", "misjudged"}``. ``differences`` lists
        ``{"seed", "case", "check", "today", "here", "detail"}`` (``today``/``here``: passed);
        ``separates`` is whether every correct submission passed every check and every broken
        one failed the check that must catch it, on every seed (``misjudged`` lists the others).
    """
    out: dict[str, dict[str, Any]] = {}
    for budget, seeds in runs.items():
        lowest, lowest_case, differences, misjudged = None, None, [], []
        for seed, graded in seeds.items():
            reference = runs.get(today_key, {}).get(seed)
            for name, sub in graded["submissions"].items():
                failed, details = set(sub["failed"]), sub.get("details", {})
                if cases.get(name) == "correct":
                    accuracy = sub["accuracy"] if sub["accuracy"] is not None else 0.0
                    if lowest is None or accuracy < lowest:
                        lowest, lowest_case = accuracy, f"{name}, seed {seed}"
                    wrong = sorted(failed)
                else:
                    wrong = [] if cases.get(name) in failed else [cases.get(name)]
                misjudged += [{"seed": seed, "case": name, "check": c, "detail": details.get(c, "")} for c in wrong]
                if reference is None or name not in reference["submissions"]:
                    differences.append({"seed": seed, "case": name, "check": "*", "today": None, "here": None,
                                        "detail": "not graded under today's budget with this seed"})
                    continue
                before = set(reference["submissions"][name]["failed"])
                differences += [{"seed": seed, "case": name, "check": c, "today": c not in before,
                                 "here": c not in failed, "detail": details.get(c, "")}
                                for c in sorted(before ^ failed)]
        seconds = timing.get(budget, [])
        shared = [graded["seconds"] for graded in seeds.values()]
        out[budget] = {
            "child_s": round(statistics.median(seconds), 2) if seconds else None,
            "shared_child_s": round(statistics.median(shared), 2) if shared else None,
            "lowest_correct": lowest, "lowest_correct_case": lowest_case,
            "margin": None if lowest is None else round(lowest - BAR, 4),
            "keeps_margin": keeps_margin(lowest, margin),
            "equal_to_today": not differences, "differences": differences,
            "separates": not misjudged, "misjudged": misjudged,
        }
    return out


def quickest(summary: dict[str, dict[str, Any]], *, margin: float = MARGIN) -> str | None:
    """The quickest budget whose verdicts all equal today's and whose lowest correct accuracy keeps the margin.

    Args:
        summary: as returned by :func:`summarise`.
        margin: float, the margin over :data:`BAR` asked for.

    Returns:
        str, the budget's key (ties: fewer pair-epochs), or None when none qualifies (not even today's).
    """
    fits = [b for b, s in summary.items()
            if s["equal_to_today"] and keeps_margin(s["lowest_correct"], margin) and s["child_s"] is not None]
    return min(fits, key=lambda b: (summary[b]["child_s"], _size(b))) if fits else None


def recommend(summary: dict[str, dict[str, Any]], today_key: str, *, margin: float = MARGIN,
              min_saving: float = MIN_SAVING) -> str | None:
    """The budget to grade with: :func:`quickest`, if it saves a measurable share of today's child time.

    A saving smaller than ``min_saving`` of today's median child time is within the timing
    noise of a shared machine; changing the grader for it would trade verdict safety for nothing.

    Args:
        summary: as returned by :func:`summarise`.
        today_key: str, today's budget's key.
        margin: float, the margin over :data:`BAR` asked for.
        min_saving: float, the least fraction of today's child time the budget must save.

    Returns:
        str, the quickest budget's key, else ``today_key`` (when today's keeps the margin), else None.
    """
    best = quickest(summary, margin=margin)
    if best is None:
        return None
    now = summary.get(today_key, {}).get("child_s")
    if best == today_key or (now and summary[best]["child_s"] <= (1 - min_saving) * now + 1e-9):
        return best
    return today_key if keeps_margin(summary.get(today_key, {}).get("lowest_correct"), margin) else None


def _size(budget_key: str) -> int:
    """Pair-epochs of a budget key (``"4000x2"`` -> 8000).

    Args:
        budget_key: str.

    Returns:
        int.
    """
    pairs, epochs = budget_key.split("x")
    return int(pairs) * int(epochs)


def _name(budget_key: str) -> str:
    """A budget for people, e.g. ``"4,000 × 2"``.

    Args:
        budget_key: str, e.g. ``"4000x2"``.

    Returns:
        str.
    """
    pairs, epochs = budget_key.split("x")
    return f"{int(pairs):,} × {epochs}"


def differences_md(summary: dict[str, dict[str, Any]]) -> list[str]:
    """One line per verdict that differs from today's: budget, submission, check, seeds.

    Args:
        summary: as returned by :func:`summarise`.

    Returns:
        list of str (Markdown list items).
    """
    grouped: dict[tuple[str, str, str, Any, Any], list[str]] = {}
    for budget in sorted(summary, key=lambda b: (_size(b), b)):
        for d in summary[budget]["differences"]:
            grouped.setdefault((budget, d["case"], d["check"], d["today"], d["here"]), []).append(str(d["seed"]))
    word = {True: "passes", False: "fails", None: "was not graded"}
    return [f"- {_name(budget)}: `{case}` {word[here]} `{check}` (today it {word[today]}) on seed(s) {', '.join(seeds)}"
            for (budget, case, check, today, here), seeds in grouped.items()]


def summary_md(results: dict[str, Any]) -> str:
    """The study as Markdown: one row per budget, the verdicts that differ, and the recommendation.

    Args:
        results: dict, benchmark results with a ``training_budget`` entry.

    Returns:
        str.
    """
    t = results["training_budget"]
    seeds = len(next(iter(t["runs"].values())))
    count = len(t["cases"])
    lines = ["| budget (pairs × epochs) | child s (median) | all submissions in one child, s (median) "
             "| lowest correct accuracy (margin over 0.80) | verdicts equal to today's | correct pass, broken caught |",
             "|---|---:|---:|---:|---|---|"]
    for budget in sorted(t["summary"], key=lambda b: (_size(b), b)):
        s = t["summary"][budget]
        name = _name(budget) + (" (today)" if budget == t["today"] else "")
        lowest = "n/a" if s["lowest_correct"] is None else f"{s['lowest_correct']:.3f} ({s['margin']:+.3f})"
        equal = "yes" if s["equal_to_today"] else f"no ({len(s['differences'])} differ)"
        lines.append(f"| {name} | {s['child_s']:.1f} | {s['shared_child_s']:.1f} | {lowest} | {equal} "
                     f"| {'yes' if s['separates'] else 'no'} |")
    correct = sum(1 for v in t["cases"].values() if v == "correct")
    lines += ["", f"{correct} correct and {count - correct} broken training submissions, {seeds} seed(s) each. "
              f"Child s: {t['timing_source']}. Load average {t['load']['before']} before, {t['load']['after']} "
              f"after, on {t['load']['cpus']} CPUs; the study took {t['seconds'] / 60:.1f} min.", ""]
    differ = differences_md(t["summary"])
    lines += ["Verdicts that differ from today's:", "", *differ, ""] if differ else \
        ["Every verdict of every budget equals today's.", ""]
    chosen, best, now = t["recommended"], t.get("quickest"), t["summary"][t["today"]]
    if chosen is None:
        lines.append(f"**Recommendation:** none: no budget, today's included, keeps every verdict of today's and a "
                     f"margin of {t['margin']:.2f} over the bar.")
    elif chosen != t["today"]:
        s = t["summary"][chosen]
        lines.append(f"**Recommendation:** {_name(chosen)} (pairs × epochs), the quickest budget whose verdicts equal "
                     f"today's on every submission and seed and whose lowest correct accuracy ({s['lowest_correct']:.3f}) "
                     f"clears 0.80 by at least {t['margin']:.2f}: its training child took {s['child_s']:.1f} s against "
                     f"{now['child_s']:.1f} s today.")
    else:
        s = t["summary"][best] if best else now
        saving = 1 - s["child_s"] / now["child_s"] if now["child_s"] else 0.0
        lines.append(f"**Recommendation:** keep today's {_name(chosen)}: the quickest budget whose verdicts equal "
                     f"today's and whose lowest correct accuracy keeps {t['margin']:.2f} over 0.80, {_name(best)}, "
                     f"takes {s['child_s']:.1f} s against {now['child_s']:.1f} s today, a saving of {saving:.0%}, "
                     f"under the {t['min_saving']:.0%} that counts as more than timing noise.")
    return "\n".join(lines)


def write_fragment(results: dict[str, Any], folder: Path) -> Path:
    """Write the study's Markdown fragment (``training_budget.md``) for the Performance page.

    Args:
        results: dict, benchmark results with a ``training_budget`` entry.
        folder: Path.

    Returns:
        Path, the written file.
    """
    from course.bench.report import write_generated

    return write_generated(folder, "training_budget.md", f"{summary_md(results)}\n",
                           source=f"{COMMAND} from training_budget.json")


def run(quick: bool, threads: int) -> dict[str, Any]:
    """Measure the study and wrap it as the bench wraps a section: command, date, machine, results.

    Args:
        quick: bool, CI's sizes (:meth:`BudgetConfig.quick`), recorded in the results.
        threads: int, the TensorFlow thread setting applied (0: TensorFlow's default).

    Returns:
        dict with ``command``, ``threads``, ``quick``, ``date``, ``machine``, ``training_budget``
        (:func:`measure`) and ``section_seconds``.
    """
    import datetime as dt

    from course.bench import machine

    study = BudgetConfig.quick() if quick else BudgetConfig()
    results: dict[str, Any] = {
        "command": COMMAND + (" --quick" if quick else "") + (f" --threads {threads}" if threads != 1 else ""),
        "threads": threads, "quick": quick,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "machine": machine.describe()}
    start = time.perf_counter()
    results["training_budget"] = measure(study, log=print)
    results["section_seconds"] = {"training_budget": time.perf_counter() - start}
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the study, or redraw its fragment from the committed results.

    Full runs write :data:`RESULTS` and the Performance page's fragment; ``--quick`` and ``--json``
    write elsewhere (the fragment next to the JSON, under ``generated/``), never over them.

    Args:
        argv: list of str or None (default: the command line).

    Returns:
        0.
    """
    import argparse
    import json

    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI's sizes, into a temporary folder")
    parser.add_argument("--json", type=Path, help=f"write the results here (default: {RESULTS.relative_to(REPO_ROOT)})")
    parser.add_argument("--threads", type=int, default=1,
                        help="TensorFlow inter-op and intra-op threads (0: TensorFlow's default)")
    parser.add_argument("--docs-only", action="store_true", help="measure nothing: redraw the fragment")
    args = parser.parse_args(argv)
    if args.docs_only:
        print(f"wrote {write_fragment(json.loads(RESULTS.read_text()), FRAGMENTS)}")
        return 0
    from course.quiet import start_tensorflow

    if not start_tensorflow(args.threads):  # TensorFlow started already (pytest)
        args.threads = 0
    out = args.json or (Path(tempfile.mkdtemp(prefix="lstm-study-")) / "results.json" if args.quick else RESULTS)
    results = run(args.quick, args.threads)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    fragment = write_fragment(results, FRAGMENTS if out.resolve() == RESULTS.resolve() else out.parent / "generated")
    print(fragment.read_text())
    print(f"wrote {out}\nwrote {fragment}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

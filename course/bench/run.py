"""Run the whole benchmark: the sections, their sizes, and where results go."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from course.bench import accuracy, data_paths, growth, machine, train_step
from course.impl import REPO_ROOT

#: Where the committed full results live.
RESULTS_DIR = REPO_ROOT / "docs" / "assets" / "bench"
RESULTS_JSON = RESULTS_DIR / "results.json"
#: Where the Markdown fragments that pages include live.
FRAGMENTS_DIR = REPO_ROOT / "docs" / "generated" / "bench"

ALL_STEPS = ["keras", "reference", "fast", "fast-unfolded", "fast-while", "fast-autodiff",
             "keras-unrolled", "keras-xla", "reference-xla", "fast-xla", "fast-unrolled-xla", "eager-loop"]


@dataclass
class Config:
    """The sizes of one benchmark run (full or quick)."""

    steps: list[str] = field(default_factory=lambda: list(ALL_STEPS))
    rounds: int = 15
    number: int = 10
    eager_number: int = 1
    growth_steps: list[str] = field(default_factory=lambda: ["keras", "reference", "fast"])
    seq_lens: list[int] = field(default_factory=lambda: [25, 50, 100, 200, 400])
    units_list: list[int] = field(default_factory=lambda: [16, 32, 64, 128, 256])
    growth_rounds: int = 3
    growth_number: int = 1
    pipeline_samples: int = 3200
    pipeline_rounds: int = 3
    starvation_batches: int = 250
    starvation_rounds: int = 5
    starvation_paths: list[str] = field(default_factory=lambda: ["per-sample", "batched", "tf-ops"])
    target: float = 0.95
    max_samples: int = 160_000
    eval_every: int = 50

    @classmethod
    def quick(cls) -> Config:
        """Small sizes for CI: every section runs, in well under a minute."""
        return cls(steps=["keras", "reference", "fast", "eager-loop"], rounds=3, number=2,
                   growth_steps=["fast"], seq_lens=[10, 20], units_list=[16],
                   growth_rounds=1, growth_number=1, pipeline_samples=640, pipeline_rounds=1,
                   starvation_batches=24, starvation_rounds=1, starvation_paths=["batched"],
                   target=0.6, max_samples=1280, eval_every=10)


def run(config: Config, *, quick: bool, log: Callable[[str], None] = print,
        sections: list[str] | None = None, threads: int = 0) -> dict[str, object]:
    """Measure every section and return the results as a JSON-ready dict.

    Args:
        config: Config, the sizes.
        quick: bool, recorded in the results (quick numbers are not for the docs).
        log: callable, receives one line per section as it starts.
        sections: list of section names to run (default: all).
        threads: int, the TensorFlow thread setting the caller applied (0 =
            TensorFlow's default), recorded in the results.

    Returns:
        dict with ``machine``, ``config`` and one entry per section.
    """
    # A plain --quick leaves grading out (CI runs it once, as ``--quick --only grading``, in its own test).
    only = f" --only {' '.join(sections)}" if sections else ""
    sections = sections or ["train_step", "growth", "pipelines", "time_to_accuracy", *([] if quick else ["grading"])]
    results: dict[str, object] = {
        "command": "lstm-course bench" + (" --quick" if quick else "") + only
                   + (f" --threads {threads}" if threads != 1 else ""),
        "threads": threads,
        "quick": quick,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine.describe(),
        "config": asdict(config),
    }
    timings: dict[str, float] = {}
    if "train_step" in sections:
        log("train step: every variant, interleaved")
        start = time.perf_counter()
        results["train_step"] = {
            "batch": 64, "seq_len": 25, "units": 32,
            "variants": train_step.measure(config.steps, rounds=config.rounds, number=config.number,
                                           eager_number=config.eager_number),
        }
        timings["train_step"] = time.perf_counter() - start
    if "growth" in sections:
        log("growth with T and H")
        start = time.perf_counter()
        results["growth"] = growth.measure(config.growth_steps, seq_lens=config.seq_lens,
                                           units_list=config.units_list, rounds=config.growth_rounds,
                                           number=config.growth_number)
        timings["growth"] = time.perf_counter() - start
    if "pipelines" in sections:
        log("data pipelines: throughput, then steps/s in train() against one cached batch")
        start = time.perf_counter()
        results["pipelines"] = {
            "seq_len": 25, "batch": 64, "samples": config.pipeline_samples,
            "throughput": data_paths.throughput(num_samples=config.pipeline_samples, rounds=config.pipeline_rounds),
            "starvation": data_paths.starvation(batches=config.starvation_batches, rounds=config.starvation_rounds,
                                                paths=config.starvation_paths),
        }
        timings["pipelines"] = time.perf_counter() - start
    if "time_to_accuracy" in sections:
        log(f"time to {config.target} validation accuracy")
        start = time.perf_counter()
        results["time_to_accuracy"] = accuracy.measure(target=config.target, max_samples=config.max_samples,
                                                       eval_every=config.eval_every)
        timings["time_to_accuracy"] = time.perf_counter() - start
    if "grading" in sections:
        from course.bench import grading

        log("grading: check, each part, a batch with --jobs 2, and where the time goes")
        start = time.perf_counter()
        results["grading"] = grading.measure(grading.GradingConfig.quick() if quick else grading.GradingConfig(),
                                             log=log)
        timings["grading"] = time.perf_counter() - start
    results["section_seconds"] = timings
    return results

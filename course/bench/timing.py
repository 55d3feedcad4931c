"""Timing that survives a noisy, shared machine: warm-up, interleaving, medians.

Each round runs every variant once, in a fresh random order, so a burst of
load from another process slows all variants of that round alike. The
median over rounds then drops the outliers, and ratios between variants of
the same run stay meaningful even when absolute times drift.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Timing:
    """Per-call times of one variant, in seconds.

    Attributes:
        name: str, the variant.
        samples: list of float, one per-call time per round.
    """

    name: str
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        """float, the median per-call time in seconds."""
        return statistics.median(self.samples)

    @property
    def spread(self) -> float:
        """float, the interquartile range relative to the median (0.1 = 10 %)."""
        if len(self.samples) < 4:
            return 0.0
        q1, _, q3 = statistics.quantiles(self.samples, n=4)
        return (q3 - q1) / self.median


def interleaved(
    variants: dict[str, Callable[[], object]],
    *,
    rounds: int = 7,
    number: int | dict[str, int] = 10,
    warmup: int = 3,
    seed: int = 0,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, Timing]:
    """Time several callables side by side.

    Args:
        variants: dict name -> callable taking no arguments; one call is one
            unit of work (a train step, a batch, ...).
        rounds: int, how many interleaved rounds; the median is over these.
        number: int, or dict name -> int, calls per round and variant; each
            round's sample is their mean (give slow variants fewer calls).
        warmup: int, untimed calls per variant before the first round
            (tracing, XLA compilation, caches).
        seed: int, seed for the order of variants within a round.
        clock: callable returning seconds as a float (default
            ``time.perf_counter``; tests pass a simulated clock).

    Returns:
        dict name -> :class:`Timing`.
    """
    order = list(variants)
    counts = {name: number[name] if isinstance(number, dict) else number for name in order}
    for name in order:
        for _ in range(warmup):
            variants[name]()
    timings = {name: Timing(name) for name in order}
    shuffle = random.Random(seed)
    for _ in range(rounds):
        shuffle.shuffle(order)
        for name in order:
            call, n = variants[name], counts[name]
            start = clock()
            for _ in range(n):
                call()
            timings[name].samples.append((clock() - start) / n)
    return timings

"""How a train step's cost grows with the sequence length T and the units H.

Per time step, an unrolled graph costs the same at every T, so a flat line
means the loop adds nothing but its steps; H shows where the matrix
products start to dominate the per-op overhead.
"""

from __future__ import annotations

from course.bench.timing import interleaved
from course.bench.train_step import VARIANTS, batch


def measure(names: list[str], *, seq_lens: list[int], units_list: list[int], units: int = 32,
            seq_len: int = 25, batch_size: int = 64, rounds: int = 3, number: int = 2) -> dict[str, object]:
    """Time the train step over a grid of T (at fixed H) and of H (at fixed T).

    Each sweep interleaves every (variant, size) pair in one run.

    Args:
        names: list of keys of :data:`course.bench.train_step.VARIANTS`.
        seq_lens: list of int, the T values of the first sweep.
        units_list: list of int, the H values of the second sweep.
        units: int, H during the T sweep.
        seq_len: int, T during the H sweep.
        batch_size: int, B.
        rounds: int, interleaved rounds.
        number: int, steps per round.

    Returns:
        ``{"seq_len": {"values", "units", "step_ms": {name: [...]}, "per_step_us": {name: [...]}},
        "units": {"values", "seq_len", "step_ms": {name: [...]}}}``.
    """
    result: dict[str, object] = {}
    for axis, values in (("seq_len", seq_lens), ("units", units_list)):
        calls = {}
        for value in values:
            t, h = (value, units) if axis == "seq_len" else (seq_len, value)
            noise, target = batch(batch_size, t)
            for name in names:
                step = VARIANTS[name][1](h, noise, target)
                calls[f"{name}@{value}"] = lambda step=step: step().numpy()
        timings = interleaved(calls, rounds=rounds, number=number, warmup=1)
        step_ms = {name: [timings[f"{name}@{v}"].median * 1e3 for v in values] for name in names}
        entry: dict[str, object] = {"values": values, "step_ms": step_ms}
        if axis == "seq_len":
            entry["units"] = units
            entry["per_step_us"] = {name: [ms * 1e3 / t for ms, t in zip(step_ms[name], values)] for name in names}
        else:
            entry["seq_len"] = seq_len
        result[axis] = entry
    return result

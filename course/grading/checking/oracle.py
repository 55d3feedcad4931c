"""The trusted parent's oracle: Keras' own LSTM, with the weights the parent chose, computed once per seed.

Each part that compares with Keras says how in its module's ``references``
(:mod:`course.grading.checking.parts`); this module computes them in the parent, never in
a child, caches them and hands them to a batch worker. It needs no reference solution.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from course.grading.checking.parts import module as part_module
from course.grading.checking.checks import RUN_PARTS

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def compares(part: str) -> bool:
    """Tell whether a run part's checks compare with Keras (its module defines ``references``).

    Args:
        part: str, a run part.

    Returns:
        bool.
    """
    return hasattr(part_module(part), "references")


@functools.lru_cache(maxsize=16)
def keras_references(part: str, seed: int) -> dict[str, Any]:
    """Keras' references for the inputs of ``part`` drawn from ``seed``, computed once per process.

    The inputs are a function of the part and the seed (:func:`make_inputs`), so a process
    that grades many submissions with one seed (the mutant and outside corpora, a batch
    worker's tests, ``grade --seed``) asks Keras once; a batch parent asks it for every
    submission's seed and hands the answers to the worker (:func:`save_references`). The
    arrays are read-only, since every grading that hits the cache shares them. The cache
    lives only in this trusted process: on disk, a submission graded without a sandbox could
    rewrite the answers it is judged by.

    Args:
        part: str, a part that :func:`compares` with Keras (``cell``, ``layer``).
        seed: int.

    Returns:
        dict of name to read-only array (the part module's ``references``).
    """
    from course.grading.checking.inputs import make_inputs

    made = part_module(part).references(make_inputs(part, seed).arrays)
    for value in made.values():
        value.flags.writeable = False
    return made


def save_references(path: Path, parts: Iterable[str], seed: int) -> None:
    """Write Keras' references for the Keras-compared ``parts`` at ``seed`` into one ``.npz``.

    The batch parent (trusted, TensorFlow loaded once) writes it into the scratch folder of
    the worker that grades one submission; no student code can see that folder.

    Args:
        path: Path, the ``.npz`` to write.
        parts: the run parts graded.
        seed: int, the seed of the submission's inputs.
    """
    arrays = {f"{part}/{name}": value for part in RUN_PARTS if part in set(parts) and compares(part)
              for name, value in keras_references(part, seed).items()}
    np.savez(path, **arrays)


def load_references(path: Path) -> dict[str, dict[str, Any]]:
    """Read what :func:`save_references` wrote.

    Args:
        path: Path, the ``.npz``.

    Returns:
        dict of part to dict of name to read-only array.
    """
    made: dict[str, dict[str, Any]] = {}
    with np.load(path, allow_pickle=False) as stored:
        for key in stored.files:
            part, name = key.split("/", 1)
            value = stored[key]
            value.flags.writeable = False
            made.setdefault(part, {})[name] = value
    return made

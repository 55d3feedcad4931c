"""The course notebooks run from a fresh kernel, and the committed copies carry their outputs."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from course.figures.notebooks import execute, notebooks

NOTEBOOKS = notebooks()


def test_at_least_three_notebooks() -> None:
    """Three chapters have a notebook."""
    assert len(NOTEBOOKS) >= 3, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_outputs(path: Path) -> None:
    """The site renders the committed notebook as it is, so every code cell must show its outputs."""
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs for cell in code), f"{path.name}: run `lstm-course figures` to execute it"
    assert not any(o.output_type == "error" for cell in code for o in cell.outputs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_imports_the_course_code(path: Path) -> None:
    """Notebooks import the tested code (``course.impl.load``), they don't copy it."""
    source = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")
    assert re.search(r"^from course\.impl import load$", source, re.M)
    assert "class LSTMCell" not in source and "def integration_task" not in source


@pytest.fixture(scope="module")
def executed() -> dict[Path, nbformat.NotebookNode | BaseException]:
    """Run every notebook in its own fresh kernel, all at once (each kernel spends most of its
    time importing TensorFlow on one core).

    Returns:
        Each notebook's executed copy, or the exception its execution raised.
    """
    with ThreadPoolExecutor(max_workers=len(NOTEBOOKS)) as pool:
        futures = {path: pool.submit(execute, path, write=False, timeout=120) for path in NOTEBOOKS}
    return {path: future.exception() or future.result() for path, future in futures.items()}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path: Path, executed: dict) -> None:
    """Every cell runs without an error in a fresh kernel, and prints what the committed copy printed."""
    result = executed[path]
    if isinstance(result, BaseException):
        raise result
    committed = nbformat.read(path, as_version=4)
    for new, old in zip(result.cells, committed.cells):
        if new.cell_type != "code":
            continue
        assert not any(o.output_type == "error" for o in new.outputs), new.source
        # The same printed lines (stderr aside: warnings come and go), and the same numbers within a
        # tolerance, except timings, which depend on the machine's load.
        words, numbers = _printed(new)
        assert words == _printed(old)[0], new.source
        far = [(a, b) for a, b in zip(numbers, _printed(old)[1]) if not _close(a, b)]
        assert not far, f"{path.name}: numbers moved (new, committed): {far} in\n{new.source}"


#: A number as a notebook prints it; a timing is a number followed by its unit or a speed-up's "x".
NUMBER = re.compile(r"[-+]?\d[\d.,e+-]*")
TIMING = re.compile(r"[-+]?\d[\d.,e+-]*(?= ?(?:ms|s|x)\b)")
#: How far a printed number may move between runs: float noise (1e-3) plus 2 % (sampled statistics).
ATOL, RTOL = 1e-3, 0.02


def _printed(cell: nbformat.NotebookNode) -> tuple[list[str], list[str]]:
    """What a code cell printed on stdout: its lines with every number replaced by ``#``, and its
    numbers in order (timings left out).

    Args:
        cell: an executed code cell.

    Returns:
        ``(lines with numbers masked, numbers other than timings)``.
    """
    text = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
    numbers = NUMBER.findall(TIMING.sub("", text))
    return [NUMBER.sub("#", line) for line in text.splitlines()], numbers


def _close(new: str, committed: str) -> bool:
    """Tell whether two printed numbers agree within :data:`ATOL` and :data:`RTOL`.

    Args:
        new: str, as printed now.
        committed: str, as printed in the committed notebook.

    Returns:
        bool; numbers that do not parse must be equal as text.
    """
    try:
        a, b = float(new.replace(",", "")), float(committed.replace(",", ""))
    except ValueError:
        return new == committed
    return abs(a - b) <= ATOL + RTOL * abs(b)


def test_printed_numbers_are_compared_and_timings_are_not() -> None:
    """The comparison above on hand-made outputs: a moved statistic fails, float noise and a timing pass."""
    def cell(text: str) -> nbformat.NotebookNode:
        return nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("stream", name="stdout", text=text)])

    committed = _printed(cell("mean forget gate: 0.730\nmax |h - h_keras| = 1.8e-08\nloop: 79.3 ms, 25x\n"))
    noisy = _printed(cell("mean forget gate: 0.731\nmax |h - h_keras| = 0\nloop: 12.0 ms, 6x\n"))
    moved = _printed(cell("mean forget gate: 0.750\nmax |h - h_keras| = 0\nloop: 79.3 ms, 25x\n"))
    assert noisy[0] == committed[0] and all(_close(a, b) for a, b in zip(noisy[1], committed[1]))
    assert not all(_close(a, b) for a, b in zip(moved[1], committed[1]))

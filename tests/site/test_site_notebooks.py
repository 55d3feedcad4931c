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
        # The same printed lines, up to numbers (timings differ) and stderr (warnings come and go).
        assert _printed(new) == _printed(old), new.source


def _printed(cell: nbformat.NotebookNode) -> list[str]:
    """The words a code cell printed on stdout, with every number replaced by ``#``.

    Args:
        cell: an executed code cell.

    Returns:
        Its stdout lines, numbers masked.
    """
    text = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
    return [re.sub(r"[-+]?\d[\d.,e+-]*", "#", line) for line in text.splitlines()]

"""Execute the course notebooks with nbclient, so the site shows real, current outputs."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from course.impl import REPO_ROOT
from course.tf_noise import is_tensorflow_startup_line

#: The notebooks that mkdocs-jupyter renders, committed with their outputs.
NOTEBOOK_DIR: Path = REPO_ROOT / "docs" / "notebooks"


def notebooks() -> list[Path]:
    """List the course notebooks.

    Returns:
        The ``.ipynb`` files under :data:`NOTEBOOK_DIR`, sorted.
    """
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def execute(path: Path, write: bool = False, timeout: int = 120) -> nbformat.NotebookNode:
    """Run every cell of a notebook in a fresh kernel, from the repository's root.

    Args:
        path: Path, the notebook.
        write: bool, save the executed notebook (with outputs) over ``path``.
        timeout: int, seconds allowed per cell.

    Returns:
        The executed notebook.

    Raises:
        NotebookStub: when a cell stopped at an exercise that is still a stub (the student
            release runs the notebooks on ``exercises/``).
        nbclient.exceptions.CellExecutionError: when a cell raises anything else.
    """
    notebook = nbformat.read(path, as_version=4)
    # The kernel inherits the environment: keep TensorFlow's C++ start-up chatter out of the outputs.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO_ROOT)}})
    try:
        # The kernel's own stderr (TensorFlow's start-up lines, a transport warning) is not
        # for the terminal; what its cells print still reaches their outputs.
        client.execute(stderr=subprocess.DEVNULL)
    except CellExecutionError as error:
        stub = STUB_LINE.search(" ".join(str(error).split()))
        if stub is None:
            raise
        raise NotebookStub(f"{stub[0]} (in {path.name})") from None
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not _is_log_noise(o)]
    if write:
        for cell in notebook.cells:  # execution timestamps would change the file on every run
            cell.get("metadata", {}).pop("execution", None)
        nbformat.write(notebook, path)
    return notebook


class NotebookStub(NotImplementedError):
    """A notebook stopped at an exercise that is not written yet (the message is one line)."""


#: The line :func:`course.unfinished.stub_message` prints, found in a failed cell's output.
STUB_LINE = re.compile(r"[\w.]+ \(exercises/\w+\.py\) is not written yet: .*? explains it\.")



def _is_log_noise(output: nbformat.NotebookNode) -> bool:
    """Tell whether an output is only TensorFlow's start-up logging on stderr.

    Args:
        output: one output of a code cell.

    Returns:
        True for a stderr stream whose every line is start-up logging.
    """
    if output.get("output_type") != "stream" or output.get("name") != "stderr":
        return False
    lines = [line for line in output.get("text", "").splitlines() if line.strip()]
    return all(is_tensorflow_startup_line(line) for line in lines)


def output_lines(path: Path, prefix: str) -> list[str]:
    """Return the committed output lines of a notebook that start with ``prefix``.

    Pages quote numbers from executed notebooks through this, so the number on the page is
    the one in the committed notebook.

    Args:
        path: Path, the notebook (not executed again).
        prefix: str, the start of the lines to keep.

    Returns:
        The matching lines of every stdout stream, in order.
    """
    notebook = nbformat.read(path, as_version=4)
    lines = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "stream" and output.get("name") == "stdout":
                lines += [line for line in output["text"].splitlines() if line.startswith(prefix)]
    return lines


def write_speed_fragment(fragment: Path) -> Path:
    """Write the graph-mode notebook's eager-vs-graph timing line to a text file pages include.

    Args:
        fragment: Path, the text file to write.

    Returns:
        ``fragment``.

    Raises:
        ValueError: when the committed notebook has no timing line (it was not executed).
    """
    lines = output_lines(NOTEBOOK_DIR / "graph-mode.ipynb", "eager Python loop:")
    if not lines:
        raise ValueError("docs/notebooks/graph-mode.ipynb has no timing output: run `lstm-course figures`")
    fragment.parent.mkdir(parents=True, exist_ok=True)
    fragment.write_text(lines[-1] + "\n")
    return fragment

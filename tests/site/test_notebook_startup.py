"""Notebooks start TensorFlow through ``course.notebook.setup()``, before anything imports it (issue 24).

``setup()`` imports TensorFlow with descriptor 2 silenced (:mod:`course.quiet`). A cell that
imports ``tensorflow`` or ``keras`` first makes the kernel print TensorFlow's start-up block
on the terminal of whoever runs ``jupyter nbconvert --execute`` (twice, on some machines).
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from course.figures.notebooks import notebooks

#: Top-level packages whose import starts TensorFlow.
STARTS_TENSORFLOW = frozenset({"tensorflow", "keras"})


def _first_tensorflow_event(source: str) -> str | None:
    """What a piece of code does first of: import TensorFlow, or call ``setup()``.

    Args:
        source: str, the code of a notebook cell.

    Returns:
        ``"import"``, ``"setup"`` or None when it does neither.
    """
    for node in _in_order(ast.parse(source)):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in STARTS_TENSORFLOW for a in node.names):
            return "import"
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in STARTS_TENSORFLOW:
            return "import"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setup":
            return "setup"
    return None


def _in_order(tree: ast.AST) -> list[ast.AST]:
    """Every node of a tree in source order (statement by statement, depth first).

    Args:
        tree: ast.AST.

    Returns:
        list of nodes.
    """
    nodes = [node for node in ast.walk(tree) if hasattr(node, "lineno")]
    return sorted(nodes, key=lambda node: (node.lineno, node.col_offset))


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_setup_starts_tensorflow_before_any_import(path: Path) -> None:
    events = [_first_tensorflow_event(cell.source) for cell in nbformat.read(path, as_version=4).cells
              if cell.cell_type == "code"]
    first = next((event for event in events if event), None)
    assert first == "setup", f"{path.name}: call course.notebook.setup() before importing tensorflow or keras"


def test_the_check_sees_an_import_before_setup() -> None:
    assert _first_tensorflow_event("import keras\nfrom course.notebook import setup\nimpl = setup()") == "import"
    assert _first_tensorflow_event("from tensorflow import keras\nsetup()") == "import"
    assert _first_tensorflow_event("from course.notebook import setup\nname = setup()\nimport keras") == "setup"

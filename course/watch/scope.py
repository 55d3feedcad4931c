"""Which run parts load a changed file, read from how the grading child imports a submission.

:func:`course.grading.running.child.load` imports, for each run part, the part's own file
and whatever that file imports from the submission, except where the grader stands in:

| part | own file | the grader's stand-ins (the student's file is not run) |
|---|---|---|
| data | ``data.py`` | none |
| cell | ``cell.py`` | none |
| layer | ``layer.py`` | none (its ``cell.py`` is the student's, or a stand-in when it breaks: it matters either way) |
| model | ``model.py`` | ``cell.py``, ``layer.py`` (unless the model needs the student's own stack: ``import.student_stack``) |
| training | ``train.py`` | ``cell.py``, ``layer.py``; ``data.py`` is the student's behind a pass-through ``prepare`` |

A part therefore depends on its own file and on every submission module reachable from it
through relative imports (``from .model import IntegrationModel``, ``from . import helpers``), not
through the stand-ins; ``train.py``'s ``from .data import prepare`` runs none of ``data.py``. ``__init__.py`` never runs (:func:`course.grading.running.child.bare_package`).
Where the source cannot tell (a dynamic import, or a data file that code may read), every
part is regraded: more, never less. ``rules`` and ``answers`` are judged from the source on
every regrade anyway; they cost nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

from course.grading.checking.checks import RUN_PARTS

#: Each run part's own file.
OWN_FILE: dict[str, str] = {"data": "data.py", "cell": "cell.py", "layer": "layer.py", "model": "model.py",
                            "training": "train.py"}
#: Files each part reads through grader stand-ins instead of running them.
STOOD_IN: dict[str, frozenset[str]] = {"data": frozenset(), "cell": frozenset(), "layer": frozenset(),
                                       "model": frozenset({"cell.py", "layer.py"}),
                                       "training": frozenset({"cell.py", "layer.py"})}
#: Names the grader provides itself in a part's stand-in for a file: importing only these runs none of it
#: (the training part's ``data`` is the student's module behind the grader's ``prepare`` and task sizes).
PROVIDED: dict[str, dict[str, frozenset[str]]] = {"training": {"data.py": frozenset({"prepare", "SEQ_LEN",
                                                                                     "NUM_SAMPLES"})}}
#: Files no run part executes: they reach the static checks only.
NEVER_RUN: frozenset[str] = frozenset({"__init__.py", "answers.md"})
#: Calls that import by name at run time: the source cannot tell which module.
DYNAMIC_IMPORTS: frozenset[str] = frozenset({"import_module", "__import__", "exec", "spec_from_file_location",
                                             "run_path", "SourceFileLoader"})
#: What a file with a dynamic import counts as importing: everything.
EVERYTHING = "*"
#: The names imported from a module when the module itself is imported (``from . import data``): any.
WHOLE = frozenset({"*"})


def sibling_imports(source: str) -> dict[str, frozenset[str]]:
    """The submission's own modules a file imports, as file names, with the names it takes from each.

    Args:
        source: str, the file's text.

    Returns:
        dict of file name (``"data.py"``) to the names imported from it (:data:`WHOLE` for the module
        itself); ``{EVERYTHING: WHOLE}`` when it also imports by a name known only at run time; empty
        when it does not parse (it fails at import, importing nothing).
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            if node.module:  # from .data import prepare / from .helpers.x import y
                names = {alias.name for alias in node.names} if "." not in node.module else set(WHOLE)
                found.setdefault(f"{node.module.split('.')[0]}.py", set()).update(names)
            else:  # from . import data, helpers
                for alias in node.names:
                    found.setdefault(f"{alias.name}.py", set()).update(WHOLE)
        elif isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in DYNAMIC_IMPORTS:
                found[EVERYTHING] = set(WHOLE)
    return {name: frozenset(names) for name, names in found.items()}


def imports_of(folder: Path) -> dict[str, dict[str, frozenset[str]]]:
    """Each Python file of the package root and the submission files it imports.

    Args:
        folder: Path, the package root.

    Returns:
        dict of file name to its :func:`sibling_imports`.
    """
    graph: dict[str, dict[str, frozenset[str]]] = {}
    for path in sorted(folder.glob("*.py")):
        try:
            graph[path.name] = sibling_imports(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            graph[path.name] = {}
    return graph


def files_of(part: str, graph: dict[str, dict[str, frozenset[str]]], *,
             student_stack: bool = False) -> set[str] | None:
    """Every submission file the part runs: its own and all it reaches, past the stand-ins.

    Args:
        part: str, a run part.
        graph: dict, :func:`imports_of` the package root.
        student_stack: bool, whether the model part last needed the student's own cell and layer.

    Returns:
        set of file names, or None when a reached file imports dynamically (the part may run anything).
    """
    stood_in = set() if part == "model" and student_stack else STOOD_IN[part]
    provided = PROVIDED.get(part, {})
    start = {OWN_FILE[part], "cell.py"} if part == "layer" else {OWN_FILE[part]}
    reached, todo = set(start), list(start)
    while todo:
        for imported, names in graph.get(todo.pop(), {}).items():
            if imported == EVERYTHING:
                return None
            if imported in stood_in or imported in reached or names <= provided.get(imported, frozenset()):
                continue
            reached.add(imported)
            todo.append(imported)
    return reached


def parts_to_regrade(edited: set[str], folder: Path, selected: tuple[str, ...], *,
                     student_stack: bool = False) -> tuple[str, ...]:
    """The run parts a save concerns, those whose own file changed first.

    Args:
        edited: set of file names whose content changed.
        folder: Path, the package root (its current files are read for their imports).
        selected: tuple of str, the run parts the watcher grades.
        student_stack: bool, whether the model part last needed the student's own cell and layer.

    Returns:
        tuple of str, a subset of ``selected``: first the parts whose own file was edited, then
        the others that run an edited file (or might), each group in ``selected`` order.
    """
    if not edited or edited <= NEVER_RUN:
        return ()
    if any(not name.endswith(".py") and name not in NEVER_RUN for name in edited):
        concerned = set(selected)  # a data file: any part's code may read it
    else:
        graph = imports_of(folder)
        concerned = set()
        for part in selected:
            runs = files_of(part, graph, student_stack=student_stack)
            if runs is None or runs & edited:
                concerned.add(part)
    own = [part for part in selected if part in concerned and OWN_FILE[part] in edited]
    return (*own, *(part for part in selected if part in concerned and part not in own))


def ordered(parts: tuple[str, ...] | None) -> tuple[str, ...]:
    """The run parts the watcher grades, in the course's order.

    Args:
        parts: tuple of str or None (every run part).

    Returns:
        tuple of str.
    """
    return tuple(p for p in RUN_PARTS if parts is None or p in parts)

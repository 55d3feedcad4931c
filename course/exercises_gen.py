"""Generate ``exercises/`` from ``solutions/``: the solutions are the master.

As nbgrader does, only what lies between ``# BEGIN SOLUTION: <what>`` and
``# END SOLUTION`` is replaced, by a ``TODO`` that names the chapter to read and a
``raise NotImplementedError``; signatures, docstrings and type hints stay. The docs'
snippet markers (``# --8<--``) are dropped, and ``answers.md`` becomes a template
with the two questions.
"""

from __future__ import annotations

import re
from pathlib import Path

from course.impl import REPO_ROOT

#: The chapter that explains each file: (title, page).
CHAPTERS: dict[str, tuple[str, str]] = {
    "data.py": ("Generators and tf.data", "docs/data.md"),
    "cell.py": ("LSTM gates", "docs/gates.md"),
    "layer.py": ("Unrolling in graph mode", "docs/graph-mode.md"),
    "model.py": ("The model and training", "docs/training.md"),
    "train.py": ("The model and training", "docs/training.md"),
}
#: Files copied as they are.
VERBATIM: tuple[str, ...] = ("__init__.py",)

_BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION: (?P<what>.+?)\s*$")
_END = re.compile(r"^\s*# END SOLUTION\s*$")
_SNIPPET = re.compile(r"^\s*# --8<--")
_DEF = re.compile(r"^(?P<indent>\s*)(?:async\s+)?(?P<kind>def|class)\s+(?P<name>\w+)")


def _enclosing(lines: list[str], index: int) -> str:
    """Name the function (``Class.method`` for a method) that holds line ``index``.

    Args:
        lines: the file's lines.
        index: int, a line inside the function's body.

    Returns:
        str, e.g. ``"LSTMCell.call"``.
    """
    names: list[str] = []
    limit = len(lines[index]) - len(lines[index].lstrip())
    for line in reversed(lines[:index]):
        match = _DEF.match(line)
        if match and len(match.group("indent")) < limit:
            names.append(match.group("name"))
            limit = len(match.group("indent"))
            if limit == 0:
                break
    return ".".join(reversed(names)) or "module"


def blank(source: str, file: str) -> str:
    """Turn one solution file into its exercise.

    Args:
        source: str, the solution's text.
        file: str, its file name (chooses the chapter).

    Returns:
        str, the exercise's text.

    Raises:
        ValueError: on a BEGIN without END (or the reverse).
    """
    title, page = CHAPTERS[file]
    lines = source.splitlines()
    out: list[str] = []
    inside = False
    for index, line in enumerate(lines):
        begin = _BEGIN.match(line)
        if begin:
            if inside:
                raise ValueError(f"{file}:{index + 1}: nested BEGIN SOLUTION")
            inside = True
            indent, what = begin.group("indent"), begin.group("what")
            function = _enclosing(lines, index)
            out.append(f'{indent}# TODO: {what} (see the chapter "{title}", {page})')
            out.append(f"{indent}raise NotImplementedError({f'{function}: {what}'!r})")
        elif _END.match(line):
            if not inside:
                raise ValueError(f"{file}:{index + 1}: END SOLUTION without BEGIN")
            inside = False
        elif not inside and not _SNIPPET.match(line):
            out.append(line)
    if inside:
        raise ValueError(f"{file}: BEGIN SOLUTION without END")
    return "\n".join(out) + "\n"


def answers_template(solution: str) -> str:
    """Keep the answers' headings, drop the answers.

    Args:
        solution: str, the reference ``answers.md``.

    Returns:
        str, the template.
    """
    out = []
    for line in solution.splitlines():
        if line.startswith("#"):
            if out:
                out.append("")
            out.append(line)
            if line.startswith("## "):
                out += ["", "<!-- Your answer here: say what you would do and why. -->"]
    return "\n".join(out) + "\n"


def render(solutions: Path = REPO_ROOT / "solutions") -> dict[str, str]:
    """Compute every exercise file from the solutions.

    Args:
        solutions: Path, the reference folder.

    Returns:
        dict of file name to text.
    """
    files = {name: blank((solutions / name).read_text(), name) for name in CHAPTERS}
    files.update({name: (solutions / name).read_text() for name in VERBATIM})
    files["answers.md"] = answers_template((solutions / "answers.md").read_text())
    return files


def stale(exercises: Path = REPO_ROOT / "exercises", solutions: Path = REPO_ROOT / "solutions") -> list[str]:
    """List the exercise files that differ from what the solutions generate.

    Args:
        exercises: Path, the exercises folder.
        solutions: Path, the reference folder.

    Returns:
        list of file names (empty when up to date).
    """
    return [name for name, text in render(solutions).items()
            if not (exercises / name).is_file() or (exercises / name).read_text() != text]


def write(exercises: Path = REPO_ROOT / "exercises", solutions: Path = REPO_ROOT / "solutions") -> list[str]:
    """Regenerate the exercises, writing only files that change.

    Args:
        exercises: Path, the exercises folder.
        solutions: Path, the reference folder.

    Returns:
        list of the file names written.
    """
    exercises.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render(solutions).items():
        path = exercises / name
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
            written.append(name)
    return written

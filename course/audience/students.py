"""The students' view of a page: every worked solution gives way to the student's own skeleton.

A chapter written for instructors shows the reference in collapsible blocks,
``??? success "Solution: ..."``, whose code comes from ``solutions/`` through
``pymdownx.snippets``. The students' view (:func:`students_page`) turns each such block into

- an exercise box that shows the function as it stands in ``exercises/`` (its signature,
  docstring and ``TODO``), through a ``<!-- skeleton: FILE NAME -->`` marker that
  :func:`expand_skeletons` fills in at build time, so the box follows the student's file;
- or, for a block of written answers, a note that names the exercise's part and its
  ``lstm-course check`` command.

Every other snippet under ``solutions/`` is pointed at the same file in ``exercises/``, and a
code box whose file the students never see (the course's fast LSTM) becomes a note. Prose is
left as it is. The site's hook (``docs/hooks/audience.py``) and the student release
(:mod:`course.release.build`) both call this module, so the two cannot differ.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

from course.grading.checking.checks import PART_FILE, PARTS

#: Code the students' view never includes: the reference, and the fast LSTM and the benchmarks
#: built on it (a complete LSTM answers the exercises as well as the reference does).
INSTRUCTOR_ONLY_CODE: tuple[str, ...] = ("solutions", "course/fast", "course/bench")
#: Appended where a page names a path or command the student release does not have.
INSTRUCTOR_ONLY = "instructor-only: not in the student release"

SNIPPET = re.compile(r'(?P<indent>^[ \t]*)--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[^"]*))?"\s*$')
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)")
ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)\s+\w+')
SOLUTION_BLOCK = re.compile(r'^(?P<indent>[ \t]*)\?\?\?\+?\s+success\b.*$')
#: A page's list of the grader's checks (docs/hooks/grader_checks.py fills it in).
CHECKS_MARKER = re.compile(r"<!-- checks: (?P<names>[\w. ]+?) -->")
#: Where the students' view shows a function of the student's file.
SKELETON = re.compile(r"^(?P<indent>[ \t]*)<!-- skeleton: (?P<path>\S+) (?P<name>[\w.]+) -->[ \t]*$", re.M)

YOUR_TURN = ('{indent}!!! example "Your turn: {names} (`{path}`)"\n\n'
             '{indent}    The worked solution is not on the students\' site. Here is {what} as it stands in\n'
             '{indent}    your `{path}`: the signature and docstring say what to write where the `TODO` is.\n'
             '{indent}    Check it with `{command}`.\n\n')
ANSWERS_NOTE = ('{indent}!!! info "Solution"\n\n'
                '{indent}    The worked answers are not on the students\' site; your instructor publishes them '
                'after the deadline. Work them out{exercise}, and check your code with `{command}`.\n')
WITHHELD_NOTE = ('{indent}!!! note "Instructor-only code"\n'
                 '{indent}    On the instructors\' site this box shows `{path}` ({instructor_only}): the code '
                 'of the course\'s own fast LSTM, which would answer the exercises.\n')


def students_see(path: str) -> bool:
    """Whether the students' view may include a repository file in a page.

    Args:
        path: str, a snippet's path relative to the repository.

    Returns:
        False for the reference and the instructor-only code (:data:`INSTRUCTOR_ONLY_CODE`).
    """
    return not any(path == folder or path.startswith(folder + "/") for folder in INSTRUCTOR_ONLY_CODE)


def check_command(parts: list[str]) -> str:
    """The command that checks some parts of the exercises.

    Args:
        parts: list of str, grader parts (``cell``, ``model``); empty for every part.

    Returns:
        ``lstm-course check --parts cell,layer``, or ``lstm-course check``.
    """
    return f"lstm-course check --parts {','.join(parts)}" if parts else "lstm-course check"


def part_of(exercise_file: str) -> str | None:
    """The grader part that tests an exercise file.

    Args:
        exercise_file: str, e.g. ``exercises/train.py``.

    Returns:
        ``training``, or None for a file no part imports.
    """
    name = Path(exercise_file).name
    return next((part for part, file in PART_FILE.items() if file == name), None)


def section_name(source: str, section: str) -> str:
    """The qualified name of the function or class a snippet section of a file holds.

    Args:
        source: str, a Python file with ``# --8<-- [start:SECTION]`` markers.
        section: str, the section's name.

    Returns:
        The name, e.g. ``LSTMCell.__init__``.

    Raises:
        ValueError: when the section is missing or holds no definition.
    """
    start = next((number for number, line in enumerate(source.splitlines(), 1)
                  if line.strip() == f"# --8<-- [start:{section}]"), None)
    if start is None:
        raise ValueError(f"no snippet section {section!r}")
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        """Record every definition after the marker, with its dotted name."""
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                if first > start:
                    found.append((first, prefix + child.name))
                visit(child, prefix + child.name + ".")

    visit(ast.parse(source), "")
    if not found:
        raise ValueError(f"snippet section {section!r} holds no definition")
    return min(found)[1]


def skeleton(source: str, name: str) -> str:
    """The source of one function or class of a file, decorators included, dedented.

    Args:
        source: str, a Python file.
        name: str, a dotted name such as ``LSTMCell.call``.

    Returns:
        The definition's code.

    Raises:
        ValueError: when the file does not define ``name``.
    """
    scope: ast.AST = ast.parse(source)
    for part in name.split("."):
        scope = next((node for node in ast.iter_child_nodes(scope)
                      if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                      and node.name == part), None)
        if scope is None:
            raise ValueError(f"no definition of {name}")
    first = min([scope.lineno, *(d.lineno for d in scope.decorator_list)])
    lines = source.splitlines()[first - 1:scope.end_lineno]
    return textwrap.dedent("\n".join(lines))


def expand_skeletons(markdown: str, root: Path) -> str:
    """Replace every skeleton marker with a code box of that function from the student's file.

    Args:
        markdown: str, a page.
        root: Path, the folder the marker's path is relative to (the repository).

    Returns:
        The page with the code boxes.

    Raises:
        ValueError: when the file or the function is missing (a strict build stops).
    """
    def box(match: re.Match[str]) -> str:
        """One marker's code box, at the marker's indentation."""
        file = root / match["path"]
        if not file.is_file():
            raise ValueError(f"skeleton marker names {match['path']}, which does not exist")
        code = ["```python", *skeleton(file.read_text(), match["name"]).splitlines(), "```"]
        return "\n".join((match["indent"] + line) if line else "" for line in code)

    return SKELETON.sub(box, markdown)


def closes_box(line: str, fence: str) -> bool:
    """Tell whether ``line`` closes a code box opened with ``fence`` (the fence alone on it).

    Args:
        line: str, a page's line.
        fence: str, the opening fence, e.g. three backticks.

    Returns:
        bool.
    """
    return line.strip().startswith(fence) and not line.strip()[len(fence):]


def closing_line(lines: list[str], start: int, fence: str) -> int | None:
    """The index of the line that closes the box opened at ``lines[start]``, or None when none does.

    Args:
        lines: list of str, a page's lines.
        start: int, the index of the opening line.
        fence: str, its fence.

    Returns:
        int or None.
    """
    return next((j for j in range(start + 1, len(lines)) if closes_box(lines[j], fence)), None)


def _block_end(lines: list[str], start: int) -> int:
    """The index just past an admonition's body (its more-indented and blank lines).

    Args:
        lines: list of str, a page's lines.
        start: int, the index of the admonition's first line.

    Returns:
        int.
    """
    indent = len(lines[start].expandtabs()) - len(lines[start].expandtabs().lstrip())
    end = start + 1
    while end < len(lines) and (not lines[end].strip()
                                or len(lines[end].expandtabs()) - len(lines[end].expandtabs().lstrip()) > indent):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():  # trailing blank lines stay with the page
        end -= 1
    return end


def _parts_of_marker(names: str) -> list[str]:
    """The grader parts a checks marker covers.

    Args:
        names: str, the marker's names (parts, check names, or ``all``).

    Returns:
        Parts, in the grader's order; empty for ``all``.
    """
    named = {name.split(".")[0] for name in names.split()}
    return [part for part in PARTS if part in named]


def _replace_solution(block: list[str], indent: str, solutions_root: Path | None, parts: list[str]) -> str:
    """What the students see instead of one solution block.

    Args:
        block: list of str, the block's lines, title first.
        indent: str, the block's indentation.
        solutions_root: Path or None, the folder that holds ``solutions/``, to name the
            functions its snippet sections hold (None: the reference is not at hand).
        parts: list of str, the parts of the page's latest checks marker, for a note.

    Returns:
        An exercise box with skeleton markers, or a note.
    """
    snippets = [m for line in block if (m := SNIPPET.match(line)) and m["path"].startswith("solutions/")
                and m["section"] and not m["section"][0].isdigit()]
    files = {m["path"] for m in snippets}
    if not snippets or len(files) > 1 or solutions_root is None or not (solutions_root / snippets[0]["path"]).is_file():
        files = [f"`exercises/{PART_FILE[part]}`" for part in parts if part in PART_FILE]
        exercise = f" (the exercise above: {' and '.join(files)})" if files else ""
        return ANSWERS_NOTE.format(indent=indent, exercise=exercise, command=check_command(parts))
    path = snippets[0]["path"]
    source = (solutions_root / path).read_text()
    names = [section_name(source, m["section"]) for m in snippets]
    exercise = "exercises/" + path.removeprefix("solutions/")
    part = part_of(exercise)
    head = YOUR_TURN.format(indent=indent, names=" and ".join(f"`{n}`" for n in names), path=exercise,
                            what="the function" if len(names) == 1 else "each function",
                            command=check_command([part] if part else []))
    markers = "\n".join(f"{indent}    <!-- skeleton: {exercise} {name} -->\n" for name in names)
    return head + markers


def replace_solutions(lines: list[str], solutions_root: Path | None) -> list[str]:
    """Replace every ``??? success`` block with what the students see instead.

    Args:
        lines: list of str, a page's lines (with their line ends).
        solutions_root: Path or None, as for :func:`_replace_solution`.

    Returns:
        The lines.
    """
    out: list[str] = []
    parts: list[str] = []
    i = 0
    while i < len(lines):
        marker = CHECKS_MARKER.search(lines[i])
        if marker:
            parts = _parts_of_marker(marker["names"])
        match = SOLUTION_BLOCK.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        end = _block_end(lines, i)
        out.append(_replace_solution(lines[i:end], match["indent"], solutions_root, parts))
        i = end
    return out


def retarget_snippets(lines: list[str]) -> list[str]:
    """Point every snippet path under ``solutions/`` at ``exercises/``; leave all other text alone.

    Args:
        lines: list of str, a page's lines.

    Returns:
        The lines, with only the snippet lines changed.
    """
    return [line.replace('"solutions/', '"exercises/', 1) if SNIPPET.match(line) else line for line in lines]


def withhold_missing(lines: list[str], available: Callable[[str], bool]) -> list[str]:
    """Replace every code box whose snippets name files the students may not see with a note.

    Args:
        lines: list of str, a page's lines.
        available: callable telling whether a snippet's file may be shown.

    Returns:
        The lines; a fence holding such a snippet becomes an admonition at its indent
        (a box holding nothing would be an empty code box).
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening:
            end = closing_line(lines, i, opening["fence"])
            if end is not None:
                body = lines[i + 1:end]
                missing = [m["path"] for line in body if (m := SNIPPET.match(line)) and not available(m["path"])]
                if missing:
                    out.append(WITHHELD_NOTE.format(indent=opening["indent"], path=missing[0],
                                                    instructor_only=INSTRUCTOR_ONLY))
                else:
                    out += lines[i:end + 1]
                i = end + 1
                continue
        out.append(lines[i])
        i += 1
    return out


def students_page(markdown: str, available: Callable[[str], bool] = students_see,
                  solutions_root: Path | None = None) -> str:
    """A page as the students see it: skeletons and notes for solutions, no instructor-only code.

    Applying it twice gives the same page (the student release's pages are already
    transformed when its site is built).

    Args:
        markdown: str, a page's source.
        available: callable telling whether a snippet's file may be shown; a code box whose
            snippet names another becomes a note.
        solutions_root: Path or None, the folder that holds ``solutions/`` (the repository),
            to name the functions of the solution blocks; None turns every solution block
            into a note.

    Returns:
        The page for students.
    """
    lines = replace_solutions(markdown.splitlines(keepends=True), solutions_root)
    lines = "".join(lines).splitlines(keepends=True)
    lines = retarget_snippets(lines)
    return "".join(withhold_missing(lines, available))

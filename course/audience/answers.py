"""Find the answers to the exercises wherever they land: site pages, notebooks, files of a release.

An *answer line* is a line that the student writes: a line between ``# BEGIN SOLUTION`` and
``# END SOLUTION`` in ``solutions/*.py`` that no file of ``exercises/`` holds, nor the course
code that students can read anyway (:func:`given_lines`). The site's leak
test (tests/site/test_site_leaks.py) scans the site built as the Pages workflow builds it, and
the student release's leak scan (:func:`course.release.build.find_leaks`) scans every
file of the release, both with :func:`find_answer_lines`.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from course.audience.students import students_see

#: Shorter lines (``)``, ``return (``) are punctuation that any code shares, not an answer.
MIN_ANSWER_LENGTH = 10
#: The files a reader (or a download) can get the text of.
TEXT_SUFFIXES = frozenset({".py", ".md", ".yml", ".yaml", ".ipynb", ".txt", ".html", ".json", ".toml", ".cfg", ".js"})
TAG = re.compile(r"<[^>]+>")


def _stripped(text: str) -> list[str]:
    """Non-blank, stripped lines.

    Args:
        text: str.

    Returns:
        The lines.
    """
    return [line.strip() for line in text.splitlines() if line.strip()]


def solution_bodies(solutions: Path) -> list[str]:
    """The lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` of every solution file, stripped.

    Args:
        solutions: Path, the ``solutions`` folder.

    Returns:
        The lines, file by file, in order.
    """
    body: list[str] = []
    for file in sorted(solutions.glob("*.py")):
        inside = False
        for line in _stripped(file.read_text()):
            if line.startswith("# BEGIN SOLUTION"):
                inside = True
            elif line.startswith("# END SOLUTION"):
                inside = False
            elif inside:
                body.append(line)
    return body


def given_lines(root: Path) -> set[str]:
    """The lines a student can read without the reference: ``exercises/`` and the course's own code.

    The course code that ships to students (everything under ``course/`` but the
    instructor-only code) shares idioms with the reference, e.g. ``with tf.GradientTape() as
    tape:`` in its experiments, and a page that shows them gives nothing away.

    Args:
        root: Path, the repository.

    Returns:
        Stripped lines.
    """
    files = [*(root / "exercises").glob("*.py"),
             *(f for f in (root / "course").rglob("*.py") if students_see(f.relative_to(root).as_posix()))]
    return {line for file in files for line in _stripped(file.read_text())}


def code_part(line: str) -> str:
    """A line without its trailing comment (``x = f(y)  # (B, H)`` -> ``x = f(y)``).

    Args:
        line: str, a stripped line of Python.

    Returns:
        The code before a ``#`` that follows whitespace; the line itself when it is a comment.
    """
    return line if line.startswith("#") else re.split(r"\s#", line, maxsplit=1)[0].rstrip()


def answer_lines(root: Path) -> dict[str, str]:
    """The lines of the reference that only the reference gives: what the student writes.

    Args:
        root: Path, the repository (with ``solutions/``, ``exercises/`` and ``course/``).

    Returns:
        ``{text to look for: the solution line}``: every stripped line of the solution
        bodies of at least :data:`MIN_ANSWER_LENGTH` characters that no file of
        :func:`given_lines` holds, and the same line without its trailing comment
        (a page that copies the code and drops the comment still leaks it).
    """
    given = given_lines(root)
    answers: dict[str, str] = {}
    for line in solution_bodies(root / "solutions"):
        for text in (line, code_part(line)):
            if text not in given and len(text) >= MIN_ANSWER_LENGTH:
                answers.setdefault(text, line)
    return answers


def _notebook_text(text: str) -> str:
    """A notebook's cell sources and text outputs, joined (the JSON itself escapes every line).

    Args:
        text: str, the ``.ipynb`` file's JSON.

    Returns:
        Its text; the JSON unchanged when it does not parse.
    """
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return text
    parts = []
    for cell in cells:
        parts.append("".join(cell.get("source", [])))
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", [])))
            parts += ["".join(value) if isinstance(value, list) else str(value)
                      for key, value in output.get("data", {}).items() if key.startswith("text/")]
    return "\n".join(parts)


def _json_strings(value: object) -> list[str]:
    """Every string inside a JSON value (the site's search index holds the pages' text).

    Args:
        value: a parsed JSON value.

    Returns:
        The strings.
    """
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _json_strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _json_strings(item)]
    return []


def readable_text(file: Path) -> str:
    """A file's text as a reader sees it.

    HTML loses its tags (highlighted code is split into spans) and its entities; a notebook
    gives its cells and outputs; other JSON (the search index) gives its strings, read as HTML.

    Args:
        file: Path, a text file.

    Returns:
        Its text.
    """
    text = file.read_text(errors="replace")
    if file.suffix == ".ipynb":
        text = _notebook_text(text)
    elif file.suffix == ".json":
        try:
            text = "\n".join(_json_strings(json.loads(text)))
        except ValueError:
            return text
    if file.suffix in (".html", ".json", ".ipynb"):
        # Notebook outputs and search entries hold HTML too.
        text = html.unescape(TAG.sub("", text))
    return text


def lines_in(text: str, answers: dict[str, str]) -> set[str]:
    """The answer lines that a text holds, each as a whole line.

    Args:
        text: str.
        answers: dict, from :func:`answer_lines`.

    Returns:
        The solution lines found.
    """
    return {answers[line] for line in _stripped(text) if line in answers}


def find_answer_lines(folder: Path, answers: dict[str, str]) -> dict[str, set[str]]:
    """Every file under a folder that holds answer lines, and which.

    Args:
        folder: Path, a built site or a release.
        answers: dict, from :func:`answer_lines`.

    Returns:
        ``{file relative to folder: solution lines}``; empty when nothing leaked.
    """
    found = {}
    for file in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES):
        hits = lines_in(readable_text(file), answers)
        if hits:
            found[file.relative_to(folder).as_posix()] = hits
    return found

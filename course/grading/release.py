"""The student release: exercises, docs, public graders and the course package, without solutions.

Two ways the reference could leak, and what this module does about each:

1. **Files.** No ``solutions/`` folder is copied, nor the instructor-only packages that
   embed a working LSTM (``course/fast``) or run experiments on the reference.
2. **Docs.** The site includes reference code with ``pymdownx.snippets``
   (``--8<-- "solutions/cell.py:call"``). In the release every snippet path under
   ``solutions/`` points at the same named section under ``exercises/`` instead (the
   generator keeps the section markers), so a page shows the skeleton the student fills
   in; every collapsible ``??? success "Solution"`` block is replaced by a note; and a
   snippet of a file the release leaves out (the fast LSTM) becomes a note too.

Then :func:`find_leaks` checks the result: no two consecutive lines of a solution body
(the code between ``BEGIN SOLUTION`` and ``END SOLUTION``), no long line of one, and no
line of the model answers may appear anywhere in the release, notebooks included.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from course.impl import REPO_ROOT

#: Copied from the repository, when present.
INCLUDED = ("exercises", "docs", "mkdocs.yml", "course", "pyproject.toml", ".gitignore",
            "tests/conftest.py", "tests/graders")
#: Never copied: instructor-only code, caches, and anything named ``solutions``.
EXCLUDED = ("course/fast", "course/bench", "course/experiments", "course/figures",
            "course/commands/bench.py", "course/commands/experiment.py", "course/commands/figures.py",
            "course/commands/gradescope.py", "course/commands/release.py",
            # Regenerating exercises/ needs solutions/ and would overwrite a student's work.
            "course/commands/exercises.py", "course/exercises_gen.py",
            "course/grading/gradescope.py", "course/grading/gradescope_run.py", "course/grading/release.py")
EXCLUDED_PARTS = frozenset({"solutions", "__pycache__", ".pytest_cache", ".ipynb_checkpoints"})
#: Files allowed to share lines with the reference, and why. The graders' stand-in model
#: (which the training checks hand to the student's ``train``) declares the same read-in,
#: LSTM and read-out layers as the reference model, an architecture SPEC §1 spells out.
ACCEPTED_LEAKS: dict[str, str] = {
    "course/grading/contract.py": "the graders' stand-in model has the architecture SPEC section 1 states",
}
#: Text files the leak check reads.
TEXT_SUFFIXES = frozenset({".py", ".md", ".yml", ".yaml", ".ipynb", ".txt", ".html", ".json", ".toml", ".cfg", ".js"})
#: Pieces of the reference shorter than this are too generic to call a leak (``return h, c``).
MIN_LEAK_LENGTH = 24

SOLUTION_BLOCK = re.compile(r'^(?P<indent>[ \t]*)\?\?\?\+?\s+success\b.*$')
SOLUTION_NOTE = ('{indent}!!! info "Solution"\n'
                 '{indent}    The worked solution is published after the deadline. '
                 'Run `lstm-course check` to test your own.\n')

README = """# LSTM from Scratch: student release

Build an LSTM from `Dense` gates and a `tf.while_loop`, train it on the integration task,
and check it against the course's graders.

## Set up

```bash
python3 -m venv .venv && . .venv/bin/activate
pip install -e ".[dev]"
```

## Work

- Read the course site: `mkdocs serve`, then open http://127.0.0.1:8000.
- Fill in the files in `exercises/` (each `TODO` names the chapter that explains it).
- Check your work at any time: `lstm-course check` (a table of checks, points and hints).
- Train your model: `lstm-course train --impl exercises`.

## Submit

Push to your GitHub Classroom repository (its workflow runs the checks and shows your
points), or upload the files of `exercises/` to Gradescope, as your instructor says.
The instructor's grading runs the same checks on a clean machine.
"""


def _excluded(relative: Path) -> bool:
    """Whether a path (relative to the repository) stays out of the release.

    Args:
        relative: Path.

    Returns:
        True when it, or a folder above it, is excluded.
    """
    text = relative.as_posix()
    return bool(EXCLUDED_PARTS & set(relative.parts)) or relative.suffix == ".pyc" or any(
        text == e or text.startswith(e + "/") for e in EXCLUDED)


def copy_tree(root: Path, out: Path) -> list[Path]:
    """Copy the included files.

    Args:
        root: Path, the repository.
        out: Path, the release folder.

    Returns:
        The copied files, relative to ``out``.
    """
    copied: list[Path] = []
    for name in INCLUDED:
        source = root / name
        if not source.exists():
            continue
        files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        for file in files:
            relative = file.relative_to(root)
            if _excluded(relative):
                continue
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, out / relative)
            copied.append(relative)
    return copied


SNIPPET = re.compile(r'(?P<indent>^[ \t]*)--8<--\s+"(?P<path>[^":]+)(?::[^"]*)?"\s*$')
WITHHELD = "{indent}# (This code is not in the student release: it is shown on the course site after the deadline.)\n"


def strip_solutions(markdown: str, available: Callable[[str], bool] = lambda path: True) -> str:
    """Point snippets at the exercises, replace solution blocks with a note, withhold missing snippets.

    Args:
        markdown: str, a page's source.
        available: callable telling whether a snippet's file is in the release; a snippet
            of a file that is not (e.g. the fast LSTM of ``course/fast``) becomes a note.

    Returns:
        The page for the release.
    """
    lines = markdown.replace("solutions/", "exercises/").splitlines(keepends=True)
    lines = [WITHHELD.format(indent=m["indent"]) if (m := SNIPPET.match(line)) and not available(m["path"]) else line
             for line in lines]
    out: list[str] = []
    skipping: int | None = None  # indent of the solution block being dropped
    for line in lines:
        if skipping is not None:
            indent = len(line) - len(line.lstrip())
            if not line.strip() or indent > skipping:
                continue
            skipping = None
        match = SOLUTION_BLOCK.match(line)
        if match:
            skipping = len(match["indent"].expandtabs())
            out.append(SOLUTION_NOTE.format(indent=match["indent"]))
            continue
        out.append(line)
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Non-blank, stripped lines.

    Args:
        text: str.

    Returns:
        The lines.
    """
    return [line.strip() for line in text.splitlines() if line.strip()]


def _text_of(file: Path) -> str:
    """A file's text as a reader sees it (a notebook's cell sources and text outputs joined).

    Args:
        file: Path, a text file.

    Returns:
        Its text.
    """
    text = file.read_text(errors="replace")
    if file.suffix != ".ipynb":
        return text
    try:
        cells = json.loads(text).get("cells", [])
    except ValueError:
        return text
    parts = []
    for cell in cells:
        parts.append("".join(cell.get("source", [])))
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", [])))
    return "\n".join(parts)


def solution_fingerprints(solutions: Path) -> set[tuple[str, ...]]:
    """Distinctive pieces of the reference: pairs of consecutive solution-body lines, and long lines.

    A pair of consecutive lines is what a copied snippet carries and an idiom such as
    ``with tf.GradientTape() as tape:`` alone does not; a line of at least
    :data:`MIN_LEAK_LENGTH` * 2 characters is distinctive on its own. The model answers
    in ``answers.md`` count line by line.

    Args:
        solutions: Path, the ``solutions`` folder.

    Returns:
        A set of 1- and 2-tuples of stripped lines.
    """
    pieces: set[tuple[str, ...]] = set()
    for file in sorted(solutions.glob("*.py")):
        body: list[str] = []
        inside = False
        for line in _lines(file.read_text()):
            if line.startswith("# BEGIN SOLUTION"):
                inside, body = True, []
            elif line.startswith("# END SOLUTION"):
                inside = False
                pieces |= {(a, b) for a, b in zip(body, body[1:]) if len(a) + len(b) >= MIN_LEAK_LENGTH}
                pieces |= {(a,) for a in body if len(a) >= 2 * MIN_LEAK_LENGTH}
            elif inside:
                body.append(line)
    answers = solutions / "answers.md"
    if answers.exists():
        pieces |= {(a,) for a in _lines(answers.read_text()) if len(a) >= 2 * MIN_LEAK_LENGTH and not a.startswith("#")}
    return pieces


def find_leaks(release: Path, solutions: Path) -> list[tuple[str, str]]:
    """Look for pieces of the reference anywhere in the release.

    Args:
        release: Path, the release folder.
        solutions: Path, the reference's folder.

    Returns:
        ``(file, leaked lines)`` pairs; empty when nothing leaked.
    """
    reference = solution_fingerprints(solutions)
    leaks = []
    for file in sorted(p for p in release.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES):
        lines = _lines(_text_of(file))
        found = ({(a,) for a in lines} | set(zip(lines, lines[1:]))) & reference
        leaks += [(file.relative_to(release).as_posix(), " / ".join(piece)) for piece in sorted(found)]
    return leaks


def build(out: Path, *, root: Path = REPO_ROOT, workflow: str | None = None) -> list[Path]:
    """Make the student release in ``out`` (which must not exist or be empty).

    Args:
        out: Path, the release folder.
        root: Path, the repository.
        workflow: str or None, the GitHub Classroom workflow's YAML (None: made from the
            grader's checks by :mod:`course.grading.release_classroom`).

    Returns:
        The release's files, relative to ``out``.

    Raises:
        FileExistsError: when ``out`` holds files already.
        RuntimeError: when reference code would leak into the release.
    """
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    files = copy_tree(root, out)
    for relative in files:
        path = out / relative
        if relative.suffix == ".md" and relative.parts[0] == "docs":
            path.write_text(strip_solutions(path.read_text(), lambda snippet: (out / snippet).is_file()))
    config = out / "mkdocs.yml"
    if config.exists():  # e.g. its ``watch:`` list names the solutions folder
        config.write_text(re.sub(r"(?<![\w-])solutions(?![\w-])", "exercises", config.read_text()))
    (out / "README.md").write_text(README)
    if workflow is None:
        from course.grading.release_classroom import workflow_yaml

        workflow = workflow_yaml()
    classroom = out / ".github" / "workflows" / "classroom.yml"
    classroom.parent.mkdir(parents=True, exist_ok=True)
    classroom.write_text(workflow)
    leaks = [(f, line) for f, line in find_leaks(out, root / "solutions") if f not in ACCEPTED_LEAKS]
    if leaks:
        listing = "\n".join(f"  {f}: {line}" for f, line in leaks[:20])
        raise RuntimeError(f"reference code would leak into the release ({len(leaks)} lines):\n{listing}")
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())

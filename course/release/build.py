"""The student release: exercises, docs, public graders and the course package, without solutions.

Two ways the reference could leak, and what this module does about each:

1. **Files.** No ``solutions/`` folder is copied, nor the instructor-only code that
   embeds a working LSTM (``course/fast`` and the benchmarks built on it) or builds
   instructor bundles. The experiments and figures do ship: they train whatever
   implementation they are given, and in the release that is the student's ``exercises/``.
2. **Docs.** The site includes reference code with ``pymdownx.snippets``
   (``--8<-- "solutions/cell.py:call"``). Every page goes through the site's own students'
   view (:func:`course.audience.students.students_page`, which the published site's hook
   applies too): each ``??? success`` solution block becomes the skeleton of the student's
   file or a note with the check command, every other snippet path under ``solutions/``
   points at ``exercises/``, a code box whose snippet names a file the release leaves out
   (the fast LSTM) becomes a note, and prose that talks about ``solutions/`` is left as it
   is. The notebooks get the students' wording (:mod:`course.audience.notebooks`). Every
   path or ``lstm-course`` command a page names that the release lacks is marked as
   instructor-only where it is named. The release's ``.github/workflows/pages.yml`` is the
   repository's: it publishes that same students' site.

Then two scans check the result: :func:`find_leaks` (no answer line, the scan of the
site's leak test; no two consecutive lines of a solution body, no long line of one, no
line of the model answers; anywhere in the release, notebooks included) and
:func:`find_definitions` (no file outside ``exercises/`` defines an exercise function or class by name, so a stand-in that
implements ``prepare`` or the model is caught even when it is written differently).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from course.audience.answers import TEXT_SUFFIXES, answer_lines, find_answer_lines, readable_text
from course.audience.notebooks import students_notebook
from course.audience.students import (
    ADMONITION,
    FENCE,
    INSTRUCTOR_ONLY,
    SNIPPET,
    closes_box,
    closing_line,
    students_page,
)
from course.grading.running.absent import PROVIDED
from course.impl import REPO_ROOT

#: Copied from the repository, when present.
#: The Pages workflow publishes the release's site, which is the students' view by default.
INCLUDED = ("exercises", "docs", "mkdocs.yml", "course", "pyproject.toml", ".gitignore",
            "tests/conftest.py", "tests/seed.py", "tests/graders", ".github/workflows/pages.yml")
#: Never copied: instructor-only code, caches, and anything named ``solutions``. The
#: benchmarks compare the reference with ``course/fast``, a complete (fused) LSTM.
EXCLUDED = ("course/fast", "course/bench", "course/commands/bench.py",
            "course/commands/gradescope.py", "course/commands/release.py",
            # Regenerating exercises/ needs solutions/ and would overwrite a student's work.
            "course/commands/exercises.py", "course/exercises_gen.py",
            "course/grading/outputs/gradescope.py", "course/grading/outputs/gradescope_run.py",
            # The release builder itself; course/release/classroom.py ships (the release's workflow runs it).
            "course/release/build.py")
EXCLUDED_PARTS = frozenset({"solutions", "__pycache__", ".pytest_cache", ".ipynb_checkpoints"})
#: Files allowed to share lines with the reference, and why: none since the graders'
#: stand-ins stopped implementing any exercise (issue 11).
ACCEPTED_LEAKS: dict[str, str] = {}
#: Files allowed to define an exercise function by name (:func:`find_definitions`): none.
ACCEPTED_DEFINITIONS: dict[str, str] = {}
#: Pieces of the reference shorter than this are too generic to call a leak (``return h, c``).
MIN_LEAK_LENGTH = 24
#: The functions and classes a student writes (SPEC section 1). Outside ``exercises/`` the
#: release defines none of them: a definition by that name is an answer, or a stand-in
#: that can be read as one.
EXERCISE_NAMES = frozenset({"integration_task", "my_integration_task", "make_dataset", "prepare",
                            "LSTMCell", "LSTM", "IntegrationModel", "train"})

README = """# LSTM from Scratch: student release

Build an LSTM from `Dense` gates and a `tf.while_loop`, train it on the integration task,
and check it against the course's graders.

## Quick start

You need Python 3.10 or newer and `make`, on Linux or macOS. On macOS `lstm-course check`
runs your code without a sandbox (it warns once). On Windows, install WSL2
(https://learn.microsoft.com/windows/wsl/install) and work in its Ubuntu terminal.

```bash
make serve   # installs into .venv if needed, serves the course site at http://127.0.0.1:8000
make test    # installs into .venv if needed, runs the graders on exercises/ with a hint per failing check
```

Without make:

```bash
python3 -m venv .venv && . .venv/bin/activate
pip install -e ".[dev]"
mkdocs serve --dev-addr 127.0.0.1:8000
pytest                       # the graders on exercises/ (pytest --impl PATH for another folder)
```

## Work

- Fill in the files in `exercises/` (each `TODO` names the chapter that explains it).
- Check your work at any time: `lstm-course check` (a table of checks, points and hints);
  `lstm-course check --parts cell,layer` grades only those parts, in a fraction of the time;
  `lstm-course check --watch` regrades what each save touches, within seconds, until Ctrl-C.
- Train your model: `lstm-course train` (it trains `exercises/`; `--help` lists the options).
- Run the chapters' experiments and redraw the figures on your own LSTM:
  `lstm-course experiment forget-bias --quick`, `lstm-course figures --quick`.

## What the grader provides

The grader runs your files with Python's standard library and these packages only:
{provided}. Import nothing else in `exercises/`: an unused import of another package
(`tqdm`, `scipy`, `pandas`, `tensorflow_datasets`, ...) costs nothing, because the grader
puts a stand-in in its place and lists it as a warning worth no points, but a used one fails
every check that reaches it, with `ModuleNotFoundError` naming it.

## Submit

Push to your GitHub Classroom repository (its workflow runs the checks and shows your
points), or upload the files of `exercises/` to Gradescope, as your instructor says.
The instructor's grading runs the same checks on a clean machine.
""".replace("{provided}", ", ".join(f"`{name}`" for name in PROVIDED))


MAKEFILE = """# Two commands: `make serve` (the course site) and `make test` (the graders on exercises/).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve serve-students test install clean

$(BIN)/python:
\t$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies change (a venv set up by hand, as below, is checked
# by course/installed.py instead of reinstalled).
$(STAMP): pyproject.toml | $(BIN)/python
\t@if $(BIN)/python -m course.installed >/dev/null 2>&1; then \\
\t  echo "make: .venv already holds this project as pyproject.toml says: not reinstalling"; \\
\telse \\
\t  $(BIN)/python -m pip install --quiet --upgrade pip && \\
\t  PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e ".[dev]"; \\
\tfi
\ttouch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
\t$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

# The same site: a release has only the students' view (docs/instructors.md names this target).
serve-students: serve

test: $(STAMP)
\t$(BIN)/python -m pytest

clean:
\trm -rf $(VENV) site .pytest_cache
"""

#: The release's pytest configuration (``pytest.ini`` wins over ``pyproject.toml``): the
#: public graders, on ``exercises/`` unless ``--impl`` says otherwise, one line per check.
PYTEST_INI = """[pytest]
# The graders (tests/graders), one test per check, on exercises/ (pytest --impl PATH grades
# another folder; the option comes from course/pytest_plugin.py, a plugin pip installed).
testpaths = tests
addopts = -q -p no:cacheprovider
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


def strip_solutions(markdown: str, available: Callable[[str], bool] = lambda path: True,
                    solutions_root: Path | None = None) -> str:
    """A page as the students see it: the site's own students' view (:func:`students_page`).

    Only the paths of ``--8<--`` snippet lines are retargeted: prose that names
    ``solutions/`` (the instructors' page explains what the release leaves out) keeps it.

    Args:
        markdown: str, a page's source.
        available: callable telling whether a snippet's file is in the release; a code box
            whose snippet names a file that is not (e.g. the fast LSTM of ``course/fast``)
            becomes a note.
        solutions_root: Path or None, the repository, whose ``solutions/`` names the
            functions of the solution blocks (None: every solution block becomes a note).

    Returns:
        The page for the release.
    """
    return students_page(markdown, available, solutions_root=solutions_root)


#: A repository path in a code span or a code line: ``course/figures/task.py``, ``tests/perf``.
REPO_PATH = re.compile(r"(?<![\w./-])(?P<path>(?:course|tests|exercises|solutions|docs)/[\w./*-]*[\w*/])")
#: An ``lstm-course`` subcommand as a page names it.
COMMAND = re.compile(r"(?<![\w-])lstm-course (?P<name>[a-z][\w-]*)")
CODE_SPAN = re.compile(r"(?<!`)`(?P<code>[^`\n]+)`(?!`)")


def path_exists(release: Path, path: str) -> bool:
    """Whether a path a page names is in the release (a glob such as ``course/figures/*`` counts if it matches).

    Args:
        release: Path, the release folder.
        path: str, relative to the release, possibly with ``*`` or a trailing ``/``.

    Returns:
        True when it exists.
    """
    path = path.rstrip("/.")
    if "*" in path:
        return any(release.glob(path))
    return (release / path).exists()


def commands_of(release: Path) -> set[str]:
    """The ``lstm-course`` subcommands the release's CLI has.

    Args:
        release: Path, the release folder.

    Returns:
        The names of its command modules (``check``, ``train``, ...).
    """
    return {p.stem for p in (release / "course" / "commands").glob("*.py") if p.stem != "__init__"}


def missing_names(text: str, release: Path) -> list[str]:
    """The paths and ``lstm-course`` commands that a piece of text names and the release lacks.

    Args:
        text: str, a code span or a line of a code block.
        release: Path, the release folder.

    Returns:
        The missing paths and commands (``lstm-course NAME``), in order.
    """
    commands = commands_of(release)
    missing = [m["path"] for m in REPO_PATH.finditer(text) if not path_exists(release, m["path"])]
    missing += [f"lstm-course {m['name']}" for m in COMMAND.finditer(text) if m["name"] not in commands]
    return missing


def mark_instructor_only(markdown: str, release: Path) -> str:
    """Say, where a page names a path or command the release lacks, that it is instructor-only.

    In prose, `` `tests/perf/test_fast_path.py` `` becomes
    `` `tests/perf/test_fast_path.py` (instructor-only: not in the student release) ``;
    in a code block, the line gets that as a comment. Snippet lines are left alone.

    Args:
        markdown: str, a page of the release.
        release: Path, the release folder (what exists).

    Returns:
        The page.
    """
    out = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        opening = FENCE.match(line)
        if opening and fence is None:
            fence = opening["fence"]
            out.append(line)
            continue
        if fence is not None:
            if closes_box(line, fence):
                fence = None
            elif not SNIPPET.match(line) and missing_names(line, release) and INSTRUCTOR_ONLY not in line:
                ending = line[len(line.rstrip("\r\n")):]
                marker = " · " if "#" in line else "  # "
                line = line.rstrip("\r\n") + marker + INSTRUCTOR_ONLY + ending
            out.append(line)
            continue

        def annotate(match: re.Match[str]) -> str:
            """One code span, with a note when it names something missing."""
            if not missing_names(match["code"], release):
                return match[0]
            rest = line[match.end():]
            return match[0] if rest.startswith(f" ({INSTRUCTOR_ONLY})") else f"{match[0]} ({INSTRUCTOR_ONLY})"

        out.append(CODE_SPAN.sub(annotate, line))
    return "".join(out)


def unmarked_missing(markdown: str, release: Path) -> list[str]:
    """The paths and commands a page names, that the release lacks and the page does not mark.

    Args:
        markdown: str, a page of the release.
        release: Path, the release folder.

    Returns:
        ``"line N: name"`` strings; empty when every name exists or is marked instructor-only.
    """
    problems = []
    for number, line in enumerate(markdown.splitlines(), 1):
        if SNIPPET.match(line) or INSTRUCTOR_ONLY in line or line.lstrip().startswith("<!--"):
            continue  # (an HTML comment is not shown)
        texts = [m["code"] for m in CODE_SPAN.finditer(line)] if "`" in line else [line]
        problems += [f"line {number}: {name}" for text in texts for name in missing_names(text, release)]
    return problems


def empty_boxes(markdown: str) -> list[int]:
    """Code boxes and admonitions with nothing in them (or only a placeholder comment).

    Args:
        markdown: str, a page's source.

    Returns:
        The 1-based line numbers where such a box opens.
    """
    lines = markdown.splitlines()
    empty = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening:
            end = closing_line(lines, i, opening["fence"])
            end = len(lines) if end is None else end
            body = [line.strip() for line in lines[i + 1:end] if line.strip()]
            if not body or all(line.startswith("#") and "not in the student release" in line for line in body):
                empty.append(i + 1)
            i = end + 1
            continue
        box = ADMONITION.match(lines[i])
        if box:
            indent = len(box["indent"].expandtabs())
            following = next((line for line in lines[i + 1:] if line.strip()), "")
            if len(following) - len(following.lstrip()) <= indent:
                empty.append(i + 1)
        i += 1
    return empty


def _lines(text: str) -> list[str]:
    """Non-blank, stripped lines.

    Args:
        text: str.

    Returns:
        The lines.
    """
    return [line.strip() for line in text.splitlines() if line.strip()]


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

    Two nets: the fingerprints of :func:`solution_fingerprints` (pairs of solution lines,
    long lines, the model answers), and every answer line on its own, with the same scan as
    the site's leak test (:func:`course.audience.answers.find_answer_lines`).

    Args:
        release: Path, the release folder.
        solutions: Path, the reference's folder (in the repository, next to ``exercises/``).

    Returns:
        ``(file, leaked lines)`` pairs; empty when nothing leaked.
    """
    reference = solution_fingerprints(solutions)
    leaks = set()
    for file in sorted(p for p in release.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES):
        lines = _lines(readable_text(file))
        found = ({(a,) for a in lines} | set(zip(lines, lines[1:]))) & reference
        leaks |= {(file.relative_to(release).as_posix(), " / ".join(piece)) for piece in found}
    for file, lines in find_answer_lines(release, answer_lines(solutions.parent)).items():
        leaks |= {(file, line) for line in lines}
    return sorted(leaks)


def _python_sources(file: Path) -> list[tuple[str, int]]:
    """The Python code in a file: a module, or a notebook's code cells.

    Args:
        file: Path, a ``.py`` or ``.ipynb`` file.

    Returns:
        ``(source, first line)`` pairs; a notebook cell's lines are counted within the cell.
    """
    text = file.read_text(errors="replace")
    if file.suffix == ".py":
        return [(text, 1)]
    try:
        cells = json.loads(text).get("cells", [])
    except ValueError:
        return []
    sources = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = "".join(cell.get("source", []))
            # IPython magics and shell escapes are not Python
            sources.append(("\n".join("" if line.lstrip().startswith(("%", "!")) else line
                                      for line in source.splitlines()), 1))
    return sources


def find_definitions(release: Path) -> list[str]:
    """Where a file outside ``exercises/`` defines an exercise function or class by name.

    Definitions (``def``, ``class``) and assignments to a name in :data:`EXERCISE_NAMES`
    count, at any depth but as a class's method: a grader's stand-in called ``prepare`` is
    an answer to ``prepare`` however it is written, while ``Sandbox.prepare`` is not.

    Args:
        release: Path, the release folder.

    Returns:
        ``"file:line: name"`` strings, sorted; empty when there are none.
    """
    found = []
    for file in sorted(release.rglob("*")):
        relative = file.relative_to(release)
        if not file.is_file() or file.suffix not in (".py", ".ipynb") or relative.parts[0] == "exercises":
            continue
        for source, _ in _python_sources(file):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            # A method (say ``Sandbox.prepare``) is not an exercise function; everything else is.
            methods = {id(item) for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for item in node.body
                       if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}
            for node in ast.walk(tree):
                if id(node) in methods:
                    continue
                names: list[str] = []
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names = [node.name]
                elif isinstance(node, ast.Assign) or (isinstance(node, ast.AnnAssign) and node.value is not None):
                    # (a bare annotation such as a dataclass field ``train: ModuleType`` defines nothing)
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names = [t.id for t in targets if isinstance(t, ast.Name)]
                found += [f"{relative.as_posix()}:{node.lineno}: {name}" for name in names if name in EXERCISE_NAMES]
    return sorted(found)


def build(out: Path, *, root: Path = REPO_ROOT, workflow: str | None = None) -> list[Path]:
    """Make the student release in ``out`` (which must not exist or be empty).

    Args:
        out: Path, the release folder.
        root: Path, the repository.
        workflow: str or None, the GitHub Classroom workflow's YAML (None: made from the
            grader's checks by :mod:`course.release.classroom`).

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
            page = strip_solutions(path.read_text(), lambda snippet: (out / snippet).is_file(), solutions_root=root)
            path.write_text(mark_instructor_only(page, out))
        elif relative.suffix == ".ipynb" and relative.parts[0] == "docs":
            path.write_text(students_notebook(path.read_text())[0])
    config = out / "mkdocs.yml"
    if config.exists():  # e.g. its ``watch:`` list names the solutions folder
        config.write_text(re.sub(r"(?<![\w-])solutions(?![\w-])", "exercises", config.read_text()))
    (out / "README.md").write_text(README)
    (out / "Makefile").write_text(MAKEFILE)
    (out / "pytest.ini").write_text(PYTEST_INI)
    # The scheduling conftest at the root, beside pytest.ini (--impl itself comes from the
    # installed plugin course/pytest_plugin.py, whatever conftest pytest loads).
    if (out / "tests" / "conftest.py").is_file():
        (out / "tests" / "conftest.py").replace(out / "conftest.py")
    if workflow is None:
        from course.release.classroom import workflow_yaml

        workflow = workflow_yaml()
    classroom = out / ".github" / "workflows" / "classroom.yml"
    classroom.parent.mkdir(parents=True, exist_ok=True)
    classroom.write_text(workflow)
    leaks = [(f, line) for f, line in find_leaks(out, root / "solutions") if f not in ACCEPTED_LEAKS]
    if leaks:
        listing = "\n".join(f"  {f}: {line}" for f, line in leaks[:20])
        raise RuntimeError(f"reference code would leak into the release ({len(leaks)} lines):\n{listing}")
    answers = [hit for hit in find_definitions(out) if hit.split(":", 1)[0] not in ACCEPTED_DEFINITIONS]
    if answers:
        listing = "\n".join(f"  {hit}" for hit in answers[:20])
        raise RuntimeError(f"files outside exercises/ define exercise functions ({len(answers)}):\n{listing}")
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())

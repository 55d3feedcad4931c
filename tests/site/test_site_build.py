"""The site builds in strict mode, and what the pages include really arrived in the HTML."""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path

import pytest

from course.audience.students import students_see
from course.impl import REPO_ROOT
from site_config import mkdocs_config

DOCS = REPO_ROOT / "docs"
#: The site helper's pages (the others are checked by their owners; all are built and browsed).
SITE_PAGES = ("index", "task", "data", "gates", "graph-mode", "training", "grading")
SNIPPET = re.compile(r'^\s*--8<-- "(?P<path>[^":]+)(?::(?P<section>[A-Za-z_]\w*))?"\s*$', re.M)


def _nav_files(nav: list) -> list[str]:
    """Flatten mkdocs' nav into the list of source files.

    Args:
        nav: the ``nav`` list from mkdocs.yml.

    Returns:
        Paths relative to ``docs/``.
    """
    files: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        files += _nav_files(value) if isinstance(value, list) else [value]
    return files


def _page_text(built_site: Path, source: str) -> str:
    """The visible text of a built page: tags stripped, entities decoded.

    Args:
        built_site: the built site's folder.
        source: str, the page's source file relative to ``docs/``.

    Returns:
        The page's text.
    """
    stem = Path(source).with_suffix("")
    page = built_site / ("index.html" if str(stem) == "index" else f"{stem}/index.html")
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


def _section(path: str, name: str) -> list[str]:
    """The lines of a named snippet section of a source file.

    Args:
        path: str, the file relative to the repository's root.
        name: str, the section's name.

    Returns:
        The section's lines, without the markers.
    """
    text = (REPO_ROOT / path).read_text()
    match = re.search(rf"# --8<-- \[start:{name}\]\n(.*?)# --8<-- \[end:{name}\]", text, re.S)
    assert match, f"{path} has no section {name}"
    return match.group(1).splitlines()


def test_every_nav_page_is_built(built_site: Path) -> None:
    """Every page in the nav has its HTML, notebooks included."""
    nav = _nav_files(mkdocs_config()["nav"])
    assert len(nav) >= 16
    for source in nav:
        assert (DOCS / source).exists(), source
        assert _page_text(built_site, source), source


def test_included_code_arrived(built_site: Path) -> None:
    """Every named section a page includes that students may see shows up, line for line, in the
    published page (the reference's sections are checked on the instructors' build,
    test_site_instructors.py; the published site must not show them, test_site_leaks.py)."""
    checked = 0
    for page in sorted(DOCS.glob("*.md")):
        source = page.read_text()
        text = _page_text(built_site, page.name)
        for match in SNIPPET.finditer(source):
            if not match["section"] or not students_see(match["path"]):
                continue
            checked += 1
            for line in _section(match["path"], match["section"]):
                assert line.strip() in text, f"{page.name}: {match['path']}:{match['section']} lost {line!r}"
    assert checked >= 2, "no page includes a named section any more"


def test_task_page_shows_the_worked_example(built_site: Path) -> None:
    """The line range of data.py's docstring still holds the worked example."""
    text = _page_text(built_site, "task.md")
    for words in ("noise", "running sum", "target"):
        assert re.search(rf"^\s*{words}\s+[\[\d]", text, re.M), f"worked example lost its '{words}' line"


@pytest.mark.parametrize("page", SITE_PAGES)
def test_every_figure_names_its_command(page: str) -> None:
    """Under each figure the page names the command that made it."""
    lines = (DOCS / f"{page}.md").read_text().splitlines()
    for number, line in enumerate(lines):
        if line.startswith("!["):
            caption = " ".join(lines[number + 1:number + 8])
            assert "`lstm-course figures`" in caption or "lstm-course train --plot" in caption, (
                f"{page}.md line {number + 1}: no command under the figure")


@pytest.mark.parametrize("page", SITE_PAGES)
def test_admonitions_are_indented(page: str) -> None:
    """A line that leaves an exercise or solution box without a blank line breaks the page's layout."""
    inside, previous = False, ""
    for number, line in enumerate((DOCS / f"{page}.md").read_text().splitlines(), start=1):
        if line.startswith(("!!! ", "??? ")):
            inside = True
        elif inside and line.strip() and not line.startswith("    "):
            assert not previous.strip() or previous.startswith(("!!! ", "??? ")), (
                f"{page}.md line {number} continues a box without its indentation: {line!r}")
            inside = False
        previous = line


def _hook() -> object:
    """Import the grader-checks hook from docs/hooks (it is not a package module).

    Returns:
        The hook module.
    """
    spec = importlib.util.spec_from_file_location("grader_checks_hook", DOCS / "hooks" / "grader_checks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checks_hook_builds_tables_and_rejects_unknown_names() -> None:
    """The hook lists real checks at the marker's indentation and refuses names the grader lacks."""
    hook = _hook()
    page = hook.on_page_markdown("!!! example\n\n    <!-- checks: cell.forget_bias -->\n", None, None, None)
    assert "    | `cell.forget_bias` | 2 |" in page
    with pytest.raises(ValueError, match="cell.no_such_check"):
        hook.on_page_markdown("<!-- checks: cell.no_such_check -->\n", None, None, None)


@pytest.mark.parametrize("page", ["task", "data", "gates", "graph-mode", "training"])
def test_every_exercise_box_lists_its_checks(page: str) -> None:
    """Each lab chapter's exercise box names its file and carries the grader's checks."""
    source = (DOCS / f"{page}.md").read_text()
    box = source[source.index('!!! example "Exercise"'):]
    box = box[:box.index("\n??? success")]
    assert re.search(r"\*\*`exercises/\w+\.py`\*\*", box) and "<!-- checks: " in box

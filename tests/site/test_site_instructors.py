"""The instructors' view of the site builds strictly, and shows the reference: the leak scan finds every answer there.

Its own build, in its own file: it shares no fixture with the students' site tests, so the
two builds can run on different workers.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from course.audience.answers import answer_lines, find_answer_lines
from course.impl import REPO_ROOT
from site_config import build_as_published

DOCS = REPO_ROOT / "docs"
SNIPPET = re.compile(r'^\s*--8<-- "(?P<path>solutions/[^":]+):(?P<section>[A-Za-z_]\w*)"\s*$', re.M)


@pytest.fixture(scope="module")
def instructors_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The instructors' view, built by the Pages workflow's build step with ``SITE_AUDIENCE=instructors``.

    Args:
        tmp_path_factory: pytest's temporary folders.

    Returns:
        The built site's folder.
    """
    out = tmp_path_factory.mktemp("instructors") / "built"
    result = build_as_published(out, "http://127.0.0.1:8000/", audience="instructors")
    assert result.returncode == 0, f"the instructors' strict build failed:\n{result.stdout}\n{result.stderr}"
    return out


def test_leak_scan_finds_every_answer_on_the_instructors_site(instructors_site: Path) -> None:
    """The scan that passes on the published site fails on this one: every answer line is on a page."""
    answers = answer_lines(REPO_ROOT)
    found = find_answer_lines(instructors_site, answers)
    pages = {file for file in found if file.endswith("index.html")}
    assert {"gates/index.html", "training/index.html", "data/index.html", "graph-mode/index.html"} <= pages, pages
    assert set().union(*found.values()) == set(answers.values())


def test_reference_sections_arrived(instructors_site: Path) -> None:
    """Every section of solutions/ a page includes shows up, line for line, in its built page."""
    for page in sorted(DOCS.glob("*.md")):
        sections = list(SNIPPET.finditer(page.read_text()))
        if not sections:
            continue
        built = instructors_site / page.stem / "index.html"
        text = html.unescape(re.sub(r"<[^>]+>", "", built.read_text()))
        for match in sections:
            source = (REPO_ROOT / match["path"]).read_text()
            body = re.search(rf"# --8<-- \[start:{match['section']}\]\n(.*?)# --8<-- \[end:", source, re.S)
            for line in body.group(1).splitlines():
                assert line.strip() in text, f"{page.name}: {match['path']}:{match['section']} lost {line!r}"


def test_notebooks_keep_the_instructors_wording(instructors_site: Path) -> None:
    """The instructors' notebooks say that they run the reference, download and page alike."""
    for notebook in sorted((DOCS / "notebooks").glob("*.ipynb")):
        published = instructors_site / "notebooks" / notebook.stem / notebook.name
        assert published.read_bytes() == notebook.read_bytes()
        assert "reference" in published.read_text()

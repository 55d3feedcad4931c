"""Reader features: the palette toggle, the notebook download button, the self-check questions,
and figures that read the same in both palettes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

from course.audience.notebooks import students_notebook
from course.impl import REPO_ROOT

DOCS = REPO_ROOT / "docs"
#: The chapters that end with a self-check.
CHAPTERS = ("task", "data", "gates", "forget-bias", "graph-mode", "training", "truncated-bptt",
            "regression-vs-classification", "sequence-length", "performance")
NOTEBOOKS = sorted((DOCS / "notebooks").glob("*.ipynb"))
QUESTION = re.compile(r'^\?\?\? question "(?P<title>[^"]+)"\n(?P<body>(?:\n|    .*\n)+)', re.M)


def _self_check(page: str) -> str:
    """The self-check section of a chapter: from its heading to the end of the file.

    Args:
        page: str, the chapter's file name without ``.md``.

    Returns:
        The section's Markdown.
    """
    text = (DOCS / f"{page}.md").read_text()
    assert text.count("\n## Self-check\n") == 1, f"{page}.md: no single '## Self-check' section"
    return text[text.index("\n## Self-check\n"):]


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_ends_with_a_self_check(page: str) -> None:
    """Three to five collapsible questions close the chapter, each with an answer and its reason."""
    section = _self_check(page)
    assert not re.search(r"^## ", section[len("\n## Self-check\n"):], re.M), f"{page}.md: the self-check must come last"
    questions = list(QUESTION.finditer(section))
    assert 3 <= len(questions) <= 5, f"{page}.md: {len(questions)} questions"
    for question in questions:
        body = question["body"]
        assert question["title"].rstrip().endswith("?"), question["title"]
        assert "    **Answer:**" in body and "    **Why:**" in body, f"{page}.md: {question['title']!r}"
        why = body[body.index("**Why:**"):]
        assert len(why.split()) >= 15, f"{page}.md: {question['title']!r} explains too little"


def test_self_checks_are_hidden_until_opened(built_site: Path) -> None:
    """In the built pages the answers sit in closed <details>: nothing shows them unasked."""
    for page in CHAPTERS:
        html = (built_site / page / "index.html").read_text()
        blocks = re.findall(r"<details([^>]*)>\s*<summary>", html[html.index('id="self-check"'):])
        assert len(blocks) >= 3, page
        assert all('class="question"' in attrs and " open" not in attrs for attrs in blocks), (page, blocks)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_published_next_to_its_page(built_site: Path, path: Path) -> None:
    """The built site carries each .ipynb, in the students' wording, and its page links to it for download."""
    published = built_site / "notebooks" / path.stem / path.name
    assert published.read_text() == students_notebook(path.read_text())[0]
    assert "solutions/" not in published.read_text() and "Your own" in published.read_text()
    page = (built_site / "notebooks" / path.stem / "index.html").read_text()
    assert "Your own" in page and "solutions/" not in page
    html = (built_site / "notebooks" / path.stem / "index.html").read_text()
    assert re.search(rf'<a href="{re.escape(path.name)}" download class="[^"]*nb-download', html)


def test_download_button_downloads_the_notebook(browser: object, site_url: str) -> None:
    """Clicking the button on a notebook page downloads the notebook itself."""
    path = NOTEBOOKS[0]
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{site_url}notebooks/{path.stem}/", wait_until="load")
    button = page.get_by_role("link", name="Download the notebook (.ipynb)")
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == path.name
    assert json.loads(Path(download.value.path()).read_text()) == json.loads(students_notebook(path.read_text())[0])
    context.close()


def test_palette_toggle_switches_and_is_remembered(browser: object, site_url: str) -> None:
    """The header's toggle switches light to dark; the choice survives a reload and a new page."""
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(site_url, wait_until="load")
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    assert page.evaluate(scheme) == "default"
    page.get_by_title("Switch to the dark palette").click()
    page.wait_for_function(f"() => ({scheme})() === 'slate'")
    page.goto(site_url + "gates/", wait_until="load")
    assert page.evaluate(scheme) == "slate"
    page.get_by_title("Switch to the light palette").click()
    page.wait_for_function(f"() => ({scheme})() === 'default'")
    context.close()


def _figures() -> list[Path]:
    """Every image that a page of the site shows.

    Returns:
        The image files under ``docs/``, as the pages reference them.
    """
    found = set()
    for page in DOCS.glob("*.md"):
        for src in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", page.read_text()):
            found.add(DOCS / src)
    return sorted(found)


def test_every_figure_has_alt_text_that_describes_it() -> None:
    """Alt text is a description of several words (not empty, not a label), on every figure of every page."""
    figures = 0
    for page in DOCS.glob("*.md"):
        for alt, src in re.findall(r"!\[([^\]]*)\]\(([^)\s]+)\)", page.read_text()):
            figures += 1
            assert len(alt.split()) >= 6, f"{page.name}: {src} has alt text {alt!r}"
    assert figures >= 10


@pytest.mark.parametrize("figure", _figures(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_figure_reads_on_both_palettes(figure: Path) -> None:
    """Every figure is opaque with a light background, so its dark ink shows on either palette."""
    image = Image.open(figure).convert("RGBA")
    alpha_low, _ = image.getchannel("A").getextrema()
    assert alpha_low == 255, f"{figure.name} has transparent pixels: its dark ink would vanish on the dark palette"
    corners = [image.getpixel(xy)[:3] for xy in [(0, 0), (image.width - 1, 0), (0, image.height - 1),
                                                 (image.width - 1, image.height - 1)]]
    assert all(min(pixel) >= 240 for pixel in corners), f"{figure.name}: background {corners}"

"""Every figure on a page comes from somewhere a test can see.

The rules, for a teaching assistant who adds a sentence with a number in it:

1. Only the prose is read: code blocks, inline code, math, HTML comments, link targets
   and footnote texts are skipped.
2. A *figure* is a decimal number (``0.37``, ``5.1``) or a percentage (``65 %``). Whole
   numbers are settings and counts (25 steps, 32 units) and are not read.
3. A figure is fine when it is written in a generated fragment that the same page
   includes (``--8<-- "docs/generated/..."``): those are rendered from a committed results
   file, and the tests of each fragment compare it with its JSON.
4. Or it sits in a quote: the paragraph (or list, or table) holding it carries a footnote
   ``[^name]`` whose text starts with "Quoted" and names the date (``YYYY-MM-DD``) and the
   issue or commit it was measured in. A quote is not re-checked; it says where it came from.
5. Or it is a definition, not a measurement: :data:`DEFINITIONS` lists each one with why.

Anything else fails: render the number from a results file, or mark it as a quote.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course.impl import REPO_ROOT

DOCS = REPO_ROOT / "docs"
#: A decimal number or a percentage, not part of a version, a path or a longer token.
FIGURE = re.compile(r"(?<![\w.\-/])\d+\.\d+(?!\.?\d)|(?<![\w.])\d+(?:\.\d+)? ?%")
#: A generated fragment that a page includes.
INCLUDE = re.compile(r'--8<--\s+"(docs/generated/[^"]+)"')
#: A footnote's text: ``[^name]: text`` (with its indented continuation lines).
FOOTNOTE = re.compile(r"^\[\^([\w-]+)\]:[ \t]*(.*(?:\n(?:[ \t]+.*)?)*?)(?=\n\S|\n*\Z)", re.M)
#: What a quote's footnote must say.
QUOTE = re.compile(r"^Quoted\b.*\b\d{4}-\d{2}-\d{2}\b.*\b(?:issue \d+|commit [0-9a-f]{7,40})", re.S)

#: Figures that are definitions or arithmetic, not measurements: (page, figure) -> why.
DEFINITIONS: dict[tuple[str, str], str] = {
    ("data.md", "0.95"): "the accuracy target the performance chapter times",
    ("forget-bias.md", "0.5"): "sigmoid(0)",
    ("forget-bias.md", "0.73"): "sigmoid(1)",
    ("forget-bias.md", "1.5"): "the half-life ln 0.5 / ln sigmoid(b) for b = 1, in the chapter's table",
    ("forget-bias.md", "2.2"): "the half-life ln 0.5 / ln sigmoid(1)",
    ("forget-bias.md", "65 %"): "the accuracy of the sign of the last 5 of 25 steps, derived on the page",
    ("task.md", "65 %"): "the same derivation, quoted from the forget-bias chapter",
    ("task.md", "0.42"): "P(sum > 1) for 25 standard normal draws, 1 - Phi(1/5)",
    ("task.md", "0.3"): "a made-up running sum in a question",
    ("graph-mode.md", "2.7"): "TensorFlow's version",
    ("graph-mode.md", "2.16"): "TensorFlow's version",
    ("graph-mode.md", "80 %"): "the homework's bar",
    ("index.md", "3.10"): "Python's version",
    ("training.md", "100 %"): "the limit of a deterministic label",
    ("training.md", "0.419"): "binary cross-entropy of the page's worked example, computed in its code",
    ("training.md", "0.629"): "binary cross-entropy of the page's worked example, computed in its code",
    ("performance.md", "80 %"): "the homework's bar, which a model whose cell never learns still reaches",
    ("performance.md", "10 %"): "a rule the page sets (a budget must save at least 10 %)",
    ("regression-vs-classification.md", "80 %"): "an example probability in the definition of calibration",
    ("instructors.md", "0.5"): "Gradescope's default of 0.5 vCPU",
    ("instructors.md", "5 %"): "the overhead goal the page sets",
    ("instructors.md", "24.04"): "Ubuntu's version",
    ("instructors.md", "5.13"): "the Linux version Landlock needs",
}


def prose(text: str) -> str:
    """Drop what is not prose: code, math, comments, link targets and footnote texts.

    Args:
        text: str, a page's Markdown.

    Returns:
        str, the prose, with its blank lines kept (they separate blocks).
    """
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
    text = re.sub(r"\$[^$\n]+\$", "", text)
    text = re.sub(r"`[^`\n]+`", "", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return FOOTNOTE.sub("", text)


def quotes(text: str) -> set[str]:
    """The names of a page's footnotes that mark a dated quote.

    Args:
        text: str, a page's Markdown.

    Returns:
        set of footnote names.
    """
    return {name for name, body in FOOTNOTE.findall(text) if QUOTE.match(" ".join(body.split()))}


def unsourced(page: Path) -> list[str]:
    """The figures of a page that follow none of the rules.

    Args:
        page: Path, a page under ``docs/``.

    Returns:
        list of ``"figure: the block it is in"``.
    """
    text = page.read_text()
    fragments = "\n".join((REPO_ROOT / path).read_text() for path in INCLUDE.findall(text))
    quoted = quotes(text)
    found = []
    for block in re.split(r"\n[ \t]*\n", prose(text)):
        if any(f"[^{name}]" in block for name in quoted):
            continue
        for figure in FIGURE.findall(block):
            if (page.name, figure) in DEFINITIONS:
                continue
            if re.search(rf"(?<![\d.]){re.escape(figure)}(?!\d)", fragments):
                continue
            found.append(f"{figure}: {' '.join(block.split())[:160]}")
    return found


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_every_figure_is_rendered_quoted_or_defined(page: Path) -> None:
    """No figure on the page is typed in without a source (see the module's rules).

    Args:
        page: Path, a page.
    """
    assert unsourced(page) == [], f"{page.name}: render these from a results file or mark them as quotes"


def test_the_rules_catch_a_typed_in_figure_and_accept_a_quote(tmp_path: Path) -> None:
    """The scanner on a hand-written page: a bare figure fails; a quoted one, a code one and an included one pass.

    Args:
        tmp_path: pytest's temporary folder.
    """
    fragment = DOCS / "generated" / "experiments" / "tbptt.md"
    included = re.search(r"\| (\d\.\d\d)x \|", fragment.read_text()).group(1)
    page = tmp_path / "page.md"
    page.write_text(
        "A k = 5 step took 0.72 times the full step.\n\n"
        f'It took {included}x.\n\n--8<-- "docs/generated/experiments/tbptt.md"\n\n'
        "A check took 5.1 s on a quiet machine.[^quiet]\n\n"
        "An unchecked claim: 5.2 s.[^loose] Another, with a unit glued on: 0.74x.\n\n"
        "Code is not prose: `sleep(0.5)`, and neither is $0.25$.\n\n"
        "[^quiet]: Quoted from the grading bench of 2026-11-30, commit b412486.\n"
        "[^loose]: Someone said so.\n")
    assert [line.split(":")[0] for line in unsourced(page)] == ["0.72", "5.2", "0.74"]

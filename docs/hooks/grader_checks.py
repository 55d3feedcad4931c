"""MkDocs hook: list the grader's own checks on the pages, so a page never names a check that does not exist.

A page writes a marker such as ``<!-- checks: cell -->`` (a part),
``<!-- checks: data.generator_shapes data.integer_labels -->`` (check names) or
``<!-- checks: all -->``; the hook replaces it, at the marker's indentation, with a
table built from :data:`course.grading.checking.checks.CHECKS`. An unknown part or check name
stops the build.
"""

from __future__ import annotations

import re

from course.grading.checking.checks import CHECKS, PARTS

MARKER = re.compile(r"^(?P<indent>[ \t]*)<!-- checks: (?P<names>[\w. ]+?) -->[ \t]*$", re.M)


def _select(names: list[str]) -> list:
    """The checks a marker asks for, in the grader's order.

    Args:
        names: list of str, parts (``cell``), check names (``cell.forget_bias``) or ``all``.

    Returns:
        The matching checks.

    Raises:
        ValueError: for a name that is neither a part nor a check.
    """
    known = {check.name for check in CHECKS}
    for name in names:
        if name != "all" and name not in PARTS and name not in known:
            raise ValueError(f"checks marker names {name!r}, which is neither a part {PARTS} nor a check")
    return [c for c in CHECKS if "all" in names or c.part in names or c.name in names]


def checks_table(names: list[str]) -> str:
    """A Markdown table of checks: name, points, and what passing it shows.

    Args:
        names: list of str, as for :func:`_select`.

    Returns:
        The table's Markdown.
    """
    rows = ["| check | points | passing it shows |", "|---|---:|---|"]
    selected = _select(names)
    for check in selected:
        manual = " (an instructor reads it)" if check.manual else ""
        rows.append(f"| `{check.name}` | {check.points:g} | {check.proves}{manual} |")
    rows.append(f"| **total** | **{sum(check.points for check in selected):g}** | |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, page: object, config: object, files: object) -> str:
    """Replace every checks marker on a page with its table.

    Args:
        markdown: str, the page's Markdown source.
        page: the MkDocs page (unused).
        config: the MkDocs config (unused).
        files: the site's files (unused).

    Returns:
        The Markdown with the tables in place of the markers.
    """
    def replace(match: re.Match) -> str:
        table = checks_table(match["names"].split())
        return "\n".join(match["indent"] + line for line in table.splitlines())

    return MARKER.sub(replace, markdown)

"""MkDocs hook: write the task's constants into the pages from ``course/task.py``, so a page never states an old one.

A page writes ``{{ task.NAME }}`` or ``{{ task.NAME:SPEC }}`` where it states the homework's setting,
in prose or in inline code. ``NAME`` is a constant of :mod:`course.task` (``SEQ_LEN``,
``NUM_SAMPLES``, ``ACCURACY_BAR``); ``SPEC`` is a Python format spec (``,`` gives ``80,000``,
``_`` gives ``80_000``, ``.2f`` gives ``0.80``), or ``percent`` for a share written as ``80 %``.
An unknown name or spec stops the build. A backslash before the braces, ``\\{{ task.NAME }}``, shows the
placeholder itself.

Only the homework's settings are written this way. A study's measurements at ``T = 25`` stay
typed in: they are what was measured, whatever the course's task is today.
"""

from __future__ import annotations

import re

from course import task

PLACEHOLDER = re.compile(r"(?P<escape>\\?)\{\{ *task\.(?P<name>\w+)(?::(?P<spec>[^}]*?))? *\}\}")


def render(name: str, spec: str | None) -> str:
    """One constant of :mod:`course.task` as a page shows it.

    Args:
        name: str, the constant's name, e.g. ``SEQ_LEN``.
        spec: str or None, a format spec, or ``percent`` (``0.8`` becomes ``80 %``).

    Returns:
        The text.

    Raises:
        ValueError: for a name that :mod:`course.task` does not define, or a spec that does not fit it.
    """
    if not name.isupper() or not hasattr(task, name):
        raise ValueError(f"a page names task.{name}, which course/task.py does not define")
    value = getattr(task, name)
    if spec == "percent":
        return f"{value * 100:g} %"
    return format(value, spec or "")


def on_page_markdown(markdown: str, page: object, config: object, files: object) -> str:
    """Replace every ``{{ task.NAME }}`` on a page with the constant's value.

    Args:
        markdown: str, the page's Markdown source.
        page: the MkDocs page (unused).
        config: the MkDocs config (unused).
        files: the site's files (unused).

    Returns:
        The Markdown with the values in place of the placeholders.
    """
    def replace(match: re.Match) -> str:
        if match["escape"]:
            return match[0][1:]
        return render(match["name"], match["spec"])

    return PLACEHOLDER.sub(replace, markdown)

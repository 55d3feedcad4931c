"""Figures for the course site, each drawn by code.

Every module here has one ``draw_*`` function that writes a file under
``docs/assets/figures/`` (or a folder you pass) and returns its path.
``lstm-course figures`` runs them all; each page names that command under
its figures.
"""

from __future__ import annotations

from pathlib import Path

from course.impl import REPO_ROOT, default_impl

#: Where the site's own figures live.
FIGURES_DIR: Path = REPO_ROOT / "docs" / "assets" / "figures"

#: Where generated Markdown fragments that pages include live (not built as pages).
GENERATED_DIR: Path = REPO_ROOT / "docs" / "generated" / "site"

#: The implementation the figures are drawn with; None: :func:`course.impl.default_impl`
#: (the reference here, the student's ``exercises`` in the release). ``lstm-course figures
#: --impl`` sets it.
IMPLEMENTATION: str | None = None


def implementation() -> str:
    """The implementation to draw the figures with.

    Returns:
        ``solutions``, ``exercises`` or a folder path.
    """
    return IMPLEMENTATION or default_impl()

"""Figures for the course site, each drawn by code.

Every module here has one ``draw_*`` function that writes a file under
``docs/assets/figures/`` (or a folder you pass) and returns its path.
``lstm-course figures`` runs them all; each page names that command under
its figures.
"""

from __future__ import annotations

from pathlib import Path

from course.impl import REPO_ROOT

#: Where the site's own figures live.
FIGURES_DIR: Path = REPO_ROOT / "docs" / "assets" / "figures"

#: Where generated Markdown fragments that pages include live (not built as pages).
GENERATED_DIR: Path = REPO_ROOT / "docs" / "generated" / "site"

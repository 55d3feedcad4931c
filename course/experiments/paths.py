"""Where the committed experiment results live."""

from __future__ import annotations

from course.impl import REPO_ROOT

#: JSON results and figures (served by the site, so a reader can download the numbers).
RESULTS_DIR = REPO_ROOT / "docs" / "assets" / "experiments"
#: Markdown tables generated from the JSON, included by the chapters.
TABLES_DIR = REPO_ROOT / "docs" / "generated" / "experiments"

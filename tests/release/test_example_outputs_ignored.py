"""The files the README's and the site's example commands write are ignored by git (issue 24:
``lstm-course train --plot curves.png`` left an untracked PNG that one ``git add -A`` publishes)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from course.impl import REPO_ROOT

#: An example command's output option and its value (a file or a folder ending in ``/``).
#: A bare flag (``grade --json --jobs 2``) is no output: a value never starts with ``-``.
OUTPUT_OPTION = re.compile(r"lstm-course [a-z]+[^`#\n]*?--(?:plot|out|reports|json|keep)[ =]([^\s`-][^\s`]*)")


def example_outputs() -> set[str]:
    """Every output path named by an ``lstm-course`` example in the README and the site's pages.

    Returns:
        set of str, relative paths (folders end in ``/``).
    """
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    found = {m[1] for page in pages for line in page.read_text().splitlines() for m in OUTPUT_OPTION.finditer(line)}
    return found | {"gradebook.csv", "gradebook-reports/"}  # grade's defaults


@pytest.mark.skipif(not (REPO_ROOT / ".git").exists() or shutil.which("git") is None, reason="not a git checkout")
def test_example_outputs_are_ignored() -> None:
    outputs = example_outputs()
    assert {"curves.png", "gradebook.csv", "autograder.zip"} <= outputs  # the pattern still finds the examples
    paths = [o + "some-file" if o.endswith("/") else o for o in outputs]
    done = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=30)
    assert sorted(set(paths) - set(done.stdout.split())) == []

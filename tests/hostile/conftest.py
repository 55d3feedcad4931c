"""Fixtures shared by the hostile tests."""

from __future__ import annotations

import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

import readable_view
from course.impl import REPO_ROOT


@pytest.fixture(scope="session")
def readable_clone() -> Iterator[readable_view.View]:
    """The repository and site-packages as other users reach them (a hard-linked view when the clone is private).

    Costs nothing in a world-readable clone; in a private one, ``cp -al`` of site-packages (a few
    seconds, once per xdist worker that asks). Skips, with the reason, where no view can be made.

    Yields:
        readable_view.View, removed at the session's end.
    """
    try:
        view = readable_view.build(REPO_ROOT.resolve(), Path(sysconfig.get_paths()["purelib"]).resolve())
    except readable_view.ViewUnavailable as error:
        pytest.skip(f"the clone or its environment is not world-readable, and no world-readable view of it "
                    f"could be made: {error}")
    try:
        yield view
    finally:
        readable_view.remove(view)

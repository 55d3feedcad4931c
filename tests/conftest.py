"""Shared pytest options: ``--impl`` chooses the implementation the graders run against."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--impl``: ``solutions``, ``exercises`` or a folder path.

    The default is ``solutions`` in the course repository and ``exercises`` in the
    student release, which has no ``solutions/`` (:func:`course.impl.default_impl`).

    Args:
        parser: pytest's option parser.
    """
    from course.impl import default_impl

    parser.addoption(
        "--impl",
        default=default_impl(),
        help="implementation for tests/graders: solutions, exercises or a folder (default: %(default)s)",
    )

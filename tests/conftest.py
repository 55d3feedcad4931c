"""Shared pytest options: ``--impl`` chooses the implementation the graders run against."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--impl``: ``solutions`` (default), ``exercises`` or a folder path.

    Args:
        parser: pytest's option parser.
    """
    parser.addoption(
        "--impl",
        default="solutions",
        help="implementation for tests/graders: solutions, exercises or a folder (default: solutions)",
    )

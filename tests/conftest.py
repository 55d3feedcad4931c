"""Shared pytest options and the grouping that lets ``make test`` run on two workers (pytest-xdist).

``--impl`` chooses the implementation the graders run against.

Under ``pytest -n 2 --dist loadgroup`` (what ``make test`` runs), xdist hands whole groups
of tests to a worker. A test's group is the connected set of test files that share an
expensive session-scoped fixture: all the tests of one file stay on one worker (their
module-scoped fixtures are computed once), and two files that use the same session
fixture (the built site, a grading of the corpus) stay together, so no fixture is computed
twice. The groups then run heaviest first, so that the longest one does not start last.
A plain ``pytest`` run is unaffected (same tests, same order).
"""

from __future__ import annotations

import pytest

#: Session-scoped fixtures cheap enough to compute on every worker: they do not tie files together.
CHEAP_SESSION_FIXTURES = frozenset({"ref"})

#: Roughly how long each part of the suite takes, in seconds, from ``--durations`` on the 2-core
#: machine (loaded). Only the order matters: heavier groups are handed out first.
GROUP_WEIGHTS = {
    "tests/hostile": 130, "tests/grading/test_mutants.py": 90, "tests/grading": 60, "tests/perf/test_bench.py": 60,
    "tests/site/test_site_browser.py": 50, "tests/batch/test_release.py": 45, "tests/perf/test_fast_path.py": 40,
    "tests/site/test_site_notebooks.py": 25, "tests/experiments/test_quick.py": 20, "tests/graders": 20,
    "tests/site/test_site_figures.py": 20, "tests/reference/test_training.py": 20, "tests/batch": 10,
}


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


def _file_of(item: pytest.Item) -> str:
    """The test file of an item, relative to the rootdir (``tests/site/test_site_build.py``).

    Args:
        item: a collected test.

    Returns:
        str.
    """
    return item.nodeid.split("::", 1)[0]


def _shared_session_fixtures(item: pytest.Item) -> set[str]:
    """The expensive session-scoped fixtures an item uses, directly or through other fixtures.

    Fixtures from plugins (``tmp_path_factory``, xdist's own) have no conftest ``baseid``
    and are per-worker anyway; those in :data:`CHEAP_SESSION_FIXTURES` are ignored.

    Args:
        item: a collected test.

    Returns:
        set of fixture names.
    """
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    return {name for name, defs in info.name2fixturedefs.items()
            if name not in CHEAP_SESSION_FIXTURES
            and any(d.scope == "session" and d.baseid for d in defs)}


def xdist_groups(items: list[pytest.Item]) -> dict[str, str]:
    """Group test files: files joined by a shared expensive session fixture form one group.

    Args:
        items: the collected tests.

    Returns:
        dict test file -> group name (the group's first file, plus ``+`` when it holds several).
    """
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for item in items:
        file = _file_of(item)
        find(file)
        for fixture in _shared_session_fixtures(item):
            parent[find(file)] = find(f"fixture:{fixture}")
    members: dict[str, list[str]] = {}
    for item in items:
        file = _file_of(item)
        if file not in members.setdefault(find(file), []):
            members[find(file)].append(file)
    return {file: files[0] + ("+" if len(files) > 1 else "") for files in members.values() for file in files}


def _weight(group_files: list[str]) -> float:
    """The estimated cost of a group: the sum of its files' weights (longest matching prefix).

    Args:
        group_files: list of str, the group's test files.

    Returns:
        float, seconds (0 for files the table does not know).
    """
    total = 0.0
    for file in group_files:
        prefixes = [p for p in GROUP_WEIGHTS if file == p or file.startswith(p.rstrip("/") + "/")]
        total += GROUP_WEIGHTS[max(prefixes, key=len)] if prefixes else 0.0
    return total


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its ``xdist_group``; on xdist workers, order the groups heaviest first.

    Runs before xdist reads the marks (``tryfirst``). The order within a group is kept.

    Args:
        config: pytest's config.
        items: the collected tests, reordered in place on workers.
    """
    groups = xdist_groups(items)
    for item in items:
        if not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(groups[_file_of(item)]))
    if not hasattr(config, "workerinput"):
        return  # not an xdist worker: keep pytest's order
    files_of: dict[str, list[str]] = {}
    for file, group in groups.items():
        files_of.setdefault(group, []).append(file)
    first_seen = {}
    for index, item in enumerate(items):
        first_seen.setdefault(groups[_file_of(item)], index)
    items.sort(key=lambda item: (-_weight(files_of[groups[_file_of(item)]]), first_seen[groups[_file_of(item)]]))

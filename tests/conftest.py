"""The scheduling that lets ``make test`` run on several workers (pytest-xdist).

``--impl``, which chooses the implementation the graders run against, is not defined here
but in :mod:`course.pytest_plugin`, which pytest loads before it reads the command line.

In the course repository, ``make test`` runs ``pytest -n $(TEST_WORKERS) --dist loadfile``
(two workers by default; the Makefile says how the number was chosen): xdist hands whole test files to a worker,
so a file's module-scoped fixtures are computed once. Files that share an expensive
session-scoped fixture (the built site) must run on the same worker too, or the fixture is
computed on both: :data:`FILE_GROUPS` merges them, through the ``pytest_xdist_make_scheduler``
hook below. (``--dist loadgroup`` with ``xdist_group`` marks would say the same, but with
pytest 9.2 and pytest-xdist 3.8 it silently stops grouping: pytest-xdist issue #1386.) Every
run checks at collection that no session fixture from a conftest is shared across groups (the
tests of such files fail with the fix), and xdist workers order the files heaviest first, so
that the longest one does not start last.
A plain ``pytest`` run is unaffected (same tests, same order).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

#: Session-scoped fixtures cheap enough to compute on every worker: they do not tie files together.
#: (``readable_clone`` costs nothing in a world-readable clone, and a few seconds of ``cp -al`` in a private one.)
CHEAP_SESSION_FIXTURES = frozenset({"ref", "readable_clone"})

#: Test files that must share a worker, because they share a session fixture (named in the key).
FILE_GROUPS = {
    "tests/site/test_site_build.py": "tests/site (built_site)",
    "tests/site/test_site_browser.py": "tests/site (built_site)",
    "tests/site/test_site_reader.py": "tests/site (built_site)",
    "tests/site/test_site_leaks.py": "tests/site (built_site)",
    "tests/grading/test_mutants.py": "tests/grading (verdicts)",
    "tests/grading/test_outside.py": "tests/grading (verdicts)",
    "tests/grading/test_handins.py": "tests/grading (verdicts)",
}

#: Roughly how long each part of the suite takes, in seconds, from ``--durations`` on the 2-core
#: machine (loaded). Only the order matters: heavier groups are handed out first.
GROUP_WEIGHTS = {
    "tests/hostile": 130, "tests/hostile/test_hostile.py": 200, "tests/hostile/test_sandbox.py": 15,
    "tests/hostile/test_confined.py": 45,
    "tests/release": 120, "tests/grading/test_runner.py": 60, "tests/grading/test_tasks.py": 20, "tests/perf/test_grading_bench.py": 30,
    "tests/studies/test_training_budget.py": 12,
    "tests/site/test_site_reader.py": 40, "tests/grading/test_outside.py": 60, "tests/grading/test_mutants.py": 90, "tests/grading": 60, "tests/perf/test_bench.py": 60,
    "tests/site/test_site_browser.py": 50, "tests/batch/test_release.py": 45, "tests/perf/test_fast_path.py": 40,
    "tests/site/test_site_notebooks.py": 25, "tests/site/test_site_instructors.py": 12, "tests/experiments/test_quick.py": 20, "tests/graders": 20,
    "tests/site/test_site_figures.py": 20, "tests/reference/test_training.py": 20, "tests/reference/test_train_progress.py": 8, "tests/batch": 10, "tests/batch/test_references.py": 3,
}


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
    """Connect test files through the expensive session fixtures they share (a union-find).

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


def group_of(file: str) -> str:
    """The xdist work unit of a test file: its :data:`FILE_GROUPS` entry, else the file itself.

    Args:
        file: str, the test file relative to the rootdir.

    Returns:
        str.
    """
    return FILE_GROUPS.get(file, file)


class FileGroupScheduler:
    """The ``pytest_xdist_make_scheduler`` hook, registered only when pytest-xdist is installed
    (pytest refuses an unknown hook in a conftest, e.g. with ``-p no:xdist``)."""

    @staticmethod
    def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
        """With ``--dist loadfile``, schedule whole files, and the files of one :data:`FILE_GROUPS` entry together.

        Args:
            config: pytest's config (on the xdist controller).
            log: xdist's logger.

        Returns:
            The scheduler, or None to let xdist choose (any other ``--dist``).
        """
        if config.getvalue("dist") != "loadfile":
            return None
        from xdist.scheduler import LoadScopeScheduling

        class FileGroupScheduling(LoadScopeScheduling):
            """xdist's per-scope scheduling with the scope of a test = its file's group."""

            def _split_scope(self, nodeid: str) -> str:
                """The work unit of a test.

                Args:
                    nodeid: str, the test's node id.

                Returns:
                    str, its group.
                """
                return group_of(nodeid.split("::", 1)[0])

        return FileGroupScheduling(config, log)


def pytest_configure(config: pytest.Config) -> None:
    """Register the file-group scheduler when pytest-xdist is there.

    Args:
        config: pytest's config.
    """
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(FileGroupScheduler(), "lstm-course-file-groups")


#: Files whose tests fail at setup, with the reason, because their grouping is wrong (see below).
_MISGROUPED: dict[str, str] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Check that files sharing a session fixture share a group; on xdist workers, order groups heaviest first.

    A violation makes the tests of those files fail with the fix (in every run, so a plain
    ``pytest`` shows it too; an exception here would reach xdist only as an internal error).
    The order within a group is kept. Plain ``pytest`` runs keep pytest's order.

    Args:
        config: pytest's config.
        items: the collected tests, reordered in place on workers.
    """
    for files in _components(xdist_groups(items)).values():
        if len({group_of(file) for file in files}) > 1:
            for file in files:
                _MISGROUPED[file] = (f"{', '.join(files)} share a session-scoped fixture: put them in one group in"
                                     " FILE_GROUPS (tests/conftest.py), or xdist computes it on every worker")
    if not hasattr(config, "workerinput"):
        return
    members: dict[str, list[str]] = {}
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        group = group_of(_file_of(item))
        first_seen.setdefault(group, index)
        if _file_of(item) not in members.setdefault(group, []):
            members[group].append(_file_of(item))
    items.sort(key=lambda item: (-_weight(members[group_of(_file_of(item))]), first_seen[group_of(_file_of(item))]))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail the tests of misgrouped files (see :func:`pytest_collection_modifyitems`).

    Args:
        item: the test about to run.
    """
    if _file_of(item) in _MISGROUPED:
        pytest.fail(_MISGROUPED[_file_of(item)], pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """End every failure's report with the grading seed, so that the failure can be replayed.

    Args:
        item: the test.
        call: the phase's outcome.

    Yields:
        Control to the other hooks, which make the report.
    """
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        from tests.seed import GRADING_SEED, SEED_VARIABLE

        report.sections.append(("grading seed", f"seed {GRADING_SEED}: replay with {SEED_VARIABLE}={GRADING_SEED}"))


def _components(groups: dict[str, str]) -> dict[str, list[str]]:
    """Invert :func:`xdist_groups`: each component's files.

    Args:
        groups: dict file -> component name.

    Returns:
        dict component name -> list of files.
    """
    out: dict[str, list[str]] = {}
    for file, group in groups.items():
        out.setdefault(group, []).append(file)
    return out


@pytest.fixture()
def failing_bwrap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[str], contextlib.AbstractContextManager[None]]:
    """Simulate, for a block, a machine where bubblewrap cannot start: a ``bwrap`` that fails with a message.

    Args:
        monkeypatch: pytest's monkeypatch.
        tmp_path: pytest's temporary folder (the fake ``bwrap`` goes there).

    Returns:
        ``install(message, confine=False)``, a context manager: inside it the sandbox's probe
        finds only the failing ``bwrap`` and, unless ``confine``, no tier without namespaces
        either (a machine where no sandbox starts); on leaving, the environment and the
        probe's cache are as before.
    """
    from course.grading.running import sandbox

    @contextlib.contextmanager
    def install(message: str, confine: bool = False) -> Iterator[None]:
        fake = tmp_path / "bwrap"
        fake.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 1\n")
        fake.chmod(0o755)
        with monkeypatch.context() as patch:
            patch.setenv(sandbox.BWRAP_ENV, str(fake))
            if not confine:
                patch.setenv(sandbox.CONFINE_ENV, "off")
            sandbox.probe.cache_clear()
            try:
                yield
            finally:
                sandbox.probe.cache_clear()

    return install

"""Real-style hand-ins (issue 22): the grader charges what the code computes, once, not how it is packaged.

Each case of :mod:`tests.grading.outside.handins.cases` states, before any grading run,
the checks it must fail and why; every other check graded on it must pass. Their
verdicts come from the session's single grading (``graded`` in ``conftest.py``). The
stand-in for missing modules and the static warning are also tested here without a child.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from course.grading.checking import static
from course.grading.checking.checks import BY_NAME
from course.grading.running import absent
from tests.grading.outside.handins import cases

Verdicts = dict[str, dict[str, tuple[bool, str]]]

#: What every case must cover: the issue's styles, at least twelve real-style hand-ins.
STYLES = ("colah_hx", "per_gate_xh", "unused_imports", "decorated_built", "tf_keras_fused_hx", "float64_normal",
          "prints_every_batch", "two_readin", "two_units")


def test_corpus_covers_the_issue_styles() -> None:
    """At least twelve hand-ins, every pool file used, every style the issue lists present."""
    assert len(cases.HANDINS) >= 12
    used = {style.split("/", 1)[1] for case in cases.HANDINS for style in case.files.values()
            if style.startswith("handins/")}
    pool = {path.stem for path in cases.POOL.glob("*/*.py")}
    assert used == pool, used ^ pool
    assert set(STYLES) <= pool


@pytest.mark.parametrize("case", cases.HANDINS, ids=[case.name for case in cases.HANDINS])
def test_handin_loses_exactly_the_expected_checks(case: cases.Handin, graded: Verdicts) -> None:
    """The checks an instructor expects fail, with the real cause named; every other check passes.

    Args:
        case: a hand-in with its expected verdicts.
        graded: every case's verdicts.
    """
    verdicts = graded[f"handin:{case.name}"]
    assert {BY_NAME[name].part for name in verdicts} >= set(case.parts)
    failed = {name: detail for name, (passed, detail) in verdicts.items() if not passed}
    assert set(failed) == set(case.fails), (
        f"{case.name}: unexpected failures {set(failed) - set(case.fails)} "
        f"({ {n: failed[n] for n in set(failed) - set(case.fails)} }); missed {set(case.fails) - set(failed)}")
    for name, text in case.mentions.items():
        assert text in verdicts[name][1], (name, verdicts[name][1])
    assert not any(detail.startswith("not implemented yet") for detail in failed.values()), failed
    if case.once:
        stated = [name for name, (_, detail) in verdicts.items() if case.once in detail]
        assert len(stated) == 1, stated


def test_absent_module_fails_only_where_used(tmp_path: Path) -> None:
    """An import of a missing module from a submission's file succeeds; using it raises, naming the module.

    Args:
        tmp_path: pytest's temporary folder.
    """
    source = tmp_path / "data.py"
    source.write_text("import tqdm_absent_for_the_test.sub as sub\nfrom scipy_absent_for_the_test import quad\n"
                      "def use():\n    return quad(1)\n")
    finder = absent.install([tmp_path])
    try:
        spec = importlib.util.spec_from_file_location("handins_probe_data", source)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        with pytest.raises(ModuleNotFoundError, match="scipy_absent_for_the_test"):
            module.use()
        assert absent.reset(finder) == ["tqdm_absent_for_the_test", "scipy_absent_for_the_test"]
        with pytest.raises(ModuleNotFoundError):  # not from a submission's file: a plain failure, as before
            importlib.import_module("tqdm_absent_for_the_test")
    finally:
        sys.meta_path.remove(finder)
        absent.reset(finder)


def test_static_warning_lists_missing_imports(tmp_path: Path) -> None:
    """The report's warning names each import the grader cannot satisfy, and no provided or own module.

    Args:
        tmp_path: pytest's temporary folder.
    """
    cases.build(cases.BY_NAME["notebook_imports"], tmp_path)
    found = {(f.file, f.what.split()[1].rstrip(",")) for f in static.absent_imports(static.parse(tmp_path))}
    imported = ("pandas", "scipy.integrate", "tensorflow_datasets", "tqdm", "matplotlib.pyplot")
    expected = {("data.py", name) for name in imported if importlib.util.find_spec(name.split(".")[0]) is None}
    assert ("data.py", "tensorflow_datasets") in expected  # the grader must lack it for this test to mean anything
    assert found == expected


def test_site_and_release_list_the_provided_packages() -> None:
    """The grading page and the student release's README name every package the grader provides."""
    from course.release.build import README
    from course.impl import REPO_ROOT

    page = (REPO_ROOT / "docs" / "grading.md").read_text().lower()
    for name in absent.PROVIDED:
        assert f"`{name}`" in README, name
        assert name in page, name


def test_report_warns_once_about_missing_imports(tmp_path: Path) -> None:
    """The report's warning names every missing import, with its line, in one line worth no points.

    Args:
        tmp_path: pytest's temporary folder.
    """
    from course.grading.checking.static import parse
    from course.grading.core import absent_import_warnings

    cases.build(cases.BY_NAME["notebook_imports"], tmp_path / "notebook")
    cases.build(cases.BY_NAME["colah_h_x_order"], tmp_path / "clean")
    warnings = absent_import_warnings(parse(tmp_path / "notebook"))
    assert len(warnings) == 1 and "tensorflow_datasets (data.py:12)" in warnings[0], warnings
    assert absent_import_warnings(parse(tmp_path / "clean")) == []

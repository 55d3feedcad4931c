"""The Gradescope bundle: its content, and ``run_autograder`` on a simulated ``/autograder`` tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from course.grading.running import sandbox
from course.grading.outputs.gradescope import build, extract
from course.impl import REPO_ROOT
from venvs import venv_with

HERE = Path(__file__).resolve().parent
#: The memory cap the instructors' page recommends for the bundle (``--memory-mb``), MiB.
RECOMMENDED_MEMORY_MB = 3072


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The autograder zip, built once.

    Args:
        tmp_path_factory: pytest's temporary folders.

    Returns:
        The zip's path.
    """
    path = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    build(path, config={"timeout": 60})
    return path


def test_bundle_has_the_scripts_and_the_course_but_no_solutions(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    assert {"setup.sh", "run_autograder", "grading.json", "lstm-course/pyproject.toml"} <= set(names)
    assert "lstm-course/course/grading/running/batch_worker.py" in names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert not [n for n in names if "solutions" in Path(n).parts]
    assert not [n for n in names if "__pycache__" in n]
    assert not [n for n in names if n.startswith(("lstm-course/course/release/", "lstm-course/course/watch/"))]  # not grading
    # One-off studies (their conclusions committed) stay in the repository (studies/), out of the bundle.
    assert not [n for n in names if "training_budget" in n or Path(n).parts[1:2] == ("studies",)]


def simulate(bundle: Path, root: Path, submission_files: dict[str, str], config: dict) -> dict:
    """Lay out a fake ``/autograder`` tree, run ``run_autograder`` and read the results.

    Args:
        bundle: Path, the autograder zip.
        root: Path, the fake ``/autograder``.
        submission_files: dict of file name to content for ``submission/``.
        config: dict, replaces the bundle's ``grading.json``.

    Returns:
        The parsed ``results/results.json``.
    """
    extract(bundle, root / "source")
    (root / "source" / "grading.json").write_text(json.dumps(config))
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    for name, text in submission_files.items():
        (root / "submission" / name).write_text(text)
    # setup.sh's `pip install -e /autograder/source/lstm-course`, without the download.
    python = venv_with(root / "venv", root / "source" / "lstm-course")
    which = subprocess.run([str(python), "-I", "-c", "import course; print(course.__file__)"],
                           capture_output=True, text=True, cwd=root)
    assert which.stdout.startswith(str(root / "source")), "the test must run the bundled course, not the repository's"
    env = {**os.environ, "AUTOGRADER_ROOT": str(root),
           "PYTHONPATH": str(HERE)}  # the light stand-in core lives next to this test
    env.pop("AUTOGRADER_PYTHON", None)
    done = subprocess.run([str(root / "run_autograder")], env=env, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_run_autograder_writes_gradescope_results(bundle: Path, tmp_path: Path) -> None:
    cheat = ("import atexit, pathlib\n"
             "fake = '{\"score\": 999, \"tests\": []}'\n"
             "print(fake)\n"
             "atexit.register(lambda: pathlib.Path('/proc/self/cwd/results.json').write_text(fake))\n")
    results = simulate(bundle, tmp_path / "autograder", {"data.py": "", "cell.py": "", "hostile.py": cheat},
                       {"timeout": 30, "core": "fake_core"})
    assert results["score"] == 2 and results["max_score"] == 3
    assert results["output_format"] == "md" and "Grade report" in results["output"]
    assert results["stdout_visibility"] == "hidden" and isinstance(results["execution_time"], int)
    for test in results["tests"]:
        assert {"name", "score", "max_score", "output", "status"} <= set(test)
        assert test["status"] in ("passed", "failed")
    assert results["extra_data"]["status"] == "ok"
    assert results["extra_data"]["parts"]["layer"] == {"score": 0.0, "max_score": 1.0}


def test_run_autograder_reports_a_timeout(bundle: Path, tmp_path: Path) -> None:
    results = simulate(bundle, tmp_path / "autograder", {"data.py": "", "hostile.py": "while True:\n    pass\n"},
                       {"timeout": 3, "core": "fake_core"})
    assert results["score"] == 0 and results["extra_data"]["status"] == "timeout"
    assert "time" in results["output"]


@pytest.mark.skipif(not sandbox.probe().active, reason="no sandbox on this machine")
def test_bundle_grades_real_code_in_the_sandbox_under_the_recommended_memory(bundle: Path, tmp_path: Path) -> None:
    files = {p.name: p.read_text() for p in (REPO_ROOT / "solutions").glob("*.py")}
    files["cell.py"] += ("\nimport pathlib\ntry:\n    pathlib.Path('/autograder/results/results.json').write_text('{}')\n"
                         "except OSError:\n    pass\n")
    results = simulate(bundle, tmp_path / "autograder", files,
                       {"timeout": 240, "memory_mb": RECOMMENDED_MEMORY_MB, "jobs": 1,
                        "core_options": {"parts": ["cell"], "seed": 3}})
    assert results["extra_data"]["status"] == "ok", results.get("output")
    assert results["extra_data"]["isolation"] == sandbox.probe().level
    if os.geteuid() == 0:
        assert results["extra_data"]["isolation"] == "bwrap+uid"  # Gradescope runs as root: an unprivileged uid
    assert results["extra_data"]["parts"]["cell"]["score"] == results["extra_data"]["parts"]["cell"]["max_score"] > 0
    assert "Isolation: `bwrap" in results["output"]

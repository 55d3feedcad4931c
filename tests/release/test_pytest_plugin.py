"""``pytest --impl PATH`` works with any folder: outside the project, absolute or relative (issue 24).

Each case starts a real pytest, as a student would, in a small project of its own (a
configuration file, a ``testpaths`` folder), so the installed plugin
(:mod:`course.pytest_plugin`) is what defines the option; the test in that project reports the
option's value and the run's rootdir.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: The project's one test: it writes what pytest made of the command line.
PROBE = '''
import json
from pathlib import Path


def test_report(request):
    Path(__file__).with_name("seen.json").write_text(json.dumps({
        "impl": request.config.getoption("--impl"), "rootdir": str(request.config.rootpath),
        "verbosity": request.config.get_verbosity()}))
'''


@pytest.mark.parametrize("form", ["absolute", "relative"])
def test_impl_takes_a_folder_outside_the_project(tmp_path: Path, form: str) -> None:
    """``pytest --impl PATH``, with no test path, runs the project's tests with the project's configuration."""
    project, outside = tmp_path / "project", tmp_path / "elsewhere" / "mine"
    (project / "checks").mkdir(parents=True)
    outside.mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ntestpaths = ["checks"]\naddopts = "-p no:cacheprovider -v"\n')
    (project / "checks" / "test_probe.py").write_text(PROBE)
    impl = str(outside) if form == "absolute" else "../elsewhere/mine"
    done = subprocess.run([sys.executable, "-m", "pytest", "--impl", impl], cwd=project,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    seen = json.loads((project / "checks" / "seen.json").read_text())
    assert seen["impl"] == impl
    assert Path(seen["rootdir"]) == project  # not the folder after --impl
    assert seen["verbosity"] >= 1  # the project's addopts applied
    assert list(outside.iterdir()) == []  # pytest wrote nothing into the folder it was pointed at
    assert not (project / ".pytest_cache").exists()  # the project's "-p no:cacheprovider" applied too

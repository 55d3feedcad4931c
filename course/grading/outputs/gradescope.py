"""Build ``autograder.zip`` for Gradescope: ``setup.sh``, ``run_autograder`` and the course, no solutions.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once as root
to build the image, then per submission runs ``/autograder/run_autograder`` with the
student's files in ``/autograder/submission``; whatever that script leaves in
``/autograder/results/results.json`` is the score (the "Autograder Specifications" page
of gradescope-autograders.readthedocs.io). ``run_autograder`` here calls
:mod:`course.grading.outputs.gradescope_run`, which grades the submission with the same isolated
worker as ``lstm-course grade`` and always writes a results file.
"""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

from course.impl import REPO_ROOT

#: What of the repository goes into the bundle (as ``lstm-course/...``): the installable course.
BUNDLED = ("pyproject.toml", "README.md", "course")
#: Never bundled, wherever they appear.
EXCLUDED_PARTS = frozenset({"__pycache__", ".pytest_cache", "solutions"})
#: Folders of the course that Gradescope never runs: the student release's builder and the student's watch mode.
EXCLUDED_FOLDERS = ("course/release", "course/watch")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
set -euo pipefail
apt-get install -y --no-install-recommends python3 python3-pip python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
# Editable, so the grader's recorded reference values are read from the source tree.
/autograder/venv/bin/pip install -e /autograder/source/lstm-course
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this once per submission. It always leaves results/results.json behind.
# AUTOGRADER_ROOT and AUTOGRADER_PYTHON point it at a simulated tree in the tests.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
export PYTHONPATH="$ROOT/source/lstm-course${PYTHONPATH:+:$PYTHONPATH}"
export TF_CPP_MIN_LOG_LEVEL=2
mkdir -p "$ROOT/results"
cd "$ROOT"
"$PYTHON" -m course.grading.outputs.gradescope_run --root "$ROOT" --config "$ROOT/source/grading.json"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  # The runner itself failed before writing anything: tell the student, score nothing.
  printf '{"score": 0, "output": "The autograder failed to start (exit %s). Please tell your instructor.", "tests": []}\\n' "$status" > "$ROOT/results/results.json"
fi
exit 0
"""


def _files(root: Path, names: tuple[str, ...]) -> list[Path]:
    """The files to bundle, relative to ``root``.

    Args:
        root: Path, the repository.
        names: tuple of str, top-level files and folders.

    Returns:
        Relative paths, sorted, with caches, any ``solutions`` folder and :data:`EXCLUDED_FOLDERS` left out.
    """
    files: list[Path] = []
    for name in names:
        path = root / name
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        files += [p.relative_to(root) for p in candidates
                  if not EXCLUDED_PARTS & set(p.relative_to(root).parts) and p.suffix != ".pyc"
                  and not any(p.relative_to(root).is_relative_to(folder) for folder in EXCLUDED_FOLDERS)]
    return files


def _add_script(archive: zipfile.ZipFile, name: str, text: str) -> None:
    """Add an executable script to the archive.

    Args:
        archive: ZipFile open for writing.
        name: str, its name at the archive's root.
        text: str, its content.
    """
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def build(out: Path, *, config: dict, root: Path = REPO_ROOT) -> list[str]:
    """Write the Gradescope bundle.

    Args:
        out: Path, the ``.zip`` to write.
        config: dict, grading settings for the runner (``timeout``, ``memory_mb``,
            ``core_options``, ``jobs``), stored as ``grading.json``.
        root: Path, the repository to bundle from.

    Returns:
        The archive's member names.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_script(archive, "setup.sh", SETUP_SH)
        _add_script(archive, "run_autograder", RUN_AUTOGRADER)
        archive.writestr("grading.json", json.dumps(config, indent=2))
        for relative in _files(root, BUNDLED):
            archive.write(root / relative, f"lstm-course/{relative.as_posix()}")
        return archive.namelist()


def extract(bundle: Path, source: Path) -> None:
    """Unpack a bundle the way Gradescope does, keeping the scripts executable.

    Args:
        bundle: Path, the ``autograder.zip``.
        source: Path, the folder that plays ``/autograder/source``.
    """
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(source)
        for info in archive.infolist():
            mode = info.external_attr >> 16
            if mode & 0o111:
                (source / info.filename).chmod(mode & 0o777)

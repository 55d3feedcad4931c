"""Throwaway virtual environments that see one copy of the course, as a fresh install would.

The project's own ``.venv`` imports ``course`` from the repository (an editable install),
and the grading core's children run with ``python -I``, which ignores ``PYTHONPATH``. To
test a bundle or a release for real, its ``course`` must be the one every process
imports: a new venv gets two ``.pth`` lines, the project's site-packages (TensorFlow and
friends, but not their ``.pth`` files, so not the editable install) and the copy's folder.
That is what ``pip install -e COPY`` into a clean venv would give, in a second.
"""

from __future__ import annotations

import site
import subprocess
import sys
from pathlib import Path


def venv_with(folder: Path, project: Path) -> Path:
    """Create a venv at ``folder`` whose ``course`` package is ``project/course``.

    Args:
        folder: Path, where to create the venv.
        project: Path, the folder holding the ``course`` package (a bundle or release copy).

    Returns:
        The venv's ``python``.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    target = Path(subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                                 capture_output=True, text=True, check=True).stdout.strip())
    (target / "project_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    (target / "course_copy.pth").write_text(f"{project.resolve()}\n")
    return python

"""``course.teardown``: a grading process that loaded TensorFlow ends at once, with its output intact."""

from __future__ import annotations

import os
import subprocess
import sys

_EXIT = "from course.teardown import exit_skipping_teardown\n"
_AT_EXIT = "import atexit; atexit.register(lambda: print('atexit ran', flush=True))\n"


def _run(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})


def test_with_tensorflow_the_code_and_buffered_output_survive_and_teardown_is_skipped() -> None:
    """Unflushed stdout and stderr still arrive, the code is kept, and ``atexit`` handlers do not run."""
    done = _run("import tensorflow\nimport sys\n" + _AT_EXIT + _EXIT
                + "sys.stdout.write('kept on stdout'); sys.stderr.write('kept on stderr')\n"
                "exit_skipping_teardown(3)\n")
    assert done.returncode == 3, done.stderr[-2000:]
    assert done.stdout == "kept on stdout"
    assert done.stderr.endswith("kept on stderr")


def test_without_tensorflow_the_exit_is_normal() -> None:
    """Nothing slow to skip: ``atexit`` handlers run and ``None`` means success."""
    done = _run(_AT_EXIT + _EXIT + "exit_skipping_teardown(None)\n")
    assert done.returncode == 0
    assert "tensorflow" not in done.stdout and done.stdout == "atexit ran\n"

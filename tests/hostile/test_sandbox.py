"""The bubblewrap sandbox on its own, probed from inside by plain Python (no TensorFlow: seconds).

Each test starts ``python -I -c CODE`` the way the runner starts a grading child (same
binds, same environment policy) and checks from outside what the code could reach.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from course.grading.running import sandbox
from course.impl import REPO_ROOT
from readable_view import View

BOX = sandbox.probe()
needs_sandbox = pytest.mark.skipif(not BOX.active, reason=f"no sandbox on this machine: {BOX.reason}")


def run_inside(code: str, scratch: Path, *, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run Python code in the sandbox with ``scratch`` as its one writable folder.

    Args:
        code: str, Python source.
        scratch: Path.
        timeout: float, seconds.

    Returns:
        The completed process (stdout and stderr as text).
    """
    scratch.mkdir(parents=True, exist_ok=True)
    BOX.prepare(scratch)
    command = BOX.command([sys.executable, "-I", "-c", code], scratch=scratch,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=scratch,
                          stdin=subprocess.DEVNULL)


def test_ci_machine_has_a_sandbox() -> None:
    # CI and the developers' machines are where the issue's guarantees are promised.
    if os.environ.get("CI") or os.geteuid() == 0:
        assert BOX.active, BOX.reason
        assert BOX.level == (sandbox.BWRAP_UID if os.geteuid() == 0 else sandbox.BWRAP)


@needs_sandbox
def test_only_python_the_venv_and_the_course_package_are_visible(tmp_path: Path) -> None:
    code = ("import os, sys\n"
            f"for path in {[str(REPO_ROOT / 'solutions'), str(REPO_ROOT / 'tests'), str(REPO_ROOT / 'README.md'), str(Path.home() / '.bashrc'), '/etc/shadow', '/work/shared']!r}:\n"
            "    print(path, os.path.exists(path))\n"
            "import course.grading.checking.checks\n"
            "print('course', course.grading.checking.checks.__file__)\n")
    done = run_inside(code, tmp_path / "scratch")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(line.endswith(" False") for line in lines[:-1]), lines
    assert lines[-1].startswith("course ")
    assert (REPO_ROOT / "solutions").is_dir()  # there outside, just not visible inside


@needs_sandbox
def test_grader_venv_and_python_are_read_only(tmp_path: Path) -> None:
    import course
    import numpy

    targets = [Path(course.__file__).parent / "grading" / "core.py", Path(numpy.__file__),
               Path(sys.prefix) / "pyvenv.cfg", Path(os.path.realpath(sys.executable))]
    before = {t: t.read_bytes() for t in targets}
    code = ("import sys\n"
            f"for target in {[str(t) for t in targets]!r}:\n"
            "    try:\n"
            "        open(target, 'a').write('# tampered\\n'); print('WROTE', target)\n"
            "    except OSError as error:\n"
            "        print('refused', target, error.errno)\n")
    done = run_inside(code, tmp_path / "scratch")
    assert "WROTE" not in done.stdout and done.stdout.count("refused") == len(targets), (done.stdout, done.stderr)
    assert {t: t.read_bytes() for t in targets} == before


@needs_sandbox
def test_scratch_is_writable_and_tmp_is_private(tmp_path: Path) -> None:
    marker = f"lstm-course-sandbox-{os.getpid()}-{time.monotonic_ns()}"
    code = (f"open('in-scratch.txt', 'w').write('ok')\nopen('/tmp/{marker}', 'w').write('x')\n"
            "import os\nprint(sorted(os.listdir('/tmp')))\n")
    done = run_inside(code, tmp_path / "scratch")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "scratch" / "in-scratch.txt").read_text() == "ok"
    assert not Path("/tmp", marker).exists()


@needs_sandbox
def test_no_network_not_even_the_hosts_loopback(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        code = ("import socket\ntry:\n"
                f"    socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'hello')\n"
                "    print('CONNECTED')\nexcept OSError as error:\n    print('refused', error)\n")
        done = run_inside(code, tmp_path / "scratch")
        time.sleep(0.2)
        with pytest.raises(BlockingIOError):
            listener.accept()
    assert "CONNECTED" not in done.stdout and "refused" in done.stdout, (done.stdout, done.stderr)


@needs_sandbox
@pytest.mark.skipif(os.geteuid() != 0, reason="the uid drop happens when grading runs as root")
def test_root_runs_student_code_as_an_unprivileged_uid(tmp_path: Path) -> None:
    code = ("import os\nprint(os.getuid(), os.geteuid(), os.getgid(), os.getgroups())\n"
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapBnd'))])\n"
            "print(open('/proc/self/uid_map').read().split())\n"
            "try:\n    os.setuid(0); print('ROOT AGAIN')\nexcept OSError as e:\n    print('stays', e.errno)\n")
    done = run_inside(code, tmp_path / "scratch")
    ids, caps, uid_map, again = done.stdout.splitlines()
    ident = sandbox.unprivileged_id(tmp_path / "scratch")
    assert ident >= sandbox.ID_BASE and ident not in {0, 65534, os.getuid()}
    assert ids == f"{ident} {ident} {ident} []", done.stderr
    assert caps == "['0000000000000000', '0000000000000000']"
    assert uid_map.startswith("['0', '0'")  # the host's own user namespace: the uid is the same outside
    assert again.startswith("stays")


@needs_sandbox
def test_nothing_outlives_the_sandbox(tmp_path: Path) -> None:
    token = f"lstm-course-daemon-{time.monotonic_ns()}"
    code = ("import os, sys, time\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            f"        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(120)', {token!r}])\n"
            "    os._exit(0)\n"
            "time.sleep(0.5)\n")
    done = run_inside(code, tmp_path / "scratch")
    assert done.returncode == 0, done.stderr
    time.sleep(0.5)
    alive = []
    for process in psutil.process_iter():
        try:
            if token in process.cmdline() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.Error:
            pass
    assert not alive


def test_require_refuses_and_auto_goes_on_without_bwrap(failing_bwrap: Callable[[str], Any], tmp_path: Path) -> None:
    with failing_bwrap("bwrap: setting up uid map: Permission denied"):
        with pytest.raises(sandbox.SandboxUnavailable, match="uid map"):
            sandbox.current("require")
        found = sandbox.current("auto")
        assert found.level == sandbox.NONE and "uid map" in found.reason
        assert found.command(["python", "-c", "pass"], scratch=tmp_path) == ["python", "-c", "pass"]
        assert sandbox.current("off").level == sandbox.NONE


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/bin/python3").exists() or shutil.which("setpriv") is None
                    or not BOX.active,
                    reason="needs root (to become another user), the system's python3 and a sandbox")
def test_as_another_user_the_sandbox_uses_a_user_namespace(readable_clone: View) -> None:
    # The non-root path: bwrap in a user namespace, started by uid 65534 with the system's python3,
    # on the clone as that user reaches it (a hard-linked view when the clone is private).
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:  # pytest's own folders are root's only
        os.chmod(folder, 0o777)
        _as_another_user(Path(folder), readable_clone)


def _as_another_user(tmp_path: Path, view: View) -> None:
    """The body of the test above, in a folder uid 65534 can use.

    Args:
        tmp_path: Path.
        view: View, the repository and site-packages as uid 65534 reaches them.
    """
    module = view.path(Path(sandbox.__file__))
    inside = f"import os\nprint(os.getuid(), os.path.exists({str(module)!r}), os.path.exists({str(view.repo / 'solutions')!r}))\n"
    script = tmp_path / "outside.py"
    script.write_text(
        "import subprocess, sys\n"
        f"sys.path.insert(0, {str(view.repo)!r})\n"
        "from pathlib import Path\nfrom course.grading.running import sandbox\n"
        "box = sandbox.probe()\nprint(box.level, sandbox.__file__)\n"
        f"scratch = Path({str(tmp_path)!r}) / 'scratch'\nscratch.mkdir()\n"
        f"command = box.command([sys.executable, '-I', '-c', {inside!r}], scratch=scratch, env={{}})\n"
        "print(subprocess.run(command, capture_output=True, text=True).stdout.strip())\n")
    script.chmod(0o644)
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path), sandbox.BWRAP_ENV: str(view.path(Path(BOX.bwrap)))}
    done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", str(script)],
                          capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert (view.repo / "solutions").is_dir()  # there for uid 65534 outside the sandbox, not inside
    assert done.stdout.split() == ["bwrap", str(module), "65534", "True", "False"], (done.stdout, done.stderr)


def test_check_warns_once_without_a_sandbox_and_goes_on(failing_bwrap: Callable[[str], Any]) -> None:
    from rich.console import Console

    from course.commands.check import warn_without_sandbox

    with failing_bwrap("bwrap: No permissions to create new namespace"):
        console = Console(record=True, width=200)
        warn_without_sandbox(console)
        text = console.export_text()
        assert text.count("Warning") == 1 and "without a sandbox" in text and "namespace" in text
        assert sandbox.current().level == sandbox.NONE  # the runner then goes on unconfined
    if BOX.active:
        console = Console(record=True, width=200)
        warn_without_sandbox(console)
        assert console.export_text() == ""


def test_process_limit_counts_only_what_the_sandbox_owns() -> None:
    from course.grading.running import runner

    assert runner.process_limit(sandbox.Sandbox(sandbox.BWRAP_UID, "bwrap")) == runner.PROCESSES
    # Under a user namespace the user's own threads may count too: they are added.
    assert runner.process_limit(sandbox.Sandbox(sandbox.BWRAP, "bwrap")) > runner.PROCESSES
    # Without a sandbox, the user's whole session would count: no limit is set.
    assert runner.process_limit(sandbox.Sandbox(sandbox.NONE)) == 0
    assert runner.PROCESSES >= 128

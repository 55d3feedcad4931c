"""The sandbox tier without namespaces, graded where bubblewrap cannot start.

Two places where graders really run are reproduced with ``docker_like.py``:

- ``root``: root confined like Docker's defaults (its capability set, a seccomp filter
  against namespaces and mounts), as Gradescope runs ``run_autograder``;
- ``user``: uid 65534 (with a home of its own) whose user namespaces are denied, as the
  runner's user on Ubuntu 24.04.

In each, ``lstm-course grade --parts cell --jobs 1`` grades three submissions in order: one
that tries every escape at import (rewrite the grader and site-packages, connect to a
loopback listener, write in ``/tmp``, ``/var/tmp``, ``/dev/shm``, the home and the
repository, then read a secret from the home into its error), a buggy one after it, and
the reference. The two batches run at once. The grader runs on the system's Python (with
the project's site-packages), as on Gradescope's images, so that a uid of its own can start
it: the ``root`` batch must reach ``landlock+uid``, the ``user`` batch ``landlock``.

Those uids must read the ``course`` package and site-packages. In a clone other users cannot
reach (e.g. inside ``mktemp -d``), the graders run on a hard-linked, world-readable view of it
(``readable_view.py``, the ``readable_clone`` fixture), and the tests check that they imported
the view's ``course`` and packages.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus import HOME_SECRET, LOOPBACK, REWRITE_GRADER, REWRITE_SITE_PACKAGES, SOLUTIONS, WRITE_OUTSIDE, Edit
from course.grading.batch import package_hash
from course.grading.outputs import gradebook
from course.grading.running import confine, landlock, sandbox
from course.impl import REPO_ROOT
from readable_view import View
from test_hostile import EVIL_PTH, SITE_FILES, _failed_checks

LAUNCHER = Path(__file__).with_name("docker_like.py")
SYSTEM_PYTHON = Path("/usr/bin/python3")
NOBODY = 65534
#: The level each confinement must reach, and the uid that runs the grader there.
PLACES = {"root": ("landlock+uid", 0), "user": ("landlock", NOBODY)}
#: The runner's own scratch folders (``tempfile.mkdtemp(prefix=...)``: one per part, or ``lstm-zygote-`` for a
#: forking worker), whose task folders it hands to the tasks' uids: another test on the other xdist worker
#: may be grading while this one looks.
GRADER_SCRATCH = re.compile(r"lstm-(data|cell|layer|model|training|zygote)-[a-z0-9_]{8}")
#: Folders where nothing may appear outside the scratch.
SHARED_TEMP = ("/tmp", "/var/tmp", "/dev/shm")


def _system_python_fits() -> bool:
    """Whether the system's Python can import this environment's packages (same minor version).

    Returns:
        bool.
    """
    if not SYSTEM_PYTHON.exists():
        return False
    done = subprocess.run([SYSTEM_PYTHON, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                          text=True)
    return done.stdout.strip() == str(sys.version_info[:2])


pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None or landlock.abi() < 1 or not _system_python_fits(),
    reason="needs root (to play both places), setpriv, Landlock, libseccomp and the system's Python 3 of this "
           "minor version")


def _system_venv(folder: Path, purelib: Path) -> Path:
    """A virtual environment of the system's Python that sees this environment's packages.

    Args:
        folder: Path, where to make it.
        purelib: Path, this environment's site-packages as other users reach them.

    Returns:
        Path, its ``python``.
    """
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", folder], check=True)
    site = next((folder / "lib").glob("python3*/site-packages"))
    (site / "zz_lstm_course_project.pth").write_text(f"import site; site.addsitedir({str(purelib)!r})\n")
    return folder / "bin" / "python"


def _submissions(folder: Path, values: dict[str, str]) -> None:
    """Write the three submissions: the escape, a buggy one after it, the reference.

    Args:
        folder: Path, the submissions' folder.
        values: dict of the corpus's placeholders to this place's values.
    """
    escape, buggy = folder / "1-escape", folder / "2-buggy"
    shutil.copytree(SOLUTIONS, escape)
    Edit("cell.py", append=REWRITE_GRADER + REWRITE_SITE_PACKAGES + LOOPBACK + WRITE_OUTSIDE + HOME_SECRET).apply(escape)
    text = (escape / "cell.py").read_text()
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    (escape / "cell.py").write_text(text)
    shutil.copytree(SOLUTIONS, buggy)
    Edit("cell.py", replace=(('units, bias_initializer="ones", name="forget_gate"',
                              'units, bias_initializer="zeros", name="forget_gate"'),)).apply(buggy)
    shutil.copytree(SOLUTIONS, folder / "3-reference")


def _temp_entries() -> dict[str, set[str]]:
    """The top-level entries of the shared temporary folders.

    Returns:
        dict of folder to its entries.
    """
    return {folder: set(os.listdir(folder)) for folder in SHARED_TEMP if os.path.isdir(folder)}


@pytest.fixture(scope="module")
def system_python(readable_clone: View) -> Iterator[Path]:
    """The system's Python in a world-readable folder, seeing this environment's packages.

    Args:
        readable_clone: View, the repository and site-packages as other users reach them.

    Yields:
        Path, its ``python``.
    """
    base = Path(tempfile.mkdtemp(prefix="lstm-course-confined-", dir="/tmp"))
    os.chmod(base, 0o755)
    try:
        python = _system_venv(base / "python", readable_clone.purelib)
        subprocess.run(["chmod", "-R", "a+rX", base / "python"], check=True)
        yield python
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _imported_by(place: str, uid: int, python: Path, home: Path) -> list[str]:
    """Where the grader's Python, started as in ``place``, finds ``course`` and keras.

    Args:
        place: str, a key of :data:`PLACES`.
        uid: int, the uid that runs the grader there.
        python: Path, the grader's Python.
        home: Path, the grader's home.

    Returns:
        list of two str: the files of ``course`` and of keras (or the error, in their place).
    """
    code = "import course, importlib.util; print(course.__file__); print(importlib.util.find_spec('keras').origin)"
    done = subprocess.run([sys.executable, str(LAUNCHER), place, *([str(uid)] if uid else []), "--", str(python),
                           "-I", "-c", code], capture_output=True, text=True, timeout=120, cwd="/",
                          env={"PATH": "/usr/bin:/bin", "HOME": str(home)})
    return (done.stdout.split() + [done.stderr[-500:]] * 2)[:2]


@pytest.fixture(scope="module")
def places(system_python: Path, readable_clone: View) -> Iterator[dict]:
    """Grade the three submissions in both places at once, around a listener, secrets and fingerprints.

    Args:
        system_python: Path, the fixture above.
        readable_clone: View, the repository and site-packages as the graders reach them.

    Yields:
        dict of place to its rows, output and targets, plus the listener, the fingerprints and the view.
    """
    base = system_python.parent.parent.parent
    python = system_python
    token = secrets.token_hex(8)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    made: list[Path] = []
    view = readable_clone
    # The real files, and the same files as the graders reach them (links to the same inodes in a view).
    site_files = sorted({*SITE_FILES, *map(view.path, SITE_FILES)})
    graders = sorted({REPO_ROOT / "course", view.repo / "course"})
    try:
        before = {"course": {g: package_hash(g) for g in graders}, "site": {f: f.read_bytes() for f in site_files},
                  "temp": _temp_entries()}
        started = {}
        for place, (_, uid) in PLACES.items():
            work = base / place
            home = Path.home() if uid == 0 else work / "home"
            (work / "tmp").mkdir(parents=True)
            home.mkdir(mode=0o700, exist_ok=True)
            secret = home / f".lstm-course-confined-secret-{token}"
            secret.write_text(f"SECRET-{secrets.token_hex(16)}")
            secret.chmod(0o600)
            made.append(secret)
            outside = [f"{folder}/lstm-course-escape-{place}-{token}" for folder in SHARED_TEMP]
            outside += [str(home / f"lstm-course-escape-{token}"),
                        *{str(repo / f"lstm-course-escape-{token}") for repo in (REPO_ROOT, view.repo)}]
            made += map(Path, outside)
            _submissions(work / "subs", {"__LOOPBACK_PORT__": str(listener.getsockname()[1]),
                                         "__SECRET_PATH__": str(secret), "__OUTSIDE_TARGETS__": repr(outside)})
            subprocess.run(["chown", "-R", f"{uid}:{uid}", work], check=True)
            imported = _imported_by(place, uid, python, home)
            command = [sys.executable, str(LAUNCHER), place, *([str(uid)] if uid else []), "--", str(python), "-I",
                       "-m", "course.cli", "grade", str(work / "subs"), "--parts", "cell", "--jobs", "1",
                       "--out", str(work / "gradebook.csv"), "--reports", str(work / "reports"), "--timeout", "240"]
            env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(work / "tmp"), "LANG": "C.UTF-8",
                   "TF_CPP_MIN_LOG_LEVEL": "2"}
            started[place] = (subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.PIPE,
                                               stderr=subprocess.PIPE, text=True), work, secret, outside, imported)
        start = time.monotonic()
        results = {}
        for place, (process, work, secret, outside, imported) in started.items():
            stdout, stderr = process.communicate(timeout=600)
            rows = {r.name: r for r in gradebook.read(work / "gradebook.csv").values()}
            results[place] = {"code": process.returncode, "out": stdout + stderr, "rows": rows, "work": work,
                              "secret": secret.read_text(), "outside": outside, "imported": imported}
        print(f"\nconfined batches: {time.monotonic() - start:.0f} s")
        for place, result in results.items():
            for row in result["rows"].values():
                print(f"  {place:5} {row.name:12} {row.status:8} {row.score:4g}/{row.max_score:g} {row.isolation}")
        yield {"places": results, "listener": listener, "before": before, "python": python, "view": view,
               "site_files": site_files}
    finally:
        listener.close()
        for path in made:
            path.unlink(missing_ok=True)
        for place in PLACES:
            shutil.rmtree(base / place, ignore_errors=True)


@pytest.mark.parametrize("place", PLACES)
def test_bwrap_fails_and_the_tier_without_namespaces_grades(places: dict, place: str) -> None:
    result = places["places"][place]
    assert result["code"] == 0, result["out"][-3000:]
    assert sorted(result["rows"]) == ["1-escape", "2-buggy", "3-reference"], result["out"][-3000:]
    level = PLACES[place][0]
    assert f"isolation '{level}'" in result["out"] and "namespace" in result["out"], result["out"][-3000:]
    for row in result["rows"].values():
        assert row.isolation == level, (row.name, row.isolation)
        assert f"Isolation: `{level}`" in Path(row.report).read_text(), row.report


@pytest.mark.parametrize("place", PLACES)
def test_reference_gets_full_marks(places: dict, place: str) -> None:
    reference = places["places"][place]["rows"]["3-reference"]
    for part in ("cell", "rules", "answers"):
        score, maximum = reference.parts[part]
        assert maximum > 0 and score == maximum, (part, reference.parts, _failed_checks(reference))


@pytest.mark.parametrize("place", PLACES)
def test_escape_gets_nothing_and_the_buggy_one_after_it_loses_marks(places: dict, place: str) -> None:
    rows = places["places"][place]["rows"]
    assert rows["1-escape"].parts["cell"][0] == 0, rows["1-escape"].parts
    failed = _failed_checks(rows["1-escape"])
    assert any("PermissionError" in text for text in failed.values()), failed  # the secret's read was refused
    buggy = rows["2-buggy"]
    assert "cell.forget_bias" in _failed_checks(buggy) and buggy.parts["cell"][0] < buggy.parts["cell"][1]


@pytest.mark.parametrize("place", PLACES)
def test_the_grader_imported_course_and_packages_that_other_users_reach(places: dict, place: str) -> None:
    # In a private clone, the real course/ would fail the tasks' uids (or, as root, go unnoticed).
    view: View = places["view"]
    course_file, keras_file = places["places"][place]["imported"]
    assert Path(course_file) == view.repo / "course" / "__init__.py", course_file
    assert Path(keras_file) == view.path(SITE_FILES[0]), keras_file


def test_grader_and_site_packages_are_unchanged(places: dict) -> None:
    assert {g: package_hash(g) for g in places["before"]["course"]} == places["before"]["course"]
    assert {f: f.read_bytes() for f in places["site_files"]} == places["before"]["site"]
    site = next((places["python"].parent.parent / "lib").glob("python3*/site-packages"))
    assert not EVIL_PTH.exists() and not (site / EVIL_PTH.name).exists()
    assert not (places["view"].purelib / EVIL_PTH.name).exists()


def test_loopback_port_got_no_connection(places: dict) -> None:
    with pytest.raises(BlockingIOError):
        places["listener"].accept()


def test_nothing_was_written_outside_the_scratch(places: dict) -> None:
    for result in places["places"].values():
        assert [t for t in result["outside"] if Path(t).exists()] == []
    sandbox_uids = range(sandbox.ID_BASE, sandbox.ID_BASE + sandbox.ID_RANGE)
    for folder, entries in _temp_entries().items():
        for name in entries - places["before"]["temp"].get(folder, set()):
            if folder == "/tmp" and GRADER_SCRATCH.fullmatch(name):
                continue  # a runner's scratch, made by the grader for another test running now
            try:
                owner = os.lstat(os.path.join(folder, name)).st_uid
            except OSError:
                continue
            assert owner != NOBODY and owner not in sandbox_uids, (folder, name, owner)


def test_home_secret_reaches_no_row_report_or_output(places: dict) -> None:
    for result in places["places"].values():
        work = result["work"]
        assert result["secret"] not in result["out"]
        for file in [work / "gradebook.csv", *(work / "reports").iterdir()]:
            assert result["secret"] not in file.read_text(errors="replace"), file


def test_without_landlock_root_degrades_to_seccomp_and_a_uid_and_says_so(system_python: Path) -> None:
    # An older Docker profile denies the landlock_* calls: the grader keeps the uid and the seccomp filter.
    probe = "from course.grading.running import sandbox; box = sandbox.probe(); print(box.level); print(box.reason)"
    done = subprocess.run([sys.executable, str(LAUNCHER), "root", "--no-landlock", "--", str(system_python), "-I",
                           "-c", probe], capture_output=True, text=True, timeout=120, cwd="/")
    level, reason = (done.stdout.splitlines() + ["", ""])[:2]
    assert level == "seccomp+uid", (done.stdout, done.stderr)
    assert "namespace" in reason and "Landlock is not available" in reason, reason


def test_the_fence_itself(tmp_path: Path) -> None:
    # The launcher alone, at level landlock: what student code meets, call by call.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    code = f"""
import ctypes, errno, os, socket
def unshare():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x10000000) != 0:  # CLONE_NEWUSER
        raise OSError(ctypes.get_errno(), "unshare")
def attempt(name, action):
    try:
        action()
        print(name, "allowed")
    except OSError as error:
        print(name, errno.errorcode.get(error.errno, error.errno))
attempt("scratch", lambda: open({str(scratch / 'ok')!r}, "w").write("x"))
attempt("tmp", lambda: open("/tmp/lstm-course-fence-{os.getpid()}", "w"))
attempt("shm", lambda: open("/dev/shm/lstm-course-fence-{os.getpid()}", "w"))
attempt("home", lambda: os.listdir({str(Path.home())!r}))
attempt("repository", lambda: os.listdir({str(REPO_ROOT / 'solutions')!r}))
attempt("inet", lambda: socket.socket())
attempt("unix", lambda: socket.socket(socket.AF_UNIX).close())
attempt("unshare", unshare)
attempt("signal", lambda: os.kill(os.getppid(), 0))
attempt("environ", lambda: open(f"/proc/{{os.getppid()}}/environ", "rb").read())
attempt("null", lambda: open("/dev/null", "w").write("x"))
"""
    command = sandbox.Sandbox(sandbox.LANDLOCK).command([sys.executable, "-I", "-c", code], scratch=scratch)
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    listener.close()
    seen = dict(line.split() for line in done.stdout.splitlines())
    assert seen == {"scratch": "allowed", "tmp": "EACCES", "shm": "EACCES", "home": "EACCES", "repository": "EACCES",
                    "inet": "EAFNOSUPPORT", "unix": "allowed", "unshare": "EPERM", "signal": "EPERM",
                    "environ": "EACCES", "null": "allowed"}, (done.stdout, done.stderr)


def test_a_plain_path_install_imports_course_and_shows_only_names(tmp_path: Path) -> None:
    # A .pth line (not an editable finder) puts the folder that holds course/ on sys.path:
    # Python must list that folder, but nothing else in it may be read.
    install = tmp_path / "install"
    shutil.copytree(Path(sandbox.__file__).resolve().parents[2], install / "course",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (install / "answers.py").write_text("SECRET = 'the answer key'\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    code = f"""
import sys
sys.path.insert(0, {str(install)!r})
import course.grading.running.confine as confine
print("imported", confine.__file__.startswith({str(install)!r}))
try:
    open({str(install / 'answers.py')!r}).read()
    print("answers allowed")
except OSError as error:
    print("answers", type(error).__name__)
"""
    fence = confine.spec(sandbox.LANDLOCK, scratch, [*sandbox.readable_paths(), install / "course"], [install])
    # As root, uid 0 drops root's capabilities and keeps its uid.
    done = subprocess.run([*sandbox.launcher(0, fence), sys.executable, "-I", "-c", code],
                          capture_output=True, text=True, timeout=60, cwd=scratch)
    assert done.stdout.split("\n")[:2] == ["imported True", "answers PermissionError"], (done.stdout, done.stderr)
    # Without the list rule Python cannot find course/ in that folder (why listable_paths exists):
    # here the editable install's finder supplies another copy; in a bundle, nothing would.
    fence["list"] = []
    done = subprocess.run([*sandbox.launcher(0, fence), sys.executable, "-I", "-c", code],
                          capture_output=True, text=True, timeout=60, cwd=scratch)
    assert done.stdout.split("\n")[0] in ("imported False", ""), (done.stdout, done.stderr)

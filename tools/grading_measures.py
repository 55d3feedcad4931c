"""Measures of the grading package for issue 23's closing note (not in the package, not in ``make test``).

Run it with a checkout's own interpreter; it measures that checkout::

    .venv/bin/python tools/grading_measures.py                   # lstm-course check solutions
    .venv/bin/python tools/grading_measures.py exercises --parts data,cell --json

It prints:

(a) **Files and lines of** ``course/grading/``: every ``*.py`` below it, lines counted as ``wc -l``
    counts them (newlines).
(b) **The** ``course/`` **files a** ``lstm-course check SUBMISSION`` **crosses**, the files whose code
    actually executes:

    - *in the parent process*: a ``python -c`` runs ``course.cli.main(["check", ...])`` under
      :func:`sys.setprofile` and :func:`threading.setprofile` (so the core's thread pool is traced
      too), recording every entry into Python code that lives under ``course/``. A file counts when
      any of its code runs; files whose only code that ran is the module body (imports, e.g. every
      command module's ``register``-less import) are listed apart from files with a function called.
    - *hops*: in each thread's sequence of function entries (module bodies left out), how often two
      consecutive entries lie in different files, summed over the threads; and, per file, how often
      it was entered from another file; *distinct file pairs*: how many different (from, to) pairs
      of files those hops join (a reader's map: a helper called 50 times is one pair).
    - *inside the sandboxed child*, a proxy: the check runs again with ``--keep`` (``--jobs 1``, one
      child per part), and each part's child entry point (``course.grading.running.child.main``, which
      the grading worker calls in each task) is replayed in a fresh process, **without the sandbox**, on
      a copy of the part's kept ``request.json`` and ``inputs.npz`` whose submission folders point at
      a copy of the kept submission, under the same profiler. The worker itself
      (``course.grading.running.worker``: its request loop, and the fork, uid drop and fence before
      ``child.main``) is not traced: that code appears in neither list.

The seed is fixed (7), so two checkouts grade the same inputs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Seed of every grading here.
SEED = 7

#: The profiler, run at the start of a measured process: argv[1] the repository, argv[2] the JSON to write.
PROFILER = r'''
import atexit, json, os, sys, threading
_PREFIX = os.path.join(sys.argv[1], "course", "")
_OUT = sys.argv[2]
_CALLS = {}

def _profile(frame, event, arg):
    if event == "call":
        name = frame.f_code.co_filename
        if name.startswith(_PREFIX):
            _CALLS.setdefault(threading.get_ident(), []).append((name[len(_PREFIX) - 7:], frame.f_code.co_name))

def _dump():
    sys.setprofile(None)
    threading.setprofile(None)
    with open(_OUT, "w") as handle:
        json.dump(list(_CALLS.values()), handle)

_real_exit = os._exit
def _exit(code):
    _dump()
    _real_exit(code)
os._exit = _exit
threading.setprofile(_profile)
sys.setprofile(_profile)
'''

#: The parent: ``lstm-course check`` as the command line runs it (argv[3:] its arguments).
PARENT = PROFILER + r'''
from course.cli import main
code = main(sys.argv[3:])
_dump()
sys.stdout.flush()
_real_exit(code)
'''

#: The child: its entry point as the worker calls it in each task (argv[3] the work folder).
CHILD = PROFILER + r'''
from course.grading.running import child
try:
    child.main([sys.argv[3]])
finally:
    _dump()
'''


def package_size(root: Path) -> dict:
    """Files and lines of ``course/grading/``.

    Args:
        root: Path, the checkout.

    Returns:
        dict with ``files``, ``lines`` and ``per_file`` (path to lines).
    """
    files = sorted((root / "course" / "grading").rglob("*.py"))
    per_file = {f.relative_to(root).as_posix(): f.read_bytes().count(b"\n") for f in files}
    return {"files": len(files), "lines": sum(per_file.values()), "per_file": per_file}


def summarise(threads: list[list[list[str]]]) -> dict:
    """Files, hops and entries of a trace.

    Args:
        threads: per thread, the sequence of ``[file, function]`` entries.

    Returns:
        dict with ``files`` (every file with code run), ``functions_called`` (files with a function
        called), ``import_only`` (files whose module body alone ran), ``hops`` and ``entries``.
    """
    executed = {entry[0] for calls in threads for entry in calls}
    called = {f for calls in threads for f, function in calls if function != "<module>"}
    hops, entries, links = 0, Counter(), set()
    for calls in threads:
        previous = None
        for file, function in calls:
            if function == "<module>":
                continue
            if file != previous:
                entries[file] += 1
                hops += previous is not None
                if previous is not None:
                    links.add((previous, file))
            previous = file
    grading = sorted(f for f in called if f.startswith("course/grading/"))
    return {"files": sorted(executed), "functions_called": sorted(called), "import_only": sorted(executed - called),
            "grading_called": grading, "hops": hops, "links": len(links), "entries": dict(entries.most_common())}


def _traced(script: str, arguments: list[str], scratch: Path, name: str) -> tuple[list, str]:
    """Run a profiled process of this interpreter.

    Args:
        script: str, :data:`PARENT` or :data:`CHILD`.
        arguments: list of str, after the repository and the trace file.
        scratch: Path, where the trace goes.
        name: str, the trace file's name.

    Returns:
        ``(trace, stdout)``.
    """
    trace = scratch / f"{name}.json"
    done = subprocess.run([sys.executable, "-c", script, str(REPO), str(trace), *arguments],
                          capture_output=True, text=True, cwd=scratch)
    if not trace.exists():
        raise RuntimeError(f"{name}: no trace (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(trace.read_text()), done.stdout


def parent_side(submission: Path, options: list[str], scratch: Path) -> dict:
    """Trace ``lstm-course check`` in the parent process.

    Args:
        submission: Path.
        options: list of str, extra ``check`` options.
        scratch: Path.

    Returns:
        :func:`summarise` of the trace, plus ``total`` (the check's last total line).
    """
    trace, out = _traced(PARENT, ["check", str(submission), "--seed", str(SEED), *options], scratch, "parent")
    totals = [line.strip() for line in out.splitlines() if "Total" in line]
    return {**summarise(trace), "total": totals[-1] if totals else out[-500:]}


def child_side(submission: Path, options: list[str], scratch: Path) -> dict:
    """Replay each part's child entry point, unsandboxed, on the requests a kept check wrote.

    Args:
        submission: Path.
        options: list of str, extra ``check`` options.
        scratch: Path.

    Returns:
        dict with ``parts`` (part folder to :func:`summarise` of its replay) and ``union`` (every file).
    """
    keep = scratch / "keep"
    subprocess.run([sys.executable, "-c", "from course.cli import entry; entry()", "check", str(submission),
                    "--seed", str(SEED), "--jobs", "1", "--keep", str(keep), *options],
                   capture_output=True, text=True, cwd=scratch, check=True)
    parts, union = {}, set()
    for request in sorted(keep.rglob("request.json")):
        label = request.parent.relative_to(keep).as_posix()
        workdir = scratch / "replay" / label
        workdir.mkdir(parents=True)
        shutil.copy(request.parent / "inputs.npz", workdir / "inputs.npz")
        settings = json.loads(request.read_text())
        for index, entry in enumerate(settings["submissions"]):
            entry["folder"] = str(shutil.copytree(keep / "submission", workdir / f"submission_{index}"))
        (workdir / "request.json").write_text(json.dumps(settings))
        trace, _ = _traced(CHILD, [str(workdir)], scratch, f"child-{label.replace('/', '-')}")
        parts[label] = summarise(trace)
        union |= set(parts[label]["files"])
    return {"parts": parts, "union": sorted(union)}


def main(argv: list[str] | None = None) -> int:
    """Measure and print.

    Args:
        argv: list of str or None.

    Returns:
        0.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("submission", nargs="?", default=str(REPO / "solutions"), help="default: solutions/")
    parser.add_argument("--parts", help="passed to check (default: every part)")
    parser.add_argument("--no-child", action="store_true", help="skip the child-side replay")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--save", type=Path, help="also write the JSON object to this file")
    args = parser.parse_args(argv)
    options = ["--parts", args.parts] if args.parts else []
    submission = Path(args.submission).resolve()
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="grading-measures-") as folder:
        scratch = Path(folder)
        measures = {"commit": commit, "submission": str(submission), "grading": package_size(REPO),
                    "parent": parent_side(submission, options, scratch)}
        if not args.no_child:
            measures["child"] = child_side(submission, options, scratch)
    if args.save:
        args.save.write_text(json.dumps(measures, indent=1))
    if args.json:
        print(json.dumps(measures, indent=1))
        return 0
    grading, parent = measures["grading"], measures["parent"]
    print(f"checkout {commit}; lstm-course check {submission} --seed {SEED} {' '.join(options)}".rstrip())
    print(f"(a) course/grading/: {grading['files']} files, {grading['lines']} lines")
    print(f"(b) parent process: {len(parent['files'])} course/ files executed "
          f"({len(parent['functions_called'])} with a function called, {len(parent['import_only'])} import only); "
          f"{parent['hops']} hops between files, {parent['links']} distinct (from, to) file pairs; {parent['total']}")
    print(f"    course/grading/ files with a function called: {len(parent['grading_called'])}")
    print("    entered from another file: " + ", ".join(f"{f} {n}" for f, n in parent["entries"].items()))
    print("    import only: " + ", ".join(parent["import_only"]))
    if "child" in measures:
        child = measures["child"]
        print(f"    child processes (unsandboxed replay of each part's child): {len(child['union'])} course/ files")
        for label, part in child["parts"].items():
            print(f"      {label}: {len(part['files'])} files, {len(part['functions_called'])} with a function "
                  f"called ({len(part['grading_called'])} in course/grading/), {part['hops']} hops, "
                  f"{part['links']} distinct file pairs")
        print("      files: " + ", ".join(child["union"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A grading child: one task's probes, run by the grading worker (:func:`course.grading.running.worker.enter_task`).

Its process has already dropped to the task's uid and applied the fence. It reads
``WORKDIR/request.json`` (the part, the submission copies to test, the limits) and
``WORKDIR/inputs.npz`` (the parent's inputs), caps its resources,
blocks the reference solution, installs the runtime guard, imports each
submission's module for the part (with grader-owned stand-ins for the modules the
part does not test) and runs the part's probes. For submission ``i`` it writes
``WORKDIR/out_i.json`` and ``WORKDIR/out_i.npz``: raw values only. The trusted
parent judges them; nothing written here is a score.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import time
import types
from pathlib import Path
from typing import Any

from course.grading.running.process import set_limits


def bare_package(folder: Path, name: str) -> types.ModuleType:
    """Make ``folder`` an importable package without running its ``__init__.py``.

    ``__init__.py`` may be empty by the contract; not running it keeps one file's
    failure (imported from ``__init__``) out of the other parts.

    Args:
        folder: Path, the submission copy.
        name: str, the package name.

    Returns:
        The package module, registered in ``sys.modules``.
    """
    spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
    spec.submodule_search_locations = [str(folder)]
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    return package


def _inject(package: types.ModuleType, short: str, stand_in: types.ModuleType) -> None:
    """Register a stand-in as ``package.short``.

    Args:
        package: the submission package.
        short: str, e.g. ``"cell"``.
        stand_in: the module.
    """
    sys.modules[f"{package.__name__}.{short}"] = stand_in
    setattr(package, short, stand_in)


def _forget(package: types.ModuleType, short: str) -> None:
    """Remove ``package.short`` from ``sys.modules`` and the package.

    Args:
        package: the submission package.
        short: str.
    """
    sys.modules.pop(f"{package.__name__}.{short}", None)
    if short in vars(package):
        delattr(package, short)


def _lazy_student(package: types.ModuleType, short: str, rec: Any = None) -> types.ModuleType | None:
    """Return a fallback that imports the student's own module on first use.

    When the student's module cannot be imported, the part that imports it still runs:
    each name it asks for becomes the grader's stand-in, which fails only when used, and
    the failure is recorded as ``import.<short>_stand_in``.

    Args:
        package: the submission package.
        short: str, e.g. ``"data"``.
        rec: the Recorder, or None.

    Returns:
        An object whose attributes come from the student's module, loaded lazily.
    """
    from course.grading.running.absent import AbsentThing

    path = Path(package.__path__[0]) / f"{short}.py"

    class _Lazy(types.ModuleType):
        """Load the student's module when an attribute is first asked for."""

        def __getattr__(self, attribute: str) -> Any:
            if attribute.startswith("__"):
                raise AttributeError(attribute)
            name = f"{package.__name__}._student_{short}"
            if name not in sys.modules:
                spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(spec)
                module.__package__ = package.__name__
                sys.modules[name] = module
                try:
                    spec.loader.exec_module(module)
                except Exception as error:  # noqa: BLE001 - a broken sibling must not cost this part
                    from course.grading.checking.probes import describe

                    sys.modules[name] = types.ModuleType(name)
                    sys.modules[name].__broken__ = describe(error)
                    if rec is not None:
                        rec.put(f"import.{short}_stand_in", sys.modules[name].__broken__)
            broken = getattr(sys.modules[name], "__broken__", None)
            if broken is not None:
                return AbsentThing(f"{short}.{attribute}", f"{short}.py could not be imported "
                                   f"({broken['type']}: {broken['message']}), so the grader stood in for it")
            return getattr(sys.modules[name], attribute)

    return _Lazy(f"lazy {short}") if path.exists() else None


def load(part: str, package: types.ModuleType, rec: Any,
         config: dict[str, Any]) -> tuple[types.ModuleType, dict[str, Any]]:
    """Import the module the part tests, with stand-ins for the modules it does not.

    Args:
        part: str, the part.
        package: the submission package.
        rec: the Recorder (stand-in use is recorded under ``import.*``).
        config: dict, the part's settings from the parent (the training part's ``seq_len`` and
            ``num_samples`` become its stand-in ``data`` module's ``SEQ_LEN`` and ``NUM_SAMPLES``).

    Returns:
        ``(module, extras)``: the student's module and keyword arguments for the probes.
    """
    from course.grading.checking import contract
    from course.grading.checking.probes import describe

    name = package.__name__
    own = {"data": "data", "cell": "cell", "layer": "layer", "model": "model", "training": "train"}[part]
    for short in ("data", "model", "train"):  # siblings a part file may import: loaded on first use, and a
        lazy = _lazy_student(package, short, rec) if short != own else None  # broken one becomes a stand-in
        if lazy is not None:
            _inject(package, short, lazy)
    cell_stand_in = contract.module(f"{name}.cell", LSTMCell=contract.ContractCell)
    layer_stand_in = contract.module(f"{name}.layer", LSTM=contract.ContractLSTM, LSTMCell=contract.ContractCell)
    if part in ("data", "cell"):
        return importlib.import_module(f"{name}.{part}"), {}
    if part == "layer":
        try:
            importlib.import_module(f"{name}.cell")
        except BaseException as error:  # noqa: BLE001 - a broken cell.py must not cost the layer's points
            rec.put("import.cell_stand_in", describe(error))
            _forget(package, "cell")
            _inject(package, "cell", cell_stand_in)
        return importlib.import_module(f"{name}.layer"), {}
    if part == "model":
        _inject(package, "cell", cell_stand_in)
        _inject(package, "layer", layer_stand_in)
        try:
            return importlib.import_module(f"{name}.model"), {}
        except ImportError as error:
            # The model needs more of the student's layer than the contract: use the student's own.
            rec.put("import.student_stack", describe(error))
            for short in ("model", "layer", "cell"):
                _forget(package, short)
            module = importlib.import_module(f"{name}.model")
            return module, {"layer_class": importlib.import_module(f"{name}.layer").LSTM}
    # training: the grader's cell and layer, a pass-through prepare (the probe hands train its
    # data already batched, or as pairs on the retry); anything else the student's own, lazily
    data_stand_in = contract.module(
        f"{name}.data", _lazy_student(package, "data", rec), SEQ_LEN=config["seq_len"],
        NUM_SAMPLES=config["num_samples"], prepare=contract.pass_through,
    )
    _inject(package, "data", data_stand_in)
    _inject(package, "cell", cell_stand_in)
    _inject(package, "layer", layer_stand_in)
    return importlib.import_module(f"{name}.train"), {}


def _write(workdir: Path, index: int, record: dict[str, Any], arrays: dict[str, Any]) -> None:
    """Write one submission's raw outputs atomically.

    Args:
        workdir: Path, the work folder.
        index: int, the submission's index.
        record: dict, the JSON part.
        arrays: dict, the arrays.
    """
    import numpy as np

    tmp = workdir / f"out_{index}.tmp.npz"
    np.savez(tmp, **arrays)
    tmp.replace(workdir / f"out_{index}.npz")
    tmp = workdir / f"out_{index}.tmp.json"
    tmp.write_text(json.dumps(record))
    tmp.replace(workdir / f"out_{index}.json")


def main(argv: list[str]) -> int:
    """Run one part's probes on every submission named in the request.

    Args:
        argv: ``[WORKDIR]``.

    Returns:
        0.
    """
    workdir = Path(argv[0]).resolve()
    request = json.loads((workdir / "request.json").read_text())
    set_limits(memory_mb=int(request.get("memory_mb", 0)), file_mb=int(request.get("file_mb", 0)),
               processes=int(request.get("processes", 0)))
    sys.dont_write_bytecode = True
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from course.grading.running import absent
    from course.grading.running.guard import RuntimeGuard, block_reference

    # Defence in depth: the sandbox does not show the repository at all; without it
    # (``--no-sandbox``, or ``check`` on a machine without user namespaces) this keeps the
    # reference off ``sys.path`` and refuses the name ``solutions``.
    block_reference(request["repo_root"])
    import numpy as np

    from course.grading.checking import contract
    from course.grading.checking.probes import Recorder, describe

    part = request["part"]
    runner = importlib.import_module(f"course.grading.checking.probes.{part}")
    with np.load(workdir / "inputs.npz", allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    config = request["config"]
    folders = [s["folder"] for s in request["submissions"]]
    guard = RuntimeGuard(folders)
    guard.install()
    contract.use_originals(guard.originals)
    absent_modules = absent.install(folders)  # after the grader's own imports: only submissions get stand-ins

    for index, submission in enumerate(request["submissions"]):
        start = time.monotonic()
        rec = Recorder()
        guard.records = []
        module, extras = None, {}
        with rec.probe("import"):
            package = bare_package(Path(submission["folder"]), submission["name"])
            module, extras = load(part, package, rec, config)
        if module is not None:
            if part == "layer":
                extras["guard"] = guard
                extras["cell_module"] = getattr(package, "cell", None)
            if request.get("group"):  # one probe group of a split part (course.grading.running.tasks)
                extras["group"] = request["group"]
            try:
                runner.run(module, rec, config, arrays, **extras)
            except BaseException as error:  # noqa: BLE001 - recorded, the parent decides
                rec.errors["run"] = describe(error)
        stood_in = absent.reset(absent_modules)
        if stood_in:
            rec.put("import.absent_modules", stood_in)
        record = {"values": rec.values, "errors": rec.errors, "guard": list(guard.records),
                  "seconds": time.monotonic() - start}
        _write(workdir, index, record, rec.arrays)
    return 0


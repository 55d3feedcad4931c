"""Find and import an implementation: ``solutions``, ``exercises`` or a path to a submission."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from dataclasses import dataclass
from pathlib import Path

#: The repository's root: the folder that holds ``course/``, ``solutions/`` and ``exercises/``.
REPO_ROOT = Path(__file__).resolve().parent.parent

#: The modules a submission consists of, in the order they depend on each other.
MODULES = ("data", "cell", "layer", "model", "train")


def default_impl() -> str:
    """The implementation commands use when none is named.

    In this repository it is the reference (``solutions``); in the student release, which
    has no ``solutions/``, it is the student's own ``exercises``.

    Returns:
        ``"solutions"`` or ``"exercises"``.
    """
    return "solutions" if (REPO_ROOT / "solutions").is_dir() else "exercises"


def resolve(impl: str | Path) -> Path:
    """Turn ``solutions``, ``exercises`` or a path into the implementation's folder.

    Args:
        impl: str or Path, ``"solutions"``, ``"exercises"`` or a folder path.

    Returns:
        The absolute path of the folder.

    Raises:
        FileNotFoundError: when the folder does not exist.
    """
    path = Path(impl)
    if str(impl) in ("solutions", "exercises") and not path.is_dir():
        path = REPO_ROOT / str(impl)
    if not path.is_dir():
        raise FileNotFoundError(f"no implementation folder at {path}")
    return path.resolve()


def describe(impl: str | Path) -> str:
    """How results name the implementation that made them: relative to the repository when inside it.

    Args:
        impl: str or Path, ``"solutions"``, ``"exercises"`` or a folder path.

    Returns:
        str, e.g. ``"solutions"``, ``"exercises"`` or ``"/home/me/mine"``.
    """
    folder = resolve(impl)
    try:
        return folder.relative_to(REPO_ROOT.resolve()).as_posix()
    except ValueError:
        return str(folder)


def import_package(folder: Path, name: str | None = None) -> types.ModuleType:
    """Import ``folder`` as a package, so that its relative imports work.

    Args:
        folder: Path, a folder with ``__init__.py`` (an empty one is created in
            memory when it is missing).
        name: str, the package's name in ``sys.modules``; by default a name
            derived from the folder, so that two implementations never clash.

    Returns:
        The imported package module.
    """
    name = name or f"impl_{abs(hash(str(folder))):x}"
    if name in sys.modules:
        return sys.modules[name]
    init = folder / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        name, init if init.exists() else None, submodule_search_locations=[str(folder)]
    )
    if spec is None:  # no __init__.py: a namespace-like package
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [str(folder)]
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    if spec.loader is not None:
        spec.loader.exec_module(package)
    return package


@dataclass
class Implementation:
    """The five modules of one implementation, imported."""

    folder: Path
    data: types.ModuleType
    cell: types.ModuleType
    layer: types.ModuleType
    model: types.ModuleType
    train: types.ModuleType


def load(impl: str | Path) -> Implementation:
    """Import every module of an implementation.

    Args:
        impl: str or Path, ``"solutions"``, ``"exercises"`` or a folder path.

    Returns:
        An :class:`Implementation` holding its modules.
    """
    folder = resolve(impl)
    package = import_package(folder)
    modules = {m: importlib.import_module(f"{package.__name__}.{m}") for m in MODULES}
    return Implementation(folder=folder, **modules)

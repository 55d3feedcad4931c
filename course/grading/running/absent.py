"""Stand-ins for third-party modules the grading environment lacks, imported by student code.

Students' files often import what their notebook had at hand (``tqdm``, ``scipy``,
``tensorflow_datasets``, ``pandas``) and never use it. Inside a grading child, an
``import`` from a submission's file of a module that no other finder provides gets a
stand-in instead of ``ModuleNotFoundError``: importing it, and reading attributes of it,
works; calling, iterating or otherwise using anything from it raises
``ModuleNotFoundError`` naming the module. An unused import then costs nothing, and a used
one fails where it is used, with a message that says why. Imports made by libraries (not by
the submission's files) are left alone, so a library's optional-dependency probe still sees
the module missing.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: The third-party packages the grading environment provides (the project's runtime dependencies),
#: besides Python's standard library; the site and the student release list them.
PROVIDED: tuple[str, ...] = ("tensorflow", "keras", "numpy", "matplotlib", "rich", "psutil")

#: Modules a submission may import from itself by an absolute name: those must fail as usual.
SUBMISSION_MODULES: frozenset[str] = frozenset({"data", "cell", "layer", "model", "train"})


def missing_message(name: str) -> str:
    """The message a use of an absent module raises.

    Args:
        name: str, the dotted name used (e.g. ``tqdm.tqdm``).

    Returns:
        str.
    """
    root = name.split(".")[0]
    return (f"No module named '{root}': the grading environment does not provide it, so {name} cannot be used "
            f"here (an unused import is fine)")


class AbsentThing:
    """Anything reached through an absent module: harmless to name, fails when used.

    Args:
        name: str, the dotted name it stands for.
        message: str, what a use raises; by default that the grader lacks the module.
    """

    def __init__(self, name: str, message: str = "") -> None:
        """Remember the name.

        Args:
            name: str, the dotted name it stands for.
            message: str, what a use raises; by default that the grader lacks the module.
        """
        object.__setattr__(self, "_absent_name", name)
        object.__setattr__(self, "_absent_message", message)

    def __getattr__(self, attribute: str) -> AbsentThing:
        """Return the stand-in for an attribute (dunder lookups fail as for a plain object).

        Args:
            attribute: str.

        Returns:
            AbsentThing.

        Raises:
            AttributeError: for dunder names, which libraries probe for.
        """
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return AbsentThing(f"{self._absent_name}.{attribute}", self._absent_message)

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        """Raise: this thing was used.

        Args:
            *args: ignored.
            **kwargs: ignored.

        Raises:
            ModuleNotFoundError: always, naming the module.
        """
        if self._absent_message:
            raise ImportError(f"{self._absent_name} cannot be used: {self._absent_message}")
        raise ModuleNotFoundError(missing_message(self._absent_name), name=self._absent_name.split(".")[0])

    __call__ = __iter__ = __getitem__ = __len__ = __bool__ = __enter__ = _fail
    __add__ = __radd__ = __mul__ = __rmul__ = __sub__ = __rsub__ = __truediv__ = __float__ = __int__ = _fail
    __setattr__ = _fail

    def __repr__(self) -> str:
        """Say what it stands for.

        Returns:
            str.
        """
        return f"<absent {self._absent_name}>"


class AbsentModule(types.ModuleType):
    """A module the grader lacks: every attribute is an :class:`AbsentThing`.

    Args:
        name: str, the module's dotted name.
    """

    def __getattr__(self, attribute: str) -> AbsentThing:
        """Return the stand-in for an attribute.

        Args:
            attribute: str.

        Returns:
            AbsentThing.

        Raises:
            AttributeError: for dunder names.
        """
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return AbsentThing(f"{self.__name__}.{attribute}")


class AbsentFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last finder on ``sys.meta_path``: stands in for modules that a submission file imports and nobody has.

    Args:
        folders: the submission folders whose files may get stand-ins.
    """

    def __init__(self, folders: Sequence[str | Path]) -> None:
        """Keep the folders and start an empty record.

        Args:
            folders: the submission folders.
        """
        self.folders = tuple({f"{str(Path(f)).rstrip('/')}/" for f in folders}
                             | {f"{str(Path(f).resolve()).rstrip('/')}/" for f in folders})
        #: Root module names stood in for, in the order first imported.
        self.used: list[str] = []

    def _from_submission(self) -> bool:
        """Tell whether the import statement being run is in a submission's file.

        Returns:
            bool.
        """
        frame = sys._getframe(2)  # noqa: SLF001 - the importer's frame is the only witness
        while frame is not None:
            filename = frame.f_code.co_filename
            if not ("<frozen" in filename or "/importlib/" in filename or filename == __file__):
                return filename.startswith(self.folders)
            frame = frame.f_back
        return False

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        """Offer a stand-in for a module nobody else found, imported from a submission's file.

        Args:
            fullname: str, the dotted name.
            path: the parent's search path (unused).
            target: unused.

        Returns:
            A spec, or None to let the import fail as usual.
        """
        root = fullname.split(".")[0]
        parent = sys.modules.get(fullname.rpartition(".")[0]) if "." in fullname else None
        if isinstance(parent, AbsentModule):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        if "." in fullname or root in SUBMISSION_MODULES or not self._from_submission():
            return None
        if root not in self.used:
            self.used.append(root)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        """Make the stand-in module.

        Args:
            spec: the spec from :meth:`find_spec`.

        Returns:
            AbsentModule.
        """
        module = AbsentModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run.

        Args:
            module: the stand-in.
        """


def reset(finder: AbsentFinder) -> list[str]:
    """Forget the stand-ins made so far (one submission's), so the next submission's are recorded afresh.

    Args:
        finder: the installed finder.

    Returns:
        The root names stood in for since the last reset.
    """
    for name, module in list(sys.modules.items()):
        if isinstance(module, AbsentModule):
            del sys.modules[name]
    used, finder.used = finder.used, []
    return used


def install(folders: Sequence[str | Path]) -> AbsentFinder:
    """Put an :class:`AbsentFinder` last on ``sys.meta_path``.

    Args:
        folders: the submission folders whose files may get stand-ins.

    Returns:
        The finder (its ``used`` lists the modules stood in for).
    """
    finder = AbsentFinder(folders)
    sys.meta_path.append(finder)
    return finder

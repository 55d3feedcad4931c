"""Child-side guards: keep the reference solution out of reach, and record forbidden RNN use.

Runs inside a grading child, before the student's package is imported.

* :func:`block_reference` removes the repository from ``sys.path`` and installs a
  meta-path finder that refuses ``solutions`` (the release does not ship it at all).
* :class:`RuntimeGuard` replaces Keras' recurrent layers, ``keras``' ``rnn`` backend
  function, ``tf.compat.v1.nn.*rnn*`` and the raw LSTM/GRU/cuDNN ops with recording
  stand-ins. A use is recorded when the first non-library frame on the stack belongs to
  the submission, so the grader's own stand-ins (which use the originals, kept in
  :attr:`RuntimeGuard.originals`) never count. The records travel back to the trusted
  parent, which decides the ``rules.no_builtin_rnn`` check.
"""

from __future__ import annotations

import importlib
import importlib.abc
import os
import site
import sys
import sysconfig
import types
from collections.abc import Callable, Sequence
from typing import Any

#: Top-level module names a submission may never import while it is graded.
BLOCKED_MODULES: tuple[str, ...] = ("solutions",)

#: Keras layer classes a submission may not use.
FORBIDDEN_CLASSES: tuple[str, ...] = (
    "LSTM", "LSTMCell", "GRU", "GRUCell", "SimpleRNN", "SimpleRNNCell", "RNN", "StackedRNNCells",
    "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "Bidirectional",
)
#: Modules whose attributes of those names are replaced.
KERAS_MODULES: tuple[str, ...] = (
    "keras.layers", "keras.src.layers", "keras.src.layers.rnn.lstm", "keras.src.layers.rnn.gru",
    "keras.src.layers.rnn.simple_rnn", "keras.src.layers.rnn.rnn", "keras.src.layers.rnn.stacked_rnn_cells",
    "keras.src.layers.rnn.bidirectional", "keras._tf_keras.keras.layers",
)
#: Functions (module, attribute) that run a built-in recurrence.
FORBIDDEN_FUNCTIONS: tuple[tuple[str, str], ...] = (
    ("keras.src.backend", "rnn"),
    ("keras.src.backend.tensorflow.rnn", "rnn"),
    ("keras.src.backend.tensorflow.rnn", "lstm"),
    ("keras.src.backend.tensorflow.rnn", "gru"),
    *(("tensorflow.compat.v1.nn", name) for name in (
        "dynamic_rnn", "static_rnn", "raw_rnn", "bidirectional_dynamic_rnn", "static_bidirectional_rnn",
        "static_state_saving_rnn")),
)
#: Raw TensorFlow op types that implement a whole recurrent cell or layer.
FORBIDDEN_OP_TYPES: tuple[str, ...] = (
    "BlockLSTM", "BlockLSTMV2", "BlockLSTMGrad", "BlockLSTMGradV2", "LSTMBlockCell", "LSTMBlockCellGrad",
    "GRUBlockCell", "GRUBlockCellGrad", "CudnnRNN", "CudnnRNNV2", "CudnnRNNV3", "CudnnRNNBackprop",
    "CudnnRNNBackpropV2", "CudnnRNNBackpropV3", "CudnnRNNCanonicalToParams", "CudnnRNNCanonicalToParamsV2",
    "CudnnRNNParamsSize", "CudnnRNNParamsToCanonical", "CudnnRNNParamsToCanonicalV2",
)


class _BlockFinder(importlib.abc.MetaPathFinder):
    """A meta-path finder that refuses the reference solution."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None) -> None:
        """Raise ImportError for blocked names; defer to the other finders otherwise.

        Args:
            fullname: str, the module being imported.
            path: the parent package's search path, or None.
            target: unused.

        Raises:
            ImportError: for a blocked module.
        """
        if fullname.split(".")[0] in BLOCKED_MODULES:
            raise ImportError(f"{fullname} cannot be imported while a submission is graded")
        return None


def block_reference(repo_root: str) -> None:
    """Take the repository off ``sys.path`` and refuse imports of the reference solution.

    Args:
        repo_root: str, the repository's root folder.
    """
    root = os.path.realpath(repo_root)
    sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) != root]
    for name in list(sys.modules):
        if name.split(".")[0] in BLOCKED_MODULES:
            del sys.modules[name]
    sys.meta_path.insert(0, _BlockFinder())


def _library_dirs() -> tuple[str, ...]:
    """Return the folders whose code counts as library code (stdlib and site-packages).

    Returns:
        A tuple of absolute folder paths.
    """
    dirs = {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    dirs.update(site.getsitepackages())
    return tuple(os.path.realpath(d) + os.sep for d in dirs)


class RuntimeGuard:
    """Replace built-in recurrent layers and ops with recording stand-ins.

    Args:
        submission_roots: the folders holding the code under test; a use counts when the
            first non-library frame calling it lies in one of them.

    Attributes:
        originals: dict, the untouched classes and functions by name, for grader code.
        records: list of str, one line per forbidden use by the submission.
    """

    def __init__(self, submission_roots: Sequence[str]) -> None:
        """Remember where the submission lives; nothing is patched until :meth:`install`.

        Args:
            submission_roots: folders of the code under test.
        """
        self.roots = tuple(os.path.realpath(r) + os.sep for r in submission_roots)
        self.library = _library_dirs()
        self.originals: dict[str, Any] = {}
        self.records: list[str] = []

    def _by_submission(self) -> bool:
        """Tell whether the nearest non-library caller is the submission's code.

        Returns:
            True when the first frame outside the standard library, site-packages and
            generated code belongs to a submission folder.
        """
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith("<") or "__autograph_generated_file" in filename:
                frame = frame.f_back
                continue
            path = os.path.realpath(filename)
            if path.startswith(self.library) or path == os.path.realpath(__file__):
                frame = frame.f_back
                continue
            return path.startswith(self.roots)
        return False

    def _record(self, what: str) -> None:
        """Record one forbidden use (at most 50 are kept).

        Args:
            what: str, the name that was used.
        """
        if len(self.records) < 50:
            self.records.append(what)

    def _recording_class(self, name: str, original: type) -> type:
        """Make a subclass of ``original`` that records its construction by the submission.

        Args:
            name: str, the public name.
            original: type, the Keras class.

        Returns:
            The recording subclass.
        """
        guard = self

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            if guard._by_submission():
                guard._record(f"keras {name}")
            original.__init__(self, *args, **kwargs)

        return type(name, (original,), {"__init__": __init__, "__module__": original.__module__})

    def _recording_function(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap ``original`` so that calls from the submission are recorded.

        Args:
            name: str, the name to record.
            original: the function.

        Returns:
            The wrapper.
        """
        guard = self

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if guard._by_submission():
                guard._record(name)
            return original(*args, **kwargs)

        wrapper.__name__ = getattr(original, "__name__", name)
        wrapper.__doc__ = getattr(original, "__doc__", None)
        return wrapper

    def install(self) -> None:
        """Patch Keras and TensorFlow (call once, before the submission is imported)."""
        import keras  # noqa: F401  (loads keras.layers and friends)
        import tensorflow as tf

        stand_ins: dict[str, type] = {}
        for module_name in KERAS_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            for name in FORBIDDEN_CLASSES:
                original = module.__dict__.get(name)
                if not isinstance(original, type):
                    continue
                self.originals.setdefault(name, original)
                if name not in stand_ins:
                    stand_ins[name] = self._recording_class(name, self.originals[name])
                setattr(module, name, stand_ins[name])
        for module_name, name in FORBIDDEN_FUNCTIONS:
            try:
                module = importlib.import_module(module_name)
                original = getattr(module, name)
            except (ImportError, AttributeError):
                continue
            self.originals.setdefault(f"{module_name}.{name}", original)
            setattr(module, name, self._recording_function(f"{module_name}.{name}", original))
        for op in FORBIDDEN_OP_TYPES:
            original = getattr(tf.raw_ops, op, None)
            if original is not None:
                setattr(tf.raw_ops, op, self._recording_function(f"tf.raw_ops.{op}", original))

    def record_graph_ops(self, op_types: set[str]) -> list[str]:
        """Record forbidden raw op types found in a traced graph.

        Args:
            op_types: set of str, op types seen in a graph (and its function library).

        Returns:
            The forbidden ones found.
        """
        found = sorted(set(op_types) & set(FORBIDDEN_OP_TYPES))
        for op in found:
            self._record(f"raw op {op} in the traced graph")
        return found

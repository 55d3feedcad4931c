"""Child-side recording: what a part's probe uses to keep raw outputs and the errors it met.

A probe never decides a check. It records values (JSON) and arrays (npz) under
names, and the exceptions it met; the trusted parent judges them (each part's module
in :mod:`course.grading.checking.parts`, run by :mod:`course.grading.checking.judges`).
"""

from __future__ import annotations

import contextlib
import math
import re
import traceback
from collections.abc import Iterator
from typing import Any

import numpy as np

#: Longest error message kept.
MAX_MESSAGE = 300


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def clean_message(message: str) -> str:
    """Recover the original message from Keras' and AutoGraph's wrapping of an exception.

    Keras re-raises ``Exception encountered when calling X.call(). <bold>message</bold>
    Arguments received ...``; a traced function's error starts with ``in user code:``
    and a stack. Keep the message itself.

    Args:
        message: str, the exception's text.

    Returns:
        str, one short message without terminal escapes.
    """
    bold = re.findall(r"\x1b\[1m(.*?)\x1b\[0m", message, flags=re.DOTALL)
    if bold:
        message = bold[-1]
    elif message.lstrip().startswith("in user code:"):
        lines = [line.strip() for line in message.splitlines() if line.strip()]
        message = lines[-1] if lines else message
    return " ".join(_ANSI.sub("", message).split())


def describe(error: BaseException) -> dict[str, Any]:
    """Summarise an exception for the parent, without a traceback.

    Args:
        error: the exception.

    Returns:
        ``{"type", "message", "not_implemented", "where"}``; ``where`` is the last
        frame of the traceback in student code, as ``file:line``.
    """
    where = ""
    frames = traceback.extract_tb(error.__traceback__)
    for frame in frames:
        filename = frame.filename.replace("\\", "/")
        if "course/grading" not in filename and not _library(filename):
            where = f"{filename.rsplit('/', 1)[-1]}:{frame.lineno}"
    # An unfinished exercise raises NotImplementedError itself (``raise`` on its last line);
    # TensorFlow's own (NumPy on a symbolic tensor, say) is a real error in finished code. Keras
    # filters its and TensorFlow's frames out of tracebacks, so the raising line is the witness.
    raised_by_library = bool(frames) and (_library(frames[-1].filename.replace("\\", "/"))
                                          or "raise" not in (frames[-1].line or "raise"))
    return {
        "type": type(error).__name__,
        "message": clean_message(str(error))[:MAX_MESSAGE],
        "not_implemented": isinstance(error, NotImplementedError) and not raised_by_library,
        "where": where,
    }


def _library(filename: str) -> bool:
    """Tell whether a traceback frame is in an installed library (TensorFlow, Keras, NumPy) or Python itself.

    Args:
        filename: str, the frame's file, with forward slashes.

    Returns:
        bool.
    """
    return "/site-packages/" in filename or "/dist-packages/" in filename or filename.startswith("<frozen") \
        or "/lib/python3" in filename


def jsonable(value: Any) -> Any:
    """Turn numbers, arrays and nested containers into JSON-safe values (NaN becomes None).

    Args:
        value: anything a probe records.

    Returns:
        A JSON-safe value; unknown objects become their ``repr`` (truncated).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, str):
        return value[:2000]
    if isinstance(value, dict):
        return {str(k)[:100]: jsonable(v) for k, v in list(value.items())[:100]}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in list(value)[:1000]]
    if value is None:
        return None
    try:
        return jsonable(np.asarray(value).tolist())
    except Exception:  # noqa: BLE001 - anything odd becomes text
        return repr(value)[:200]


class Recorder:
    """Collect one submission's raw outputs for one part.

    Attributes:
        values: dict of JSON-safe values by name.
        arrays: dict of numpy arrays by name.
        errors: dict of probe name to :func:`describe` output.
    """

    def __init__(self) -> None:
        """Start empty."""
        self.values: dict[str, Any] = {}
        self.arrays: dict[str, np.ndarray] = {}
        self.errors: dict[str, dict[str, Any]] = {}

    @contextlib.contextmanager
    def probe(self, name: str) -> Iterator[None]:
        """Run a block as the probe ``name``; an exception (even SystemExit) is recorded, not raised.

        Args:
            name: str, the probe's name.

        Yields:
            Nothing.
        """
        try:
            yield
        except BaseException as error:  # noqa: BLE001 - student code may raise anything, even SystemExit
            if isinstance(error, KeyboardInterrupt):
                raise
            self.errors[name] = describe(error)

    def put(self, name: str, value: Any) -> None:
        """Record a JSON value.

        Args:
            name: str, its name.
            value: the value (made JSON-safe).
        """
        self.values[name] = jsonable(value)

    def array(self, name: str, value: Any, dtype: Any = np.float64) -> None:
        """Record an array.

        Args:
            name: str, its name.
            value: array-like (a tf.Tensor is fine).
            dtype: numpy dtype to store it as.
        """
        self.arrays[name] = np.asarray(value, dtype=dtype)


def gradient_norms(grads: list[Any]) -> list[float]:
    """Return each gradient's norm, with -1 for a missing (None) gradient.

    Args:
        grads: list of tf.Tensor, tf.IndexedSlices or None.

    Returns:
        list of float.
    """
    import tensorflow as tf

    norms = []
    for grad in grads:
        if grad is None:
            norms.append(-1.0)
        else:
            if isinstance(grad, tf.IndexedSlices):
                grad = tf.convert_to_tensor(grad)
            norms.append(float(tf.norm(tf.cast(grad, tf.float64))))
    return norms


def graph_op_types(graph_def: Any) -> list[str]:
    """List every node's op type in a GraphDef, its function library included.

    Args:
        graph_def: a ``tf.compat.v1.GraphDef``.

    Returns:
        list of str, one per node (repeats kept, so its length counts nodes).
    """
    types = [node.op for node in graph_def.node]
    for function in graph_def.library.function:
        types.extend(node.op for node in function.node_def)
    return types

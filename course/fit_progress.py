"""Progress from Keras' own loop: ``lstm-course train`` on a ``train`` written with ``model.fit``.

The contract lets ``train`` take an optional ``progress`` callback; a ``train`` that hands the
work to ``model.fit`` usually has none, and the progress bar used to show
``loss 0.0000 · acc 0.0000 · 0 samples/s`` for the whole run (issue 24). Keras computes the
running loss and accuracy anyway: :func:`fit_reports_to` adds a callback that passes them on.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def fit_reports_to(progress: Callable[[int, float, float], None], batch_size: int) -> Iterator[None]:
    """While it is open, every ``keras.Model.fit`` also reports each batch to ``progress``.

    For a ``train`` written with ``model.fit`` (on the model, or on a model that wraps it),
    which has no ``progress`` argument: a Keras callback passes on the running loss and
    accuracy that Keras computes anyway.

    Args:
        progress: the function the progress bar advances with: ``(samples, loss, accuracy)``.
        batch_size: int, samples per batch (the datasets' batch size).

    Yields:
        None; on leaving, ``keras.Model.fit`` is Keras' own again.
    """
    import keras

    class Report(keras.callbacks.Callback):
        """Pass each batch's running loss and accuracy to the progress bar."""

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            """Report one batch.

            Args:
                batch: int, the batch's index in the epoch.
                logs: dict, Keras' running metrics (``loss``, ``accuracy`` or another ``*acc*`` name).
            """
            logs = logs or {}
            accuracy = next((value for key, value in logs.items() if "acc" in key), math.nan)
            progress(batch_size, float(logs.get("loss", math.nan)), float(accuracy))

    keras_fit = keras.Model.fit

    def fit(self: keras.Model, *args: object, **kwargs: object) -> object:
        """Keras' ``fit`` with the :class:`Report` callback added to the caller's callbacks.

        Args:
            self: the model being fitted (the student's, or one that wraps it).
            *args: ``fit``'s positional arguments.
            **kwargs: ``fit``'s keyword arguments.

        Returns:
            Keras' ``History``.
        """
        if len(args) < 6:  # callbacks is fit's sixth parameter: passed by keyword, or not at all
            kwargs["callbacks"] = [*(kwargs.get("callbacks") or []), Report()]
        return keras_fit(self, *args, **kwargs)

    own = keras.Model.__dict__.get("fit")  # else fit comes from a backend's trainer class
    keras.Model.fit = fit
    try:
        yield
    finally:
        if own is None:
            del keras.Model.fit
        else:
            keras.Model.fit = own

"""Grader-owned stand-ins for the parts a check does not test, built on Keras' own layers.

A check's points must not depend on another part being right: the layer's checks run
the student's ``LSTM`` on :class:`ContractCell`, the model's checks run the student's
``IntegrationModel`` on :class:`ContractCell` and :class:`ContractLSTM`, and the
training checks run the student's ``train`` on :class:`RunningSumModel`, with batches
made by ``from_tensor_slices(...).batch(...)`` and :func:`pass_through` in place of
``prepare``; the layer's training probes run the student's ``LSTM`` inside
:class:`LayerHarness`. None of them is an exercise's answer: the cell and the layer wrap
``keras.layers.LSTMCell`` and ``keras.layers.RNN`` (which students may not use), the
training model is a running sum with a per-step read-out (not recurrent), and
:func:`pass_through` returns its dataset unchanged. The stand-ins keep the contract's
interface (``units``, ``call(x, (h, c))``, ``fused_weights()``, ``zero_states``). They are
given the *original* Keras classes (from :attr:`course.grading.running.guard.RuntimeGuard.originals`),
which the runtime guard does not record.
"""

from __future__ import annotations

import types
from typing import Any

import keras
import numpy as np
import tensorflow as tf

#: The original Keras classes; set by :func:`use_originals` before any stand-in is made.
_ORIGINALS: dict[str, Any] = {}


def use_originals(originals: dict[str, Any]) -> None:
    """Give the stand-ins the untouched Keras classes.

    Args:
        originals: dict of class name to class, from the runtime guard.
    """
    _ORIGINALS.update(originals)


def _keras(name: str) -> Any:
    """Return an original Keras class by name (the public one when no guard is installed).

    Args:
        name: str, e.g. ``"LSTMCell"``.

    Returns:
        The class.
    """
    return _ORIGINALS.get(name) or getattr(keras.layers, name)


class ContractCell(keras.layers.Layer):
    """The contract's cell, ``call(x, (h, c)) -> (h, c)``, computed by ``keras.layers.LSTMCell``.

    Args:
        units: int, H.
        **kwargs: passed on to ``keras.layers.Layer``.
    """

    def __init__(self, units: int, **kwargs: Any) -> None:
        """Create the wrapped Keras cell.

        Args:
            units: int, H.
            **kwargs: passed on to ``keras.layers.Layer``.
        """
        super().__init__(**kwargs)
        self.units = units
        self.keras_cell = _keras("LSTMCell")(units, name="keras_lstm_cell")

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Build the Keras cell for inputs of shape ``(B, D)`` (idempotent).

        Args:
            input_shape: tuple, ``(B, D)``.
        """
        if not self.keras_cell.built:
            self.keras_cell.build(tuple(input_shape))
        self.built = True

    def set_keras_weights(self, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray) -> None:
        """Copy weights in Keras' layout (gate order i, f, c, o).

        Args:
            kernel: array ``(D, 4H)``.
            recurrent_kernel: array ``(H, 4H)``.
            bias: array ``(4H,)``.
        """
        self.build((None, kernel.shape[0]))
        self.keras_cell.set_weights([kernel, recurrent_kernel, bias])

    def fused_weights(self) -> tuple[tf.Tensor, tf.Tensor]:
        """The Keras cell's weights stacked as one kernel, as a layer may ask a cell for them.

        Returns:
            ``(kernel (D + H, 4H), bias (4H,))``: the input kernel on top of the recurrent
            one (the rows ``[x, h]`` multiply), gate order i, f, c, o.
        """
        if not self.keras_cell.built:
            raise ValueError("fused_weights() needs a built cell: build the cell (e.g. in the layer's build())")
        kernel = tf.concat([self.keras_cell.kernel, self.keras_cell.recurrent_kernel], axis=0)  # (D + H, 4H)
        return kernel, tf.convert_to_tensor(self.keras_cell.bias)

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor],
             fused_weights: tuple[tf.Tensor, tf.Tensor] | None = None,
             training: bool | None = None) -> tuple[tf.Tensor, tf.Tensor]:
        """Advance one step.

        Args:
            x: tf.Tensor ``(B, D)``.
            states: pair ``(hidden_state, cell_state)``, each ``(B, H)``.
            fused_weights: optional result of :meth:`fused_weights`, passed back by a layer
                that reads the weights once before its loop; the Keras cell reads the same
                variables itself, so it is not needed.
            training: unused.

        Returns:
            The new ``(hidden_state, cell_state)``.
        """
        del fused_weights, training  # the same variables, read by the Keras cell
        hidden_state, (_, cell_state) = self.keras_cell(x, [states[0], states[1]])
        return hidden_state, cell_state


class ContractLSTM(keras.layers.Layer):
    """The contract's layer, ``LSTM(cell)``, run by ``keras.layers.RNN`` over the cell's Keras cell.

    Args:
        cell: ContractCell, or a list of them for a stacked LSTM.
        **kwargs: passed on to ``keras.layers.Layer``.

    Attributes:
        calls: int, class-wide count of forward calls (the model checks use it).
    """

    calls = 0

    def __init__(self, cell: ContractCell | list[ContractCell], **kwargs: Any) -> None:
        """Wrap the cell(s) in a Keras RNN that returns every step.

        Args:
            cell: ContractCell or list of ContractCell.
            **kwargs: passed on to ``keras.layers.Layer``.
        """
        super().__init__(**kwargs)
        self.cell = cell
        cells = list(cell) if isinstance(cell, (list, tuple)) else [cell]
        inner = [c.keras_cell for c in cells]
        keras_cell = inner[0] if len(inner) == 1 else _keras("StackedRNNCells")(inner)
        self.rnn = _keras("RNN")(keras_cell, return_sequences=True)
        self.units = cells[-1].units
        self._first_units = cells[0].units

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Build the wrapped RNN for inputs ``(B, T, D)``.

        Args:
            input_shape: tuple.
        """
        if not self.rnn.built:
            self.rnn.build(tuple(input_shape))
        self.built = True

    def zero_states(self, batch_size: int) -> tuple[tf.Tensor, tf.Tensor]:
        """Return zero ``(hidden_state, cell_state)``, each ``(batch_size, H)``.

        Args:
            batch_size: int, B.

        Returns:
            The pair of zero tensors.
        """
        zeros = tf.zeros((batch_size, self._first_units))
        return zeros, zeros

    def call(self, x: tf.Tensor, states: tuple[tf.Tensor, tf.Tensor] | None = None) -> tf.Tensor:
        """Return the hidden state of every step, ``(B, T, H)``.

        Args:
            x: tf.Tensor ``(B, T, D)``.
            states: optional initial ``(hidden_state, cell_state)``.

        Returns:
            tf.Tensor ``(B, T, H)``.
        """
        type(self).calls += 1
        if states is None:
            return self.rnn(x)
        return self.rnn(x, initial_state=[states[0], states[1]])


class RunningSumModel(keras.Model):
    """The model the training checks hand to the student's ``train``: a running sum, read out per step.

    Not recurrent and not the exercise's model: ``p_t = sigmoid(k_t * sum_{s <= t} x_s + b_t)``,
    with one weight ``k_t`` and one bias ``b_t`` per time step, both starting at 0 (so every
    step starts at ``p_t = 0.5``). The sign of the running sum is the task's answer, so a
    ``train`` that fits the last step makes ``k_{T-1}`` positive within a few Adam steps, while
    a loss on another step leaves the last step at 0.5 (accuracy about 0.5). The per-step
    weights also show which steps the loss reached (:meth:`steps_trained`).

    Args:
        max_steps: int, the longest sequence (T) it accepts.
        **kwargs: passed on to ``keras.Model``.
    """

    def __init__(self, max_steps: int, **kwargs: Any) -> None:
        """Create the per-step weights.

        Args:
            max_steps: int, the longest sequence (T) it accepts.
            **kwargs: passed on to ``keras.Model``.
        """
        super().__init__(**kwargs)
        self.max_steps = max_steps
        self.step_weight = self.add_weight(shape=(max_steps,), initializer="zeros", name="step_weight")
        self.step_bias = self.add_weight(shape=(max_steps,), initializer="zeros", name="step_bias")

    def call(self, x: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        """Map noise ``(B, T, 1)`` to probabilities ``(B, T, 1)``.

        Args:
            x: tf.Tensor ``(B, T, 1)``.
            training: unused (accepted as Keras passes it).

        Returns:
            tf.Tensor ``(B, T, 1)``.

        Raises:
            ValueError: when ``x`` is not a batch of sequences ``(B, T, 1)``.
        """
        if x.shape.rank != 3 or (x.shape[-1] is not None and x.shape[-1] != 1):
            raise ValueError(f"the grader's model expects a batch of sequences (B, T, 1), got shape {x.shape}")
        steps = tf.shape(x)[1]
        running = tf.cumsum(tf.cast(x[..., 0], self.step_weight.dtype), axis=1)  # (B, T)
        logits = running * self.step_weight[:steps] + self.step_bias[:steps]  # (B, T)
        return tf.sigmoid(logits)[..., None]  # (B, T, 1)

    def steps_trained(self) -> list[int]:
        """The time steps whose weights moved from their start (0), i.e. that the loss reached.

        Returns:
            list of int, step indices.
        """
        moved = (np.abs(np.asarray(self.step_weight)) + np.abs(np.asarray(self.step_bias))) > 0
        return [int(t) for t in np.flatnonzero(moved)]


class LayerHarness(keras.Model):
    """A grader-owned model around the student's layer: ``Dense(1)`` on its output, no read-in.

    It puts the layer where training uses it, inside a ``keras.Model`` under an optimizer,
    so the probes can watch the call patterns that silently cut a cell off from its
    gradients (see ``docs/graph-mode.md``). It is not the exercise's model: no read-in, no
    sigmoid, and the loss is an arbitrary weighted sum.

    Args:
        layer: the student's ``LSTM``, on a grader cell.
        **kwargs: passed on to ``keras.Model``.
    """

    def __init__(self, layer: keras.layers.Layer, **kwargs: Any) -> None:
        """Keep the layer and add a linear head.

        Args:
            layer: the student's ``LSTM``.
            **kwargs: passed on to ``keras.Model``.
        """
        super().__init__(**kwargs)
        self.layer = layer
        self.head = keras.layers.Dense(1, name="head")

    def call(self, x: tf.Tensor) -> tf.Tensor:
        """Run the layer and the head.

        Args:
            x: tf.Tensor ``(B, T, D)``.

        Returns:
            tf.Tensor ``(B, T, 1)``.
        """
        return self.head(self.layer(x))


def pass_through(dataset: tf.data.Dataset, *args: Any, **kwargs: Any) -> tf.data.Dataset:
    """Stand in for the student's ``prepare`` in the training part: return ``dataset`` unchanged.

    The training part hands ``train`` data that is already batched (or, on the retry,
    unbatched pairs): a ``train`` that prepares its data with ``prepare`` then gets the
    batches as they are, and a broken ``prepare`` costs the data part's points only.

    Args:
        dataset: tf.data.Dataset.
        *args: ignored (``batch_size``, ``shuffle_buffer``).
        **kwargs: ignored.

    Returns:
        The same dataset.
    """
    return dataset


def module(name: str, fallback: types.ModuleType | None = None, **attributes: Any) -> types.ModuleType:
    """Make a stand-in module; names it lacks are looked up in ``fallback``.

    Args:
        name: str, the module's full name (e.g. ``submission.cell``).
        fallback: the student's own module, or None.
        **attributes: the module's contents.

    Returns:
        The module.
    """
    stand_in = types.ModuleType(name, "grader-owned stand-in")
    stand_in.__dict__.update(attributes)
    if fallback is not None:
        def __getattr__(attribute: str) -> Any:
            return getattr(fallback, attribute)

        stand_in.__getattr__ = __getattr__  # type: ignore[attr-defined]
    return stand_in

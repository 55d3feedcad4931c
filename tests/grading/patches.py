'''Plausible student mistakes (mutants) and correct-but-different solutions (variants), as patches.

Each is a small edit of a copy of ``solutions/``: (file, old text, new text). The
old text must occur exactly once in the reference, so a change to the reference
that breaks a patch fails loudly instead of silently testing nothing. A mutant names
the check that must catch its mistake; a variant must earn every point of the parts
it touches.
'''

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

#: Marks a patch that deletes the file.
DELETE = None


@dataclass(frozen=True)
class Patch:
    """One textual edit of a reference file.

    Attributes:
        file: str, e.g. ``"cell.py"``.
        old: str, text that occurs exactly once in the file.
        new: str or None, its replacement (None deletes the file).
    """

    file: str
    old: str
    new: str | None


@dataclass(frozen=True)
class Mutant:
    """A realistic student mistake and the check that must catch it.

    Attributes:
        name: str, short id.
        patches: tuple of Patch.
        caught_by: str, the check that must lose its points.
        parts: tuple of str, run parts to run for it when ``caught_by``'s part is not one
            (the runtime guard needs the code to run).
        also: tuple of str, other run parts graded on it, which must keep full marks (the
            parts are independent).
        raises: bool, the mistake is that a call the contract makes raises (the check's detail
            is that exception): a catch, though not a judgement of an output.
    """

    name: str
    patches: tuple[Patch, ...]
    caught_by: str
    parts: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    raises: bool = False


@dataclass(frozen=True)
class Variant:
    """A correct solution written differently: it must earn full marks.

    Attributes:
        name: str, short id.
        patches: tuple of Patch.
    """

    name: str
    patches: tuple[Patch, ...]


def build(case: Mutant | Variant, folder: Path, reference: Path) -> Path:
    """Copy the reference into ``folder`` and apply a case's patches.

    Args:
        case: Mutant or Variant.
        folder: Path, created.
        reference: Path, the reference solution (``solutions/``).

    Returns:
        Path, the patched copy.

    Raises:
        AssertionError: when a patch's old text does not occur exactly once.
    """
    shutil.copytree(reference, folder, ignore=shutil.ignore_patterns("__pycache__"))
    for patch in case.patches:
        path = folder / patch.file
        text = path.read_text()
        assert text.count(patch.old) == 1, f"{case.name}: the patch no longer matches solutions/{patch.file}"
        if patch.new is None:
            path.unlink()
        else:
            path.write_text(text.replace(patch.old, patch.new))
    return folder


def _one(file: str, old: str, new: str | None) -> tuple[Patch, ...]:
    """A single-patch tuple.

    Args:
        file: str.
        old: str.
        new: str or None.

    Returns:
        tuple of one Patch.
    """
    return (Patch(file, old, new),)


MUTANTS: tuple[Mutant, ...] = (
    # ---- data.py
    Mutant("threshold_1", _one("data.py", "noise.sum() > 0]", "noise.sum() > 1]"), "data.labels_threshold_0"),
    Mutant("bool_labels", _one("data.py", "dtype=np.int32)  # (1,)", "dtype=bool)  # (1,)"), "data.integer_labels"),
    Mutant("no_expand_dims", _one("data.py", "yield np.expand_dims(noise, -1), target", "yield noise, target"),
           "data.generator_shapes"),
    Mutant("uniform_noise", _one("data.py", "rng.standard_normal(seq_len)", "rng.uniform(-1.0, 1.0, seq_len)"),
           "data.noise_standard_normal"),
    Mutant("reseeded_every_sample",
           _one("data.py", "noise = rng.standard_normal(seq_len)", "noise = np.random.default_rng(0).standard_normal(seq_len)"),
           "data.noise_standard_normal"),
    Mutant("wrapper_with_args", (
        Patch("data.py", "def my_integration_task() ->", "def my_integration_task(seq_len: int, num_samples: int) ->"),
        Patch("data.py", """    arguments, so this wrapper fixes ``SEQ_LEN`` and ``NUM_SAMPLES``.
""", """    arguments, so this wrapper fixes ``SEQ_LEN`` and ``NUM_SAMPLES``.

    Args:
        seq_len: int, the steps of each sequence.
        num_samples: int, how many pairs to yield.
"""),
        Patch("data.py", "    yield from integration_task(SEQ_LEN, NUM_SAMPLES)\n",
              "    yield from integration_task(seq_len, num_samples)\n"),
    ), "data.wrapper_no_args", raises=True),
    Mutant("wrapper_debug_size", _one("data.py", "    yield from integration_task(SEQ_LEN, NUM_SAMPLES)\n",
                                      "    yield from integration_task(SEQ_LEN, 100)\n"), "data.wrapper_no_args"),
    Mutant("from_tensor_slices", _one("data.py", """    return tf.data.Dataset.from_generator(
        lambda: integration_task(seq_len, num_samples, seed=seed),
        output_signature=(
            tf.TensorSpec(shape=(seq_len, 1), dtype=tf.float32),
            tf.TensorSpec(shape=(1,), dtype=tf.int32),
        ),
    )""", """    noise, target = zip(*integration_task(seq_len, num_samples, seed=seed))
    return tf.data.Dataset.from_tensor_slices((np.stack(noise), np.stack(target)))"""), "data.from_generator"),
    Mutant("no_output_signature", _one("data.py", """        output_signature=(
            tf.TensorSpec(shape=(seq_len, 1), dtype=tf.float32),
            tf.TensorSpec(shape=(1,), dtype=tf.int32),
        ),""", """        output_types=(tf.float32, tf.int32),"""), "data.from_generator"),
    Mutant("no_shuffle", _one("data.py", "dataset.shuffle(shuffle_buffer)\n", "dataset\n"), "data.prepare_shuffles"),
    Mutant("batch_then_shuffle", _one("data.py", """        dataset.shuffle(shuffle_buffer)
        .batch(batch_size)  # drop_remainder=False keeps the partial last batch""", """        dataset.batch(batch_size)
        .shuffle(shuffle_buffer)"""), "data.prepare_shuffles"),
    Mutant("fixed_shuffle_buffer", _one("data.py", "dataset.shuffle(shuffle_buffer)", "dataset.shuffle(1000)"),
           "data.prepare_shuffles"),
    Mutant("drop_remainder", _one("data.py", ".batch(batch_size)  #", ".batch(batch_size, drop_remainder=True)  #"),
           "data.prepare_batches"),
    Mutant("no_prefetch", _one("data.py", "\n        .prefetch(tf.data.AUTOTUNE)", ""), "data.prepare_prefetches"),
    # ---- cell.py
    Mutant("forget_bias_0", _one("cell.py", 'units, bias_initializer="ones", name="forget_gate"',
                                 'units, name="forget_gate"'), "cell.forget_bias"),
    Mutant("bias_on_input_gate", (
        Patch("cell.py", 'keras.layers.Dense(units, name="input_gate")',
              'keras.layers.Dense(units, bias_initializer="ones", name="input_gate")'),
        Patch("cell.py", 'units, bias_initializer="ones", name="forget_gate"', 'units, name="forget_gate"'),
    ), "cell.forget_bias"),
    Mutant("sigmoid_candidate", _one("cell.py", "candidate = tf.tanh(z_g)", "candidate = tf.sigmoid(z_g)"),
           "cell.matches_keras"),
    Mutant("no_tanh_on_output", _one("cell.py", "output_gate * tf.tanh(new_cell_state)", "output_gate * new_cell_state"),
           "cell.matches_keras"),
    Mutant("units_under_another_name", (
        Patch("cell.py", "        self.units = units\n", "        self.hidden_size = units\n"),
        Patch("cell.py", "input_shape[-1] + self.units)", "input_shape[-1] + self.hidden_size)"),
    ), "cell.gate_sublayers"),
    Mutant("candidate_gradient_stopped", _one("cell.py", "candidate = tf.tanh(z_g)",
                                              "candidate = tf.tanh(tf.stop_gradient(z_g))"), "cell.gradients"),
    Mutant("swapped_states", _one("cell.py", "return new_hidden_state, new_cell_state",
                                  "return new_cell_state, new_hidden_state"), "cell.state_order",
           also=("layer", "model")),
    # ---- layer.py
    Mutant("states_not_carried", _one("layer.py", """            hidden_state, cell_state = self.cell(
                inputs.read(t), (hidden_state, cell_state), **cell_kwargs
            )
            return t + 1, hidden_state, cell_state, outputs.write(t, hidden_state)""", """            new_hidden, _ = self.cell(inputs.read(t), states, **cell_kwargs)
            return t + 1, hidden_state, cell_state, outputs.write(t, new_hidden)"""), "layer.carries_state"),
    Mutant("python_list_unrolling", _one("layer.py", """        # (T, B, H) -> (B, T, H)
        return tf.transpose(outputs.stack(), [1, 0, 2])""", """        hidden_state, cell_state = states
        steps_list = []
        for t in range(x.shape[1]):
            hidden_state, cell_state = self.cell(x[:, t, :], (hidden_state, cell_state))
            steps_list.append(hidden_state)
        return tf.stack(steps_list, axis=1)"""), "layer.graph_no_unroll"),
    # NOTES trap 2: a for loop over tf.range made to work with @tf.function on call, no build()
    Mutant("tf_function_on_call", (
        Patch("layer.py", '    def build(self, input_shape: tuple[int | None, ...]) -> None:\n        """Build the cell for one step\'s input before any loop runs.\n\n        Args:\n            input_shape: tuple, the shape ``(B, T, D)`` of the sequence.\n        """\n        if not self.cell.built:\n            self.cell.build((input_shape[0], input_shape[-1]))  # (B, D)\n        super().build(input_shape)\n\n', ""),
        Patch("layer.py", '        # BEGIN SOLUTION: loop over time with tf.while_loop, writing h_t into a TensorArray\n        batch_size, steps = tf.shape(x)[0], tf.shape(x)[1]\n        if states is None:\n            states = self.zero_states(batch_size)\n        # Read the weights once: the loop body then only multiplies. (Any cell with the\n        # contract\'s call(x, states) works too; it then reads its own weights every step.)\n        cell_kwargs = {}\n        if hasattr(self.cell, \"fused_weights\"):\n            cell_kwargs[\"fused_weights\"] = self.cell.fused_weights()\n        # (B, T, D) -> (T, B, D): the loop reads one time step at a time.\n        inputs = tf.TensorArray(x.dtype, size=steps).unstack(tf.transpose(x, [1, 0, 2]))\n        outputs = tf.TensorArray(x.dtype, size=steps)\n\n        def step(t, hidden_state, cell_state, outputs):\n            # (h_t, c_t) = cell(x_t, (h_{t-1}, c_{t-1}))\n            hidden_state, cell_state = self.cell(\n                inputs.read(t), (hidden_state, cell_state), **cell_kwargs\n            )\n            return t + 1, hidden_state, cell_state, outputs.write(t, hidden_state)\n\n        _, _, _, outputs = tf.while_loop(\n            cond=lambda t, *_: t < steps,\n            body=step,\n            loop_vars=(tf.constant(0), *states, outputs),\n            maximum_iterations=steps,  # a known trip count: XLA can compile the loop\n        )\n        # (T, B, H) -> (B, T, H)\n        return tf.transpose(outputs.stack(), [1, 0, 2])\n',
              '        # BEGIN SOLUTION: loop over time with tf.while_loop, writing h_t into a TensorArray\n        batch_size, steps = tf.shape(x)[0], tf.shape(x)[1]\n        if states is None:\n            states = self.zero_states(batch_size)\n        hidden_state, cell_state = states\n        outputs = tf.TensorArray(x.dtype, size=steps)\n        for t in tf.range(steps):  # AutoGraph turns this into a loop, thanks to @tf.function\n            hidden_state, cell_state = self.cell(x[:, t, :], (hidden_state, cell_state))\n            outputs = outputs.write(t, hidden_state)\n        return tf.transpose(outputs.stack(), [1, 0, 2])\n'),
        Patch("layer.py", "    def call(\n        self, x: tf.Tensor,", "    @tf.function\n    def call(\n        self, x: tf.Tensor,"),
    ), "layer.gradients_graph"),
    Mutant("writes_cell_state", _one("layer.py", "outputs.write(t, hidden_state)", "outputs.write(t, cell_state)"),
           "layer.matches_keras"),
    Mutant("every_step_at_once", _one("layer.py", """        # (B, T, D) -> (T, B, D): the loop reads one time step at a time.
        inputs = tf.TensorArray(x.dtype, size=steps).unstack(tf.transpose(x, [1, 0, 2]))
        outputs = tf.TensorArray(x.dtype, size=steps)

        def step(t, hidden_state, cell_state, outputs):
            # (h_t, c_t) = cell(x_t, (h_{t-1}, c_{t-1}))
            hidden_state, cell_state = self.cell(
                inputs.read(t), (hidden_state, cell_state), **cell_kwargs
            )
            return t + 1, hidden_state, cell_state, outputs.write(t, hidden_state)

        _, _, _, outputs = tf.while_loop(
            cond=lambda t, *_: t < steps,
            body=step,
            loop_vars=(tf.constant(0), *states, outputs),
            maximum_iterations=steps,  # a known trip count: XLA can compile the loop
        )
        # (T, B, H) -> (B, T, H)
        return tf.transpose(outputs.stack(), [1, 0, 2])""", """        # Every step at once, no loop: each x_t meets the starting states.
        flat = tf.reshape(x, (-1, tf.shape(x)[2]))  # (B * T, D)
        hidden_state, cell_state = (tf.repeat(state, steps, axis=0) for state in states)  # (B * T, H)
        hidden, _ = self.cell(flat, (hidden_state, cell_state), **cell_kwargs)
        return tf.reshape(hidden, (batch_size, steps, -1))  # (B, T, H)"""), "layer.graph_while"),
    # A misreading of truncated BPTT: right for the short sequences, wrong from step 50 on.
    Mutant("restarts_every_50_steps", _one("layer.py", "            # (h_t, c_t) = cell(x_t, (h_{t-1}, c_{t-1}))\n",
                                           """            restart = tf.logical_and(t > 0, t % 50 == 0)
            hidden_state = tf.where(restart, tf.zeros_like(hidden_state), hidden_state)
            cell_state = tf.where(restart, tf.zeros_like(cell_state), cell_state)
            # (h_t, c_t) = cell(x_t, (h_{t-1}, c_{t-1}))
"""), "layer.one_trace_any_T"),
    # A cache of the last call: a tape around a second call on the same tensor sees no variable read.
    Mutant("reuses_last_outputs", (
        Patch("layer.py", "        batch_size, steps = tf.shape(x)[0], tf.shape(x)[1]\n",
              "        if states is None and getattr(self, \"last_input\", None) is x:  # the same sequence again\n"
              "            return self.last_output\n"
              "        batch_size, steps = tf.shape(x)[0], tf.shape(x)[1]\n"),
        Patch("layer.py", "        return tf.transpose(outputs.stack(), [1, 0, 2])\n",
              "        self.last_input, self.last_output = x, tf.transpose(outputs.stack(), [1, 0, 2])\n"
              "        return self.last_output\n"),
    ), "layer.gradients_eager"),
    Mutant("keras_lstm_inside", _one("layer.py", """        # (T, B, H) -> (B, T, H)
        return tf.transpose(outputs.stack(), [1, 0, 2])""", """        # (T, B, H) -> (B, T, H)
        return keras.layers.LSTM(self.cell.units, return_sequences=True)(x)"""), "rules.no_builtin_rnn"),
    Mutant("zero_states_flat", _one("layer.py", "zeros = tf.zeros((batch_size, self.cell.units))",
                                    "zeros = tf.zeros((self.cell.units,)) + tf.zeros((batch_size, 1))[:1]"),
           "layer.zero_states"),
    Mutant("ignores_given_states", _one("layer.py", """        if states is None:
            states = self.zero_states(batch_size)""", """        states = self.zero_states(batch_size)"""), "layer.initial_states",
           also=("model",)),
    Mutant("returns_last_step", _one("layer.py", "return tf.transpose(outputs.stack(), [1, 0, 2])",
                                     "return outputs.stack()[-1]"), "layer.output_shape"),
    # ---- model.py
    Mutant("logits_not_probabilities", _one("model.py", 'keras.layers.Dense(1, activation="sigmoid", name="read_out")',
                                            'keras.layers.Dense(1, name="read_out")'), "model.probabilities"),
    Mutant("reads_out_last_step_only", _one("model.py", "return self.read_out(hidden_states)",
                                            "return self.read_out(hidden_states[:, -1, :])"), "model.output_shape"),
    Mutant("lstm_reads_raw_input", _one("model.py", "hidden_states = self.lstm(features)",
                                        "hidden_states = self.lstm(x)"), "model.gradients"),
    Mutant("lstm_skipped", _one("model.py", "hidden_states = self.lstm(features)", "hidden_states = features"),
           "model.uses_lstm"),
    Mutant("hidden_keras_lstm_by_name", _one("model.py", 'self.lstm = LSTM(LSTMCell(units), name="lstm")',
                                             'self.lstm = getattr(keras.layers, "LS" + "TM")(units, return_sequences=True)'),
           "rules.no_builtin_rnn", parts=("model",)),
    # ---- train.py
    Mutant("loss_on_first_step", _one("train.py", "last = model(noise, training=True)[:, -1, :]",
                                      "last = model(noise, training=True)[:, 0, :]"), "training.reaches_80"),
    Mutant("gradients_never_applied", _one("train.py", "        optimizer.apply_gradients(zip(grads, model.trainable_variables))\n",
                                           "        del grads\n"), "training.updates_weights"),
    Mutant("val_accuracy_on_first_step", _one("train.py", "last = model(noise, training=False)[:, -1, :]",
                                              "last = model(noise, training=False)[:, 0, :]"),
           "training.val_accuracy_honest"),
    Mutant("history_without_validation", _one("train.py", "    return history\n",
                                              '    return {"loss": history["loss"], "accuracy": history["accuracy"]}\n'),
           "training.history_keys"),
    # ---- rules and answers
    Mutant("missing_docstring", _one("model.py", '''        """Predict, after every step, the probability that the sum so far is positive.

        Args:
            x: tf.Tensor of shape ``(B, T, 1)``, the noise.

        Returns:
            tf.Tensor of shape ``(B, T, 1)``, probabilities in [0, 1].
        """
''', ""), "rules.docstrings"),
    Mutant("missing_type_hints", _one("layer.py", "def zero_states(self, batch_size: int) -> tuple[tf.Tensor, tf.Tensor]:",
                                      "def zero_states(self, batch_size):"), "rules.type_hints"),
    Mutant("no_answers", _one("answers.md", "# Answers", DELETE), "answers.both_questions"),
)


VARIANTS: tuple[Variant, ...] = (
    Variant("legacy_numpy_random", _one("data.py", """    rng = np.random.default_rng(seed)
    for _ in range(num_samples):
        noise = rng.standard_normal(seq_len).astype(np.float32)  # (T,)""", """    if seed is not None:
        np.random.seed(seed)
    for _ in range(num_samples):
        noise = np.random.randn(seq_len).astype(np.float32)  # (T,)""")),
    Variant("int64_labels", (
        Patch("data.py", "dtype=np.int32)  # (1,)", "dtype=np.int64)  # (1,)"),
        Patch("data.py", "tf.TensorSpec(shape=(1,), dtype=tf.int32)", "tf.TensorSpec(shape=(1,), dtype=tf.int64)"),
    )),
    # Gates on [h, x] (colah's order) are an equivalent parametrization, not a fault (issue 22).
    Variant("hidden_first_concat", _one("cell.py", "tf.concat([x, hidden_state], axis=-1)",
                                        "tf.concat([hidden_state, x], axis=-1)")),
    Variant("four_dense_calls", _one("cell.py", """        z = tf.nn.bias_add(tf.matmul(xh, kernel), bias)  # (B, 4H)
        z_i, z_f, z_g, z_o = tf.split(z, 4, axis=-1)  # 4 x (B, H)""", """        del kernel, bias  # this variant calls each gate layer instead
        z_i, z_f = self.input_gate(xh), self.forget_gate(xh)
        z_g, z_o = self.cell_candidate(xh), self.output_gate(xh)""")),
    Variant("tf_scan", _one("layer.py", """        # (T, B, H) -> (B, T, H)
        return tf.transpose(outputs.stack(), [1, 0, 2])""", """        del outputs  # this variant scans instead

        def scan_step(carry, x_t):
            return self.cell(x_t, carry, **cell_kwargs)

        hidden, _ = tf.scan(scan_step, tf.transpose(x, [1, 0, 2]), initializer=tuple(states))
        return tf.transpose(hidden, [1, 0, 2])  # (T, B, H) -> (B, T, H)""")),
    Variant("batch_major_indexing", _one("layer.py", "inputs.read(t), (hidden_state, cell_state), **cell_kwargs",
                                         "x[:, t, :], (hidden_state, cell_state), **cell_kwargs")),
    Variant("bigger_model", (
        Patch("model.py", 'self.read_in = keras.layers.Dense(units, name="read_in")',
              'self.read_in = keras.Sequential([keras.layers.Dense(2 * units, activation="relu"), '
              'keras.layers.Dense(2 * units)], name="read_in")'),
        Patch("model.py", 'self.lstm = LSTM(LSTMCell(units), name="lstm")',
              'self.lstm = LSTM(LSTMCell(2 * units), name="lstm")'),
    )),
    Variant("model_fit", _one("train.py", """    train_batches = _batched(train_ds, batch_size, shuffle_buffer=1000)""", """    # Train a view of the model that outputs the last step only, with Keras' own loop.
    last_step = keras.Sequential([model, keras.layers.Lambda(lambda p: p[:, -1, :])])
    last_step.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                      metrics=["accuracy"])
    fitted = last_step.fit(_batched(train_ds, batch_size, 1000), epochs=epochs, verbose=0,
                           validation_data=_batched(val_ds, batch_size, 1))
    return {k: [float(v) for v in fitted.history[k]] for k in ("loss", "accuracy", "val_loss", "val_accuracy")}
    train_batches = _batched(train_ds, batch_size, shuffle_buffer=1000)""")),
)

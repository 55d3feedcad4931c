"""Every check the graders run, stated as data: name, part, points, hint, and what it proves.

The check names are the ones the chapters, ``lstm-course check`` and the pytest
view (``tests/graders``) all use. A check's points depend only on its own part:
each part runs in its own child process with grader-owned stand-ins for the
other parts (see :mod:`course.grading.checking.contract`).
"""

from __future__ import annotations

from dataclasses import dataclass

from course import task


@dataclass(frozen=True)
class Check:
    """One gradable requirement.

    Attributes:
        name: str, ``part.what``, unique; also the pytest test id.
        part: str, the part (and child process) that produces its evidence.
        points: float, what it is worth.
        hint: str, shown to the student when it fails: what to look at, not the answer.
        proves: str, what passing it shows.
        manual: bool, whether an instructor must still read the work (the points are
            provisional).
    """

    name: str
    part: str
    points: float
    hint: str
    proves: str
    manual: bool = False


#: The parts, in the order reports list them. ``rules`` and ``answers`` are judged from
#: the source text alone; the others each run in their own child process.
PARTS: tuple[str, ...] = ("data", "cell", "layer", "model", "training", "rules", "answers")
#: The parts whose evidence comes from running the student's code.
RUN_PARTS: tuple[str, ...] = ("data", "cell", "layer", "model", "training")
#: The student file each run part imports and tests.
PART_FILE: dict[str, str] = {
    "data": "data.py", "cell": "cell.py", "layer": "layer.py", "model": "model.py", "training": "train.py",
}

CHECKS: tuple[Check, ...] = (
    # data.py
    Check("data.generator_shapes", "data", 2,
          "integration_task(seq_len, num_samples) must yield exactly num_samples pairs: noise float32 of "
          "shape (seq_len, 1) (use np.expand_dims) and target of shape (1,).",
          "the generator honours its arguments and yields the contract's shapes and dtypes"),
    Check("data.integer_labels", "data", 1,
          "The target must be an integer array (int32 or int64), not bool: np.array([...], dtype=np.int32).",
          "labels are integers, as from_generator's output_signature and the loss expect"),
    Check("data.labels_threshold_0", "data", 2,
          "The label is 1 where the noise sums to more than 0, else 0: the task is the sign of the integral "
          "(threshold 0, not 1).",
          "every label equals (noise.sum() > 0) for the noise it comes with"),
    Check("data.noise_standard_normal", "data", 2,
          "Draw the noise from a standard normal (mean 0, standard deviation 1), fresh for every sample, "
          "e.g. rng.standard_normal(seq_len) or np.random.randn(seq_len).",
          "the noise's mean, spread and shape of distribution match N(0, 1), and samples differ"),
    Check("data.wrapper_no_args", "data", 1,
          "my_integration_task() takes no arguments and yields from integration_task(SEQ_LEN, NUM_SAMPLES); "
          f"keep SEQ_LEN = {task.SEQ_LEN} and NUM_SAMPLES = {task.NUM_SAMPLES:_}.",
          "the wrapper is a zero-argument generator, as from_generator needs"),
    Check("data.from_generator", "data", 2,
          "make_dataset must wrap the generator with tf.data.Dataset.from_generator(..., output_signature=(...)), "
          "with TensorSpecs of shape (seq_len, 1) float32 and (1,) int; a dataset built from tensors does not count.",
          "make_dataset streams from the Python generator with a fully known element spec"),
    Check("data.prepare_batches", "data", 1,
          "prepare must batch with batch_size and keep the last, partial batch (drop_remainder=False).",
          "prepare yields every pair exactly once, in batches of batch_size plus a partial last batch"),
    Check("data.prepare_shuffles", "data", 1,
          "prepare must shuffle single pairs with a buffer of shuffle_buffer, before batching "
          "(dataset.shuffle(shuffle_buffer).batch(batch_size)).",
          "prepare shuffles pairs (not batches) and honours shuffle_buffer"),
    Check("data.prepare_prefetches", "data", 1,
          "prepare must end with .prefetch(tf.data.AUTOTUNE), so data is ready while the model trains.",
          "the prepared dataset's graph holds a prefetch stage"),
    # cell.py
    Check("cell.gate_sublayers", "cell", 2,
          "LSTMCell(units) keeps self.units and four keras.layers.Dense(units) sublayers named input_gate, "
          "forget_gate, cell_candidate and output_gate.",
          "the cell has the contract's structure"),
    Check("cell.forget_bias", "cell", 2,
          "Only the forget gate's bias starts at 1 (bias_initializer='ones'); the other gates' biases start at 0.",
          "the forget gate remembers by default, as in Keras and Jozefowicz et al. (2015)"),
    Check("cell.matches_keras", "cell", 3,
          "With Keras' weights copied in, the cell must give Keras' numbers: gates on concat([x, h]) (input "
          "first), sigmoid for i, f, o, tanh for the candidate, c = f*c_prev + i*g, h = o*tanh(c).",
          "two steps of the cell equal keras.layers.LSTMCell's to 1e-5"),
    Check("cell.state_order", "cell", 1,
          "call must return the pair in the order (hidden_state, cell_state), the same order as its states "
          "argument.",
          "the cell returns (h, c), so a layer can feed them back in"),
    Check("cell.gradients", "cell", 1,
          "Every weight of the cell must get a non-zero gradient, eagerly and inside tf.function. Do not "
          "decorate call with @tf.function, and use each gate's output.",
          "all four gates take part in training"),
    # layer.py
    Check("layer.zero_states", "layer", 1,
          "zero_states(batch_size) returns a pair of zero tensors, each of shape (batch_size, cell.units).",
          "the initial states have the right shape and value"),
    Check("layer.output_shape", "layer", 1,
          "LSTM.call returns the hidden state of every step: shape (batch, time, units).",
          "the layer returns the whole sequence of hidden states"),
    Check("layer.matches_keras", "layer", 3,
          "Over a whole sequence the layer must match keras.layers.LSTM(return_sequences=True) with the same "
          "weights: start from zero states, and step the cell over the time axis in order.",
          "the unrolled layer equals Keras' LSTM to 1e-5"),
    Check("layer.initial_states", "layer", 1,
          "call(x, states) must start from the given (hidden_state, cell_state) when they are passed, and "
          "from zero_states only when states is None.",
          "the layer honours the states it is given"),
    Check("layer.carries_state", "layer", 1,
          "Feed each step's new (hidden_state, cell_state) into the next step; the last output must depend on "
          "the first input. The output must be batch-major (batch, time, units): the check reads the last step "
          "on axis 1, and fails a time-major (time, batch, units) output rather than read the wrong axis.",
          "the state is carried from step to step"),
    Check("layer.graph_while", "layer", 2,
          "Traced with tf.function(input_signature=[TensorSpec((None, None, D))]) the layer must hold a While "
          "loop: use tf.while_loop (or tf.scan) over the time steps with a tf.TensorArray, not a Python loop.",
          "the layer compiles to one graph loop over time"),
    Check("layer.graph_no_unroll", "layer", 1,
          "The traced graph must not grow with the sequence length: loop with tf.while_loop over tf.shape(x)[1], "
          "not over x.shape[1] or a Python list of steps.",
          "the graph does not unroll the sequence"),
    Check("layer.one_trace_any_T", "layer", 1,
          "One tf.function trace with input_signature (None, None, D) must serve T=2 and T=200 and give Keras' "
          "numbers for both: take the number of steps from tf.shape(x), not from Python.",
          "one concrete function serves any sequence length"),
    Check("layer.gradients_eager", "layer", 1,
          "Every variable of the cell must get a non-zero gradient through the layer under an eager "
          "GradientTape, also after a first call outside the tape. Do not decorate call with @tf.function.",
          "eager training reaches the cell's weights"),
    Check("layer.gradients_graph", "layer", 2,
          "Every variable of the cell must get a non-zero gradient when the layer is first called inside a "
          "tf.function train step (lazy build). Do not put @tf.function on call; build the cell in build().",
          "graph-mode training reaches the cell's weights (NOTES trap 2)"),
    Check("layer.trains_in_model", "layer", 2,
          "Inside a model, every variable of the cell must get a gradient when the model is built lazily in a "
          "tf.function train step, after one eager call under an eager tape, and under model.fit. The trap: "
          "@tf.function on LSTM.call with a `for t in tf.range(...)` loop runs, but cuts the cell off from its "
          "gradients in these patterns (see docs/graph-mode.md#keras-3-traps-as-you-will-meet-them, trap 2). "
          "Loop with tf.while_loop (or tf.scan) in an undecorated call, and build the cell in build().",
          "the layer trains inside a model under every call pattern (graph-mode trap caught)"),
    # model.py
    Check("model.output_shape", "model", 1,
          "IntegrationModel()(x) maps (batch, time, 1) to (batch, time, 1): a prediction after every step.",
          "the model predicts at every step"),
    Check("model.probabilities", "model", 2,
          "The read-out must be keras.layers.Dense(1, activation='sigmoid'): the model returns probabilities in "
          "[0, 1], not logits.",
          "the model's outputs are probabilities"),
    Check("model.uses_lstm", "model", 1,
          "The model must run its input through the custom LSTM layer (from .layer import LSTM), between the "
          "read-in and the read-out.",
          "the recurrent layer is part of the model"),
    Check("model.gradients", "model", 2,
          "Every trainable variable of the model must get a non-zero gradient, eagerly and when the model is "
          "first called inside a tf.function. Do not decorate call with @tf.function.",
          "every layer of the model trains"),
    # train.py
    Check("training.history_keys", "training", 1,
          "train must return a dict with per-epoch lists 'loss', 'accuracy', 'val_loss' and 'val_accuracy', "
          "one float per epoch.",
          "the history has the contract's keys"),
    Check("training.updates_weights", "training", 1,
          "train must apply the gradients: optimizer.apply_gradients(zip(grads, model.trainable_variables)).",
          "training changes the model's weights"),
    Check("training.reaches_80", "training", 3,
          f"After train, the model must reach {task.ACCURACY_BAR:.2f} accuracy on the grader's held-out data at the "
          "LAST time step: compute the loss on model(x)[:, -1, :], use binary cross-entropy and Adam(learning_rate).",
          "train teaches the model the task within the grader's budget"),
    Check("training.loss_last_step", "training", 1,
          "Many-to-one: compute the loss on the last step's prediction only, model(x)[:, -1, :], not on every "
          "step (the target is the sign of the whole sum, which earlier steps cannot know).",
          "the loss uses the last time step only (the grader's model shows which steps it reached)"),
    Check("training.val_accuracy_honest", "training", 1,
          "history['val_accuracy'] must be the accuracy on val_ds at the last time step, measured after the "
          "epoch's training.",
          "the reported validation accuracy is the one the grader measures"),
    # rules
    Check("rules.no_builtin_rnn", "rules", 2,
          "Write the recurrence yourself: no keras LSTM/LSTMCell/GRU/SimpleRNN/RNN/StackedRNNCells, no "
          "keras.ops.rnn, no tf.compat.v1.nn.*rnn*, no raw LSTM ops, however they are reached.",
          "no built-in recurrent layer or op is used (static scan and runtime guard)"),
    Check("rules.type_hints", "rules", 1,
          "Every public function and method needs a type hint on every argument and on its return.",
          "the homework's typing requirement holds"),
    Check("rules.docstrings", "rules", 2,
          "Every public function and method needs a docstring that explains each of its arguments "
          "(an Args: section naming them).",
          "the homework's documentation requirement holds"),
    # answers.md
    Check("answers.both_questions", "answers", 2,
          "answers.md must answer both questions under their headings: can/should you use truncated BPTT here, "
          "and is this regression or classification, each with your reasoning.",
          "both questions are addressed (an instructor grades the content)", manual=True),
)

#: Checks by name.
BY_NAME: dict[str, Check] = {check.name: check for check in CHECKS}


def checks_for(part: str) -> tuple[Check, ...]:
    """Return the checks of one part, in registry order.

    Args:
        part: str, one of :data:`PARTS`.

    Returns:
        The part's checks.
    """
    return tuple(check for check in CHECKS if check.part == part)


def max_score() -> float:
    """Return the total number of points available.

    Returns:
        The sum of every check's points.
    """
    return float(sum(check.points for check in CHECKS))

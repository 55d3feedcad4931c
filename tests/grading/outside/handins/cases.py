"""Real-style hand-ins (issue 22): each with the verdicts an instructor expects, written before grading.

Every file in ``pool/`` is written as a 2021 student wrote the homework, in styles that
``solutions/`` and the first outside corpus do not use: gates on ``[h, x]`` (colah's
post), an x-side and an h-side Dense per gate, one fused matrix, ``@tf.function`` on the
cell's ``call``, ``tf.keras`` imports, unused notebook imports, float64 noise, a train
that prints every batch, two read-in layers, a 2-unit LSTM. A case names one file per
submission file (``handins/<style>`` from this pool, or ``<style>`` from the first
corpus's pool), optional patches (the issue's mistakes, cut from a case), the run parts
it needs, and the checks that must fail with the reason for each deduction. Every other
check graded on it must pass: no double penalty, no missed fault.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.grading.outside import corpus

#: This corpus's pool.
POOL = Path(__file__).parent / "pool"


@dataclass(frozen=True)
class Handin:
    """One hand-in and what an instructor expects of it.

    Attributes:
        name: str, short id.
        files: dict of submission file to style (``handins/<style>`` for this pool).
        parts: tuple of run parts to grade (the parts whose file this case adds or breaks).
        fails: dict of check name to the reason it must lose its points.
        mentions: dict of check name to text its detail must contain (the real cause, named).
        patches: tuple of ``(file, old, new)``: each ``old`` must occur exactly once.
        once: str, text that at most one check's detail may contain (one cause, stated once).
    """

    name: str
    files: dict[str, str]
    parts: tuple[str, ...]
    fails: dict[str, str] = field(default_factory=dict)
    mentions: dict[str, str] = field(default_factory=dict)
    patches: tuple[tuple[str, str, str], ...] = ()
    once: str = ""


def _files(data: str = "google_generator", cell: str = "four_dense", layer: str = "while_ta",
           model: str = "plain", train: str = "custom_batches") -> dict[str, str]:
    """A submission's files: the first corpus's full-marks styles unless named.

    Args:
        data: str, style of data.py.
        cell: str, style of cell.py.
        layer: str, style of layer.py.
        model: str, style of model.py.
        train: str, style of train.py.

    Returns:
        dict of submission file to style.
    """
    return {"data.py": data, "cell.py": cell, "layer.py": layer, "model.py": model, "train.py": train,
            "answers.md": "short"}


_DATA_FROM_GENERATOR = ("data.generator_shapes", "data.integer_labels", "data.labels_threshold_0",
                        "data.noise_standard_normal", "data.wrapper_no_args", "data.from_generator")

HANDINS: tuple[Handin, ...] = (
    # Correct hand-ins: full marks on the parts they add.
    Handin("notebook_imports", _files(data="handins/unused_imports"), ("data",)),
    Handin("colah_h_x_order", _files(cell="handins/colah_hx"), ("cell",)),
    Handin("decorated_cell_built", _files(cell="handins/decorated_built"), ("cell",)),
    Handin("two_read_in_layers", _files(model="handins/two_readin"), ("model",)),
    Handin("lstm_of_two_units", _files(model="handins/two_units"), ("model",)),
    Handin("prints_every_batch", _files(train="handins/prints_every_batch"), ("training",)),
    # Correct math, other names: only the naming check may charge the contract's names.
    Handin("textbook_x_and_h_dense", _files(cell="handins/per_gate_xh"), ("cell",),
           fails={"cell.gate_sublayers": "W_xi/W_hi... instead of the contract's input_gate ... output_gate"}),
    Handin("tf_keras_fused_h_x", _files(cell="handins/tf_keras_fused_hx"), ("cell",),
           fails={"cell.gate_sublayers": "one fused matrix W, no Dense sublayers with the contract's names"}),
    # Real faults, charged once.
    Handin("float64_noise", _files(data="handins/float64_normal"), ("data",),
           fails={"data.generator_shapes": "the generator yields float64 noise; the contract says float32"},
           mentions={"data.generator_shapes": "float64"}),
    Handin("tfds_used_at_import", _files(data="handins/tfds_at_import", train="handins/prints_every_batch"),
           ("data", "training"),
           fails={name: "data.py calls tensorflow_datasets (absent from the grader) at import"
                  for name in (*_DATA_FROM_GENERATOR, "data.prepare_batches", "data.prepare_shuffles",
                               "data.prepare_prefetches")},
           mentions={"data.generator_shapes": "tensorflow_datasets", "training.history_keys": "stand-in for data.py"}),
    Handin("decorated_cell_unbuilt", _files(cell="handins/decorated_unbuilt"), ("cell",),
           fails={"cell.matches_keras": "NOTES' third trap: gates built inside the first trace ignore the copied "
                                        "weights",
                  "cell.gradients": "NOTES' third trap: no variable gets a gradient"},
           mentions={"cell.matches_keras": "build()", "cell.gradients": "@tf.function"}),
    # The mistakes, cut from the hand-ins above.
    Handin("numpy_tanh_in_cell", _files(cell="handins/colah_hx"), ("cell",),
           patches=(("cell.py", "import keras\n", "import keras\nimport numpy as np\n"),
                    ("cell.py", "h_t = o_t * tf.tanh(c_t)", "h_t = o_t * np.tanh(c_t)")),
           fails={"cell.gradients": "np.tanh cannot run in a graph (TensorFlow's NotImplementedError)"},
           mentions={"cell.gradients": "NotImplementedError"}),
    Handin("input_forget_swapped", _files(cell="handins/colah_hx"), ("cell",),
           patches=(("cell.py", "c_t = f_t * c_prev + i_t * c_tilde", "c_t = i_t * c_prev + f_t * c_tilde"),),
           fails={"cell.matches_keras": "the input gate scales the old cell state"}),
    Handin("threshold_1", _files(data="handins/unused_imports"), ("data",),
           patches=(("data.py", "np.sum(noise) > 0", "np.sum(noise) > 1"),),
           fails={"data.labels_threshold_0": "labels compare the sum with 1"}),
    Handin("inverted_labels", _files(data="handins/unused_imports"), ("data",),
           patches=(("data.py", "1 if np.sum(noise) > 0 else 0", "0 if np.sum(noise) > 0 else 1"),),
           fails={"data.labels_threshold_0": "labels are inverted"}),
    Handin("output_types_not_signature", _files(data="handins/unused_imports"), ("data",),
           patches=(("data.py", "output_signature=(tf.TensorSpec(shape=(seq_len, 1), dtype=tf.float32),\n"
                                "                          tf.TensorSpec(shape=(1,), dtype=tf.int32)))",
                     "output_types=(tf.float32, tf.int32),\n"
                     "        output_shapes=((seq_len, 1), (1,)))"),),
           fails={"data.from_generator": "the homework asks for output_signature, not output_types/output_shapes"},
           mentions={"data.from_generator": "output_signature"}),
    Handin("tqdm_used_in_generator", _files(data="handins/unused_imports"), ("data",),
           patches=(("data.py", "for _ in range(num_samples):", "for _ in tqdm(range(num_samples)):"),),
           fails={name: "integration_task uses tqdm, which the grader lacks" for name in _DATA_FROM_GENERATOR},
           mentions={"data.generator_shapes": "tqdm"}),
    Handin("time_major_output", _files(), ("layer",),
           patches=(("layer.py", "return tf.transpose(hidden.stack(), perm=(1, 0, 2))", "return hidden.stack()"),),
           fails={"layer.output_shape": "returns (T, B, H)",
                  "layer.carries_state": "returns (T, B, H) (charged with output_shape, as the check says)"}),
    Handin("python_list_in_decorated_call", _files(layer="trap_tf_function"), ("layer",),
           patches=(("layer.py", "outputs = tf.TensorArray(tf.float32, size=tf.shape(x)[1])", "outputs = []"),
                    ("layer.py", "outputs = outputs.write(t, h)", "outputs.append(h)"),
                    ("layer.py", "return tf.transpose(outputs.stack(), [1, 0, 2])", "return tf.stack(outputs, axis=1)")),
           fails={name: "a Python list cannot collect tensors from a traced tf.range loop (call is a tf.function)"
                  for name in ("layer.output_shape", "layer.matches_keras", "layer.initial_states",
                               "layer.carries_state", "layer.graph_while", "layer.graph_no_unroll",
                               "layer.one_trace_any_T", "layer.gradients_eager", "layer.gradients_graph",
                               "layer.trains_in_model")},
           once="InaccessibleTensorError"),
)

#: Cases by name.
BY_NAME: dict[str, Handin] = {case.name: case for case in HANDINS}


def _source(file: str, style: str) -> Path:
    """Where a style's file lives.

    Args:
        file: str, the submission file.
        style: str, ``handins/<style>`` or a style of the first corpus's pool.

    Returns:
        Path.
    """
    suffix = Path(file).suffix
    if style.startswith("handins/"):
        return POOL / corpus.FILES[file] / f"{style.split('/', 1)[1]}{suffix}"
    return corpus.POOL / corpus.FILES[file] / f"{style}{suffix}"


def build(case: Handin, folder: Path) -> Path:
    """Assemble a hand-in into ``folder`` and apply its patches.

    Args:
        case: Handin.
        folder: Path, created.

    Returns:
        Path, the folder.

    Raises:
        AssertionError: when a patch's old text does not occur exactly once.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").write_text("")
    for file, style in case.files.items():
        shutil.copyfile(_source(file, style), folder / file)
    for file, old, new in case.patches:
        path = folder / file
        text = path.read_text()
        assert text.count(old) == 1, f"{case.name}: the patch no longer matches {file}: {old!r}"
        path.write_text(text.replace(old, new))
    return folder

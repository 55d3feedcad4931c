"""The outside corpus: correct submissions assembled from hand-written files, and mutants cut from them.

Every file in ``pool/`` was written from the chapters and the homework text, not by
editing ``solutions/``. A submission names one style per file; :func:`assemble` copies
those files into a folder. Each run part executes only its own file (the grader's
stand-ins replace the others, and the training part's ``prepare`` is a pass-through), so
the suite grades each distinct file once per part (:func:`part_key`) and gives every
submission the verdicts of its own files.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

#: The pool of hand-written files.
POOL = Path(__file__).parent / "pool"
#: Submission file -> pool folder.
FILES: dict[str, str] = {"data.py": "data", "cell.py": "cell", "layer.py": "layer", "model.py": "model",
                         "train.py": "train", "answers.md": "answers"}
#: The file each run part executes.
PART_FILE: dict[str, str] = {"data": "data.py", "cell": "cell.py", "layer": "layer.py", "model": "model.py",
                             "training": "train.py"}


def _styles(data: str, cell: str, layer: str, model: str, train: str, answers: str = "short") -> dict[str, str]:
    """One style per file.

    Args:
        data: str, a style in ``pool/data``.
        cell: str, a style in ``pool/cell``.
        layer: str, a style in ``pool/layer``.
        model: str, a style in ``pool/model``.
        train: str, a style in ``pool/train``.
        answers: str, a style in ``pool/answers``.

    Returns:
        dict of submission file to style.
    """
    return {"data.py": data, "cell.py": cell, "layer.py": layer, "model.py": model, "train.py": train,
            "answers.md": answers}


#: The correct submissions: name -> styles. Each must earn full marks.
SUBMISSIONS: dict[str, dict[str, str]] = {
    "four_dense_gates": _styles("google_generator", "four_dense", "while_ta", "plain", "custom_batches"),
    "one_fused_kernel": _styles("sphinx_normal", "fused_kernel", "while_ta", "plain", "model_fit"),
    "tf_scan": _styles("google_generator", "four_dense", "scan", "sequential_readin", "custom_batches"),
    "while_loop_state_tuples": _styles("numpy_int64", "class_doc", "while_tuple", "plain", "batches_itself"),
    "train_model_fit": _styles("google_generator", "class_doc", "scan", "plain", "model_fit"),
    "custom_loop_prepared_batches": _styles("sphinx_normal", "four_dense", "while_tuple", "sequential_readin",
                                            "custom_batches"),
    "custom_loop_calls_prepare": _styles("google_generator", "fused_kernel", "scan", "plain", "calls_prepare"),
    "numpy_docstrings": _styles("numpy_int64", "fused_kernel", "scan", "sequential_readin", "calls_prepare"),
    "class_docstring_args": _styles("sphinx_normal", "class_doc", "while_tuple", "plain", "batches_itself"),
    "int64_targets": _styles("numpy_int64", "four_dense", "while_ta", "sequential_readin", "model_fit"),
}


@dataclass(frozen=True)
class OutsideMutant:
    """A mistake cut from a corpus submission.

    Attributes:
        name: str, short id.
        base: str, the corpus submission it is cut from.
        file: str, the submission file it edits.
        old: str, text that occurs exactly once in that file ("" with ``style`` set).
        new: str, its replacement.
        caught_by: str, the check that must lose its points.
        style: str, replace the whole file by this pool style instead of patching it.
        all_parts: bool, grade every run part (the independence table), not only its own.
    """

    name: str
    base: str
    file: str
    old: str
    new: str
    caught_by: str
    style: str = ""
    all_parts: bool = False


OUTSIDE_MUTANTS: tuple[OutsideMutant, ...] = (
    # One mutant per part, graded on every part: the independence table.
    OutsideMutant("threshold_1_outside", "four_dense_gates", "data.py", "int(noise.sum() > 0)",
                  "int(noise.sum() > 1)", "data.labels_threshold_0", all_parts=True),
    OutsideMutant("returns_c_h_outside", "four_dense_gates", "cell.py", "return h_new, c_new",
                  "return c_new, h_new", "cell.state_order", all_parts=True),
    OutsideMutant("time_major_output_outside", "tf_scan", "layer.py", "return tf.transpose(hs, [1, 0, 2])",
                  "return hs", "layer.carries_state", all_parts=True),
    OutsideMutant("logits_outside", "tf_scan", "model.py", "return tf.sigmoid(self.read_out(",
                  "return (self.read_out(", "model.probabilities", all_parts=True),
    OutsideMutant("loss_on_first_step_outside", "four_dense_gates", "train.py", "p = model(x, training=True)[:, -1]",
                  "p = model(x, training=True)[:, 0]", "training.reaches_80", all_parts=True),
    # Graded on their own part only.
    OutsideMutant("trap_tf_function_on_call", "four_dense_gates", "layer.py", "", "", "layer.trains_in_model",
                  style="trap_tf_function_built"),
    OutsideMutant("trap_tf_function_unbuilt", "four_dense_gates", "layer.py", "", "", "layer.trains_in_model",
                  style="trap_tf_function"),
    OutsideMutant("bool_labels_outside", "int64_targets", "data.py", "dtype=np.int64)\n        yield",
                  "dtype=bool)\n        yield", "data.integer_labels"),
    OutsideMutant("forget_bias_everywhere", "class_docstring_args", "cell.py",
                  'init = "ones" if name == "forget_gate" else "zeros"', 'init = "ones"', "cell.forget_bias"),
    OutsideMutant("scan_states_not_carried", "tf_scan", "layer.py", "lambda carry, x_t: tuple(self.cell(x_t, carry))",
                  "lambda carry, x_t: tuple(self.cell(x_t, (states[0], states[1])))", "layer.carries_state"),
    OutsideMutant("fit_loss_on_every_step", "train_model_fit", "train.py",
                  "many_to_one = keras.Sequential([model, LastStep()])",
                  "many_to_one = model  # every step predicts the label", "training.loss_last_step"),
    OutsideMutant("batches_itself_no_update", "class_docstring_args", "train.py", "        if learn:\n",
                  "        if False:\n", "training.updates_weights"),
    OutsideMutant("pairs_loss_on_every_step", "while_loop_state_tuples", "train.py",
                  "prediction = model(noise, training=learn)[:, -1]",
                  "prediction = model(noise, training=learn)[..., 0]", "training.loss_last_step"),
    OutsideMutant("pairs_validates_on_training_data", "while_loop_state_tuples", "train.py",
                  '("val_", val_batches, False)', '("val_", train_batches, False)', "training.val_accuracy_honest"),
    OutsideMutant("prepare_no_val_accuracy", "custom_loop_calls_prepare", "train.py",
                  '        history["val_accuracy"].append(float(np.mean(hits)))\n',
                  '        history["val_accuracy"].append(history["accuracy"][-1])\n',
                  "training.val_accuracy_honest"),
    OutsideMutant("undocumented_argument_outside", "numpy_docstrings", "data.py",
                  "def my_integration_task() -> Iterator[tuple[np.ndarray, np.ndarray]]:",
                  "def my_integration_task(seq_len: int = SEQ_LEN) -> Iterator[tuple[np.ndarray, np.ndarray]]:",
                  "rules.docstrings"),
)


def assemble(styles: dict[str, str], folder: Path) -> Path:
    """Copy a submission's files from the pool into ``folder``.

    Args:
        styles: dict of submission file to pool style.
        folder: Path, created.

    Returns:
        Path, the folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").write_text("")
    for file, style in styles.items():
        suffix = Path(file).suffix
        shutil.copyfile(POOL / FILES[file] / f"{style}{suffix}", folder / file)
    return folder


def build_mutant(mutant: OutsideMutant, folder: Path) -> Path:
    """Assemble a mutant: its base submission with one file patched or swapped.

    Args:
        mutant: OutsideMutant.
        folder: Path, created.

    Returns:
        Path, the folder.

    Raises:
        AssertionError: when the patch's old text does not occur exactly once.
    """
    styles = dict(SUBMISSIONS[mutant.base])
    if mutant.style:
        styles[mutant.file] = mutant.style
    assemble(styles, folder)
    if not mutant.style:
        path = folder / mutant.file
        text = path.read_text()
        assert text.count(mutant.old) == 1, f"{mutant.name}: the patch no longer matches {mutant.file}"
        path.write_text(text.replace(mutant.old, mutant.new))
    return folder


def part_key(part: str, styles: dict[str, str]) -> tuple[str, str]:
    """What a run part's verdict depends on: the style of the file it executes.

    Args:
        part: str, a run part.
        styles: a submission's styles.

    Returns:
        ``(part, style)``.
    """
    return part, styles[PART_FILE[part]]

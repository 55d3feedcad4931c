"""The grading core's own guarantees: exercises, static rules, submissions as folders or zips, registry."""

from __future__ import annotations

import ast
import shutil
import zipfile
from pathlib import Path

import pytest

from course import exercises_gen, task
from course.grading.checking import static
from course.grading.checking.checks import CHECKS, RUN_PARTS, checks_for
from course.grading.core import grade_submission
from course.grading.outputs.results import gradescope_result
from course.grading.intake import InvalidSubmission, materialise
from course.grading.checking.inputs import make_inputs
from course.grading.checking.judges import Evidence, judge, unjudged
from course.impl import REPO_ROOT, load
from tests.seed import GRADING_SEED


def test_exercises_are_current() -> None:
    """exercises/ is exactly what ``lstm-course exercises`` generates from solutions/."""
    assert exercises_gen.stale() == [], "exercises/ is stale: run `lstm-course exercises`"


def test_exercises_keep_signatures_and_docstrings() -> None:
    """Every function of the reference exists in the exercise with the same signature and docstring."""
    for file in exercises_gen.CHAPTERS:
        ref = ast.parse((REPO_ROOT / "solutions" / file).read_text())
        ex = ast.parse((REPO_ROOT / "exercises" / file).read_text())

        def functions(tree: ast.Module) -> dict[str, tuple[str, str | None]]:
            return {node.name: (ast.unparse(node.args) + ast.unparse(node.returns or ast.Constant(None)),
                                ast.get_docstring(node))
                    for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}

        reference, exercise = functions(ref), functions(ex)
        for name, signature in exercise.items():
            assert reference[name] == signature, f"{file}: {name} differs from the reference"
        assert "--8<--" not in (REPO_ROOT / "exercises" / file).read_text()


def test_exercises_import_cleanly() -> None:
    """Untouched exercises import without error."""
    implementation = load("exercises")
    assert (implementation.data.SEQ_LEN, implementation.data.NUM_SAMPLES) == (task.SEQ_LEN, task.NUM_SAMPLES)


def test_blank_rejects_unbalanced_markers() -> None:
    """A BEGIN without END is an error, not a silently truncated exercise."""
    with pytest.raises(ValueError):
        exercises_gen.blank("def f():\n    # BEGIN SOLUTION: x\n    return 1\n", "data.py")


def test_every_check_has_a_judge() -> None:
    """Each run part's verdicts decide exactly the registry's checks of that part."""
    assert unjudged() == []
    for part in RUN_PARTS:
        decided = set(judge(part, make_inputs(part, 0), Evidence(), None))
        assert decided == {c.name for c in checks_for(part)}, part
    assert len({c.name for c in CHECKS}) == len(CHECKS)


FORBIDDEN_SOURCES = {
    "alias": "import keras\nfrom keras import layers as L\nx = L.LSTM(3)\n",
    "from_import": "from keras.layers import GRU as Mine\n",
    "getattr_string": "import keras\nx = getattr(keras.layers, 'SimpleRNN')\n",
    "ops_rnn": "from keras import ops\ny = ops.rnn\n",
    "compat_v1": "import tensorflow as tf\ny = tf.compat.v1.nn.dynamic_rnn\n",
    "raw_op": "import tensorflow as tf\ny = tf.raw_ops.LSTMBlockCell\n",
    "reference": "from solutions.cell import LSTMCell\n",
    "keras_src": "import keras.src.layers.rnn.lstm\n",
}


@pytest.mark.parametrize("name", sorted(FORBIDDEN_SOURCES))
def test_static_scan_finds_forbidden_uses(name: str) -> None:
    """Built-in recurrent layers and ops are found however they are reached.

    Args:
        name: str, the case.
    """
    tree = ast.parse(FORBIDDEN_SOURCES[name])
    assert static.forbidden_uses({"layer.py": tree}), name


def test_static_scan_accepts_own_names() -> None:
    """The submission's own LSTM and LSTMCell, and a variable called rnn, are fine."""
    source = ("from .cell import LSTMCell\nfrom .layer import LSTM\nimport keras\n"
              "class M(keras.Model):\n    def f(self):\n        self.rnn = LSTM(LSTMCell(3), name='LSTM')\n"
              "        rnn = self.rnn\n        return rnn\n")
    assert static.forbidden_uses({"model.py": ast.parse(source)}) == []
    assert static.forbidden_uses(static.parse(REPO_ROOT / "solutions")) == []


def test_docstring_and_hint_rules() -> None:
    """Missing hints and unexplained arguments are found; the reference has none."""
    source = 'def f(a, b: int) -> int:\n    """Do it.\n\n    Args:\n        b: int.\n    """\n    return b\n'
    trees = {"data.py": ast.parse(source)}
    assert [f.what for f in static.missing_type_hints(trees)] == ["f: argument a has no type hint"]
    assert [f.what for f in static.missing_docstrings(trees)] == ["f: the docstring does not explain a"]
    reference = static.parse(REPO_ROOT / "solutions")
    assert static.missing_type_hints(reference) == [] and static.missing_docstrings(reference) == []


def test_answers_template_is_not_an_answer(tmp_path: Path) -> None:
    """The exercises' template addresses nothing; the reference answers both questions.

    Args:
        tmp_path: pytest's temporary folder.
    """
    assert len(static.answers_problems(REPO_ROOT / "exercises")) == 2
    assert static.answers_problems(REPO_ROOT / "solutions") == []
    assert static.answers_problems(tmp_path) == ["answers.md is missing"]


def test_zip_submissions(tmp_path: Path) -> None:
    """A zip with one top folder or flat files is found; unsafe paths are refused.

    Args:
        tmp_path: pytest's temporary folder.
    """
    for layout, prefix in (("top", "mine/"), ("flat", "")):
        archive = tmp_path / f"{layout}.zip"
        with zipfile.ZipFile(archive, "w") as bundle:
            for file in (REPO_ROOT / "solutions").glob("*.py"):
                bundle.write(file, prefix + file.name)
        target = tmp_path / layout
        target.mkdir()
        assert (materialise(archive, target) / "cell.py").is_file()
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as bundle:
        bundle.writestr("../escape.py", "x = 1\n")
    with pytest.raises(InvalidSubmission):
        materialise(evil, tmp_path / "evil")
    assert not (tmp_path / "evil" / "escape.py").exists()


def test_invalid_submission_gets_every_check_at_zero(tmp_path: Path) -> None:
    """A path that is no submission is graded (every check at 0) with status invalid.

    Args:
        tmp_path: pytest's temporary folder.
    """
    report = grade_submission(tmp_path / "nothing-here", parts=())
    assert report.status == "invalid" and report.score == 0
    result = gradescope_result(report)
    assert len(result["tests"]) == len(CHECKS) and result["max_score"] == sum(c.points for c in CHECKS)


@pytest.fixture(scope="module")
def exercises_report() -> object:
    """Grade the untouched exercises once.

    Returns:
        GradeReport.
    """
    return grade_submission(REPO_ROOT / "exercises", jobs=2, seed=GRADING_SEED)


def test_untouched_exercises_score_zero_with_not_implemented_hints(exercises_report: object) -> None:
    """Every check fails with a "not implemented yet" hint, and no traceback reaches the report.

    Args:
        exercises_report: GradeReport of exercises/.
    """
    assert exercises_report.score == 0 and exercises_report.status == "ok"
    for result in exercises_report.results:
        assert result.hint.startswith("not implemented yet"), (result.name, result.detail)
        assert "Traceback" not in result.output() and "File \"" not in result.output(), result.name


def test_crash_in_one_part_costs_only_that_part(tmp_path: Path) -> None:
    """A data.py that kills its process at import loses the data points only.

    Args:
        tmp_path: pytest's temporary folder.
    """
    folder = tmp_path / "crash"
    shutil.copytree(REPO_ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "data.py").write_text((folder / "data.py").read_text() + "\nimport os\nos._exit(3)\n")
    report = grade_submission(folder, jobs=2, parts=("data", "cell"), seed=GRADING_SEED)
    parts = report.part_scores()
    assert report.status == "crashed" and parts["data"][0] == 0
    assert parts["cell"][0] == parts["cell"][1], report.output()


def test_timeout_costs_only_that_part(tmp_path: Path) -> None:
    """A part that never finishes is killed at its limit; its checks fail, the status says timeout.

    Args:
        tmp_path: pytest's temporary folder.
    """
    folder = tmp_path / "slow"
    shutil.copytree(REPO_ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "data.py").write_text((folder / "data.py").read_text() + "\nimport time\ntime.sleep(600)\n")
    limit = 6.0  # the import sleeps for ten minutes: any limit shorter than that proves the kill
    report = grade_submission(folder, parts=("data",), timeouts={"data": limit}, seed=GRADING_SEED)
    assert report.status == "timeout" and report.part_scores()["data"][0] == 0
    assert report.runs["data"].seconds < limit + 20  # killed at its limit, not left to run
    assert report.result("rules.docstrings").passed  # judged from the source, untouched by the timeout


DOCSTRING_STYLES = {
    "google": '    """Add.\n\n    Args:\n        a: int, left.\n        b: int, right.\n    """\n',
    "numpy": '    """Add.\n\n    Parameters\n    ----------\n    a : int\n        Left.\n    b : int\n        Right.\n    """\n',
    "sphinx": '    """Add.\n\n    :param a: left\n    :param b: right\n    :return: the sum\n    """\n',
}


@pytest.mark.parametrize("style", sorted(DOCSTRING_STYLES))
def test_docstring_rule_accepts_each_convention(style: str) -> None:
    """Google ``Args:``, NumPy ``Parameters`` and Sphinx ``:param x:`` all explain arguments; a skipped one is found.

    Args:
        style: str, the docstring convention.
    """
    doc = DOCSTRING_STYLES[style]
    source = f"def add(a: int, b: int) -> int:\n{doc}    return a + b\n"
    assert static.missing_docstrings({"data.py": ast.parse(source)}) == []
    without_b = "\n".join(line for line in doc.splitlines() if not line.strip().startswith(
        ("b:", "b :", ":param b:", "Right."))) + "\n"
    source = f"def add(a: int, b: int) -> int:\n{without_b}    return a + b\n"
    assert [f.what for f in static.missing_docstrings({"data.py": ast.parse(source)})] == [
        "add: the docstring does not explain b"]


@pytest.mark.parametrize("style", sorted(DOCSTRING_STYLES))
def test_class_docstring_explains_init(style: str) -> None:
    """Arguments documented in the class docstring count for ``__init__`` (as Keras documents its layers).

    Args:
        style: str, the docstring convention of the class docstring.
    """
    class_doc = DOCSTRING_STYLES[style].replace("Add.", "A layer.")
    init = '    def __init__(self, a: int, b: int) -> None:\n        """Create it."""\n        self.a = a + b\n'
    source = f"class Cell:\n{class_doc}\n{init}"
    assert static.missing_docstrings({"cell.py": ast.parse(source)}) == [], source
    bare = "class Cell:\n    \"\"\"A layer.\"\"\"\n\n    def __init__(self, a: int, b: int) -> None:\n        \"\"\"Create it.\"\"\"\n"
    found = [f.what for f in static.missing_docstrings({"cell.py": ast.parse(bare + "        self.a = a\n")})]
    assert found == ["Cell.__init__: the docstring does not explain a", "Cell.__init__: the docstring does not explain b"]


def test_grader_cell_fused_weights_are_keras_weights() -> None:
    """The grader's stand-in cell offers ``fused_weights()``: the kernel ``[W_x; W_h]`` and bias that give its step.

    A layer may read the weights from its cell once, before its loop; the stand-in must
    hand out the numbers its own step uses, in Keras' gate order (i, f, c, o).
    """
    import numpy as np
    import tensorflow as tf

    from course.grading.checking.contract import ContractCell

    rng = np.random.default_rng(0)
    units, features, batch = 3, 2, 4
    cell = ContractCell(units)
    cell.set_keras_weights(rng.normal(size=(features, 4 * units)).astype("float32"),
                           rng.normal(size=(units, 4 * units)).astype("float32"),
                           rng.normal(size=(4 * units,)).astype("float32"))
    x, h, c = (tf.constant(rng.normal(size=(batch, n)), tf.float32) for n in (features, units, units))
    kernel, bias = cell.fused_weights()
    assert kernel.shape == (features + units, 4 * units) and bias.shape == (4 * units,)
    z_i, z_f, z_g, z_o = np.split(np.concatenate([x, h], axis=1) @ np.asarray(kernel) + np.asarray(bias), 4, axis=1)

    def sigmoid(z: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-z))

    c_new = sigmoid(z_f) * np.asarray(c) + sigmoid(z_i) * np.tanh(z_g)
    h_new = sigmoid(z_o) * np.tanh(c_new)
    got_h, got_c = cell(x, (h, c), fused_weights=(kernel, bias))
    assert np.allclose(got_h, h_new, atol=1e-5) and np.allclose(got_c, c_new, atol=1e-5)


def test_keras_references_are_computed_once_per_part_and_seed_and_read_only() -> None:
    """The oracle's cache: Keras' own outputs for the seed's inputs, shared, and never writable."""
    from course.grading.checking.oracle import keras_references
    from course.grading.checking.parts import cell

    first = keras_references("cell", 123)
    assert keras_references("cell", 123) is first
    expected = cell.references(make_inputs("cell", 123).arrays)
    assert set(first) == set(expected) and all((first[k] == expected[k]).all() for k in expected)
    assert not any(value.flags.writeable for value in first.values())
    assert keras_references("cell", 124) is not first
    with pytest.raises(ValueError):
        first["h1"][0, 0] = 1.0

"""``lstm-course train`` shows progress for a ``train`` written with ``model.fit``, and says so when it cannot
(issue 24: it showed ``loss 0.0000 · acc 0.0000 · 0 samples/s``)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from course.cli import main as lstm_course
from course.impl import REPO_ROOT

VARIANTS = Path(__file__).with_name("train_variants")


def _with_train(folder: Path, variant: str) -> Path:
    """The reference with its ``train.py`` replaced by one of :data:`VARIANTS`.

    Args:
        folder: Path, an empty temporary folder.
        variant: str, the file name's stem in ``train_variants/``.

    Returns:
        Path, the implementation's folder.
    """
    shutil.copytree(REPO_ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(VARIANTS / f"{variant}.py", folder / "train.py")
    return folder


def _train(impl: Path, record: Path) -> None:
    """Run ``lstm-course train`` on two batches and one validation batch.

    Args:
        impl: Path, the implementation.
        record: Path, the ``--json`` file.
    """
    assert lstm_course(["train", "--impl", str(impl), "--samples", "128", "--val-samples", "64", "--epochs", "1",
                        "--seed", "0", "--json", str(record)]) == 0


def test_model_fit_reports_every_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _train(_with_train(tmp_path / "impl", "model_fit"), tmp_path / "run.json")
    curve = json.loads((tmp_path / "run.json").read_text())["curve"]
    assert [seen for seen, _, _ in curve] == [64, 128]
    assert all(0 < loss < 5 and 0 <= accuracy <= 1 for _, loss, accuracy in curve), curve
    printed = capsys.readouterr().out
    assert "samples/s" in printed and " 0 samples/s" not in printed and "no progress" not in printed
    import keras

    assert "fit" not in keras.Model.__dict__ or keras.Model.__dict__["fit"].__module__.startswith("keras")
    assert keras.Model.fit.__module__.startswith("keras")  # Keras' own fit again afterwards


def test_a_silent_train_is_named_not_shown_as_zeros(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _train(_with_train(tmp_path / "impl", "no_progress"), tmp_path / "run.json")
    assert json.loads((tmp_path / "run.json").read_text())["curve"] == []
    printed = " ".join(capsys.readouterr().out.split())
    assert "train() reported no progress" in printed and "loss 0.0000" not in printed
    assert not any(math.isnan(v) for v in json.loads((tmp_path / "run.json").read_text())["history"]["loss"])

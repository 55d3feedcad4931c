"""A seeded, CI-sized training run, and the lstm-course train command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import keras

from course.tf_noise import without_startup_lines


def test_seeded_training_reaches_090(ref):
    keras.utils.set_random_seed(0)
    model = ref.model.IntegrationModel()
    train_ds = ref.data.make_dataset(25, 6_000, seed=1)
    val_ds = ref.data.make_dataset(25, 2_000, seed=2)
    history = ref.train.train(model, train_ds, val_ds, epochs=2)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in history.values())
    assert history["val_accuracy"][-1] >= 0.90, history


def test_train_command_prints_accuracy_and_saves_the_plot(tmp_path: Path):
    plot = tmp_path / "curves.png"
    result = subprocess.run(
        [sys.executable, "-m", "course.cli", "train", "--samples", "1000", "--val-samples", "500",
         "--epochs", "1", "--seed", "0", "--plot", str(plot)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "final validation accuracy" in result.stdout
    assert "data path: batched" in result.stdout
    assert plot.stat().st_size > 10_000
    assert "Gradients do not exist" not in result.stdout + result.stderr
    # TensorFlow's start-up lines may come in any order and number (twice on some machines).
    assert without_startup_lines(result.stderr) == [], result.stderr


def test_train_command_lists_every_data_path_without_importing_tensorflow():
    from course.commands import train
    from course.pipelines import DATA_PATHS

    assert train.DATA_PATH_NAMES == tuple(DATA_PATHS)
    assert train.DEFAULT_DATA_PATH in DATA_PATHS
    help_text = subprocess.run([sys.executable, "-m", "course.cli", "train", "--help"],
                               capture_output=True, text=True, timeout=120).stdout
    assert all(name in help_text for name in DATA_PATHS), help_text
    probe = "import sys; from course.cli import build_parser; build_parser(); print('tensorflow' in sys.modules)"
    imported = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120).stdout
    assert imported.strip() == "False", "building the CLI's parser imported TensorFlow"

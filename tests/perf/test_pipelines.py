"""The data paths: the batched generator is the same task, in the shapes ``train`` expects."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from course.impl import load
from course.pipelines import DATA_PATHS, integration_batches


def test_batches_are_the_integration_task() -> None:
    """Whole batches, a partial last one, standard-normal noise, labels = sign of the sum."""
    batches = list(integration_batches(seq_len=7, num_samples=150, batch_size=64, seed=3))
    assert [b[0].shape for b in batches] == [(64, 7, 1), (64, 7, 1), (22, 7, 1)]
    noise = np.concatenate([b[0] for b in batches])
    target = np.concatenate([b[1] for b in batches])
    assert noise.dtype == np.float32 and target.dtype == np.int32 and target.shape == (150, 1)
    np.testing.assert_array_equal(target[:, 0], (noise.sum(axis=(1, 2)) > 0).astype(np.int32))
    assert abs(noise.mean()) < 0.1 and abs(noise.std() - 1) < 0.1
    again = np.concatenate([b[0] for b in integration_batches(7, 150, 64, seed=3)])
    np.testing.assert_array_equal(noise, again)


@pytest.mark.parametrize("name", list(DATA_PATHS))
def test_every_data_path_gives_what_train_accepts(name: str) -> None:
    """Each named path yields the task's pairs unbatched, with make_dataset's element spec."""
    data = load("solutions").data
    dataset = DATA_PATHS[name](data, 9, 100)
    assert dataset.element_spec == data.make_dataset(9, 100).element_spec
    seen = 0
    for noise, target in data.prepare(dataset, batch_size=64):
        assert noise.shape[1:] == (9, 1) and noise.dtype == tf.float32
        assert target.shape[1:] == (1,) and target.dtype.is_integer
        np.testing.assert_array_equal(target.numpy()[:, 0], (noise.numpy().sum(axis=(1, 2)) > 0))
        seen += noise.shape[0]
    assert seen == 100

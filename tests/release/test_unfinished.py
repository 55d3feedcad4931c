"""Unfinished work is named in one line; ``check --parts`` reads its parts as ``grade --parts`` does."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import pytest

from course.grading.checking.checks import RUN_PARTS
from course.impl import REPO_ROOT
from course.unfinished import stub_message

STUB = '''
def prepare(dataset, batch_size=64):
    """Batch."""
    # TODO: shuffle, then batch, then prefetch (see the chapter "Generators and tf.data", docs/data.md)
    raise NotImplementedError('prepare: shuffle, then batch, then prefetch')
'''


def _module(folder: Path) -> object:
    """Import a one-stub ``data.py`` written into ``folder/exercises``.

    Args:
        folder: Path, a temporary folder.

    Returns:
        The module.
    """
    path = folder / "exercises" / "data.py"
    path.parent.mkdir()
    path.write_text(STUB)
    spec = importlib.util.spec_from_file_location("stub_data_for_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_stub_is_named_with_its_chapter(tmp_path: Path) -> None:
    module = _module(tmp_path)
    with pytest.raises(NotImplementedError) as caught:
        module.prepare(None)
    assert stub_message(caught.value) == ('prepare (exercises/data.py) is not written yet: shuffle, then batch, then '
                                          'prefetch. The chapter "Generators and tf.data" (docs/data.md) explains it.')


def test_a_stub_reached_through_another_error_is_found(tmp_path: Path) -> None:
    module = _module(tmp_path)
    try:
        try:
            module.prepare(None)
        except NotImplementedError as inner:
            raise RuntimeError("the pipeline failed") from inner
    except RuntimeError as outer:
        assert stub_message(outer).startswith("prepare (exercises/data.py) is not written yet")


def test_a_stub_inside_tf_data_is_found() -> None:
    tf = pytest.importorskip("tensorflow")
    sys.path.insert(0, str(REPO_ROOT))
    exercises = importlib.import_module("exercises.data")

    def pairs():
        """Yield from the stub generator."""
        yield from exercises.integration_task(5, 2)

    dataset = tf.data.Dataset.from_generator(pairs, output_signature=(tf.TensorSpec((5, 1), tf.float32),
                                                                      tf.TensorSpec((1,), tf.int32)))
    with pytest.raises(Exception) as caught:
        list(dataset)
    message = stub_message(caught.value)
    assert message and message.startswith("integration_task (exercises/data.py) is not written yet"), caught.value


def test_other_errors_are_left_alone() -> None:
    assert stub_message(ValueError("bad shape")) is None
    assert stub_message(NotImplementedError("something else")) is None


def test_check_parts_read_like_grade_parts() -> None:
    from course.commands import check, grade

    assert check._parts("cell, layer,cell") == ("cell", "layer")
    assert check._parts(None) is None
    with pytest.raises(ValueError, match="unknown part.*celll.*choose from data, cell"):
        check._parts("celll")
    for part in RUN_PARTS:
        options = grade._core_options(argparse.Namespace(part_timeout=None, parts=part, core_option=[]))
        assert tuple(options["parts"]) == check._parts(part)


def test_experiments_say_which_layer_names_they_need() -> None:
    keras = pytest.importorskip("keras")
    from course.experiments.runner import ModelLayoutError, check_layout

    class Other(keras.Model):
        """A model with its own names."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = keras.layers.Dense(4)

    with pytest.raises(ModelLayoutError, match="no read_in, lstm, read_out"):
        check_layout(Other())


def test_check_hints_name_the_chapter() -> None:
    from course.commands.check import _with_chapter

    hint = "not implemented yet: prepare: shuffle, then batch, then prefetch"
    assert _with_chapter(hint, str(REPO_ROOT / "exercises")) == (
        hint + '; see the chapter "Generators and tf.data" (docs/data.md)')
    assert _with_chapter("not implemented yet: 11 function(s) still raise", str(REPO_ROOT / "exercises")).endswith(
        "still raise")

"""Start TensorFlow without its start-up lines on the terminal.

TensorFlow's C++ side writes an absl warning, a oneDNN note, CUDA-stub lines and a
``cuInit`` error straight to file descriptor 2 (NOTES.md: sometimes twice), before and
after ``TF_CPP_MIN_LOG_LEVEL`` is read, so the variable alone does not silence them.
:func:`start_tensorflow` points descriptor 2 at ``/dev/null`` while TensorFlow loads and
looks for devices (which is when those lines are written), then restores it, so Python's
own warnings and errors still reach the terminal.
"""

from __future__ import annotations

import os


def start_tensorflow(threads: int = 0) -> bool:
    """Import TensorFlow and Keras and initialise the devices, with descriptor 2 silenced.

    Safe to call more than once; later calls cost nothing (and cannot change the threads).

    Args:
        threads: int, TensorFlow's inter-op and intra-op threads (0: TensorFlow's default);
            they can only be set before the first op, which this function runs.

    Returns:
        False when ``threads`` was asked for but TensorFlow was running already (the
        threads are then TensorFlow's), else True.
    """
    applied = True
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        import keras  # noqa: F401
        import tensorflow as tf

        if threads:
            try:
                tf.config.threading.set_inter_op_parallelism_threads(threads)
                tf.config.threading.set_intra_op_parallelism_threads(threads)
            except RuntimeError:  # TensorFlow is running already: keep its threads
                applied = False
        tf.config.list_physical_devices()
        tf.zeros(1)  # the first op creates the devices: the cuInit error is written here
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)
    return applied

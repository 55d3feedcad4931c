"""TensorFlow's start-up lines are recognised by what they say, wherever and however often they appear.

The blocks below are copied from real runs: ``FULL_BLOCK`` from ``import tensorflow`` on
the AMD EPYC machine (TensorFlow 2.21, no GPU), ``QUIET_BLOCK`` from the same with
``TF_CPP_MIN_LOG_LEVEL=2`` (what the CLI sets). Both print their block twice per process
on some machines (issue 14 saw it on an Intel Xeon; the AMD machine does it too).
"""

from __future__ import annotations

import pytest

from course.tf_noise import drop_startup_lines, is_tensorflow_startup_line, without_startup_lines

FULL_BLOCK = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1796057953.380190    8553 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.
I0000 00:00:1796057953.380514    8553 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.
I0000 00:00:1796057953.440317    8553 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.
To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 AVX_VNNI FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.
"""
SECOND_BLOCK = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1796057955.656115    8553 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.
I0000 00:00:1796057955.660931    8553 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.
E0000 00:00:1796057956.919500    8553 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)
"""
QUIET_BLOCK = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
E0000 00:00:1796057956.919500    8553 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)
"""
#: The same messages as other builds print them: other source files, thread ids and levels, the
#: older dated prefix, the GPU-plugin registration lines, Windows line endings; and the notices
#: printed once per process when tf.data's generators or XLA first start.
OTHER_BUILDS = """\
E0000 00:00:1732871234.123456   12345 cuda_executor.cc:1001] failed call to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected
W0000 00:00:1732871234.123456       7 cuda_diagnostics.cc:135] kernel driver does not appear to be running on this host (ci-runner): /proc/driver/nvidia/version does not exist
2024-01-31 12:00:00.000001: I tensorflow/core/util/port.cc:113] oneDNN custom operations are on. You may see slightly different numerical results.
2024-01-31 12:00:00.000002: I external/local_tsl/tsl/cuda/cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.
2024-01-31 12:00:00.000003: E external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:9261] Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has already been registered
2024-01-31 12:00:00.000004: E external/local_xla/xla/stream_executor/cuda/cuda_fft.cc:607] Unable to register cuFFT factory: Attempting to register factory for plugin cuFFT when one has already been registered
2024-01-31 12:00:00.000005: E external/local_xla/xla/stream_executor/cuda/cuda_blas.cc:1515] Unable to register cuBLAS factory: Attempting to register factory for plugin cuBLAS when one has already been registered
2024-01-31 12:00:00.000006: W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: Could not find TensorRT
E0000 00:00:1796057956.000001    8553 computation_placer.cc:177] computation placer already registered. Please check linkage and avoid linking the same target more than once.
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\r
I0000 00:00:1796059435.144990    9834 generator_dataset_op.cc:213] Memory patch applied: M_TRIM_THRESHOLD=128 kb was set.
I0000 00:00:1796059436.000001    9834 service.cc:152] XLA service 0x55d1c0a0 initialized for platform Host (this does not guarantee that XLA will be used). Devices:
I0000 00:00:1796059436.000002    9834 service.cc:160]   StreamExecutor device (0): Host, Default Version
I0000 00:00:1796059436.000003    9834 device_compiler.h:188] Compiled cluster using XLA!  This line is logged at most once for the lifetime of the process.
"""
#: Lines that are not start-up noise and must reach a test that asks for "no other warning".
REAL_WARNINGS = [
    "/x/keras/src/optimizers/base_optimizer.py:855: UserWarning: Gradients do not exist for variables "
    "['lstm/input_gate/kernel'] when minimizing the loss.",
    "  warnings.warn(",
    "W0000 00:00:1796057960.000001    8601 op_kernel.cc:1857] OP_REQUIRES failed at strided_slice_op.cc:117 : "
    "INVALID_ARGUMENT: slice index 3 of dimension 0 out of bounds.",
    "I0000 00:00:1796057960.000002    8601 local_rendezvous.cc:405] Local rendezvous is aborting with status: "
    "OUT_OF_RANGE: End of sequence",
    "Traceback (most recent call last):",
    "WARNING:tensorflow:5 out of the last 5 calls to <function f> triggered tf.function retracing.",
    "failed call to cuInit, says my own print without TensorFlow's prefix",
    "oneDNN custom operations are on",  # the message alone, without the C++ prefix, is not TensorFlow's
    "To enable the following instructions: please read the README.",
]


def lines(text: str) -> list[str]:
    """The non-blank lines of a block."""
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("block", [FULL_BLOCK, SECOND_BLOCK, QUIET_BLOCK, OTHER_BUILDS],
                         ids=["first-block", "second-block", "quiet-block", "other-builds"])
def test_every_line_of_a_startup_block_is_recognised(block: str) -> None:
    assert [line for line in lines(block) if not is_tensorflow_startup_line(line)] == []
    assert without_startup_lines(block) == []


def test_blocks_doubled_and_in_any_order_leave_nothing() -> None:
    """Twice, reversed, or the second block alone first: position and count do not matter."""
    for text in (FULL_BLOCK + SECOND_BLOCK, SECOND_BLOCK + FULL_BLOCK, QUIET_BLOCK * 3,
                 "\n".join(reversed(lines(FULL_BLOCK + SECOND_BLOCK)))):
        assert without_startup_lines(text) == [], text


@pytest.mark.parametrize("warning", REAL_WARNINGS)
def test_real_warnings_are_not_startup_lines(warning: str) -> None:
    assert not is_tensorflow_startup_line(warning)


def test_real_warnings_interleaved_with_both_blocks_are_all_reported_in_order() -> None:
    """Warnings before, between and after (and inside) the blocks all survive, in their order."""
    first, second = lines(FULL_BLOCK), lines(SECOND_BLOCK)
    text = "\n".join([REAL_WARNINGS[4], *first[:2], REAL_WARNINGS[0], REAL_WARNINGS[1], *first[2:],
                      REAL_WARNINGS[2], *second, "", REAL_WARNINGS[3], *lines(QUIET_BLOCK), REAL_WARNINGS[5]])
    assert without_startup_lines(text) == [REAL_WARNINGS[i] for i in (4, 0, 1, 2, 3, 5)]


def test_drop_keeps_everything_else_verbatim() -> None:
    text = FULL_BLOCK + "epoch 1: val_accuracy 0.93\n" + SECOND_BLOCK + "  indented line\n"
    assert drop_startup_lines(text) == "epoch 1: val_accuracy 0.93\n  indented line"

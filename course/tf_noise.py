"""Recognise TensorFlow's start-up log lines by what they say, not by where or how often they appear.

Importing TensorFlow prints a block of C++ and absl log lines to stderr: the absl
``InitializeLog`` warning, the oneDNN notice, the CUDA-stub and ``cuInit`` lines on a
machine without a GPU, the CPU-instructions notice. How many of them appear, in which
order, and how often depends on the machine: on some (Intel Xeon and AMD EPYC alike) the
whole block is printed twice in one process, and ``TF_CPP_MIN_LOG_LEVEL`` hides some of
them but not the ``E``-level ``cuInit`` line. Tests that want "nothing on stderr but
TensorFlow's start-up" and tools that drop TensorFlow's chatter from captured output
share this one recogniser.

Example:
    >>> is_tensorflow_startup_line(
    ...     "E0000 00:00:1796057956.919500    8553 cuda_platform.cc:52] failed call to cuInit: "
    ...     "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)")
    True
    >>> is_tensorflow_startup_line("UserWarning: Gradients do not exist for variables ['kernel']")
    False
"""

from __future__ import annotations

import re

#: The prefix of a line logged by TensorFlow's C++ core: glog/absl style
#: (``E0000 00:00:1796057956.919500    8553 cuda_platform.cc:52] ``) or the older dated style
#: (``2024-01-31 12:00:00.000000: I tensorflow/core/platform/cpu_feature_guard.cc:182] ``).
_CPP_PREFIX = re.compile(
    r"^\s*(?:[IWEF]\d{4} \d{2}:\d{2}:\d+\.\d+\s+\d+|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+: [IWEF])"
    r" [\w./-]+:\d+\] (?P<message>.*)$"
)

#: What TensorFlow's start-up messages say (after the C++ prefix). Each is printed while
#: TensorFlow or one of its plugins loads, on a machine without a GPU, whatever the code runs,
#: or once per process when a feature starts up (the last group).
STARTUP_MESSAGES: tuple[str, ...] = (
    "oneDNN custom operations are on",
    "Could not find cuda drivers on your machine",
    "failed call to cuInit",
    "This TensorFlow binary is optimized to use available CPU instructions",
    "Unable to register cuDNN factory",
    "Unable to register cuFFT factory",
    "Unable to register cuBLAS factory",
    "computation placer already registered",
    "TF-TRT Warning: Could not find TensorRT",
    "retrieving CUDA diagnostic information for host",
    "kernel driver does not appear to be running on this host",
    "Your kernel may have been built without NUMA support",
    "could not open file to read NUMA node",
    # Notices printed once per process when a feature is first used (XLA, tf.data generators):
    # the same kind of chatter, just a little later than the import.
    "initialized for platform Host (this does not guarantee that XLA will be used)",
    "StreamExecutor device (0): Host, Default Version",
    "Compiled cluster using XLA!  This line is logged at most once for the lifetime of the process.",
    "Memory patch applied: M_TRIM_THRESHOLD",
    "MLIR V1 optimization pass is not enabled",
)

#: Start-up lines printed without the C++ prefix: absl's notice before its logger is set up,
#: and the second line of the CPU-instructions notice.
_BARE_LINES = re.compile(
    r"^\s*(?:WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler flags\.?)\s*$"
)


def is_tensorflow_startup_line(line: str) -> bool:
    """Whether a line of output is one of TensorFlow's start-up log lines.

    Recognised by content: the C++ log prefix followed by a known start-up message, or one
    of the two start-up lines printed without a prefix. Any other line, including other
    TensorFlow log lines (an ``OP_REQUIRES failed``, a rendezvous error) and every Python
    warning, is not start-up noise.

    Args:
        line: str, one line of output, with or without its line ending.

    Returns:
        bool, True for a start-up line.
    """
    line = line.rstrip("\r\n")
    if _BARE_LINES.match(line):
        return True
    match = _CPP_PREFIX.match(line)
    return bool(match) and any(message in match["message"] for message in STARTUP_MESSAGES)


def without_startup_lines(text: str) -> list[str]:
    """The non-blank lines of some output that are not TensorFlow start-up lines.

    Args:
        text: str, captured output (typically a process's stderr).

    Returns:
        list of str, the remaining lines in order: what a test should see as warnings.
    """
    return [line for line in text.splitlines() if line.strip() and not is_tensorflow_startup_line(line)]


def drop_startup_lines(text: str) -> str:
    """Remove TensorFlow's start-up lines from captured output, keeping every other line as it was.

    Args:
        text: str, captured output.

    Returns:
        str, the output without start-up lines (joined with newlines).
    """
    return "\n".join(line for line in text.splitlines() if not is_tensorflow_startup_line(line))

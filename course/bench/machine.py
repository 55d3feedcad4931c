"""Which machine a benchmark ran on: results without it cannot be compared."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's model name.

    Args:
        cpuinfo: Path, Linux's CPU description.

    Returns:
        The first ``model name`` in ``cpuinfo``, else ``platform.processor()``.
    """
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def describe() -> dict[str, object]:
    """Describe this machine and software stack.

    Returns:
        dict with the CPU model, the cores this process may use, the load
        average at the start, and the Python, TensorFlow, Keras and NumPy versions.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu_model(),
        "cores": cores,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }

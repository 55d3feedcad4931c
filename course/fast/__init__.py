"""The fast path: an LSTM built for speed on CPU, outside the graded exercise.

It computes exactly what the reference solution computes (same weights, same
outputs and gradients to 1e-5) with less work per time step: fewer ops, no
tensor that spans the whole sequence inside the loop, and the linear read-in
folded into the LSTM's input weights. :mod:`course.fast.recurrence` holds the
loop and its hand-written backward pass, :mod:`course.fast.layer` the Keras layer, and
:mod:`course.fast.model` the integration model and weight copying.
"""

from course.fast.layer import FastLSTM
from course.fast.model import FastIntegrationModel, copy_reference_weights

__all__ = ["FastLSTM", "FastIntegrationModel", "copy_reference_weights"]

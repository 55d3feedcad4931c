"""The summary statistics the chapters quote."""

from __future__ import annotations

import numpy as np
import pytest

from course.experiments import metrics


def test_spread_uses_the_sample_standard_deviation():
    s = metrics.spread([1.0, 2.0, 3.0])
    assert (s["mean"], s["std"], s["min"], s["max"], s["n"]) == (2.0, 1.0, 1.0, 3.0, 3)
    assert metrics.spread([0.5])["std"] == 0.0


def test_ece_is_zero_when_calibrated_and_large_when_overconfident():
    rng = np.random.default_rng(0)
    prob = rng.uniform(size=200_000)
    label = (rng.uniform(size=prob.size) < prob).astype(float)
    assert metrics.reliability(prob, label)["ece"] < 0.01
    overconfident = np.where(prob > 0.5, 0.99, 0.01)
    assert metrics.reliability(overconfident, label)["ece"] == pytest.approx(0.24, abs=0.01)


def test_reliability_bins_count_every_sample():
    prob = np.array([0.0, 0.05, 0.5, 0.95, 1.0])
    rel = metrics.reliability(prob, np.array([0, 0, 1, 1, 1]))
    assert sum(rel["bin_count"]) == 5 and rel["bin_count"][0] == 2 and rel["bin_count"][-1] == 2


def test_normal_cdf():
    np.testing.assert_allclose(metrics.normal_cdf(np.array([0.0, 1.96, -1.96])), [0.5, 0.975, 0.025], atol=1e-3)


def test_samples_to_reach():
    curve = {"samples": [64, 128, 192], "accuracy": [0.5, 0.81, 0.79]}
    assert metrics.samples_to_reach(curve, 0.8) == 128
    assert metrics.samples_to_reach(curve, 0.9) is None


def test_binned_by_sum_puts_outliers_in_the_edge_bins():
    z = np.array([-10.0, 0.1, 10.0])
    out = metrics.binned_by_sum(z, np.array([0.0, 0.5, 1.0]), np.array([1.0, 0.0, 1.0]))
    assert out["count"][0] == 1 and out["count"][-1] == 1 and sum(out["count"]) == 3

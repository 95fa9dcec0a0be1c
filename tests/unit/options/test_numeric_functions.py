"""Accuracy of the compiled elementary functions against numpy/scipy."""

from __future__ import annotations

import math

import numpy as np
import scipy.special as sp

from shrivenquant.options._normal import erfcx, norm_cdf, norm_inv
from shrivenquant.options._vecmath import erfcx_fast, vexp, vlog, vnorm_cdf

ULP = np.finfo(np.float64).eps


def _max_rel(values: list[float], reference: np.ndarray) -> float:
    ours = np.array(values)
    return float(np.max(np.abs(ours - reference) / np.abs(reference)))


def test_vexp_is_within_two_ulp_of_numpy() -> None:
    xs = np.concatenate([np.linspace(-708.0, 709.0, 20_001), np.linspace(-1e-3, 1e-3, 2001)])
    assert _max_rel([vexp(float(x)) for x in xs], np.exp(xs)) <= 2 * ULP
    assert vexp(-800.0) == 0.0
    assert vexp(800.0) == math.inf
    assert math.isnan(vexp(math.nan))


def test_vlog_is_accurate_for_normal_numbers() -> None:
    xs = np.concatenate([np.logspace(-307, 307, 20_001), np.linspace(0.5, 2.0, 20_001)])
    ours = np.array([vlog(float(x)) for x in xs])
    reference = np.log(xs)
    err = np.abs(ours - reference)
    assert np.all(err <= 2 * ULP * np.maximum(np.abs(reference), 0.5))
    assert vlog(1.0) == 0.0
    for bad in (0.0, -1.0, math.inf, 1e-320, math.nan):
        assert math.isnan(vlog(bad))


def test_normal_cdfs_keep_relative_precision_in_the_tail() -> None:
    xs = np.linspace(-37.0, 8.0, 9001)
    reference = sp.ndtr(xs)
    # the reference rounds x / sqrt(2) before erfc, which costs it about x^2 ulp in the tail
    budget = 4 * ULP * (1.0 + xs**2)
    for fn in (vnorm_cdf, norm_cdf):
        ours = np.array([fn(float(x)) for x in xs])
        assert np.all(np.abs(ours - reference) <= budget * reference)
    assert math.isnan(vnorm_cdf(math.nan))
    assert vnorm_cdf(math.inf) == 1.0
    assert vnorm_cdf(-math.inf) == 0.0


def test_erfcx_against_scipy() -> None:
    zs = np.concatenate([np.linspace(0.0, 40.0, 40_001), np.logspace(1.0, 8.0, 500)])
    reference = sp.erfcx(zs)
    assert _max_rel([erfcx_fast(float(z)) for z in zs], reference) < 5e-15
    assert _max_rel([erfcx(float(z)) for z in zs], reference) < 5e-15


def test_norm_inv_inverts_the_cdf() -> None:
    ps = np.concatenate([np.logspace(-300, -1, 3000), np.linspace(0.01, 0.99, 3000)])
    ours = np.array([norm_inv(float(p)) for p in ps])
    reference = sp.ndtri(ps)
    # relative error, or absolute near the median where the quantile is near zero
    assert np.all(np.abs(ours - reference) <= 1e-14 * np.maximum(np.abs(reference), 1.0))
    assert norm_inv(0.0) == -math.inf
    assert norm_inv(1.0) == math.inf
    assert math.isnan(norm_inv(1.5))

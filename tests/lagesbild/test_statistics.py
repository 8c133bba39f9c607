"""Interval estimates, tests and rounding: Wilson intervals, Newcombe differences,
the Cochran-Armitage trend and half-up rounding.

Reference values: Wilson intervals and Newcombe's hybrid score differences are from
Newcombe, "Two-sided confidence intervals for the single proportion" and "Interval
estimation for the difference between independent proportions", Statistics in Medicine
17 (1998) 857-872 and 873-890 (tables of worked examples); Wilson ends are also checked
against an independent bisection on the score equation.
"""

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lagesbild.statistics import difference, round_count, round_half_up, trend, wilson_interval

# --------------------------------------------------------------------------- Wilson


@pytest.mark.parametrize(
    ("yes", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (1, 10, 0.0179, 0.4042),
        (5, 10, 0.2366, 0.7634),
        (50, 100, 0.4038, 0.5962),
        (81, 263, 0.2553, 0.3662),  # Newcombe 1998a, example (c)
        (15, 148, 0.0624, 0.1605),  # Newcombe 1998a, example (b)
    ],
)
def test_wilson_matches_published_values(yes: int, n: int, low: float, high: float) -> None:
    got_low, got_high = wilson_interval(yes, n)
    assert got_low == pytest.approx(low, abs=5e-5)
    assert got_high == pytest.approx(high, abs=5e-5)


def test_wilson_is_exact_at_zero_and_at_n() -> None:
    assert wilson_interval(0, 37)[0] == 0.0
    assert wilson_interval(37, 37)[1] == 1.0


def _score_root(yes: int, n: int, lo: float, hi: float) -> float:
    """Bisection for p with |p_hat - p| = z * sqrt(p (1 - p) / n) on [lo, hi]."""
    z = 1.959963984540054
    p_hat = yes / n

    def f(p: float) -> float:
        return (p_hat - p) ** 2 - z * z * p * (1 - p) / n

    for _ in range(200):
        mid = (lo + hi) / 2
        if (f(lo) > 0) == (f(mid) > 0):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@given(st.integers(2, 500).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))))
def test_wilson_ends_solve_the_score_equation(yes_n: tuple[int, int]) -> None:
    yes, n = yes_n
    low, high = wilson_interval(yes, n)
    p_hat = yes / n
    assert low == pytest.approx(_score_root(yes, n, 0.0, p_hat), abs=1e-9)
    assert high == pytest.approx(_score_root(yes, n, p_hat, 1.0), abs=1e-9)


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="n = 0"):
        wilson_interval(0, 0)
    with pytest.raises(ValueError, match="0 <= yes <= n"):
        wilson_interval(11, 10)
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 10, confidence=1.0)


# --------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("n", "rounded"),
    [
        (0, 0),
        (2, 0),
        (3, 5),
        (10, 10),
        (11, 10),
        (12, 10),
        (13, 15),
        (17, 15),
        (18, 20),
        (102, 100),
        (103, 105),
    ],
)
def test_counts_round_to_the_nearest_five(n: int, rounded: int) -> None:
    assert round_count(n) == rounded


def test_rounding_to_an_even_step_rounds_halves_up() -> None:
    assert round_count(5, step=10) == 10
    assert round_count(15, step=10) == 20


def test_round_half_up_differs_from_bankers_rounding() -> None:
    assert round_half_up(Fraction(25, 2)) == 13
    assert round_half_up(Fraction(5, 2)) == 3
    assert round(2.5) == 2  # what we avoid


# --------------------------------------------------------------------------- waves


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [  # Newcombe 1998b, table II, method 10
        ((56, 70), (48, 80), 5.24, 33.39),
        ((9, 10), (3, 10), 17.05, 80.90),
        ((6, 7), (2, 7), 5.82, 80.62),
        ((5, 56), (0, 29), -3.81, 19.26),
    ],
)
def test_difference_matches_newcombes_hybrid_score_interval(
    a: tuple[int, int], b: tuple[int, int], low: float, high: float
) -> None:
    result = difference(a, b)
    assert result.diff_pp == pytest.approx(100 * (a[0] / a[1] - b[0] / b[1]))
    assert result.low_pp == pytest.approx(low, abs=0.01)
    assert result.high_pp == pytest.approx(high, abs=0.01)
    assert result.significant is (low > 0)


def test_difference_is_antisymmetric() -> None:
    ab, ba = difference((30, 100), (45, 120)), difference((45, 120), (30, 100))
    assert ab.diff_pp == pytest.approx(-ba.diff_pp)
    assert ab.low_pp == pytest.approx(-ba.high_pp)
    assert ab.significant == ba.significant


def test_a_trend_needs_three_waves() -> None:
    assert trend([(10, 100), (20, 100)]) is None
    assert trend([]) is None


def test_a_rising_share_over_three_waves_is_an_upward_trend() -> None:
    result = trend([(10, 100), (20, 100), (30, 100)])
    assert result is not None
    assert result.slope_pp_per_wave == pytest.approx(10.0)
    assert result.z == pytest.approx(math.sqrt(12.5))  # Cochran-Armitage by hand
    assert result.direction == "up"


def test_a_noisy_small_change_is_flat() -> None:
    result = trend([(20, 100), (18, 100), (22, 100)])
    assert result is not None
    assert result.significant is False
    assert result.direction == "flat"


def test_a_constant_zero_share_has_no_trend() -> None:
    result = trend([(0, 50), (0, 60), (0, 70)])
    assert result is not None
    assert (result.z, result.direction) == (0.0, "flat")

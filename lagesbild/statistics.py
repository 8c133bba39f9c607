"""Interval estimates, tests and exact rounding for shares (pure: no Django, no ORM).

Wilson score intervals for one share, Newcombe's hybrid score interval for the difference
of two, the Cochran-Armitage test for a trend over waves, and half-up rounding in exact
integer arithmetic. What a cell may publish of these is decided in `lagesbild.disclosure`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from statistics import NormalDist
from typing import Literal, NamedTuple

# --------------------------------------------------------------------------- intervals


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile of a confidence level (1.96 for 0.95)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def check_counts(yes: int, n: int) -> None:
    """Raise unless ``yes`` and ``n`` are whole counts with 0 <= yes <= n."""
    # bool is an int subclass; a True/False here is always a caller bug.
    if isinstance(yes, bool) or isinstance(n, bool):
        raise TypeError("counts must be int, not bool")
    if not isinstance(yes, int) or not isinstance(n, int):
        raise TypeError(f"counts must be int, got yes={yes!r}, n={n!r}")
    if n < 0 or yes < 0 or yes > n:
        raise ValueError(f"need 0 <= yes <= n, got yes={yes}, n={n}")


def wilson_interval(yes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion, as proportions in [0, 1].

    At yes = 0 the lower end is exactly 0 and at yes = n the upper end is exactly 1 (the
    closed formula gives that up to rounding error; it is set exactly so that a cell with
    no "yes" never shows a lower end of "1e-17"). ``n`` must be positive.
    """
    check_counts(yes, n)
    if n == 0:
        raise ValueError("the interval of an empty cell (n = 0) is undefined")
    z = z_value(confidence)
    z2 = z * z
    p = yes / n
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    low = 0.0 if yes == 0 else max(0.0, centre - half)
    high = 1.0 if yes == n else min(1.0, centre + half)
    return low, high


# --------------------------------------------------------------------------- rounding


def round_half_up(value: Fraction | int) -> int:
    """Round to the nearest integer, halves up (Python's round() rounds halves to even)."""
    if isinstance(value, int):
        return value
    # floor(p/q + 1/2) in integers: a recompute rounds tens of thousands of values, and
    # Fraction arithmetic would dominate its time.
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def round_count(n: int, step: int = 5) -> int:
    """Round a count half up to a multiple of ``step`` (12 -> 10, 13 -> 15 for step 5)."""
    if n < 0 or step < 1:
        raise ValueError("need n >= 0 and step >= 1")
    return round_half_up(Fraction(n, step)) * step


# --------------------------------------------------------------------------- waves


class Difference(NamedTuple):
    """A difference of two shares in percentage points, with its interval."""

    diff_pp: float
    low_pp: float
    high_pp: float
    significant: bool


def difference(a: tuple[int, int], b: tuple[int, int], confidence: float = 0.95) -> Difference:
    """Share of ``a`` minus share of ``b`` (each ``(yes, n)``), e.g. (this wave, last wave).

    Interval: Newcombe's hybrid score interval (Newcombe 1998, method 10), built from the
    two Wilson intervals; significant when it excludes 0. The samples are treated as
    independent (two waves are different cohorts of answers). Only compare cells that are
    shown in both waves: the result is computed from raw counts.
    """
    yes_a, n_a = a
    yes_b, n_b = b
    low_a, high_a = wilson_interval(yes_a, n_a, confidence)
    low_b, high_b = wilson_interval(yes_b, n_b, confidence)
    p_a, p_b = yes_a / n_a, yes_b / n_b
    d = p_a - p_b
    low = d - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    high = d + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return Difference(d * 100.0, low * 100.0, high * 100.0, low > 0.0 or high < 0.0)


MIN_TREND_WAVES = 3


class Trend(NamedTuple):
    """A linear trend over waves (equally spaced, in order)."""

    slope_pp_per_wave: float
    z: float
    significant: bool
    direction: Literal["up", "down", "flat"]


def trend(waves: Sequence[tuple[int, int]], confidence: float = 0.95) -> Trend | None:
    """Linear trend over at least three waves, or None with fewer (DOMAIN: "Trends need at
    least three waves").

    ``waves`` are ``(yes, n)`` in time order, scored 0, 1, 2, ... The test is the
    Cochran-Armitage test for trend; the slope is the n-weighted least-squares slope of
    the shares, in percentage points per wave. ``direction`` is "flat" unless the trend is
    significant. As with `difference`, pass only waves in which the cell is shown.
    """
    if len(waves) < MIN_TREND_WAVES:
        return None
    for yes, n in waves:
        check_counts(yes, n)
        if n == 0:
            raise ValueError("a wave with n = 0 has no share")
    total_n = sum(n for _, n in waves)
    total_yes = sum(yes for yes, _ in waves)
    p_bar = total_yes / total_n
    t_bar = sum(i * n for i, (_, n) in enumerate(waves)) / total_n
    s_tt = sum(n * (i - t_bar) ** 2 for i, (_, n) in enumerate(waves))
    t_stat = sum(i * (yes - n * p_bar) for i, (yes, n) in enumerate(waves))
    slope = t_stat / s_tt * 100.0
    variance = p_bar * (1.0 - p_bar) * s_tt
    z = 0.0 if variance <= 0.0 else t_stat / math.sqrt(variance)
    significant = abs(z) > z_value(confidence)
    direction: Literal["up", "down", "flat"] = (
        "flat" if not significant else ("up" if z > 0 else "down")
    )
    return Trend(slope, z, significant, direction)

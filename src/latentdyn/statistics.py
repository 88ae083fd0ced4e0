"""Uncertainty of the book's comparisons: means with standard errors and paired differences.

Every comparison the book states is a paired one: two autoencoders (or two methods) scored on
the *same* test items, so the item-to-item variation cancels in the difference. The interval
is Student's t interval of the mean difference (``scipy.stats``), and an ordering is claimed
only when that interval excludes zero (:func:`ordering`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from latentdyn.validation import check_positive_float


def _sample(name: str, values) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size < 2:
        raise ValueError(f"{name} must be a 1-d sequence of at least 2 numbers, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


@dataclass(frozen=True)
class Estimate:
    """A mean over ``n`` items with its standard error and a two-sided ``confidence`` interval."""

    mean: float
    standard_error: float
    low: float
    high: float
    n: int
    confidence: float

    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of zero."""
        return self.low > 0 or self.high < 0

    def as_text(self, digits: int = 2, unit: str = "") -> str:
        """``"+5.9 ± 0.8 (95% interval +4.3 to +7.5)"`` style text."""
        level = f"{100 * self.confidence:.0f}%"
        return (
            f"{self.mean:+.{digits}f}{unit} ± {self.standard_error:.{digits}f}{unit} "
            f"({level} interval {self.low:+.{digits}f} to {self.high:+.{digits}f}{unit})"
        )


def standard_error(values) -> float:
    """Standard error of the mean of ``values (n,)``, ``s / sqrt(n)`` (``scipy.stats.sem``); NaN
    for fewer than 2 values (a table cell, not a claim)."""
    array = np.asarray(values, dtype=np.float64).ravel()
    return float(stats.sem(array)) if array.size >= 2 else float("nan")


def mean_estimate(values, confidence: float = 0.95) -> Estimate:
    """Mean of ``values (n,)`` with its standard error ``s / sqrt(n)`` and Student's t interval.

    Raises ``ValueError`` for fewer than 2 values, non-finite values or a confidence outside (0, 1).
    """
    array = _sample("values", values)
    confidence = check_positive_float("confidence", confidence)
    if confidence >= 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    mean = float(array.mean())
    error = float(stats.sem(array))
    if error == 0.0:
        return Estimate(mean, 0.0, mean, mean, array.size, confidence)
    low, high = stats.t.interval(confidence, df=array.size - 1, loc=mean, scale=error)
    return Estimate(mean, error, float(low), float(high), array.size, confidence)


def paired_difference(first, second, confidence: float = 0.95) -> Estimate:
    """Mean of ``first - second`` over the same items, with its standard error and t interval.

    Args:
        first, second: ``(n,)`` scores of two methods on the same ``n`` items, in the same order.
    """
    a, b = _sample("first", first), _sample("second", second)
    if a.shape != b.shape:
        raise ValueError(f"first {a.shape} and second {b.shape} must score the same items")
    return mean_estimate(a - b, confidence)


def ordering(difference: Estimate, first: str, second: str, *, short: bool = False) -> str:
    """Plain words for a paired difference ``first - second``: which is ahead, or undecided
    (``short``: ``"<first> ahead"``, ``"<second> ahead"`` or ``"no ordering"``, for table cells)."""
    if difference.low > 0:
        return f"{first} ahead" if short else f"{first} ahead of {second}"
    if difference.high < 0:
        return f"{second} ahead" if short else f"{second} ahead of {first}"
    return "no ordering" if short else f"no ordering of {first} and {second} (the interval contains zero)"

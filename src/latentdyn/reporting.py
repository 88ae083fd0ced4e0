"""Rounding of reported numbers, so that printed metrics are stable across thread counts."""

from __future__ import annotations

import math
import numbers

import pandas as pd

from latentdyn.validation import check_positive_int


def format_significant(value: object, digits: int = 3) -> object:
    """Format a real number with ``digits`` significant digits (``'%.{digits}g'``); leave others.

    Integers and booleans are returned unchanged; ``-0`` prints as ``0``.
    """
    digits = check_positive_int("digits", digits)
    if isinstance(value, bool | numbers.Integral) or not isinstance(value, numbers.Real):
        return value
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        return str(number)
    text = f"{number:.{digits}g}"
    return "0" if float(text) == 0.0 else text


def significant(frame: pd.DataFrame | pd.Series, digits: int = 3) -> pd.DataFrame | pd.Series:
    """A copy of ``frame`` whose floating-point entries are strings with ``digits`` significant digits."""
    if not isinstance(frame, pd.DataFrame | pd.Series):
        raise ValueError(f"frame must be a pandas DataFrame or Series, got {type(frame).__name__}")
    return frame.map(lambda value: format_significant(value, digits))

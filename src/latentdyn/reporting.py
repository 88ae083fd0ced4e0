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


def table(
    frame: pd.DataFrame | pd.Series, digits: int = 3, *, caption: str | None = None, hide_index: bool | None = None
):
    """A pandas ``Styler`` for readers: ``digits`` significant digits, no integer index, and a
    box that scrolls sideways instead of being cut off when the table is wider than the page.

    Args:
        frame: the numbers (a Series becomes a one-column table).
        digits: significant digits of every real number.
        caption: optional caption above the table.
        hide_index: hide the row labels; default: hide them only when they are a plain
            ``0, 1, 2 ...`` range (which tells the reader nothing).
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame or Series, got {type(frame).__name__}")
    digits = check_positive_int("digits", digits)
    if hide_index is None:
        hide_index = isinstance(frame.index, pd.RangeIndex)
    styler = frame.style.format(lambda value: format_significant(value, digits))
    if hide_index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    return styler.set_table_styles(
        [
            {
                "selector": "",
                "props": "display: block; max-width: 100%; overflow-x: auto; "
                "border-collapse: collapse; font-size: 0.9em;",
            },
            {"selector": "th, td", "props": "padding: 0.2em 0.6em; text-align: right;"},
            {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold;"},
        ]
    )

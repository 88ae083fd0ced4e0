"""Rounding of reported numbers, so that printed metrics are stable across thread counts."""

from __future__ import annotations

import html
import math
import numbers
import re
from dataclasses import dataclass

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


#: At most this many columns (row labels included) side by side: wider tables are shown as
#: several blocks of columns, each repeating the row labels, so that nothing is cut off.
MAX_COLUMNS = 7
#: Tables with more rows than this are shown collapsed (a click opens them).
COLLAPSE_ROWS = 20
#: What a missing value (NaN, None) shows as.
MISSING = "–"
_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
_STYLES = [
    {
        "selector": "",
        "props": "display: block; max-width: 100%; overflow-x: auto; border-collapse: collapse; font-size: 0.9em;",
    },
    {"selector": "th, td", "props": "padding: 0.2em 0.6em; text-align: right;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold;"},
]


def interval_column(
    frame: pd.DataFrame, low: str = "95% low", high: str = "95% high", name: str = "95% interval", digits: int = 3
) -> pd.DataFrame:
    """``frame`` with its interval ends ``low`` and ``high`` (columns of numbers) shown as one text
    column ``name``, ``"[low, high]"`` with ``digits`` significant digits, in place of ``low``."""
    for column in (low, high):
        if column not in frame.columns:
            raise ValueError(f"frame has no column {column!r}; it has {list(frame.columns)}")
    text = [
        f"[{format_significant(float(a), digits)}, {format_significant(float(b), digits)}]"
        for a, b in zip(frame[low], frame[high], strict=True)
    ]
    out = frame.drop(columns=[high]).rename(columns={low: name})
    out[name] = text
    return out


def readable(value: object) -> object:
    """A code name such as ``damped_pendulum`` as a reader writes it (``damped pendulum``); any
    other value unchanged."""
    if isinstance(value, str) and _IDENTIFIER.fullmatch(value):
        return value.replace("_", " ")
    return value


def _label(value: object) -> object:
    """A row label as the reader sees it: real numbers with up to 6 significant digits (``0.1``,
    not ``0.100000``), code names made readable."""
    if isinstance(value, float):
        return format_significant(value, 6)
    return readable(value)


def _readable_labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        levels = [level.map(_label) for level in index.levels]
        if any(level.has_duplicates for level in levels):  # labels that print alike: keep the raw ones
            levels = [level.map(readable) for level in index.levels]
        return index.set_levels(levels).set_names([readable(name) for name in index.names])
    return index.map(_label).rename(readable(index.name))


@dataclass
class ReaderTable:
    """A table as the book shows it: ``digits`` significant digits, missing values as a dash,
    code names made readable (:func:`readable`), at most :data:`MAX_COLUMNS` columns side by side
    (wider tables continue in further blocks that repeat the row labels), collapsed behind a
    click when longer than :data:`COLLAPSE_ROWS` rows, and a sentence instead of an empty table.

    Displayed by Jupyter through :meth:`_repr_html_`; :attr:`frame` keeps the numbers.
    """

    frame: pd.DataFrame
    digits: int = 3
    caption: str | None = None
    hide_index: bool = False
    max_columns: int = MAX_COLUMNS
    collapse_rows: int = COLLAPSE_ROWS

    def label_columns(self) -> list:
        """The columns that name a row when the row labels are hidden: the leading columns that
        are not real numbers (names, seeds, flags), at most three and never every column."""
        if not self.hide_index:
            return []
        labels = []
        for column in self.frame.columns[: min(3, self.frame.shape[1] - 1)]:
            if pd.api.types.is_float_dtype(self.frame[column]):
                break
            labels.append(column)
        return labels

    def blocks(self) -> list[pd.DataFrame]:
        """The column blocks shown one under the other, each with at most :attr:`max_columns`
        columns counting the row labels (the index, or the :meth:`label_columns` repeated in every
        block when the index is hidden), and at least one further column per block."""
        labels = self.label_columns()
        shown_labels = len(labels) if self.hide_index else self.frame.index.nlevels
        width = max(1, self.max_columns - shown_labels)
        rest = [column for column in self.frame.columns if column not in labels]
        if not rest:
            return [self.frame]
        return [self.frame[labels + rest[start : start + width]] for start in range(0, len(rest), width)]

    def _format(self, value: object) -> object:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return MISSING
        return readable(format_significant(value, self.digits))

    def _block_html(self, block: pd.DataFrame, caption: str | None) -> str:
        block = block.copy()
        block.index = _readable_labels(block.index)
        block.columns = _readable_labels(block.columns)
        styler = block.style.format(self._format)
        if self.hide_index:
            styler = styler.hide(axis="index")
        if caption:
            styler = styler.set_caption(html.escape(caption))
        return styler.set_table_styles(_STYLES).to_html()

    def _repr_html_(self) -> str:
        if self.frame.empty:
            what = f"{html.escape(self.caption)}: " if self.caption else ""
            return f"<p><em>{what}nothing to show (no rows).</em></p>"
        blocks = self.blocks()
        parts = [
            self._block_html(
                block, self.caption if number == 0 else (f"{self.caption} (continued)" if self.caption else None)
            )
            for number, block in enumerate(blocks)
        ]
        body = "\n".join(parts)
        if len(self.frame) > self.collapse_rows:
            summary = html.escape(self.caption or "Table")
            body = f"<details><summary>{summary} ({len(self.frame)} rows; click to show)</summary>\n{body}\n</details>"
        return body


def table(
    frame: pd.DataFrame | pd.Series,
    digits: int = 3,
    *,
    caption: str | None = None,
    hide_index: bool | None = None,
    max_columns: int = MAX_COLUMNS,
    collapse_rows: int = COLLAPSE_ROWS,
) -> ReaderTable:
    """The reader's view of a table (a :class:`ReaderTable`; display it as a cell's last value).

    Args:
        frame: the numbers (a Series becomes a one-column table).
        digits: significant digits of every real number.
        caption: optional caption above the table.
        hide_index: hide the row labels; default: hide them only when they are a plain
            ``0, 1, 2 ...`` range (which tells the reader nothing).
        max_columns: columns side by side, row labels included; wider tables continue below.
        collapse_rows: longer tables are collapsed behind a click.
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame or Series, got {type(frame).__name__}")
    digits = check_positive_int("digits", digits)
    max_columns = check_positive_int("max_columns", max_columns)
    collapse_rows = check_positive_int("collapse_rows", collapse_rows)
    if hide_index is None:
        hide_index = isinstance(frame.index, pd.RangeIndex)
    return ReaderTable(frame, digits, caption, bool(hide_index), max_columns, collapse_rows)

"""Checked numbers that travel between machines: recorded once, compared within a stated tolerance.

A chapter's numbers move at the third significant figure on another CPU (other floating-point
kernels: AVX-512 against AVX2, oneDNN against another BLAS), so an exact printed number is a
check that fails on a reader's machine. Instead a chapter calls :func:`check_values` in a cell
marked ``# NBVAL_CHECK_OUTPUT``; what it prints depends on the environment variable
``LATENTDYN_CHECKED_VALUES``:

- ``record`` (``make reference``): the measured values are written to
  ``tests/notebooks/checked/<group>.json`` with their tolerance, and each line prints the value
  just recorded;
- ``check`` (``make nbval``): each measured value is compared with the recorded one; a line
  prints the *recorded* value when the measured one lies within the tolerance, so the printed
  text is the same on every machine, and ``MISMATCH`` with both values when it does not, which
  nbval then reports as a changed output;
- unset (a book build, a papermill run): the measured values are printed, nothing is compared.

Tolerances are stated where the values are checked (absolute, relative, or both: a value
passes when it is within either), so a reader sees how close "reproduced" has to be.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path

from latentdyn.cache import project_root

MODES = ("record", "check", "show")
# what a page checks: check group -> (name -> value, tolerance keywords of check_values); a chapter's
# check cell runs ``for group, (values, tolerance) in checked.items(): check_values(group, values, **tolerance)``
CheckGroups = dict[str, tuple[dict[str, object], dict[str, float]]]
_VARIABLE = "LATENTDYN_CHECKED_VALUES"


def checked_folder() -> Path:
    """Where recorded values live: ``tests/notebooks/checked`` of the project."""
    return project_root() / "tests" / "notebooks" / "checked"


def current_mode() -> str:
    """``record``, ``check`` or ``show`` (the default), from ``LATENTDYN_CHECKED_VALUES``."""
    mode = os.environ.get(_VARIABLE, "show").strip().lower() or "show"
    if mode not in MODES:
        raise ValueError(f"{_VARIABLE} must be one of {MODES}, got {mode!r}")
    return mode


def _number(name: str, value: object) -> float | bool:
    if isinstance(value, bool):
        return value
    try:
        number = float(value)  # numpy scalars, 0-d tensors
    except (TypeError, ValueError):
        raise ValueError(f"checked value {name!r} must be a real number or a bool, got {value!r}") from None
    return number


def within(measured: float, recorded: float, abs_tol: float, rel_tol: float) -> bool:
    """True when ``measured`` equals ``recorded`` within ``abs_tol`` or within ``rel_tol`` of it.

    NaN equals NaN and an infinity equals itself (a metric that is undefined on every machine).
    """
    if math.isnan(recorded) or math.isnan(measured):
        return math.isnan(recorded) and math.isnan(measured)
    if math.isinf(recorded) or math.isinf(measured):
        return measured == recorded
    return abs(measured - recorded) <= max(abs_tol, rel_tol * abs(recorded))


def _format(value: float | bool, digits: int) -> str:
    if isinstance(value, bool):
        return str(value)
    return f"{value:.{digits}g}"


def check_values(
    group: str,
    values: Mapping[str, object],
    *,
    abs_tol: float = 0.0,
    rel_tol: float = 0.0,
    digits: int = 4,
    folder: str | Path | None = None,
) -> None:
    """Print one line per value, recorded or compared as ``LATENTDYN_CHECKED_VALUES`` says (see
    :func:`checked_lines`, which returns the lines instead of printing them). Returns ``None``,
    so that a notebook cell ending with this call shows the printed lines only."""
    print("\n".join(checked_lines(group, values, abs_tol=abs_tol, rel_tol=rel_tol, digits=digits, folder=folder)))


def checked_lines(
    group: str,
    values: Mapping[str, object],
    *,
    abs_tol: float = 0.0,
    rel_tol: float = 0.0,
    digits: int = 4,
    folder: str | Path | None = None,
) -> list[str]:
    """One line per value, recorded or compared as ``LATENTDYN_CHECKED_VALUES`` says, and a last
    line naming the group and its tolerance.

    Args:
        group: a name unique in the book (file ``<group>.json``); letters, digits, ``_`` and ``-``.
        values: name -> real number or bool. Booleans (properties such as "loss fell tenfold")
            must match exactly; numbers within ``abs_tol`` or ``rel_tol`` (relative to the
            recorded value), whichever is looser.
        abs_tol, rel_tol: the stated tolerance (non-negative; at least one positive unless every
            value is a bool).
        digits: significant digits printed.
        folder: where the JSON files live (default :func:`checked_folder`).

    Raises:
        ValueError: bad arguments; in ``check`` mode, no recorded file, or names that differ
            from the recorded ones (re-record the chapter).
    """
    if not group or not all(ch.isalnum() or ch in "_-" for ch in group):
        raise ValueError(f"group must be a non-empty name of letters, digits, '_' or '-', got {group!r}")
    if abs_tol < 0 or rel_tol < 0:
        raise ValueError(f"abs_tol and rel_tol must be >= 0, got {abs_tol} and {rel_tol}")
    measured = {str(name): _number(str(name), value) for name, value in values.items()}
    if not measured:
        raise ValueError("values must not be empty")
    if abs_tol == 0 and rel_tol == 0 and not all(isinstance(v, bool) for v in measured.values()):
        raise ValueError("state a tolerance (abs_tol or rel_tol > 0) for numeric checked values")
    path = Path(folder) if folder is not None else checked_folder()
    path = path / f"{group}.json"
    tolerance = f"(tolerance: abs {abs_tol:g}, rel {rel_tol:g})"
    mode = current_mode()
    lines = []
    if mode == "record":
        path.parent.mkdir(parents=True, exist_ok=True)
        stored = {
            name: (value if isinstance(value, bool) else (None if math.isnan(value) else value))
            for name, value in measured.items()
        }
        path.write_text(json.dumps({"abs_tol": abs_tol, "rel_tol": rel_tol, "values": stored}, indent=1) + "\n")
        lines = [f"{name}: {_format(value, digits)} ok" for name, value in measured.items()]
    elif mode == "check":
        if not path.exists():
            raise ValueError(f"no recorded values {path}: record the chapter with `make reference`")
        recorded = json.loads(path.read_text())["values"]
        if set(recorded) != set(measured):
            raise ValueError(
                f"checked names of {group!r} differ from {path.name}: "
                f"new {sorted(set(measured) - set(recorded))}, "
                f"gone {sorted(set(recorded) - set(measured))}; re-record the chapter"
            )
        for name, value in measured.items():
            reference = recorded[name]
            reference = float("nan") if reference is None else reference
            if isinstance(reference, bool) or isinstance(value, bool):
                same = isinstance(reference, bool) and isinstance(value, bool) and reference == value
            else:
                same = within(float(value), float(reference), abs_tol, rel_tol)
            if same:
                lines.append(f"{name}: {_format(reference, digits)} ok")
            else:
                lines.append(
                    f"{name}: MISMATCH measured {_format(value, digits)}, recorded "
                    f"{_format(reference, digits)} {tolerance}"
                )
    else:
        lines = [f"{name}: {_format(value, digits)}" for name, value in measured.items()]
    lines.append(f"{group} {tolerance}")
    return lines


def table_values(frame, *, index_columns: tuple[str, ...] = ()) -> dict[str, object]:
    """``{"row / column": value}`` of every numeric or boolean cell of a pandas DataFrame or Series.

    Row names join the index levels (or the ``index_columns`` of the frame, which are then not
    checked themselves) with ``" "``; the result keeps the frame's order.
    """
    import numbers

    import pandas as pd

    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame or Series, got {type(frame).__name__}")
    if index_columns:
        frame = frame.set_index(list(index_columns))
    values: dict[str, object] = {}
    for row, series in frame.iterrows():
        label = " ".join(str(part) for part in (row if isinstance(row, tuple) else (row,)))
        for column, value in series.items():
            name = " ".join(str(part) for part in (column if isinstance(column, tuple) else (column,)))
            if isinstance(value, bool | numbers.Real) and not isinstance(value, str):
                values[f"{label} / {name}"] = value
    return values

"""Argument checks shared by the public functions.

Every check raises ``ValueError`` (or ``FileNotFoundError`` for paths) whose message
names the offending argument and says what was expected, so that a wrong papermill
parameter or a wrong tensor is diagnosed at the call that received it.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import torch


def check_positive_int(name: str, value: Any, *, allow_zero: bool = False) -> int:
    """Return ``value`` as an int, or raise if it is not a (strictly) positive integer."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise ValueError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = operator.index(value)
    lowest = 0 if allow_zero else 1
    if value < lowest:
        expected = "a non-negative integer" if allow_zero else "a positive integer"
        raise ValueError(f"{name} must be {expected}, got {value}")
    return value


def check_positive_float(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, or raise if it is not a finite (strictly) positive number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be finite, got {number}")
    if number < 0 or (number == 0 and not allow_zero):
        expected = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be {expected}, got {number}")
    return number


def check_in_range(name: str, value: Any, low: float, high: float) -> float:
    """Return ``value`` as a float, or raise if it is not in the closed interval [low, high]."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {number}")
    return number


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise listing the choices."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_tensor(
    name: str,
    tensor: Any,
    *,
    ndim: int | Sequence[int] | None = None,
    shape: Sequence[int | None] | None = None,
    floating: bool = True,
    finite: bool = True,
) -> torch.Tensor:
    """Check a tensor argument and return it.

    Args:
        name: the argument's name, used in the error message.
        tensor: the value to check; must be a ``torch.Tensor``.
        ndim: the allowed number(s) of dimensions.
        shape: expected sizes, ``None`` for a free dimension (implies ``ndim``).
        floating: require a floating-point dtype.
        finite: require no NaN or infinity.
    """
    if not isinstance(tensor, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
    if shape is not None:
        ndim = len(shape)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if tensor.ndim not in allowed:
            raise ValueError(
                f"{name} must have {' or '.join(map(str, allowed))} dimensions, got shape {tuple(tensor.shape)}"
            )
    if shape is not None:
        for axis, (size, expected) in enumerate(zip(tensor.shape, shape, strict=True)):
            if expected is not None and size != expected:
                wanted = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
                raise ValueError(f"{name} must have shape {wanted}, got {tuple(tensor.shape)} (axis {axis})")
    if floating and not tensor.is_floating_point():
        raise ValueError(f"{name} must have a floating-point dtype, got {tensor.dtype}")
    if finite and tensor.is_floating_point() and not all_finite(tensor):
        raise ValueError(f"{name} contains NaN or infinite values")
    return tensor


def all_finite(tensor: torch.Tensor) -> bool:
    """Whether a floating-point tensor holds no NaN and no infinity.

    One min/max reduction (``torch.aminmax`` propagates NaN, and an infinity is the minimum or
    the maximum), about 25 times faster on a CPU than ``torch.isfinite(tensor).all()``, which
    writes a boolean tensor of the input's size first; the validation of every metric's input
    spent more time there than the metric itself.
    """
    if tensor.numel() == 0:
        return True
    with torch.no_grad():
        low, high = torch.aminmax(tensor.detach())
    return bool(torch.isfinite(low) & torch.isfinite(high))


def check_existing_path(name: str, path: Any, *, kind: str = "file") -> Path:
    """Return ``path`` as a ``Path`` if it exists (as a file or a directory)."""
    if not isinstance(path, str | Path):
        raise ValueError(f"{name} must be a path (str or Path), got {type(path).__name__}")
    resolved = Path(path).expanduser()
    exists = resolved.is_file() if kind == "file" else resolved.is_dir()
    if not exists:
        raise FileNotFoundError(f"{name}: no such {kind}: {resolved}")
    return resolved

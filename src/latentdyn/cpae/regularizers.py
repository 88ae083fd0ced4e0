r"""Weight penalties on convolution filters: the CpAE filter-continuity regularizer and L2.

The filter-continuity regularizer (CpAE paper, Eq. 6, as the authors implement it) treats
each filter ``W[o, c]`` of a convolution weight ``(C_out, C_in, K_1, K_2)`` as samples of a
function on the unit square. The filter is zero-padded by one pixel on every side, giving
``P_1 x P_2 = (K_1 + 2) x (K_2 + 2)`` grid points ``x_p = (i / (P_1 - 1), j / (P_2 - 1))``,
and

.. math::

    J(W) = \frac{2}{C_\mathrm{out} C_\mathrm{in} (P_1 P_2)^2}
           \sum_{o, c} \sum_{p, q} k(x_p, x_q)\, (\tilde W_{o c p} - \tilde W_{o c q})^2,
    \qquad k(x, y) = \exp(-\lVert x - y \rVert^2 / \sigma),

a nonlocal (Gaussian-weighted) Dirichlet energy that is small when neighbouring weights
are close, i.e. when the filter is Lipschitz with a small constant. The padding makes a
filter that does not fall to zero at its border pay for that jump.

Two exact ways to compute it:

- ``method="direct"`` materialises all ``(P_1 P_2)^2`` pairs per filter: ``O(K^4)`` time and
  memory. It is the formula as written, kept as the reference.
- ``method="separable"`` uses ``k(x, y) = k_1(x^1, y^1) k_2(x^2, y^2)`` and
  ``\sum_{pq} k_{pq} (w_p - w_q)^2 = 2 \sum_p w_p^2 (K \mathbf 1)_p - 2 \langle W, K_1 W K_2^\top\rangle``:
  ``O(K^3)`` time, ``O(K^2)`` memory. The filter's mean is subtracted first (the energy
  does not change when a constant is added to every padded weight), which keeps the two
  large terms from cancelling in floating point.
"""

from __future__ import annotations

import torch

from latentdyn.validation import check_choice, check_positive_float, check_tensor

METHODS = ("separable", "direct")


def _axis_kernel(size: int, kernel_scale: float, like: torch.Tensor) -> torch.Tensor:
    """``(size, size)`` matrix ``exp(-(x_i - x_j)^2 / kernel_scale)`` on ``x_i = i / (size - 1)``."""
    grid = torch.linspace(0.0, 1.0, size, dtype=like.dtype, device=like.device)
    return torch.exp(-((grid[:, None] - grid[None, :]) ** 2) / kernel_scale)


def _padded_filters(weight: torch.Tensor) -> torch.Tensor:
    """``(C_out * C_in, K_1 + 2, K_2 + 2)``: every filter with a one-pixel ring of zeros."""
    filters = weight.reshape(-1, *weight.shape[-2:])
    return torch.nn.functional.pad(filters, (1, 1, 1, 1))


def filter_continuity_penalty(
    weight: torch.Tensor, *, kernel_scale: float = 10.0, method: str = "separable"
) -> torch.Tensor:
    """The filter-continuity regularizer J(W) of a convolution weight (a scalar tensor).

    Args:
        weight: ``(C_out, C_in, K_1, K_2)`` convolution weight (any float dtype, any device).
        kernel_scale: ``sigma`` in the Gaussian ``exp(-|x - y|^2 / sigma)``, in units of the
            filter's side (the padded filter spans [0, 1]^2). The authors use 10.
        method: ``"separable"`` (fast, exact) or ``"direct"`` (the O(K^4) formula).

    Returns:
        0-dim tensor, differentiable with respect to ``weight``.
    """
    check_tensor("weight", weight, ndim=4)
    kernel_scale = check_positive_float("kernel_scale", kernel_scale)
    check_choice("method", method, METHODS)
    filters = _padded_filters(weight)
    count, rows, cols = filters.shape
    kernel_rows = _axis_kernel(rows, kernel_scale, filters)
    kernel_cols = _axis_kernel(cols, kernel_scale, filters)
    if method == "direct":
        flat = filters.reshape(count, rows * cols)
        pair_kernel = torch.kron(kernel_rows, kernel_cols)  # (P, P), p = (i, j) row-major
        differences = flat[:, :, None] - flat[:, None, :]
        return 2.0 * (pair_kernel * differences**2).mean()
    centred = filters - filters.mean(dim=(-2, -1), keepdim=True)
    row_sums = kernel_rows.sum(dim=1)
    col_sums = kernel_cols.sum(dim=1)
    degree = row_sums[:, None] * col_sums[None, :]  # (K 1)_p for p = (i, j)
    smoothed = kernel_rows @ centred @ kernel_cols.T  # (K_1 W K_2^T) per filter
    pair_sum = 2.0 * (centred**2 * degree).sum() - 2.0 * (centred * smoothed).sum()
    return 2.0 * pair_sum / (count * (rows * cols) ** 2)


def l2_weight_penalty(weight: torch.Tensor) -> torch.Tensor:
    """Mean squared weight, ``mean(W^2)``: the 'AE + L2' baseline's penalty (a scalar tensor)."""
    check_tensor("weight", weight)
    return (weight**2).mean()


def pairwise_elements(weight_shape: tuple[int, int, int, int], method: str) -> int:
    """Number of elements of the largest tensor each method materialises for one call.

    ``direct`` builds the ``(C_out C_in, P, P)`` pair tensor (``P = (K_1 + 2)(K_2 + 2)``);
    ``separable`` only ``(C_out C_in, K_1 + 2, K_2 + 2)`` tensors.
    """
    check_choice("method", method, METHODS)
    out_channels, in_channels, rows, cols = weight_shape
    points = (rows + 2) * (cols + 2)
    filters = out_channels * in_channels
    return filters * points * points if method == "direct" else filters * points

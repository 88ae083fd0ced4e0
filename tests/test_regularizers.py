"""The filter-continuity regulariser J against its defining formula, and its gradients."""

import itertools
import math

import pytest
import torch

from latentdyn.cpae.regularizers import (
    filter_continuity_penalty,
    l2_weight_penalty,
    pairwise_elements,
)


def loop_reference(weight: torch.Tensor, kernel_scale: float = 10.0) -> float:
    """Eq. 6 with explicit loops over filters and ordered pairs of padded grid points."""
    out_channels, in_channels, rows, cols = weight.shape
    padded_rows, padded_cols = rows + 2, cols + 2
    points = [(i, j) for i in range(padded_rows) for j in range(padded_cols)]
    total = 0.0
    for o, c in itertools.product(range(out_channels), range(in_channels)):
        padded = torch.zeros(padded_rows, padded_cols, dtype=torch.float64)
        padded[1:-1, 1:-1] = weight[o, c]
        for (i, j), (k, m) in itertools.product(points, points):
            distance2 = (i / (padded_rows - 1) - k / (padded_rows - 1)) ** 2 + (
                j / (padded_cols - 1) - m / (padded_cols - 1)
            ) ** 2
            total += math.exp(-distance2 / kernel_scale) * float(padded[i, j] - padded[k, m]) ** 2
    return 2.0 * total / (out_channels * in_channels * len(points) ** 2)


@pytest.mark.parametrize("shape", [(2, 1, 3, 3), (1, 2, 4, 3)])
@pytest.mark.parametrize("method", ["direct", "separable"])
def test_matches_loop_reference(shape, method):
    weight = torch.randn(shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    value = float(filter_continuity_penalty(weight, method=method))
    assert value == pytest.approx(loop_reference(weight), rel=1e-12)


@pytest.mark.parametrize("shape", [(8, 3, 12, 12), (4, 1, 48, 48), (3, 2, 5, 9)])
@pytest.mark.parametrize("kernel_scale", [10.0, 0.05])
def test_separable_equals_direct(shape, kernel_scale):
    weight = torch.randn(shape, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    direct = filter_continuity_penalty(weight, method="direct", kernel_scale=kernel_scale)
    separable = filter_continuity_penalty(weight, method="separable", kernel_scale=kernel_scale)
    assert abs(float(separable - direct)) / float(direct) < 1e-6


def test_separable_accurate_in_float32_for_smooth_filters():
    """Mean-centring keeps the two large terms from cancelling for nearly constant filters."""
    weight = 5.0 + 1e-2 * torch.randn(4, 3, 12, 12, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    exact = float(filter_continuity_penalty(weight, method="direct"))
    single = float(filter_continuity_penalty(weight.float(), method="separable"))
    assert single == pytest.approx(exact, rel=1e-4)


def test_constant_filter_pays_only_for_its_border():
    """A constant filter is smooth inside; the zero padding makes its border jump count."""
    weight = torch.ones(1, 1, 6, 6, dtype=torch.float64)
    assert float(filter_continuity_penalty(weight)) > 0
    assert float(filter_continuity_penalty(torch.zeros_like(weight))) == 0.0


@pytest.mark.parametrize("method", ["direct", "separable"])
def test_gradcheck(method):
    weight = torch.randn(2, 2, 4, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda w: filter_continuity_penalty(w, method=method, kernel_scale=0.3), (weight,))


def test_gradients_of_both_forms_agree():
    weight = torch.randn(3, 2, 6, 6, dtype=torch.float64, requires_grad=True)
    grads = []
    for method in ("direct", "separable"):
        weight.grad = None
        filter_continuity_penalty(weight, method=method).backward()
        grads.append(weight.grad.clone())
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-9, atol=1e-12)


def test_smooth_filter_is_penalised_less_than_noise():
    grid = torch.linspace(0, 1, 12, dtype=torch.float64)
    smooth = (torch.sin(torch.pi * grid)[:, None] * torch.sin(torch.pi * grid)[None, :])[None, None]
    noise = torch.randn(1, 1, 12, 12, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    noise = noise / noise.norm() * smooth.norm()
    # With the authors' wide kernel (sigma = 10) the preference for smoothness is mild ...
    assert float(filter_continuity_penalty(smooth)) < 0.7 * float(filter_continuity_penalty(noise))
    # ... and a local kernel makes it strong.
    assert float(filter_continuity_penalty(smooth, kernel_scale=0.01)) < 0.1 * float(
        filter_continuity_penalty(noise, kernel_scale=0.01)
    )


def test_l2_penalty_is_mean_square():
    weight = torch.tensor([[[[1.0, -2.0], [3.0, 0.0]]]])
    assert float(l2_weight_penalty(weight)) == pytest.approx(14.0 / 4)


def test_pairwise_elements():
    assert pairwise_elements((64, 32, 12, 12), "direct") == 64 * 32 * 14**4
    assert pairwise_elements((64, 32, 12, 12), "separable") == 64 * 32 * 14**2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(weight=torch.zeros(3, 3)), "weight must have 4 dimensions"),
        (dict(weight=torch.zeros(1, 1, 3, 3, dtype=torch.int64)), "floating-point"),
        (dict(weight=torch.full((1, 1, 3, 3), float("nan"))), "NaN"),
        (dict(weight=torch.zeros(1, 1, 3, 3), method="fast"), "method must be one of"),
        (dict(weight=torch.zeros(1, 1, 3, 3), kernel_scale=-1.0), "kernel_scale must be positive"),
    ],
)
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        filter_continuity_penalty(**kwargs)

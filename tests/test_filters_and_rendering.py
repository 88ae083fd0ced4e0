"""Rendering, filters and the FFT correlation against direct formulas."""

import math
import warnings

import pytest
import torch

from latentdyn.cpae.data.rendering import disc_centres_on_line, pixel_centres, render_discs
from latentdyn.cpae.models.filters import (
    correlate_same,
    filter_size_in_pixels,
    grid_lipschitz_constant,
    smooth_filter,
    white_noise_filter,
)


@pytest.mark.parametrize("kernel_shape", [(3, 3), (4, 4), (5, 2), (16, 16), (1, 1)])
def test_correlate_same_equals_conv2d_same(kernel_shape):
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(3, 16, 13, generator=generator, dtype=torch.float64)
    kernel = torch.randn(*kernel_shape, generator=generator, dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch notes the padded copy for even sizes
        expected = torch.nn.functional.conv2d(images[:, None], kernel[None, None], padding="same")[:, 0]
    torch.testing.assert_close(correlate_same(images, kernel), expected, rtol=1e-10, atol=1e-10)


def test_disc_area_converges_to_pi_r_squared():
    centre = torch.tensor([[0.5, 0.5]], dtype=torch.float64)
    area = float(render_discs(centre, 512, 0.2).sum()) / 512**2
    assert area == pytest.approx(math.pi * 0.2**2, rel=2e-3)


def test_hard_disc_is_point_sampled():
    """A pixel is on exactly when its centre is within the radius."""
    image = render_discs(torch.tensor([[0.5, 0.5]], dtype=torch.float64), 8, 0.2)[0]
    axis = pixel_centres(8)
    inside = ((axis[None, :] - 0.5) ** 2 + (axis[:, None] - 0.5) ** 2) <= 0.04
    assert torch.equal(image.bool(), inside)


def test_image_axes_follow_convention():
    """x is the column (horizontal), y the row (vertical)."""
    image = render_discs(torch.tensor([[0.15, 0.85]], dtype=torch.float64), 10, 0.04)[0]
    assert image.sum() == 1
    row, col = divmod(int(image.argmax()), 10)
    assert (row, col) == (8, 1)


def test_sigmoid_disc_matches_formula():
    centre = torch.tensor([[0.3, 0.6]], dtype=torch.float64)
    image = render_discs(centre, 6, 0.1, edge="sigmoid", sharpness=500.0)[0]
    axis = pixel_centres(6)
    d2 = (axis[None, :] - 0.3) ** 2 + (axis[:, None] - 0.6) ** 2
    torch.testing.assert_close(image, torch.sigmoid(500.0 * (0.01 - d2)))


def test_straight_motion():
    times = torch.tensor([0.0, 0.5, 1.0], dtype=torch.float64)
    centres = disc_centres_on_line((0.1, 0.2), 90.0, 0.4, times)
    torch.testing.assert_close(centres, torch.tensor([[0.1, 0.2], [0.1, 0.4], [0.1, 0.6]], dtype=torch.float64))


def test_smooth_filter_is_one_function_at_every_size():
    """Lipschitz constant stays put as the sampling gets finer; white noise's grows like 1/delta."""
    smooth = [grid_lipschitz_constant(smooth_filter(n, seed=4), 1.0 / n) for n in (16, 64, 256)]
    assert max(smooth) / min(smooth) < 1.3
    noise = [
        grid_lipschitz_constant(white_noise_filter(n, torch.Generator().manual_seed(0)), 1.0 / n) for n in (16, 64, 256)
    ]
    assert noise[2] / noise[0] > 10


def test_smooth_filter_vanishes_on_border():
    values = smooth_filter(200, seed=1)
    assert values[0].abs().max() < 0.05 * values.abs().max()
    assert values[:, -1].abs().max() < 0.05 * values.abs().max()


def test_filter_size_in_pixels():
    assert filter_size_in_pixels(0.25, 64) == 16
    assert filter_size_in_pixels(0.001, 64) == 1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: render_discs(torch.zeros(3), 8, 0.1), "centres must have 2 dimensions"),
        (lambda: render_discs(torch.zeros(1, 2), 0, 0.1), "resolution must be a positive integer"),
        (lambda: render_discs(torch.zeros(1, 2), 8, -0.1), "radius must be positive"),
        (lambda: render_discs(torch.zeros(1, 2), 8, 0.1, edge="soft"), "edge must be one of"),
        (lambda: correlate_same(torch.zeros(4, 4), torch.zeros(2, 2)), "images must have 3"),
        (lambda: smooth_filter(2.5, seed=0), "size must be an integer"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()

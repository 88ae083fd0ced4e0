"""Convolution filters viewed as functions on physical space, and a fast 'same' correlation.

A filter of physical side ``extent`` sampled at pixel size ``delta`` has ``round(extent /
delta)`` pixels per side. CpAE's Theorem 3.1 asks that the filter, as a function of
position (zero outside its support), be Lipschitz with a constant that does not depend
on ``delta``. Two families make the contrast concrete:

- :func:`white_noise_filter`: independent N(0, 1) weights per pixel, like an untrained
  or unregularised filter. Neighbouring weights differ by O(1), so its Lipschitz
  constant grows like ``1 / delta``.
- :func:`smooth_filter`: a random smooth function (a few low-frequency Fourier modes)
  times a window that vanishes on the border, sampled at the pixel centres. Its Lipschitz
  constant is the same at every resolution.
"""

from __future__ import annotations

import math

import torch

from latentdyn.validation import check_positive_float, check_positive_int, check_tensor


def filter_size_in_pixels(extent: float, resolution: int) -> int:
    """Pixels per side of a filter of physical side ``extent`` on an image of ``resolution``."""
    extent = check_positive_float("extent", extent)
    resolution = check_positive_int("resolution", resolution)
    return max(1, round(extent * resolution))


def white_noise_filter(size: int, generator: torch.Generator, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """``(size, size)`` filter of independent standard normal weights."""
    size = check_positive_int("size", size)
    return torch.randn(size, size, generator=generator, dtype=dtype)


def smooth_filter(
    size: int, seed: int, *, num_modes: int = 6, max_frequency: float = 2.0, dtype: torch.dtype = torch.float64
) -> torch.Tensor:
    """``(size, size)`` samples of one fixed smooth random function on the unit square.

    The function is ``sin(pi u) sin(pi v) * sum_k a_k cos(2 pi (f_k . (u, v)) + phi_k)`` on
    local coordinates ``(u, v)`` in [0, 1]^2 of the filter's support, with ``num_modes``
    random amplitudes, frequencies up to ``max_frequency`` cycles per filter side and
    phases drawn from ``seed``. The same ``seed`` gives the same function at every
    ``size``, so filters at different resolutions are samples of one Lipschitz function
    that is zero on the border of its support.
    """
    size = check_positive_int("size", size)
    num_modes = check_positive_int("num_modes", num_modes)
    max_frequency = check_positive_float("max_frequency", max_frequency)
    generator = torch.Generator().manual_seed(seed)
    amplitudes = torch.randn(num_modes, generator=generator, dtype=dtype) / math.sqrt(num_modes)
    frequencies = (torch.rand(num_modes, 2, generator=generator, dtype=dtype) * 2 - 1) * max_frequency
    phases = torch.rand(num_modes, generator=generator, dtype=dtype) * 2 * math.pi
    local = (torch.arange(size, dtype=dtype) + 0.5) / size
    u, v = torch.meshgrid(local, local, indexing="ij")
    angle = 2 * math.pi * (frequencies[:, 0, None, None] * u + frequencies[:, 1, None, None] * v)
    modes = amplitudes[:, None, None] * torch.cos(angle + phases[:, None, None])
    return torch.sin(math.pi * u) * torch.sin(math.pi * v) * modes.sum(dim=0)


def grid_lipschitz_constant(filter_values: torch.Tensor, pixel_size: float) -> float:
    """Largest difference between 4-neighbour weights (zero outside) divided by ``pixel_size``.

    A discrete estimate of the filter's Lipschitz constant as a function of position.
    """
    check_tensor("filter_values", filter_values, ndim=2)
    pixel_size = check_positive_float("pixel_size", pixel_size)
    padded = torch.nn.functional.pad(filter_values, (1, 1, 1, 1))
    vertical = (padded[1:, :] - padded[:-1, :]).abs().max()
    horizontal = (padded[:, 1:] - padded[:, :-1]).abs().max()
    return float(torch.maximum(vertical, horizontal)) / pixel_size


def correlate_same(images: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Cross-correlate every image with ``kernel``, zero padding, output the size of the input.

    Exactly what ``torch.nn.functional.conv2d(x, w, padding="same")`` computes for one
    input and one output channel (the convention of convolution layers), done with FFTs
    so that a kernel as large as the image costs ``O(N^2 log N)`` instead of ``O(N^2 K^2)``.

    Args:
        images: ``(B, H, W)``.
        kernel: ``(K_1, K_2)``.

    Returns:
        ``(B, H, W)`` with the dtype of ``images``.
    """
    check_tensor("images", images, ndim=3)
    check_tensor("kernel", kernel, ndim=2)
    height, width = images.shape[-2:]
    rows, cols = kernel.shape
    full_shape = (height + rows - 1, width + cols - 1)
    flipped = torch.flip(kernel, dims=(0, 1)).to(images.dtype)
    spectrum = torch.fft.rfft2(images, s=full_shape) * torch.fft.rfft2(flipped, s=full_shape)
    full = torch.fft.irfft2(spectrum, s=full_shape)
    top = rows - 1 - (rows - 1) // 2
    left = cols - 1 - (cols - 1) // 2
    return full[..., top : top + height, left : left + width]

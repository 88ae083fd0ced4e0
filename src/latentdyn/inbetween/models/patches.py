"""Overlapping square patches: split an image, and recombine by weighted averaging.

Patches of side ``patch_size`` start every ``stride`` pixels along each axis; the last
patch of a row or column is moved back so that it ends at the image's edge, so every pixel
is covered and no patch leaves the image. Recombination is a weighted average over the
overlaps with a window that is largest in a patch's centre (so that a pixel is taken mostly
from the patches in which it is far from an edge) and positive everywhere (so that the
split/recombine round-trip is the identity).
"""

from __future__ import annotations

import torch

from latentdyn.validation import check_positive_int, check_tensor


def patch_starts(length: int, patch_size: int, stride: int) -> list[int]:
    """Start offsets along one axis of ``length`` pixels (the last one ends at the edge)."""
    length = check_positive_int("length", length)
    patch_size = check_positive_int("patch_size", patch_size)
    stride = check_positive_int("stride", stride)
    if patch_size > length:
        raise ValueError(f"patch_size ({patch_size}) must not exceed the image side ({length})")
    if stride > patch_size:
        raise ValueError(f"stride ({stride}) must not exceed patch_size ({patch_size}): gaps would be left")
    starts = list(range(0, length - patch_size + 1, stride))
    if starts[-1] != length - patch_size:
        starts.append(length - patch_size)
    return starts


def patch_positions(height: int, width: int, patch_size: int, stride: int) -> list[tuple[int, int]]:
    """Top-left corners ``(row, column)`` of all patches, row by row."""
    return [
        (row, col)
        for row in patch_starts(height, patch_size, stride)
        for col in patch_starts(width, patch_size, stride)
    ]


def extract_patches(images: torch.Tensor, patch_size: int, stride: int) -> torch.Tensor:
    """Split ``(C, H, W)`` into ``(N, C, patch_size, patch_size)`` patches (see :func:`patch_positions`)."""
    check_tensor("images", images, ndim=3, finite=False)
    positions = patch_positions(images.shape[1], images.shape[2], patch_size, stride)
    return torch.stack([images[:, r : r + patch_size, c : c + patch_size] for r, c in positions])


def patch_window(patch_size: int, *, floor: float = 0.05, dtype=torch.float32) -> torch.Tensor:
    """``(patch_size, patch_size)`` weights: a separable sine bump, at least ``floor``."""
    patch_size = check_positive_int("patch_size", patch_size)
    centres = (torch.arange(patch_size, dtype=torch.float64) + 0.5) / patch_size
    bump = torch.sin(torch.pi * centres).clamp(min=floor)
    return (bump[:, None] * bump[None, :]).to(dtype)


def recombine_patches(
    patches: torch.Tensor, height: int, width: int, stride: int, *, window: torch.Tensor | None = None
) -> torch.Tensor:
    """Weighted average of ``(N, C, P, P)`` patches back into ``(C, height, width)``.

    Args:
        patches: in the order of :func:`patch_positions` ``(height, width, P, stride)``.
        height, width: the image's size.
        stride: the stride used to split.
        window: ``(P, P)`` positive weights; default :func:`patch_window`.
    """
    check_tensor("patches", patches, ndim=4)
    patch_size = patches.shape[-1]
    positions = patch_positions(height, width, patch_size, stride)
    if len(positions) != patches.shape[0]:
        raise ValueError(
            f"patches: expected {len(positions)} patches for a {height}x{width} image, got {patches.shape[0]}"
        )
    if window is None:
        window = patch_window(patch_size, dtype=patches.dtype)
    window = window.to(patches)
    total = patches.new_zeros(patches.shape[1], height, width)
    weight = patches.new_zeros(1, height, width)
    for patch, (row, col) in zip(patches, positions):
        total[:, row : row + patch_size, col : col + patch_size] += patch * window
        weight[:, row : row + patch_size, col : col + patch_size] += window
    return total / weight

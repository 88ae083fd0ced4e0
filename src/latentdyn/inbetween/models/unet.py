"""A small U-Net (Ronneberger et al. 2015) used as encoder, decoder and field extractor."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from latentdyn.validation import check_positive_int, check_tensor


def _block(in_channels: int, out_channels: int, bias: bool = True) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, padding_mode="replicate", bias=bias),
        nn.GELU(),
        nn.Conv2d(out_channels, out_channels, 3, padding=1, padding_mode="replicate", bias=bias),
        nn.GELU(),
    )


class UNet(nn.Module):
    """U-Net mapping ``(B, in_channels, H, W)`` to ``(B, out_channels, H, W)``.

    ``depth`` down-sampling levels (2x2 average pooling), each doubling the channels
    from ``base_channels``; bilinear up-sampling and skip connections on the way up. ``H``
    and ``W`` must be divisible by ``2**depth``. With ``zero_output=True`` the last
    (1x1) convolution starts at zero, so the network starts as the zero map. With
    ``bias=False`` no layer has a bias: GELU(0) = 0 and the padding replicates, so the
    network maps zero to zero (a region that is exactly zero in every input channel stays
    exactly zero, a "bias-free" network).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        *,
        base_channels: int = 16,
        depth: int = 2,
        zero_output: bool = False,
        bias: bool = True,
    ) -> None:
        super().__init__()
        in_channels = check_positive_int("in_channels", in_channels)
        out_channels = check_positive_int("out_channels", out_channels)
        base_channels = check_positive_int("base_channels", base_channels)
        self.depth = check_positive_int("depth", depth, allow_zero=True)
        widths = [base_channels * 2**level for level in range(self.depth + 1)]
        self.down = nn.ModuleList()
        previous = in_channels
        for width in widths:
            self.down.append(_block(previous, width, bias))
            previous = width
        self.up = nn.ModuleList(
            _block(widths[level + 1] + widths[level], widths[level], bias) for level in reversed(range(self.depth))
        )
        self.output = nn.Conv2d(widths[0], out_channels, 1, bias=bias)
        if zero_output:
            nn.init.zeros_(self.output.weight)
            if bias:
                nn.init.zeros_(self.output.bias)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        check_tensor("inputs", inputs, ndim=4, finite=False)
        factor = 2**self.depth
        if inputs.shape[-1] % factor or inputs.shape[-2] % factor:
            raise ValueError(f"inputs: height and width must be divisible by {factor}, got {tuple(inputs.shape[-2:])}")
        skips = []
        features = inputs
        for level, block in enumerate(self.down):
            features = block(features)
            if level < self.depth:
                skips.append(features)
                features = F.avg_pool2d(features, 2)
        for block, skip in zip(self.up, reversed(skips)):
            features = F.interpolate(features, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            features = block(torch.cat((features, skip), dim=1))
        return self.output(features)

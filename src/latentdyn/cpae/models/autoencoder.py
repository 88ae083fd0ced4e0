"""One convolutional autoencoder description for every CpAE experiment; variants are arguments.

- ``regularizer="continuity"`` with large filters is the CpAE (filter-continuity penalty J
  on the large filters, :func:`latentdyn.cpae.regularizers.filter_continuity_penalty`).
- ``regularizer="none"`` with small filters is the standard AE of the paper.
- ``regularizer="l2"`` is the "AE + L2" baseline: ``mean(W**2)`` on the same filters.

Two layouts, following the authors' code:

- ``architecture="deep"`` (pendulums, swing stick): ``num_large_stacks`` stacks of
  ``Conv(filter_size, stride 2)-BN-ReLU`` + ``Conv(3)-BN-ReLU``, then stacks of
  ``Conv(4, stride 2)-BN-ReLU`` + ``Conv(3)-BN-ReLU`` until the height is ``bottleneck_height``,
  then a linear map to the latent state (halving stops early at an odd height: a 48-pixel
  image ends at 3 x 6). The decoder mirrors it with transposed convolutions
  and ends in a sigmoid. The penalty acts on the ``num_large_stacks`` stride-2 filters.
- ``architecture="single"`` (circular motion): one convolution whose kernel covers the whole
  image (a ``(channels[0], C, H, W)`` filter bank), a sigmoid and a linear map; the decoder
  mirrors it. The penalty acts on that one filter bank.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from latentdyn.cpae.regularizers import filter_continuity_penalty
from latentdyn.validation import check_choice, check_positive_float, check_positive_int, check_tensor

ARCHITECTURES = ("deep", "single")
REGULARIZERS = ("none", "l2", "continuity")


def _conv_block(in_channels: int, out_channels: int, kernel: int, stride: int) -> nn.Sequential:
    """Conv-BN-ReLU; padding ``(kernel - 1) // 2`` keeps the size (stride 1, odd kernel) or halves
    it exactly (stride 2, any kernel, even input size)."""
    padding = (kernel - 1) // 2
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel, stride=stride, padding=padding),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )


def _up_block(in_channels: int, out_channels: int, batch_norm: bool, refine: bool) -> nn.Sequential:
    """ConvTranspose(4, stride 2)-[BN]-ReLU [+ Conv(3)-[BN]-ReLU]: doubles the height and width."""

    def norm() -> nn.Module:
        return nn.BatchNorm2d(out_channels) if batch_norm else nn.Identity()

    layers = [nn.ConvTranspose2d(in_channels, out_channels, 4, stride=2, padding=1), norm(), nn.ReLU()]
    if refine:
        layers += [nn.Conv2d(out_channels, out_channels, 3, padding=1), norm(), nn.ReLU()]
    return nn.Sequential(*layers)


class SideBranchDecoder(nn.Module):
    """The authors' decoder: at every scale a transposed convolution (4, stride 2)-[BN]-ReLU, and a
    side branch that predicts a ``C``-channel image from the same features (Conv 3x3), upsamples
    it (ConvTranspose 4, stride 2, no bias) through a sigmoid and feeds it, concatenated, to the
    next scale; the last transposed convolution gives the image through a sigmoid.

    Args:
        latent_dim: size of the latent state.
        bottleneck_shape: ``(channels, h, w)`` the linear map reshapes the latent state to.
        widths: output channels of the transposed convolutions, coarse to fine, the last one
            excluded (it gives ``image_channels``); ``len(widths) + 1`` doublings in all.
        image_channels: ``C`` of the output image.
        batch_norm: batch normalisation after each transposed convolution (the authors' choice).

    Shapes: ``(B, latent_dim)`` -> ``(B, C, h * 2**L, w * 2**L)`` with ``L = len(widths) + 1``.
    """

    def __init__(
        self,
        latent_dim: int,
        bottleneck_shape: tuple[int, int, int],
        widths: Sequence[int],
        image_channels: int,
        batch_norm: bool = True,
    ) -> None:
        super().__init__()
        self.bottleneck_shape = tuple(bottleneck_shape)
        flat = bottleneck_shape[0] * bottleneck_shape[1] * bottleneck_shape[2]
        self.linear = nn.Sequential(nn.Linear(latent_dim, flat), nn.ReLU(), nn.Unflatten(1, self.bottleneck_shape))
        self.ups, self.predicts, self.side_ups = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        current = bottleneck_shape[0]
        for width in widths:
            self.ups.append(
                nn.Sequential(
                    nn.ConvTranspose2d(current, width, 4, stride=2, padding=1),
                    nn.BatchNorm2d(width) if batch_norm else nn.Identity(),
                    nn.ReLU(),
                )
            )
            self.predicts.append(nn.Conv2d(current, image_channels, 3, padding=1))
            self.side_ups.append(
                nn.Sequential(
                    nn.ConvTranspose2d(image_channels, image_channels, 4, stride=2, padding=1, bias=False), nn.Sigmoid()
                )
            )
            current = width + image_channels
        self.last = nn.Sequential(nn.ConvTranspose2d(current, image_channels, 4, stride=2, padding=1), nn.Sigmoid())

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        features = self.linear(latents)
        for up, predict, side_up in zip(self.ups, self.predicts, self.side_ups):
            features = torch.cat([up(features), side_up(predict(features))], dim=1)
        return self.last(features)


class ConvAutoencoder(nn.Module):
    """Convolutional autoencoder ``x -> z -> x_hat`` with an optional filter penalty.

    Args:
        image_shape: ``(C, H, W)`` of one input, pixel values in [0, 1]; for ``"deep"``, ``H``
            and ``W`` must stay even through the ``num_large_stacks`` stride-2 stacks (e.g. 32,
            48, 64, 128); the remaining stacks halve while the height is even and above
            ``bottleneck_height``.
        latent_dim: size of the latent state ``z``.
        architecture: ``"deep"`` or ``"single"`` (see the module docstring).
        filter_size: side of the regularized filters (``"deep"``: the first ``num_large_stacks``
            stride-2 convolutions; ``"single"``: ignored, the kernel is the whole image).
        channels: output channels of the regularized stacks (``"single"``: one entry).
        bottleneck_height: height of the last feature map before the linear map (``"deep"``).
        regularizer: ``"none"``, ``"l2"`` or ``"continuity"``.
        regularizer_weight: factor of the penalty in :meth:`weight_penalty`.
        kernel_scale: ``sigma`` of J's Gaussian (units of the filter side).
        decoder_batch_norm: batch normalisation in the decoder's blocks (``"deep"``). Off by
            default: it makes the decoder blind to the scale of the latent states, so a
            latent-prediction term can shrink them at no cost to the reconstruction (a collapse),
            and its running statistics then lag the drifting scale (eval-mode reconstructions
            worse than train-mode ones). The encoder always has it (the authors' Conv-BN-ReLU).
        decoder_min_channels: fewest channels of a decoder block (``"deep"``); the decoder
            otherwise mirrors the encoder's widths, which leaves the high-resolution blocks thin.
        decoder_refine: a 3x3 convolution after every transposed convolution of the decoder
            (``"deep"``), mirroring the encoder; ``False`` halves the decoder's cost, and the
            last transposed convolution then gives the image directly.
        decoder_side_branches: the authors' decoder (:class:`SideBranchDecoder`: per-scale side
            branches that predict the image and feed it to the next scale, no refining
            convolutions; ``decoder_batch_norm`` as given) instead of the plain mirror.
    """

    def __init__(
        self,
        image_shape: Sequence[int],
        latent_dim: int,
        *,
        architecture: str = "deep",
        filter_size: int = 12,
        channels: Sequence[int] = (16, 32, 64),
        bottleneck_height: int = 2,
        regularizer: str = "continuity",
        regularizer_weight: float = 1.0,
        kernel_scale: float = 10.0,
        decoder_batch_norm: bool = False,
        decoder_min_channels: int = 8,
        decoder_refine: bool = True,
        decoder_side_branches: bool = False,
    ) -> None:
        super().__init__()
        if len(image_shape) != 3:
            raise ValueError(f"image_shape must be (C, H, W), got {tuple(image_shape)}")
        self.image_shape = tuple(check_positive_int("image_shape", s) for s in image_shape)
        self.latent_dim = check_positive_int("latent_dim", latent_dim)
        self.architecture = check_choice("architecture", architecture, ARCHITECTURES)
        self.regularizer = check_choice("regularizer", regularizer, REGULARIZERS)
        self.regularizer_weight = check_positive_float("regularizer_weight", regularizer_weight, allow_zero=True)
        self.kernel_scale = check_positive_float("kernel_scale", kernel_scale)
        self.decoder_batch_norm = bool(decoder_batch_norm)
        self.decoder_min_channels = check_positive_int("decoder_min_channels", decoder_min_channels)
        self.decoder_refine = bool(decoder_refine)
        self.decoder_side_branches = bool(decoder_side_branches)
        channels = tuple(check_positive_int("channels", c) for c in channels)
        if not channels:
            raise ValueError("channels must name at least one stack")
        if self.architecture == "single":
            self._build_single(channels[0])
        else:
            self._build_deep(
                check_positive_int("filter_size", filter_size),
                channels,
                check_positive_int("bottleneck_height", bottleneck_height),
            )

    def _build_single(self, width: int) -> None:
        in_channels, height, width_px = self.image_shape
        conv = nn.Conv2d(in_channels, width, (height, width_px))
        self.encoder = nn.Sequential(conv, nn.Sigmoid(), nn.Flatten(), nn.Linear(width, self.latent_dim))
        self.decoder = nn.Sequential(
            nn.Linear(self.latent_dim, width),
            nn.Sigmoid(),
            nn.Unflatten(1, (width, 1, 1)),
            nn.ConvTranspose2d(width, in_channels, (height, width_px)),
            nn.Sigmoid(),
        )
        self.regularized_convs = [conv]

    def _build_deep(self, filter_size: int, channels: tuple[int, ...], bottleneck_height: int) -> None:
        in_channels, height, width = self.image_shape
        blocks, self.regularized_convs, widths = [], [], [in_channels]
        current = in_channels
        for out in channels:
            stride_block = _conv_block(current, out, filter_size, 2)
            blocks += [stride_block, _conv_block(out, out, 3, 1)]
            self.regularized_convs.append(stride_block[0])
            current, height, width = out, height // 2, width // 2
            widths.append(out)
        while height > bottleneck_height and height % 2 == 0 and width % 2 == 0:
            blocks += [_conv_block(current, current, 4, 2), _conv_block(current, current, 3, 1)]
            height, width = height // 2, width // 2
            widths.append(current)
        levels = len(widths) - 1
        if self.image_shape[1] != height * 2**levels or self.image_shape[2] != width * 2**levels:
            raise ValueError(
                f"image_shape {self.image_shape} must have H and W divisible by 2**{levels} "
                f"(bottleneck_height={bottleneck_height})"
            )
        self.bottleneck_shape = (current, height, width)
        flat = current * height * width
        self.encoder = nn.Sequential(*blocks, nn.Flatten(), nn.Linear(flat, self.latent_dim))
        narrowest = self.decoder_min_channels
        if self.decoder_side_branches:
            # coarse to fine: the encoder's widths mirrored (at least decoder_min_channels)
            widths_down = [max(widths[i], narrowest) for i in reversed(range(1, levels))]
            self.decoder = SideBranchDecoder(
                self.latent_dim, self.bottleneck_shape, widths_down, in_channels, batch_norm=self.decoder_batch_norm
            )
            return
        ups = [
            _up_block(
                max(widths[i + 1], narrowest) if i + 1 < levels else widths[i + 1],
                max(widths[i], narrowest),
                self.decoder_batch_norm,
                self.decoder_refine,
            )
            for i in reversed(range(1, levels))
        ]
        last, full = max(widths[1], narrowest), widths[1]  # full resolution: the encoder's first width
        if self.decoder_refine:
            top = [
                nn.ConvTranspose2d(last, full, 4, stride=2, padding=1),
                nn.ReLU(),
                nn.Conv2d(full, in_channels, 3, padding=1),
            ]
        else:
            top = [nn.ConvTranspose2d(last, in_channels, 4, stride=2, padding=1)]
        self.decoder = nn.Sequential(
            nn.Linear(self.latent_dim, flat),
            nn.ReLU(),
            nn.Unflatten(1, self.bottleneck_shape),
            *ups,
            *top,
            nn.Sigmoid(),
        )

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W)`` images in [0, 1] -> ``(B, latent_dim)`` latent states."""
        check_tensor("images", images, shape=(None, *self.image_shape), finite=False)
        return self.encoder(images)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        """``(B, latent_dim)`` latent states -> ``(B, C, H, W)`` images in [0, 1]."""
        check_tensor("latents", latents, shape=(None, self.latent_dim), finite=False)
        return self.decoder(latents)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(images))

    def weight_penalty(self) -> torch.Tensor:
        """``regularizer_weight`` times the sum over the regularized filter banks of J or L2."""
        reference = self.regularized_convs[0].weight
        if self.regularizer == "none" or self.regularizer_weight == 0.0:
            return reference.new_zeros(())
        if self.regularizer == "l2":
            total = sum(conv.weight.pow(2).mean() for conv in self.regularized_convs)
        else:
            total = sum(
                filter_continuity_penalty(conv.weight, kernel_scale=self.kernel_scale)
                for conv in self.regularized_convs
            )
        return self.regularizer_weight * total

    def regularized_filters(self) -> list[torch.Tensor]:
        """The regularized filter banks, ``(C_out, C_in, K, K)`` each, detached."""
        return [conv.weight.detach() for conv in self.regularized_convs]

"""The authors' CpAE networks, layer for layer (their classes ``EncoderDecoder_largekernal``,
``EncoderDecoder64x1x1``, ``CAE_hyp`` and ``LAVPNet``), with their objective.

Encoder (input: two frames side by side, ``(B, 3, H, 2H)`` in [0, 1], ``H`` a power of two >= 16):

- three *large stacks*: ``Conv(k, stride 2, padding (k - 2) / 2)-BN-ReLU`` then
  ``Conv(3, padding 1)-BN-ReLU``; the CpAE uses ``k = 12`` and widths 16, 32, 64, the standard AE
  ``k = 4`` and widths 32, 32, 64;
- ``log2(H) - 3`` stacks ``Conv(4, stride 2, padding 1)-BN-ReLU`` + ``Conv(3)-BN-ReLU`` at 64
  channels (4 at 128 px, 3 at 64 px: "one stride-2 stage fewer") down to ``64 x 1 x 2``;
- one stack ``Conv((3, 4), stride (1, 2), padding 1)-BN-ReLU`` + ``Conv(3)-BN-ReLU`` to
  ``64 x 1 x 1``; then ``Linear(64 -> d)``.

Decoder (the same for both autoencoders): ``Linear(d -> 64)`` with no activation, reshaped to
``64 x 1 x 1``; transposed convolutions ``(3, 4) / stride (1, 2)`` 64 -> 64, then
``4 / stride 2``: 67 -> 64 (one per 64-channel encoder stack), 67 -> 32, 35 -> 16, each followed by
BN + ReLU, and 19 -> 3 followed by a sigmoid. At every scale but the last a *side branch*
predicts a 3-channel image from the scale's input (``Conv(3, padding 1)``), upsamples it
(a bias-free transposed convolution of the same kernel and stride, then a sigmoid) and
concatenates it to the next scale's input (hence 67 = 64 + 3).

Parameter counts at 128 px with ``d = 2`` (pinned by a unit test): CpAE 1,304,044, standard AE
986,188 (the decoder's convolutions 381,578); the step map :class:`AuthorsStepMap` adds 14.

The objective (:func:`authors_objective`, their ``CAE_hyp.criterion``):
``|D(E(X)) - X|^2 + lam * (2 |g(E(X)) - E(Y)|^2 + |D(g(E(X))) - Y|^2)``, every term a mean of
squares, ``X`` and ``Y`` encoded (and the two latent batches decoded) in separate calls as in their
code, so batch normalisation sees each batch on its own; the trainer adds the filter penalty
(J on the three large filters, weight 1; see :meth:`AuthorsAutoencoder.weight_penalty`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from latentdyn.cpae.regularizers import filter_continuity_penalty, l2_weight_penalty
from latentdyn.validation import check_choice, check_positive_float, check_positive_int, check_tensor

ENCODERS = {"cpae": (12, (16, 32, 64)), "standard": (4, (32, 32, 64))}  # filter side, widths
PENALTIES = ("continuity", "l2", "none")
BOTTLENECK = 64

# variant -> the network's arguments: the authors' two autoencoders, then the ablations of what
# carries the CpAE's gain (J replaced by L2, no penalty, the CpAE's widths with 4 x 4 filters)
VARIANTS: dict[str, dict[str, object]] = {
    "cpae": {"encoder": "cpae"},
    "standard": {"encoder": "standard"},
    "cpae_l2": {"encoder": "cpae", "penalty": "l2"},
    "cpae_no_penalty": {"encoder": "cpae", "penalty": "none"},
    "cpae_small_filters": {"encoder": "cpae", "filter_size": 4, "penalty": "none"},
}


def _conv_bn_relu(in_channels: int, out_channels: int, kernel, stride=1, padding=1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel, stride=stride, padding=padding),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )


def _stack(in_channels: int, out_channels: int, kernel, stride, padding) -> nn.Sequential:
    """One encoder stack: the strided convolution, then a 3 x 3 one (each Conv-BN-ReLU)."""
    return nn.Sequential(
        _conv_bn_relu(in_channels, out_channels, kernel, stride, padding), _conv_bn_relu(out_channels, out_channels, 3)
    )


def middle_stacks(height: int) -> int:
    """Number of 64-channel ``Conv(4, stride 2)`` stacks for input height ``height``:
    ``log2(height) - 3`` (4 at 128 px, 3 at 64 px)."""
    height = check_positive_int("height", height)
    levels = math.log2(height)
    if height < 16 or levels != int(levels):
        raise ValueError(f"the authors' networks take a power-of-two height >= 16, got {height}")
    return int(levels) - 3


class AuthorsAutoencoder(nn.Module):
    """The authors' pendulum autoencoder (see the module docstring), ``(B, 3, H, 2H) -> (B, d)``.

    Args:
        image_shape: ``(C, H, 2H)`` of one input (two frames side by side); ``H`` a power of two >= 16.
        latent_dim: ``d``.
        encoder: ``"cpae"`` (12 x 12 filters, widths 16-32-64) or ``"standard"`` (4 x 4, 32-32-64).
        filter_size: side of the three large stacks' filters, overriding the encoder's own (an even
            number; e.g. 4 with ``encoder="cpae"``: the CpAE's widths with small filters).
        penalty: ``"continuity"`` (J), ``"l2"`` (``mean(W^2)``) or ``"none"``, on the three large
            stacks' strided filters; default: J for the CpAE, none for the standard AE (the authors').
        penalty_weight: factor of the penalty (the authors: 1).
        kernel_scale: ``sigma`` of J's Gaussian (the authors: 10).
    """

    def __init__(
        self,
        image_shape: Sequence[int],
        latent_dim: int,
        *,
        encoder: str = "cpae",
        filter_size: int | None = None,
        penalty: str | None = None,
        penalty_weight: float = 1.0,
        kernel_scale: float = 10.0,
    ) -> None:
        super().__init__()
        if len(image_shape) != 3:
            raise ValueError(f"image_shape must be (C, H, 2H), got {tuple(image_shape)}")
        channels, height, width = (check_positive_int("image_shape", side) for side in image_shape)
        if width != 2 * height:
            raise ValueError(f"image_shape must be (C, H, 2H) (two frames side by side), got {tuple(image_shape)}")
        self.image_shape = (channels, height, width)
        self.latent_dim = check_positive_int("latent_dim", latent_dim)
        self.encoder_kind = check_choice("encoder", encoder, tuple(ENCODERS))
        own_size, widths = ENCODERS[self.encoder_kind]
        size = own_size if filter_size is None else check_positive_int("filter_size", filter_size)
        if size % 2:
            raise ValueError(
                f"filter_size must be even (stride 2 with padding (k - 2) / 2 halves the side), got {size}"
            )
        self.filter_size = size
        if penalty is None:
            penalty = "continuity" if self.encoder_kind == "cpae" else "none"
        self.penalty = check_choice("penalty", penalty, PENALTIES)
        self.penalty_weight = check_positive_float("penalty_weight", penalty_weight, allow_zero=True)
        self.kernel_scale = check_positive_float("kernel_scale", kernel_scale)
        middle = middle_stacks(height)

        stacks, current = [], channels
        for out in widths:
            stacks.append(_stack(current, out, size, 2, (size - 2) // 2))
            current = out
        stacks += [_stack(BOTTLENECK, BOTTLENECK, 4, 2, 1) for _ in range(middle)]
        stacks.append(_stack(BOTTLENECK, BOTTLENECK, (3, 4), (1, 2), 1))
        self.stacks = nn.Sequential(*stacks)
        self.encoder_output = nn.Linear(BOTTLENECK, self.latent_dim)
        self.large_filters = [stacks[index][0][0] for index in range(len(widths))]

        self.decoder_input = nn.Linear(self.latent_dim, BOTTLENECK)
        # (input channels, output channels, kernel, stride) of the transposed convolutions, coarse to fine
        plan = [(BOTTLENECK, BOTTLENECK, (3, 4), (1, 2))]
        plan += [(BOTTLENECK + channels, BOTTLENECK, 4, 2) for _ in range(middle)]
        plan += [(BOTTLENECK + channels, 32, 4, 2), (32 + channels, 16, 4, 2)]
        self.deconvs, self.predicts, self.side_ups = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        for in_ch, out_ch, kernel, stride in plan:
            self.deconvs.append(
                nn.Sequential(
                    nn.ConvTranspose2d(in_ch, out_ch, kernel, stride=stride, padding=1),
                    nn.BatchNorm2d(out_ch),
                    nn.ReLU(),
                )
            )
            self.predicts.append(nn.Conv2d(in_ch, channels, 3, padding=1))
            self.side_ups.append(
                nn.Sequential(
                    nn.ConvTranspose2d(channels, channels, kernel, stride=stride, padding=1, bias=False), nn.Sigmoid()
                )
            )
        self.last = nn.Sequential(nn.ConvTranspose2d(16 + channels, channels, 4, stride=2, padding=1), nn.Sigmoid())

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, 2H)`` in [0, 1] -> ``(B, d)``."""
        check_tensor("images", images, shape=(None, *self.image_shape), finite=False)
        return self.encoder_output(self.stacks(images).flatten(start_dim=1))

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        """``(B, d)`` -> ``(B, C, H, 2H)`` in [0, 1]."""
        check_tensor("latents", latents, shape=(None, self.latent_dim), finite=False)
        features = self.decoder_input(latents)[:, :, None, None]
        for deconv, predict, side_up in zip(self.deconvs, self.predicts, self.side_ups):
            features = torch.cat([deconv(features), side_up(predict(features))], dim=1)
        return self.last(features)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(images))

    def weight_penalty(self) -> torch.Tensor:
        """``penalty_weight`` times the sum over the three large filter banks of J or ``mean(W^2)``."""
        reference = self.large_filters[0].weight
        if self.penalty == "none" or self.penalty_weight == 0.0:
            return reference.new_zeros(())
        if self.penalty == "l2":
            total = sum(l2_weight_penalty(conv.weight) for conv in self.large_filters)
        else:
            total = sum(
                filter_continuity_penalty(conv.weight, kernel_scale=self.kernel_scale) for conv in self.large_filters
            )
        return self.penalty_weight * total

    def regularized_filters(self) -> list[torch.Tensor]:
        """The three large filter banks, ``(C_out, C_in, K, K)`` each, detached."""
        return [conv.weight.detach() for conv in self.large_filters]


class _LinearModule(nn.Module):
    """``sublayers`` linear shears ``p <- p + q S`` / ``q <- q + p S`` (alternating), then ``+ (b_p, b_q)``."""

    def __init__(self, half: int, sublayers: int) -> None:
        super().__init__()
        self.shears = nn.ParameterList([nn.Parameter(0.01 * torch.randn(half, half)) for _ in range(sublayers)])
        self.bias_p = nn.Parameter(torch.zeros(half))
        self.bias_q = nn.Parameter(torch.zeros(half))

    def forward(self, p: torch.Tensor, q: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        for index, shear in enumerate(self.shears):
            if index % 2 == 0:
                p = p + q @ shear
            else:
                q = p @ shear + q
        return p + self.bias_p, q + self.bias_q


class _ActivationModule(nn.Module):
    """``p <- p + sigmoid(q) * a`` (``up``) or ``q <- q + sigmoid(p) * a`` (``low``)."""

    def __init__(self, half: int, up: bool) -> None:
        super().__init__()
        self.up = up
        self.scale = nn.Parameter(0.01 * torch.randn(half))

    def forward(self, p: torch.Tensor, q: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.up:
            return p + torch.sigmoid(q) * self.scale, q
        return p, q + torch.sigmoid(p) * self.scale


class AuthorsStepMap(nn.Module):
    """The authors' step map ``g`` (an LA-VPNet with step ``h = 1``): ``layers - 1`` pairs of a linear
    module and an activation module (``up``, ``low``, ... in turn), then a linear module;
    volume preserving. ``(B, d) -> (B, d)`` with ``d`` even; 14 parameters for ``d = 2``.
    """

    def __init__(self, dim: int, layers: int = 3, sublayers: int = 2) -> None:
        super().__init__()
        self.dim = check_positive_int("dim", dim)
        if dim % 2:
            raise ValueError(f"the authors' step map splits the latent state in halves: dim must be even, got {dim}")
        half = dim // 2
        layers = check_positive_int("layers", layers)
        sublayers = check_positive_int("sublayers", sublayers)
        self.linears = nn.ModuleList([_LinearModule(half, sublayers) for _ in range(layers - 1)])
        self.activations = nn.ModuleList([_ActivationModule(half, index % 2 == 0) for index in range(layers - 1)])
        self.output = _LinearModule(half, sublayers)

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        check_tensor("latents", latents, shape=(None, self.dim), finite=False)
        half = self.dim // 2
        p, q = latents[:, :half], latents[:, half:]
        for linear, activation in zip(self.linears, self.activations):
            p, q = activation(*linear(p, q))
        return torch.cat(self.output(p, q), dim=1)


def authors_objective(
    model: AuthorsAutoencoder,
    step_map: nn.Module | None,
    inputs: torch.Tensor,
    targets: torch.Tensor | None,
    prediction_weight: float = 1.0,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The authors' autoencoder loss on one batch, without the filter penalty.

    Args:
        inputs: ``X``, ``(B, C, H, 2H)`` in [0, 1]; targets: ``Y`` (two frames later), the same
            shape, or ``None`` with ``prediction_weight = 0`` (reconstruction alone).
        prediction_weight: ``lam`` (the authors: 1; 0 leaves the reconstruction alone).

    Returns:
        The loss and its terms ``reconstruction``, ``latent_prediction``, ``image_prediction``.
    """
    latents = model.encode(inputs)
    reconstruction = torch.nn.functional.mse_loss(model.decode(latents), inputs)
    if prediction_weight == 0.0 or step_map is None:
        return reconstruction, {"reconstruction": reconstruction}
    if targets is None:
        raise ValueError("the latent-prediction terms need targets (the inputs two frames later)")
    later = model.encode(targets)
    predicted = step_map(latents)
    terms = {
        "reconstruction": reconstruction,
        "latent_prediction": torch.nn.functional.mse_loss(predicted, later),
        "image_prediction": torch.nn.functional.mse_loss(model.decode(predicted), targets),
    }
    loss = reconstruction + prediction_weight * (2 * terms["latent_prediction"] + terms["image_prediction"])
    return loss, terms


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)

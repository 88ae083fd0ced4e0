"""Latent step maps ``g: z_t -> z_{t+2}`` that shape the latent space during autoencoder training.

In the authors' autoencoder stage (see :func:`latentdyn.cpae.models.training.train_autoencoder`) a
small map ``g`` predicts the latent state of the input two frames later, ``g(E(X)) ~ E(Y)``;
it is trained together with the autoencoder and discarded afterwards (the Neural ODE is
fitted to the encoded trajectories later, the "decoupled" scheme). Two kinds:

- :class:`VolumePreservingMap` (``"volume_preserving"``): an LA-VPNet (Zhu et al. 2022), a
  composition of *shears*. The coordinates are split into two groups ``a`` and ``b``; a shear
  changes one group by a function of the other only, ``a <- a + f(b)``, so its Jacobian is
  block-triangular with identity blocks on the diagonal and its determinant is exactly 1. The
  composition is volume preserving and invertible in closed form (undo the shears in reverse
  order). Each layer is ``sublayers`` linear shears (alternating groups, with a bias) followed by
  one nonlinear shear ``a <- a + s * sigmoid(b W + c)``.
- :class:`ResidualMLPMap` (``"mlp"``): ``z + MLP(z)``, unconstrained.

Both start close to the identity map (small initial weights).
"""

from __future__ import annotations

import torch
from torch import nn

from latentdyn.validation import check_choice, check_positive_int, check_tensor

LATENT_MAPS = ("none", "volume_preserving", "mlp")


class _LinearShear(nn.Module):
    """``a <- a + b M + bias`` where ``(a, b)`` are the two coordinate groups (``M``: ``|b| x |a|``)."""

    def __init__(self, size_a: int, size_b: int) -> None:
        super().__init__()
        self.matrix = nn.Parameter(0.01 * torch.randn(size_b, size_a))
        self.bias = nn.Parameter(torch.zeros(size_a))

    def increment(self, b: torch.Tensor) -> torch.Tensor:
        return b @ self.matrix + self.bias


class _SigmoidShear(nn.Module):
    """``a <- a + scale * sigmoid(b W + c)``: a nonlinear shear (``W``: ``|b| x |a|``)."""

    def __init__(self, size_a: int, size_b: int) -> None:
        super().__init__()
        self.matrix = nn.Parameter(0.5 * torch.randn(size_b, size_a))
        self.offset = nn.Parameter(torch.zeros(size_a))
        self.scale = nn.Parameter(0.01 * torch.randn(size_a))

    def increment(self, b: torch.Tensor) -> torch.Tensor:
        return self.scale * torch.sigmoid(b @ self.matrix + self.offset)


class VolumePreservingMap(nn.Module):
    """LA-VPNet ``g: (B, d) -> (B, d)`` with Jacobian determinant 1 everywhere.

    Args:
        dim: latent dimension ``d >= 2``; the groups are the first ``ceil(d / 2)`` coordinates
            and the rest.
        layers: number of (linear shears + nonlinear shear) layers (3 in the authors' code).
        sublayers: linear shears per layer, alternating the group they change (2 in the authors' code).
    """

    def __init__(self, dim: int, layers: int = 3, sublayers: int = 2) -> None:
        super().__init__()
        self.dim = check_positive_int("dim", dim)
        if dim < 2:
            raise ValueError(f"a volume-preserving map needs dim >= 2 (two coordinate groups), got {dim}")
        self.split = (dim + 1) // 2
        sizes = (self.split, dim - self.split)
        shears: list[nn.Module] = []
        self.changes_first: list[bool] = []  # True: the shear changes group a (first coordinates)
        for _ in range(check_positive_int("layers", layers)):
            for index in range(check_positive_int("sublayers", sublayers)):
                first = index % 2 == 0
                shears.append(_LinearShear(*(sizes if first else sizes[::-1])))
                self.changes_first.append(first)
            first = len(self.changes_first) % 2 == 0
            shears.append(_SigmoidShear(*(sizes if first else sizes[::-1])))
            self.changes_first.append(first)
        self.shears = nn.ModuleList(shears)

    def _shear_all(self, latents: torch.Tensor, inverse: bool) -> torch.Tensor:
        check_tensor("latents", latents, shape=(None, self.dim), finite=False)
        a, b = latents[:, : self.split], latents[:, self.split :]
        sign = -1.0 if inverse else 1.0
        order = list(zip(self.shears, self.changes_first))
        for shear, first in reversed(order) if inverse else order:
            if first:
                a = a + sign * shear.increment(b)
            else:
                b = b + sign * shear.increment(a)
        return torch.cat([a, b], dim=1)

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        """``(B, d)`` -> ``(B, d)``."""
        return self._shear_all(latents, inverse=False)

    def inverse(self, latents: torch.Tensor) -> torch.Tensor:
        """The exact inverse map, ``(B, d)`` -> ``(B, d)``."""
        return self._shear_all(latents, inverse=True)


class ResidualMLPMap(nn.Module):
    """``g(z) = z + MLP(z)``, ``(B, d) -> (B, d)``; ``depth`` tanh hidden layers of ``hidden`` units."""

    def __init__(self, dim: int, hidden: int = 64, depth: int = 2) -> None:
        super().__init__()
        self.dim = check_positive_int("dim", dim)
        layers, width = [], dim
        for _ in range(check_positive_int("depth", depth)):
            layers += [nn.Linear(width, check_positive_int("hidden", hidden)), nn.Tanh()]
            width = hidden
        last = nn.Linear(width, dim)
        nn.init.normal_(last.weight, std=1e-3)
        nn.init.zeros_(last.bias)
        self.net = nn.Sequential(*layers, last)

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        check_tensor("latents", latents, shape=(None, self.dim), finite=False)
        return latents + self.net(latents)


def build_latent_map(kind: str, dim: int) -> nn.Module | None:
    """``"volume_preserving"`` (LA-VPNet), ``"mlp"`` (residual MLP) or ``"none"`` (no map: ``None``)."""
    check_choice("latent_map", kind, LATENT_MAPS)
    if kind == "none":
        return None
    if kind == "volume_preserving":
        return VolumePreservingMap(dim)
    return ResidualMLPMap(dim)

"""Models of the dynamics of latent states ``z (B, d)``, fitted after the autoencoder.

- :class:`LatentODE` with an :class:`MLPVectorField`: the paper's Neural ODE ``dz/dt = f(z)``
  (an MLP with two hidden layers of 256 tanh units in the authors' code), integrated with the
  explicit midpoint rule, ``substeps`` steps per frame (2 in the authors' code): inline
  (:func:`midpoint_rollout`, equal to torchdiffeq's ``midpoint`` and faster for small
  models) or any other fixed-step torchdiffeq method.
- :class:`LatentODE` with a :class:`HamiltonianVectorField`: an HNN, ``z = (q, p)``,
  ``dz/dt = (dH/dp, -dH/dq)`` with ``H`` an MLP.
- :class:`SympNet`: an LA-SympNet (Jin et al. 2020), a symplectic map ``z_n -> z_{n+1}`` for
  one fixed time step; it has no notion of time in between frames.

Every model offers ``rollout(z0, num_steps, time_step, substeps)`` -> ``(B, num_steps + 1, d)``
states at ``k * time_step / substeps``; ``substeps=2`` gives the half steps used for the
in-between metric (``supports_substeps`` is ``False`` for the SympNet).
"""

from __future__ import annotations

import torch
from torch import nn
from torchdiffeq import odeint

from latentdyn.validation import check_choice, check_positive_float, check_positive_int, check_tensor

LATENT_MODELS = ("neural_ode", "hnn", "sympnet")


def _mlp(in_features: int, out_features: int, hidden: int, depth: int) -> nn.Sequential:
    layers, width = [], in_features
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), nn.Tanh()]
        width = hidden
    layers.append(nn.Linear(width, out_features))
    return nn.Sequential(*layers)


class MLPVectorField(nn.Module):
    """``f(z)``: ``(B, d)`` -> ``(B, d)``, an MLP with ``depth`` tanh hidden layers."""

    def __init__(self, dim: int, hidden: int = 256, depth: int = 2) -> None:
        super().__init__()
        self.net = _mlp(dim, dim, hidden, depth)

    def forward(self, time: torch.Tensor, latents: torch.Tensor) -> torch.Tensor:
        return self.net(latents)


class HamiltonianVectorField(nn.Module):
    """``J grad H(z)`` with ``z = (q, p)`` split in halves and ``H`` an MLP; ``d`` must be even."""

    def __init__(self, dim: int, hidden: int = 256, depth: int = 2) -> None:
        super().__init__()
        if dim % 2:
            raise ValueError(f"an HNN needs an even latent_dim (q and p), got {dim}")
        self.half = dim // 2
        self.hamiltonian = _mlp(dim, 1, hidden, depth)

    def forward(self, time: torch.Tensor, latents: torch.Tensor) -> torch.Tensor:
        differentiable = torch.is_grad_enabled()  # training: keep the graph through grad H
        with torch.enable_grad():
            if not latents.requires_grad:
                latents = latents.detach().requires_grad_(True)
            energy = self.hamiltonian(latents).sum()
            gradient = torch.autograd.grad(energy, latents, create_graph=differentiable)[0]
        dq, dp = gradient[:, self.half :], -gradient[:, : self.half]
        return torch.cat([dq, dp], dim=1)


def midpoint_rollout(
    vector_field, initial: torch.Tensor, num_steps: int, interval: float, substeps: int = 1
) -> torch.Tensor:
    """Explicit midpoint rule ``z + h f(z + h/2 f(z))``, ``substeps`` steps of ``h = interval / substeps``
    per output interval; the same arithmetic as torchdiffeq's fixed-grid ``midpoint`` solver.

    Args:
        vector_field: ``f(t, z)`` with ``z (B, d)`` (autonomous fields ignore ``t``).
        initial: ``(B, d)``; num_steps: output intervals; interval: their length.

    Returns:
        ``(B, num_steps + 1, d)`` states at ``k * interval``.
    """
    check_tensor("initial", initial, ndim=2, finite=False)
    num_steps = check_positive_int("num_steps", num_steps)
    substeps = check_positive_int("substeps", substeps)
    step = check_positive_float("interval", interval) / substeps
    time = torch.zeros((), dtype=initial.dtype, device=initial.device)
    half = step / 2
    states, state = [initial], initial
    for _ in range(num_steps):
        for _ in range(substeps):
            middle = state + half * vector_field(time, state)
            state = state + step * vector_field(time + half, middle)
            time = time + step
        states.append(state)
    return torch.stack(states, dim=1)


class LatentODE(nn.Module):
    """``dz/dt = vector_field(z)`` integrated with a fixed-step rule, ``substeps`` steps per frame.

    ``method="midpoint"`` uses :func:`midpoint_rollout`; any other name is a fixed-grid
    torchdiffeq solver (``"rk4"``, ``"euler"``) with the same step.
    """

    supports_substeps = True

    def __init__(self, vector_field: nn.Module, method: str = "midpoint", substeps: int = 1) -> None:
        super().__init__()
        self.vector_field = vector_field
        self.method = method
        self.substeps = check_positive_int("substeps", substeps)

    def rollout(self, initial: torch.Tensor, num_steps: int, time_step: float, substeps: int = 1) -> torch.Tensor:
        """States ``(B, num_steps + 1, d)`` at ``k * time_step / substeps`` from ``initial (B, d)``.

        The solver takes ``self.substeps`` steps per frame interval ``time_step`` whatever the
        output spacing, so half-step outputs (``substeps=2``) lie on the trajectory the model was
        trained on (when ``self.substeps`` is even, exactly on its grid).
        """
        check_tensor("initial", initial, ndim=2)
        num_steps = check_positive_int("num_steps", num_steps)
        outputs_per_frame = check_positive_int("substeps", substeps)
        interval = check_positive_float("time_step", time_step) / outputs_per_frame
        inner = max(1, -(-self.substeps // outputs_per_frame))  # solver steps per output interval
        if self.method == "midpoint":
            return midpoint_rollout(self.vector_field, initial, num_steps, interval, inner)
        times = torch.arange(num_steps + 1, dtype=initial.dtype, device=initial.device) * interval
        states = odeint(self.vector_field, initial, times, method=self.method, options={"step_size": interval / inner})
        return states.transpose(0, 1)

    def step(self, latents: torch.Tensor, time_step: float) -> torch.Tensor:
        """One step of ``time_step``: ``(B, d)`` -> ``(B, d)``."""
        return self.rollout(latents, 1, time_step)[:, 1]


class _Shear(nn.Module):
    """Linear symplectic shear ``(q, p) -> (q + S p, p)`` or ``(q, p + S q)``, ``S`` symmetric."""

    def __init__(self, half: int, upper: bool) -> None:
        super().__init__()
        self.upper = upper
        self.parameter = nn.Parameter(0.01 * torch.randn(half, half))

    def forward(self, q: torch.Tensor, p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        symmetric = self.parameter + self.parameter.T
        return (q + p @ symmetric, p) if self.upper else (q, p + q @ symmetric)


class _Activation(nn.Module):
    """Symplectic activation ``(q, p) -> (q + a * tanh(p), p)`` or ``(q, p + a * tanh(q))``."""

    def __init__(self, half: int, upper: bool) -> None:
        super().__init__()
        self.upper = upper
        self.scale = nn.Parameter(0.01 * torch.randn(half))

    def forward(self, q: torch.Tensor, p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return (q + self.scale * torch.tanh(p), p) if self.upper else (q, p + self.scale * torch.tanh(q))


class SympNet(nn.Module):
    """LA-SympNet: ``layers`` blocks of ``sublayers`` alternating shears + bias, then an activation.

    Every block is symplectic, so the map ``z_n -> z_{n+1}`` is. It is a map for one frame
    step; ``rollout`` iterates it and ``substeps`` other than 1 are not possible.
    """

    supports_substeps = False

    def __init__(self, dim: int, layers: int = 4, sublayers: int = 4) -> None:
        super().__init__()
        if dim % 2:
            raise ValueError(f"a SympNet needs an even latent_dim (q and p), got {dim}")
        self.half = dim // 2
        self.shears = nn.ModuleList(
            nn.ModuleList(_Shear(self.half, upper=(k % 2 == 0)) for k in range(sublayers)) for _ in range(layers)
        )
        self.biases = nn.ParameterList(nn.Parameter(torch.zeros(dim)) for _ in range(layers))
        self.activations = nn.ModuleList(_Activation(self.half, upper=(i % 2 == 0)) for i in range(layers - 1))

    def step(self, latents: torch.Tensor, time_step: float | None = None) -> torch.Tensor:
        q, p = latents[:, : self.half], latents[:, self.half :]
        for index, (shears, bias) in enumerate(zip(self.shears, self.biases)):
            for shear in shears:
                q, p = shear(q, p)
            q, p = q + bias[: self.half], p + bias[self.half :]
            if index < len(self.activations):
                q, p = self.activations[index](q, p)
        return torch.cat([q, p], dim=1)

    def rollout(
        self, initial: torch.Tensor, num_steps: int, time_step: float | None = None, substeps: int = 1
    ) -> torch.Tensor:
        check_tensor("initial", initial, ndim=2)
        if substeps != 1:
            raise ValueError("a SympNet is a map for one frame step: substeps must be 1")
        states = [initial]
        for _ in range(check_positive_int("num_steps", num_steps)):
            states.append(self.step(states[-1]))
        return torch.stack(states, dim=1)


def build_latent_model(
    kind: str, dim: int, *, hidden: int = 256, depth: int = 2, sympnet_layers: int = 4, substeps: int = 1
) -> nn.Module:
    """``"neural_ode"``, ``"hnn"`` or ``"sympnet"`` for latent states of size ``dim``;
    ``substeps``: midpoint steps per frame of the two ODE models (the authors use 2)."""
    check_choice("latent_model", kind, LATENT_MODELS)
    if kind == "neural_ode":
        return LatentODE(MLPVectorField(dim, hidden, depth), substeps=substeps)
    if kind == "hnn":
        return LatentODE(HamiltonianVectorField(dim, hidden, depth), substeps=substeps)
    return SympNet(dim, layers=sympnet_layers)

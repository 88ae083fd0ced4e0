"""Stage 2 of a CpAE run: latent models fitted (and cached) on the encoded training trajectories.

The authors fit the Neural ODE to the raw latent states (``standardise_latents=False``, the
default); :class:`Standardiser` can map them to training mean 0 and std 1 first.
:func:`trained_latent_model` fits a Neural ODE / HNN / SympNet on one-step transitions (time in
frames, ``dt = 1``, ``dynamics_substeps`` midpoint steps per frame, full batch when
``dynamics_batch_size`` covers every transition, the best-loss parameters kept) or loads it
from the cache; :func:`rollout_images` rolls a latent model out and decodes the frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from latentdyn.cache import load_or_create
from latentdyn.cpae.experiments.autoencoder_stage import decode, load_state, state_arrays
from latentdyn.cpae.models.autoencoder import ConvAutoencoder
from latentdyn.cpae.models.latent_dynamics import build_latent_model
from latentdyn.cpae.models.training import train_latent_model
from latentdyn.cpae.settings import RESULTS_VERSION, TRAINING_CODE
from latentdyn.runtime import resolve_device, seed_everything


def trained_latent_model(kind: str, latents: torch.Tensor, key: str, settings: dict[str, Any], seed: int):
    """Fit (or load) a latent model on training trajectories ``latents (N, T, d)`` (as the caller
    standardised them, or raw); ``model.loss_curve`` holds the loss of every update. One frame
    is ``settings["dynamics_time_step"]`` time units (default 1: time counted in frames)."""
    substeps, keep_best = settings["dynamics_substeps"], settings["dynamics_keep_best"]
    time_step = float(settings.get("dynamics_time_step", 1.0))
    params = {
        "kind": kind,
        "latents": key,
        "steps": settings["dynamics_steps"],
        "substeps": substeps,
        "keep_best": keep_best,
        "horizon": settings["dynamics_horizon"],
        "hidden": settings["dynamics_hidden"],
        "batch_size": settings["dynamics_batch_size"],
        "learning_rate": settings["dynamics_learning_rate"],
        "final_learning_rate": settings["dynamics_final_learning_rate"],
        "seed": seed,
        "threads": settings["num_threads"],
        "device": settings["device"],
        "version": RESULTS_VERSION,
        "code": TRAINING_CODE,
        **({"time_step": time_step} if time_step != 1.0 else {}),  # keys of runs in frames stay as they were
    }
    dim = latents.shape[-1]
    model = build_latent_model(kind, dim, hidden=settings["dynamics_hidden"], substeps=substeps)

    def create() -> dict[str, np.ndarray]:
        seed_everything(seed, settings["num_threads"], deterministic=settings["deterministic"])
        device = resolve_device(settings["device"])  # the autoencoders' device: no idle GPU meanwhile
        fresh = build_latent_model(kind, dim, hidden=settings["dynamics_hidden"], substeps=substeps).to(device)
        losses: list[float] = []
        history = train_latent_model(
            fresh,
            latents.to(device),
            time_step=time_step,
            steps=settings["dynamics_steps"],
            batch_size=settings["dynamics_batch_size"],
            learning_rate=settings["dynamics_learning_rate"],
            final_learning_rate=settings["dynamics_final_learning_rate"],
            seed=seed,
            horizon=settings["dynamics_horizon"],
            description=f"fit {kind}",
            keep_best=keep_best,
            losses=losses,
        )
        return {**state_arrays(fresh.cpu()), "__history": np.asarray(history), "__losses": np.asarray(losses)}

    arrays = load_or_create(f"latent-{kind}", params, create)
    arrays.pop("__history")
    model.loss_curve = arrays.pop("__losses")
    load_state(model, arrays)
    model.eval()
    return model


@dataclass
class Standardiser:
    """Affine map to standardised latent coordinates (training mean 0, std 1 per coordinate)."""

    mean: torch.Tensor
    std: torch.Tensor

    @classmethod
    def identity(cls, dim: int) -> Standardiser:
        """The raw latent states (the authors' choice): mean 0, std 1, nothing changes."""
        return cls(torch.zeros(dim), torch.ones(dim))

    @classmethod
    def fit(cls, latents: torch.Tensor) -> Standardiser:
        flat = latents.reshape(-1, latents.shape[-1])
        return cls(flat.mean(0), flat.std(0).clamp_min(1e-8))

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        return (latents - self.mean) / self.std

    def inverse(self, latents: torch.Tensor) -> torch.Tensor:
        return latents * self.std + self.mean


@torch.no_grad()
def rollout_images(
    autoencoder: ConvAutoencoder,
    latent_model,
    standardiser: Standardiser,
    initial_latents: torch.Tensor,
    num_steps: int,
    substeps: int = 1,
    time_step: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Latent rollout ``(N, num_steps + 1, d)`` (unstandardised) and its decoded images, ``substeps``
    outputs a frame; ``time_step``: the time units of one frame the latent model was fitted with."""
    states = latent_model.rollout(standardiser.forward(initial_latents), num_steps, time_step, substeps)
    latents = standardiser.inverse(states)
    return latents, decode(autoencoder, latents)

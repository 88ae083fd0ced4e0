"""The paper's decoupled scheme for one autoencoder: stages 1 to 3 in a row.

:func:`fit_decoupled` trains the autoencoder, fits the latent models on its encoded training
trajectories and scores both (everything cached, the scores too, so that a worker process can
do all three); :func:`score_decoupled` is the same with a Neural ODE alone, summarised as one
metric row (the studies' unit of work).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from latentdyn.cpae.experiments.autoencoder_stage import autoencoder_arguments, encode_windows, trained_autoencoder
from latentdyn.cpae.experiments.data import SystemData, prepare_system
from latentdyn.cpae.experiments.latent_stage import Standardiser, trained_latent_model
from latentdyn.cpae.experiments.scoring import cached_evaluation, metric_row
from latentdyn.cpae.models.autoencoder import ConvAutoencoder


@dataclass
class TrainedModels:
    """One autoencoder variant's trained models: the autoencoder, the map to the latent models'
    coordinates (identity for raw latents) and the latent models (kind -> module)."""

    autoencoder: ConvAutoencoder
    standardiser: Standardiser
    latent_models: dict[str, Any]


@dataclass
class DecoupledFit:
    """An autoencoder, its latent standardiser and latent models, and their test metrics."""

    autoencoder: ConvAutoencoder
    standardiser: Standardiser
    models: dict[str, Any]
    row: dict[str, Any]
    frame_errors: dict[str, np.ndarray]

    def trained_models(self) -> TrainedModels:
        return TrainedModels(self.autoencoder, self.standardiser, self.models)


def _train_decoupled(
    data: SystemData, name: str, arguments: dict[str, Any], kinds: tuple[str, ...], settings: dict[str, Any], seed: int
) -> tuple[ConvAutoencoder, Standardiser, dict[str, Any]]:
    """Stages 1 and 2 (cached): the autoencoder (with the auxiliary objective of ``settings``), then
    the latent models on its encoded training trajectories (raw, or standardised)."""
    autoencoder = trained_autoencoder(
        name,
        data.latent_dim,
        arguments,
        data.train_windows(),
        data.data_key,
        settings,
        seed,
        latent_map=settings["latent_map"],
        prediction_weight=settings["prediction_weight"],
        prediction_warmup=settings["prediction_warmup"],
    )
    train_latents = encode_windows(autoencoder, data.train_windows(target_offset=0))
    standardiser = (
        Standardiser.fit(train_latents)
        if settings["standardise_latents"]
        else Standardiser.identity(train_latents.shape[-1])
    )
    models = {
        kind: trained_latent_model(kind, standardiser.forward(train_latents), autoencoder.cache_key, settings, seed)
        for kind in kinds
    }
    return autoencoder, standardiser, models


def train_variant_task(
    system: str,
    settings: dict[str, Any],
    seed: int,
    variant: str,
    kinds: tuple[str, ...],
    frames_folder: str | None = None,
    frame_rate: float | None = None,
    frame_pattern: str | None = None,
    frame_background: float = 0.0,
) -> None:
    """A worker's job (:func:`latentdyn.parallel.run_tasks`): train one autoencoder variant and its
    latent models and score them, into the cache; the caller then loads all of it from there."""
    data = prepare_system(system, settings, seed, frames_folder, frame_rate, frame_pattern, frame_background)
    fit_decoupled(data, f"{system}-{variant}", autoencoder_arguments(variant, settings), kinds, settings, seed)


def fit_decoupled(
    data: SystemData, name: str, arguments: dict[str, Any], kinds: tuple[str, ...], settings: dict[str, Any], seed: int
) -> DecoupledFit:
    """The paper's scheme: train the autoencoder, then the latent models on its encoded training
    trajectories, then score both on the test videos (all three cached)."""
    autoencoder, standardiser, models = _train_decoupled(data, name, arguments, kinds, settings, seed)
    row, errors = cached_evaluation(autoencoder, models, standardiser, data, settings)
    row["autoencoder_loss"] = np.asarray(autoencoder.training_history)
    row["latent_losses"] = {kind: np.asarray(model.loss_curve) for kind, model in models.items()}
    row["training_seconds"] = autoencoder.training_seconds
    return DecoupledFit(autoencoder, standardiser, models, row, errors)


def score_decoupled(
    data: SystemData, arguments: dict[str, Any], settings: dict[str, Any], seed: int, name: str
) -> tuple[dict[str, float], ConvAutoencoder]:
    """Train an autoencoder with ``arguments`` and a Neural ODE after it; return its metrics."""
    fit = fit_decoupled(data, name, arguments, ("neural_ode",), settings, seed)
    return metric_row(fit.row), fit.autoencoder

"""The CpAE's latent claim, tested without the decoder.

The paper's claim is that continuous latent states give better latent dynamical models. VPT
against true frames also measures the decoder, and no decoder trained here draws the pendulum
well (reconstruction errors 0.6-0.7), so this module scores each autoencoder on what its
*latent states* do, per test video:

- ``latent_vpt`` (%, higher is better): the Neural ODE's rollout from the first encoded pair,
  one latent step per frame, against the encoded truth; valid while
  ``|z_hat_t - z_t| / s <= latent_threshold``, where ``s`` is the RMS distance of the encoded
  test states from their mean (the latents' spread: the measure does not change when the
  latent space is rescaled);
- ``latent_error`` (lower is better): the same relative latent error, averaged over the whole
  horizon (it does not saturate where both models stay valid to the end);
- ``dynamics_vpt`` (%, higher is better): the decoded rollout against the autoencoder's own
  reconstructions (relative frame error, the book's threshold): the latent model's share alone
  (taken from the models' scores, :func:`latentdyn.cpae.experiments.scoring.evaluate_variant`);
- ``smoothness`` (lower is better): :func:`latentdyn.cpae.metrics.smoothness_ratio` of the encoded
  trajectory (the true states score about 0.16 on the damped pendulum);
- ``state_error`` (lower is better): how well the latent states determine the true state
  ``(q, q_dot)``: a ridge regression on cubic features of the standardised latent state, fitted
  on the even test videos; the mean squared error of the odd videos' predicted states,
  standardised per coordinate (``state_r2 = 1 - mean state_error``).

:func:`latent_claim` compares the CpAE with the standard AE on each measure, seed by seed
(paired differences on the same videos), and decides each with :func:`latentdyn.verdicts.claim`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cache import load_or_create, source_fingerprint
from latentdyn.cpae.experiments.autoencoder_stage import encode
from latentdyn.cpae.experiments.scoring import cached_evaluation, models_digest
from latentdyn.cpae.experiments.shipped import shipped_scores_folder, shipped_seeds, shipped_variant
from latentdyn.cpae.metrics import smoothness_ratio, valid_prediction_time
from latentdyn.statistics import paired_difference
from latentdyn.validation import check_positive_float
from latentdyn.verdicts import HIGHER, LOWER, Verdict, claim

MEASURES = {  # name -> which way is better
    "latent_vpt": HIGHER,
    "latent_error": LOWER,
    "dynamics_vpt": HIGHER,
    "smoothness": LOWER,
    "state_error": LOWER,
}
MEASURE_LABELS = {
    "latent_vpt": "VPT in latent space (%)",
    "latent_error": "latent error over the horizon",
    "dynamics_vpt": "VPT against own reconstructions (%)",
    "smoothness": "smoothness ratio",
    "state_error": "state error (1 - R²)",
}
LATENT_THRESHOLD = 0.5  # of the latents' RMS spread
CODE = source_fingerprint("cpae/experiments/latent_claim.py", "cpae/metrics.py")


def _cubic_features(latents: np.ndarray) -> np.ndarray:
    """``(..., d)`` -> ``(..., F)``: 1, the coordinates, their products of degree 2 and 3."""
    dim = latents.shape[-1]
    columns = [np.ones(latents.shape[:-1])] + [latents[..., i] for i in range(dim)]
    columns += [latents[..., i] * latents[..., j] for i in range(dim) for j in range(i, dim)]
    columns += [
        latents[..., i] * latents[..., j] * latents[..., k]
        for i in range(dim)
        for j in range(i, dim)
        for k in range(j, dim)
    ]
    return np.stack(columns, axis=-1)


def state_errors(latents: np.ndarray, states: np.ndarray, ridge: float = 1e-3) -> np.ndarray:
    """Per odd video, the standardised squared error of the true state predicted from the latent
    state by a ridge regression on cubic features fitted on the even videos.

    Args:
        latents: ``(N, T, d)``; states: ``(N, T, s)`` true states (``N >= 2``).

    Returns:
        ``(ceil((N - 1) / 2),)`` mean over frames and state coordinates of the squared error,
        each coordinate divided by its variance over the odd videos (0 = determined exactly;
        1 = no better than the mean).
    """
    if latents.shape[:2] != states.shape[:2] or latents.shape[0] < 2:
        raise ValueError(f"latents {latents.shape} and states {states.shape} must share (N >= 2, T)")
    flat = latents.astype(np.float64)
    scale = flat.reshape(-1, flat.shape[-1])
    flat = (flat - scale.mean(0)) / np.maximum(scale.std(0), 1e-12)
    features = _cubic_features(flat)
    target = states.astype(np.float64)
    train_x = features[0::2].reshape(-1, features.shape[-1])
    train_y = target[0::2].reshape(-1, target.shape[-1])
    gram = train_x.T @ train_x + ridge * len(train_x) * np.eye(train_x.shape[1])
    coefficients = np.linalg.solve(gram, train_x.T @ train_y)
    test_y = target[1::2]
    variance = test_y.reshape(-1, test_y.shape[-1]).var(0)
    squared = (features[1::2] @ coefficients - test_y) ** 2 / np.maximum(variance, 1e-300)
    return squared.mean(axis=(1, 2))


@torch.no_grad()
def latent_measures(
    autoencoder,
    latent_model,
    standardiser,
    test_pairs: torch.Tensor,
    test_states: np.ndarray,
    *,
    latent_threshold: float = LATENT_THRESHOLD,
) -> dict[str, np.ndarray]:
    """The decoder-free measures of one autoencoder and its Neural ODE on the test videos.

    Args:
        test_pairs: ``(N, T, C, H, 2W)`` inputs in [0, 1]; test_states: ``(N, >= T, s)``.
        latent_threshold: the latent VPT's threshold, a fraction of the latents' RMS spread.

    Returns:
        ``latent_vpt``, ``latent_error``, ``smoothness`` (``(N,)``) and ``state_error`` (odd videos).
    """
    latent_threshold = check_positive_float("latent_threshold", latent_threshold)
    latents = encode(autoencoder, test_pairs)  # (N, T, d)
    count, steps, dim = latents.shape
    predicted = standardiser.inverse(latent_model.rollout(standardiser.forward(latents[:, 0]), steps - 1, 1.0))
    spread = (latents - latents.reshape(-1, dim).mean(0)).pow(2).sum(-1).mean().sqrt()
    latent_error = torch.linalg.vector_norm(predicted[:, 1:] - latents[:, 1:], dim=-1) / spread
    return {
        "latent_vpt": valid_prediction_time(latent_error, latent_threshold).numpy(),
        "latent_error": latent_error.mean(dim=1).numpy(),
        "smoothness": np.array([smoothness_ratio(video) for video in latents]),
        "state_error": state_errors(latents.numpy(), np.asarray(test_states)[:, :steps]),
    }


def shipped_latent_measures(system: str, variant: str, seed: int, profile: str = "long") -> dict[str, np.ndarray]:
    """:func:`latent_measures` of a shipped autoencoder (cached under its models' and test videos'
    content and this code) and its ``dynamics_vpt`` (from the scores stored with the models)."""
    shipped = shipped_variant(system, variant, profile, seed)
    ode = shipped.latent_models["neural_ode"]
    key = {
        "models": models_digest(shipped.autoencoder, shipped.latent_models, shipped.standardiser),
        "test": shipped.data.test_digest,
        "threshold": shipped.settings["vpt_threshold"],
        "latent_threshold": LATENT_THRESHOLD,
        "code": CODE,
    }
    measures = dict(
        load_or_create(
            "latent-claim",
            key,
            lambda: latent_measures(
                shipped.autoencoder, ode, shipped.standardiser, shipped.data.test_pairs, shipped.data.test_states
            ),
        )
    )
    row, _ = cached_evaluation(
        shipped.autoencoder,
        shipped.latent_models,
        shipped.standardiser,
        shipped.data,
        shipped.settings,
        stored=shipped_scores_folder(),
    )
    measures["dynamics_vpt"] = np.asarray(row["dynamics_vpt"]["neural_ode"])
    return measures


@dataclass
class LatentClaimResult:
    """The latent claim on one system's shipped models.

    Attributes:
        system, profile, seeds: what was scored.
        per_seed: one row per (seed, measure): the means of both autoencoders, the paired
            difference CpAE - standard with its 95 % interval, the number of videos.
        verdicts: measure -> :class:`~latentdyn.verdicts.Verdict` over the seeds.
        true_smoothness: the smoothness ratio of the true states (mean over test videos).
    """

    system: str
    profile: str
    seeds: tuple[int, ...]
    per_seed: pd.DataFrame
    verdicts: dict[str, Verdict]
    true_smoothness: float

    def table(self) -> pd.DataFrame:
        """One row per measure: the verdict and, per seed, the difference with its interval."""
        rows = []
        for measure, verdict in self.verdicts.items():
            block = self.per_seed[self.per_seed["measure"] == measure]
            row: dict[str, Any] = {"measure": MEASURE_LABELS[measure], "better": MEASURES[measure]}
            for _, seed_row in block.iterrows():
                row[f"seed {seed_row['seed']}: CpAE − standard"] = (
                    f"{seed_row['difference']:+.3g} [{seed_row['low']:+.3g}, {seed_row['high']:+.3g}]"
                )
            row["verdict"] = verdict.outcome
            rows.append(row)
        return pd.DataFrame(rows)


def latent_claim(
    system: str = "damped_pendulum", profile: str = "long", seeds: tuple[int, ...] | None = None
) -> LatentClaimResult:
    """Score the shipped standard AE and CpAE of every seed on :data:`MEASURES` and decide the
    claim "the CpAE's latent states give the better latent model" per measure."""
    seeds = tuple(shipped_seeds(system, profile)) if seeds is None else tuple(seeds)
    if not seeds:
        raise FileNotFoundError(f"no shipped models of {system} ({profile})")
    rows, differences = [], {measure: [] for measure in MEASURES}
    for seed in seeds:
        cpae = shipped_latent_measures(system, "cpae", seed, profile)
        standard = shipped_latent_measures(system, "standard", seed, profile)
        for measure in MEASURES:
            estimate = paired_difference(cpae[measure], standard[measure])
            differences[measure].append(estimate)
            rows.append(
                {
                    "seed": seed,
                    "measure": measure,
                    "cpae": float(np.mean(cpae[measure])),
                    "standard": float(np.mean(standard[measure])),
                    "difference": estimate.mean,
                    "low": estimate.low,
                    "high": estimate.high,
                    "videos": estimate.n,
                }
            )
    data = shipped_variant(system, "cpae", profile, seeds[0]).data
    true = float(np.mean([smoothness_ratio(torch.from_numpy(s).double()) for s in data.test_states]))
    verdicts = {measure: claim(differences[measure], MEASURES[measure]) for measure in MEASURES}
    return LatentClaimResult(system, profile, seeds, pd.DataFrame(rows), verdicts, true)

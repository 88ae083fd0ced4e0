"""The decoder-free measures of an autoencoder's latent states, per test video.

VPT against true frames also measures the decoder, and no decoder trained here draws the pendulum
well (reconstruction errors 0.4-0.7), so :mod:`latentdyn.cpae.experiments.latent_claim` scores each
autoencoder on what its *latent states* do:

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

:mod:`latentdyn.cpae.experiments.shipped_measures` caches and stores them for the shipped models;
this module's fingerprint (:data:`CODE`) is part of their key, so it holds the computation only.
"""

from __future__ import annotations

import numpy as np
import torch

from latentdyn.cache import source_fingerprint
from latentdyn.cpae.experiments.autoencoder_stage import encode
from latentdyn.cpae.metrics import smoothness_ratio, valid_prediction_time
from latentdyn.validation import check_positive_float

LATENT_THRESHOLD = 0.5  # of the latents' RMS spread
CODE = source_fingerprint("cpae/experiments/latent_measures.py", "cpae/metrics.py")


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

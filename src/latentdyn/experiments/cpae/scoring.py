"""Stage 3 of a CpAE run: scores of an autoencoder and its latent models on the test trajectories.

:func:`evaluate_variant` measures VPT (against the true frames and against the autoencoder's
own reconstructions), latent smoothness, reconstruction and in-between errors;
:func:`_metric_row` / :func:`_metric_keys` give the studies' one-row summary of those scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from latentdyn.experiments.cpae.autoencoder_stage import decode, encode
from latentdyn.experiments.cpae.latent_stage import Standardiser, rollout_images
from latentdyn.metrics import relative_frame_error, smoothness_ratio, step_ratio, valid_prediction_time
from latentdyn.models.autoencoder import ConvAutoencoder


def evaluate_variant(autoencoder: ConvAutoencoder, latent_models: dict[str, Any], standardiser: Standardiser,
                     test_pairs: torch.Tensor, half_frames: torch.Tensor | None, reference: torch.Tensor,
                     threshold: float, inbetween_steps: int) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Metrics of one autoencoder and its latent models on the test trajectories.

    Args:
        test_pairs: ``(N, T', C, H, 2W)`` inputs of the test trajectories.
        half_frames: ``(N, T' , C, H, W)`` true frames at half steps, or ``None``.
        reference: ``(C, H, 2W)`` mean training input, the scale of the relative error.
    """
    latents = encode(autoencoder, test_pairs)
    reconstruction = decode(autoencoder, latents)
    num_steps = test_pairs.shape[1] - 1
    row: dict[str, Any] = {
        "smoothness": float(np.mean([smoothness_ratio(z) for z in latents])),
        "step_ratio": float(np.mean([step_ratio(z) for z in latents])),
        "reconstruction_mse": float((reconstruction - test_pairs).pow(2).mean()),
        "reconstruction_error": float(relative_frame_error(reconstruction, test_pairs, reference).mean()),
    }
    errors, vpts, dynamics_vpts = {}, {}, {}
    for kind, model in latent_models.items():
        _, predicted = rollout_images(autoencoder, model, standardiser, latents[:, 0], num_steps)
        frame_error = relative_frame_error(predicted[:, 1:], test_pairs[:, 1:], reference)
        errors[kind] = frame_error.numpy()
        vpts[kind] = valid_prediction_time(frame_error, threshold).numpy()
        # the same, against the autoencoder's own reconstructions: the latent model's share alone
        dynamics_error = relative_frame_error(predicted[:, 1:], reconstruction[:, 1:], reference)
        dynamics_vpts[kind] = valid_prediction_time(dynamics_error, threshold).numpy()
    row["vpt"], row["dynamics_vpt"] = vpts, dynamics_vpts
    ode = latent_models.get("neural_ode")
    if half_frames is not None and ode is not None:
        steps = min(inbetween_steps, num_steps)
        _, fine = rollout_images(autoencoder, ode, standardiser, latents[:, 0], 2 * steps, substeps=2)
        width = half_frames.shape[-1]
        left_reference = reference[..., :width]
        halves = fine[:, 1::2, ..., :width]
        wholes = fine[:, 2::2, ..., :width]
        row["inbetween_error"] = float(relative_frame_error(halves, half_frames[:, :steps], left_reference).mean())
        row["onframe_error"] = float(relative_frame_error(wholes, test_pairs[:, 1:steps + 1, ..., :width],
                                                          left_reference).mean())
    else:
        row["inbetween_error"] = row["onframe_error"] = float("nan")
    return row, errors


def _metric_row(row: dict[str, Any]) -> dict[str, float]:
    return {"VPT (%)": float(np.mean(row["vpt"]["neural_ode"])),
            "VPT vs reconstruction (%)": float(np.mean(row["dynamics_vpt"]["neural_ode"])),
            "smoothness ratio": row["smoothness"],
            "step ratio": row["step_ratio"], "reconstruction MSE": row["reconstruction_mse"],
            "reconstruction error": row["reconstruction_error"],
            "in-between error": row["inbetween_error"]}


def _metric_keys() -> tuple[str, ...]:
    return ("VPT (%)", "VPT vs reconstruction (%)", "smoothness ratio", "step ratio", "reconstruction MSE",
            "reconstruction error", "in-between error")

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
from latentdyn.metrics import pixel_mse, relative_frame_error, smoothness_ratio, step_ratio, valid_prediction_time
from latentdyn.models.autoencoder import ConvAutoencoder


def evaluate_variant(autoencoder: ConvAutoencoder, latent_models: dict[str, Any], standardiser: Standardiser,
                     test_pairs: torch.Tensor, half_frames: torch.Tensor | None, reference: torch.Tensor,
                     threshold: float, inbetween_steps: int, *, half_index: np.ndarray | None = None,
                     mse_threshold: float = 0.01) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Scores of one autoencoder and its latent models on every test video.

    The prediction starts from the encoding of the first input (frames 0 and 1) and takes one
    latent step per frame over the whole video (the authors' protocol). Two VPT definitions:
    the book's relative frame error ``|x_hat - x| / |x - x_ref|`` above ``threshold``, and the
    pixel MSE above ``mse_threshold``. The *ceiling* is the VPT of the reconstructions
    themselves (the autoencoder's own error): no latent model can do better.

    Args:
        test_pairs: ``(N, T', C, H, 2W)`` inputs of the test videos.
        half_frames: ``(N_half, T', C, H, W)`` true frames at half steps of the videos
            ``half_index`` (all videos when ``half_index`` is ``None``), or ``None``.
        reference: ``(C, H, 2W)`` mean training input, the scale of the relative error.

    Returns:
        A row of means, and per-video arrays in it: ``vpt`` / ``vpt_mse`` / ``dynamics_vpt``
        (model -> ``(N,)``), ``ceiling`` / ``ceiling_mse`` / ``reconstruction_errors`` /
        ``smoothness_per_video`` (``(N,)``); and model -> ``(N, T' - 1)`` relative frame errors.
    """
    latents = encode(autoencoder, test_pairs)
    reconstruction = decode(autoencoder, latents)
    num_steps = test_pairs.shape[1] - 1
    reconstruction_errors = relative_frame_error(reconstruction, test_pairs, reference)  # (N, T')
    smoothness = np.array([smoothness_ratio(z) for z in latents])
    row: dict[str, Any] = {
        "smoothness": float(np.mean(smoothness)),
        "step_ratio": float(np.mean([step_ratio(z) for z in latents])),
        "reconstruction_mse": float((reconstruction - test_pairs).pow(2).mean()),
        "reconstruction_error": float(reconstruction_errors.mean()),
        "reconstruction_errors": reconstruction_errors.mean(dim=1).numpy(),
        "smoothness_per_video": smoothness,
        "ceiling": valid_prediction_time(reconstruction_errors[:, 1:], threshold).numpy(),
        "ceiling_mse": valid_prediction_time(pixel_mse(reconstruction[:, 1:], test_pairs[:, 1:]), mse_threshold).numpy(),
    }
    errors, vpts, mse_vpts, dynamics_vpts = {}, {}, {}, {}
    for kind, model in latent_models.items():
        _, predicted = rollout_images(autoencoder, model, standardiser, latents[:, 0], num_steps)
        frame_error = relative_frame_error(predicted[:, 1:], test_pairs[:, 1:], reference)
        errors[kind] = frame_error.numpy()
        vpts[kind] = valid_prediction_time(frame_error, threshold).numpy()
        mse_vpts[kind] = valid_prediction_time(pixel_mse(predicted[:, 1:], test_pairs[:, 1:]), mse_threshold).numpy()
        # the same, against the autoencoder's own reconstructions: the latent model's share alone
        dynamics_error = relative_frame_error(predicted[:, 1:], reconstruction[:, 1:], reference)
        dynamics_vpts[kind] = valid_prediction_time(dynamics_error, threshold).numpy()
    row["vpt"], row["vpt_mse"], row["dynamics_vpt"] = vpts, mse_vpts, dynamics_vpts
    ode = latent_models.get("neural_ode")
    if half_frames is not None and ode is not None:
        index = slice(None) if half_index is None else torch.as_tensor(np.asarray(half_index))
        steps = min(inbetween_steps, num_steps)
        _, fine = rollout_images(autoencoder, ode, standardiser, latents[index, 0], 2 * steps, substeps=2)
        width = half_frames.shape[-1]
        left_reference = reference[..., :width]
        halves = fine[:, 1::2, ..., :width]
        wholes = fine[:, 2::2, ..., :width]
        row["inbetween_error"] = float(relative_frame_error(halves, half_frames[:, :steps], left_reference).mean())
        row["onframe_error"] = float(relative_frame_error(wholes, test_pairs[index, 1:steps + 1, ..., :width],
                                                          left_reference).mean())
    else:
        row["inbetween_error"] = row["onframe_error"] = float("nan")
    return row, errors


def trivial_predictions(test_pairs: torch.Tensor, reference: torch.Tensor, threshold: float,
                        mse_threshold: float) -> dict[str, dict[str, float]]:
    """Where predictions that know no dynamics land: the mean training input at every frame, and
    the first input held still. Returns name -> mean VPT (%) under both definitions."""
    held = test_pairs[:, :1].expand_as(test_pairs[:, 1:])
    mean_image = reference.expand_as(test_pairs[:, 1:])
    truth = test_pairs[:, 1:]
    return {name: {"VPT relative error (%)": float(valid_prediction_time(
                       relative_frame_error(prediction, truth, reference), threshold).mean()),
                   "VPT pixel MSE (%)": float(valid_prediction_time(pixel_mse(prediction, truth), mse_threshold).mean())}
            for name, prediction in (("mean training image", mean_image), ("first frame held", held))}


def _metric_row(row: dict[str, Any]) -> dict[str, float]:
    return {"VPT (%)": float(np.mean(row["vpt"]["neural_ode"])),
            "VPT pixel MSE (%)": float(np.mean(row["vpt_mse"]["neural_ode"])),
            "ceiling (%)": float(np.mean(row["ceiling"])),
            "VPT vs reconstruction (%)": float(np.mean(row["dynamics_vpt"]["neural_ode"])),
            "smoothness ratio": row["smoothness"],
            "step ratio": row["step_ratio"], "reconstruction MSE": row["reconstruction_mse"],
            "reconstruction error": row["reconstruction_error"],
            "in-between error": row["inbetween_error"]}


def _metric_keys() -> tuple[str, ...]:
    return ("VPT (%)", "VPT pixel MSE (%)", "ceiling (%)", "VPT vs reconstruction (%)", "smoothness ratio", "step ratio", "reconstruction MSE",
            "reconstruction error", "in-between error")

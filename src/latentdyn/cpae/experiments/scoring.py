"""Stage 3 of a CpAE run: scores of an autoencoder and its latent models on the test trajectories.

:func:`evaluate_variant` measures VPT (against the true frames and against the autoencoder's
own reconstructions), latent smoothness, reconstruction and in-between errors;
:func:`cached_evaluation` stores those scores under the models' and the test videos' content, so
that a worker process can score what it trained and every later page (results, objective,
introduction) reuses the scores instead of repeating the forward passes;
:func:`metric_row` / :func:`metric_keys` give the studies' one-row summary of those scores.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from latentdyn.cache import (
    CorruptCacheError,
    arrays_digest,
    cache_path,
    load_arrays,
    load_or_create,
    source_fingerprint,
)
from latentdyn.cpae.experiments.autoencoder_stage import decode, encode, state_arrays
from latentdyn.cpae.experiments.latent_stage import Standardiser, rollout_images
from latentdyn.cpae.metrics import pixel_mse, relative_frame_error, smoothness_ratio, step_ratio, valid_prediction_time
from latentdyn.cpae.models.autoencoder import ConvAutoencoder
from latentdyn.cpae.settings import RESULTS_VERSION, training_code

if TYPE_CHECKING:
    from latentdyn.cpae.experiments.data import SystemData

# the code the scores depend on besides the models' own (TRAINING_CODE: their forward passes)
# and the test videos (hashed with the scores' key): part of every cached score's key
SCORING_CODE = source_fingerprint(
    "cpae/experiments/scoring.py",
    "cpae/experiments/latent_stage.py",
    "cpae/experiments/autoencoder_stage.py",
    "cpae/metrics.py",
)


def _by_videos(metric, *videos: torch.Tensor, videos_per_chunk: int = 4, **shared: Any) -> torch.Tensor:
    """A per-frame metric of ``(N, T, C, H, W)`` videos, computed a few videos at a time and
    concatenated: every frame's score uses that frame alone, so the numbers are those of one call
    (bit for bit), while the temporaries stay small (about 3 times faster on 64 px test sets,
    whose frame differences would otherwise be gigabyte tensors). ``shared``: keyword arguments
    passed whole (the reference image)."""
    count = videos[0].shape[0]
    if count == 0:
        return metric(*videos, **shared)
    return torch.cat(
        [
            metric(*(video[start : start + videos_per_chunk] for video in videos), **shared)
            for start in range(0, count, videos_per_chunk)
        ]
    )


def evaluate_variant(
    autoencoder: ConvAutoencoder,
    latent_models: dict[str, Any],
    standardiser: Standardiser,
    test_pairs: torch.Tensor,
    half_frames: torch.Tensor | None,
    reference: torch.Tensor,
    threshold: float,
    inbetween_steps: int,
    *,
    half_index: np.ndarray | None = None,
    mse_threshold: float = 0.01,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Scores of one autoencoder and its latent models on every test video.

    The prediction starts from the encoding of the first input (frames 0 and 1) and takes one
    latent step per frame over the whole video (the authors' protocol). Two VPT definitions:
    the book's relative frame error ``|x_hat - x| / |x - x_ref|`` above ``threshold``, and the
    pixel MSE above ``mse_threshold``. The *ceiling* is the VPT of the reconstructions
    themselves (the autoencoder's own error): a yardstick of the decoder, not a bound (a
    rollout can drift into frames that score better than the reconstructions).

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
    reconstruction_errors = _by_videos(relative_frame_error, reconstruction, test_pairs, reference=reference)  # (N, T')
    smoothness = np.array([smoothness_ratio(z) for z in latents])
    row: dict[str, Any] = {
        "smoothness": float(np.mean(smoothness)),
        "step_ratio": float(np.mean([step_ratio(z) for z in latents])),
        "reconstruction_mse": float((reconstruction - test_pairs).pow(2).mean()),
        "reconstruction_error": float(reconstruction_errors.mean()),
        "reconstruction_errors": reconstruction_errors.mean(dim=1).numpy(),
        "smoothness_per_video": smoothness,
        "ceiling": valid_prediction_time(reconstruction_errors[:, 1:], threshold).numpy(),
        "ceiling_mse": valid_prediction_time(
            _by_videos(pixel_mse, reconstruction[:, 1:], test_pairs[:, 1:]), mse_threshold
        ).numpy(),
    }
    errors, vpts, mse_vpts, dynamics_vpts = {}, {}, {}, {}
    for kind, model in latent_models.items():
        _, predicted = rollout_images(autoencoder, model, standardiser, latents[:, 0], num_steps)
        frame_error = _by_videos(relative_frame_error, predicted[:, 1:], test_pairs[:, 1:], reference=reference)
        errors[kind] = frame_error.numpy()
        vpts[kind] = valid_prediction_time(frame_error, threshold).numpy()
        mse_vpts[kind] = valid_prediction_time(
            _by_videos(pixel_mse, predicted[:, 1:], test_pairs[:, 1:]), mse_threshold
        ).numpy()
        # the same, against the autoencoder's own reconstructions: the latent model's share alone
        dynamics_error = _by_videos(relative_frame_error, predicted[:, 1:], reconstruction[:, 1:], reference=reference)
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
        row["onframe_error"] = float(
            relative_frame_error(wholes, test_pairs[index, 1 : steps + 1, ..., :width], left_reference).mean()
        )
    else:
        row["inbetween_error"] = row["onframe_error"] = float("nan")
    return row, errors


def _flat_row(row: dict[str, Any], errors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """An evaluation row and its frame errors as named arrays (``row.<key>[.<model>]``, ``errors.<model>``)."""
    flat = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update({f"row.{key}.{kind}": np.asarray(v) for kind, v in value.items()})
        else:
            flat[f"row.{key}"] = np.asarray(value)
    flat.update({f"errors.{kind}": np.asarray(value) for kind, value in errors.items()})
    return flat


def _unflat_row(flat: dict[str, np.ndarray]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    row: dict[str, Any] = {}
    errors = {}
    for name, value in flat.items():
        parts = name.split(".")
        if parts[0] == "errors":
            errors[parts[1]] = value
        elif len(parts) == 3:
            row.setdefault(parts[1], {})[parts[2]] = value
        else:
            row[parts[1]] = float(value) if value.ndim == 0 else value
    return row, errors


def models_digest(autoencoder: ConvAutoencoder, latent_models: dict[str, Any], standardiser: Standardiser) -> str:
    """SHA-256 of every parameter and buffer of the autoencoder and the latent models (in a fixed
    order) and of the standardiser: two sets of models with the same digest score the same."""
    modules = [("autoencoder", autoencoder), *((kind, latent_models[kind]) for kind in sorted(latent_models))]
    arrays = {f"{prefix}.{name}": array for prefix, module in modules for name, array in state_arrays(module).items()}
    arrays.update({"standardiser.mean": standardiser.mean.numpy(), "standardiser.std": standardiser.std.numpy()})
    return arrays_digest(arrays)


def evaluation_key(
    autoencoder: ConvAutoencoder,
    latent_models: dict[str, Any],
    standardiser: Standardiser,
    data: SystemData,
    settings: dict[str, Any],
) -> dict[str, Any]:
    """What decides the scores of :func:`cached_evaluation`: the models' parameters
    (:func:`models_digest`), the test videos (``data.test_digest``), the thresholds, the latent
    models' sub-steps, the convolution layout and precision, and the code (scoring and forward
    passes)."""
    return {
        "models": models_digest(autoencoder, latent_models, standardiser),
        "test": data.test_digest,
        "kinds": sorted(latent_models),
        "substeps": settings["dynamics_substeps"],
        "evaluation": {k: settings[k] for k in ("vpt_threshold", "mse_threshold", "inbetween_steps")},
        "layout": {k: settings.get(k) for k in ("channels_last", "precision")},
        "scoring": SCORING_CODE,
        "training": training_code(settings),
        "version": RESULTS_VERSION,
    }


def stored_scores_path(key: dict[str, Any], folder: Path) -> Path:
    """The file in ``folder`` that holds scores computed elsewhere under ``key`` (the name
    :func:`cached_evaluation` gives them in the cache)."""
    return cache_path("scores", key, directory=folder)


def cached_evaluation(
    autoencoder: ConvAutoencoder,
    latent_models: dict[str, Any],
    standardiser: Standardiser,
    data: SystemData,
    settings: dict[str, Any],
    *,
    stored: Path | None = None,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """:func:`evaluate_variant` on ``data``'s test videos, cached (``data/cache/scores-*.npz``)
    under :func:`evaluation_key`.

    A system run scores each autoencoder in the worker process that trained it (in parallel)
    and loads the scores here; a page that repeats the run (results, objective, introduction)
    loads them too. ``stored``: a folder of scores computed elsewhere by the same code (the
    shipped models' scores, :mod:`latentdyn.cpae.experiments.shipped`): a file there under this
    key is used as it is (its checksum verified) instead of scoring; a missing one (other code,
    other test videos) or a corrupt one (with a warning) is scored here. Same return value as
    :func:`evaluate_variant`.
    """
    key = evaluation_key(autoencoder, latent_models, standardiser, data, settings)
    if stored is not None:
        path = stored_scores_path(key, stored)
        if path.exists():
            try:
                return _unflat_row(load_arrays(path))
            except CorruptCacheError as error:
                warnings.warn(f"{error}; scoring the models here instead", RuntimeWarning, stacklevel=2)

    def evaluate() -> dict[str, np.ndarray]:
        return _flat_row(
            *evaluate_variant(
                autoencoder,
                latent_models,
                standardiser,
                data.test_pairs,
                data.half_frames,
                data.reference,
                settings["vpt_threshold"],
                settings["inbetween_steps"],
                half_index=data.half_index,
                mse_threshold=settings["mse_threshold"],
            )
        )

    return _unflat_row(load_or_create("scores", key, evaluate))


def cached_trivial_predictions(data: SystemData, threshold: float, mse_threshold: float) -> dict[str, dict[str, float]]:
    """:func:`trivial_predictions` on ``data``'s test videos, cached under their digest."""
    key = {"test": data.test_digest, "threshold": threshold, "mse_threshold": mse_threshold, "scoring": SCORING_CODE}

    def create() -> dict[str, np.ndarray]:
        found = trivial_predictions(data.test_pairs, data.reference, threshold, mse_threshold)
        return {
            f"{name}|{definition}": np.asarray(value)
            for name, values in found.items()
            for definition, value in values.items()
        }

    result: dict[str, dict[str, float]] = {}
    for label, value in load_or_create("trivial-scores", key, create).items():
        name, definition = label.split("|")
        result.setdefault(name, {})[definition] = float(value)
    return result


def trivial_predictions(
    test_pairs: torch.Tensor, reference: torch.Tensor, threshold: float, mse_threshold: float
) -> dict[str, dict[str, float]]:
    """Where predictions that know no dynamics land: the mean training input at every frame, and
    the first input held still. Returns name -> mean VPT (%) under both definitions."""
    held = test_pairs[:, :1].expand_as(test_pairs[:, 1:])
    mean_image = reference.expand_as(test_pairs[:, 1:])
    truth = test_pairs[:, 1:]
    # a few videos at a time (_by_videos): the expanded predictions never become whole tensors
    return {
        name: {
            "VPT relative error (%)": float(
                valid_prediction_time(
                    _by_videos(relative_frame_error, prediction, truth, reference=reference), threshold
                ).mean()
            ),
            "VPT pixel MSE (%)": float(
                valid_prediction_time(_by_videos(pixel_mse, prediction, truth), mse_threshold).mean()
            ),
        }
        for name, prediction in (("mean training image", mean_image), ("first frame held", held))
    }


def metric_row(row: dict[str, Any]) -> dict[str, float]:
    return {
        "VPT (%)": float(np.mean(row["vpt"]["neural_ode"])),
        "VPT pixel MSE (%)": float(np.mean(row["vpt_mse"]["neural_ode"])),
        "ceiling (%)": float(np.mean(row["ceiling"])),
        "VPT vs reconstruction (%)": float(np.mean(row["dynamics_vpt"]["neural_ode"])),
        "smoothness ratio": row["smoothness"],
        "step ratio": row["step_ratio"],
        "reconstruction MSE": row["reconstruction_mse"],
        "reconstruction error": row["reconstruction_error"],
        "in-between error": row["inbetween_error"],
    }


def metric_keys() -> tuple[str, ...]:
    return (
        "VPT (%)",
        "VPT pixel MSE (%)",
        "ceiling (%)",
        "VPT vs reconstruction (%)",
        "smoothness ratio",
        "step ratio",
        "reconstruction MSE",
        "reconstruction error",
        "in-between error",
    )

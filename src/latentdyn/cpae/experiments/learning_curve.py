"""How long must the authors' networks train to draw the pendulum? A resumable learning-curve run.

One run trains one autoencoder of :mod:`latentdyn.cpae.models.authors_networks` with the authors' recipe
(their objective with ``lam``, J on the large filters, Adam at a constant rate, batches of 512,
frame pairs of the damped pendulum from this project's simulator, 960 training videos) and, after
every epoch, scores it on the project's test videos (120 videos of 60 frames, a seed of their own):

- ``reconstruction_error``: mean relative frame error ``|D(E(x)) - x| / |x - x_ref|`` over every
  test pair (``x_ref``: the mean training input; 1 = no better than that image; the book's target
  for a decoder that draws the pendulum is 0.3);
- ``pixel_mse``: mean squared pixel error of the reconstructions, beside ``mean_image_mse``, that
  of the mean training input;
- latent measures that do not depend on the decoder: ``latent_spread`` (standard deviation of the
  encoded test pairs, mean over coordinates), ``smoothness_ratio`` (mean over test videos of
  :func:`latentdyn.cpae.metrics.smoothness_ratio` of the encoded trajectory; the true states score
  ``true_smoothness_ratio``) and ``state_r2`` (how well the latent states determine the true state
  ``(theta, theta_dot)``: a ridge regression on cubic features of the latent state, fitted on the
  even test videos and scored by R^2 on the odd ones, mean over the two coordinates);
- the large filters: ``penalty`` (J or L2 as trained), ``filter_norm`` (mean Frobenius norm of a
  filter) and ``normalised_continuity`` (J of the filters scaled to unit norm: their shape alone,
  since batch normalisation after each filter makes its scale free).

The run is checkpointed every ``checkpoint_every`` optimiser steps (model, step map, optimiser,
epoch, step; the batches of epoch ``e`` are drawn from ``(seed, e)``), so a stopped run resumes
where it stopped and gives the same result. After every epoch the model and step map are also
kept as ``epoch-<k>.pt`` (:func:`epoch_snapshot_path`), so that a model can be shipped at any
epoch of the curve once the curve has named the budget. Each scored epoch is appended to ``curve.json`` in
the run folder, with the run's provenance. Command line::

    python -m latentdyn.cpae.experiments.learning_curve --variant cpae --folder runs/curve-cpae --max-epochs 30
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cache import project_folder
from latentdyn.cpae.data.videos import frame_pairs
from latentdyn.cpae.data.windows import FrameWindows
from latentdyn.cpae.experiments.data import load_test_video, load_video
from latentdyn.cpae.experiments.latent_measures import state_errors
from latentdyn.cpae.metrics import pixel_mse, relative_frame_error, smoothness_ratio
from latentdyn.cpae.models.authors_networks import (
    VARIANTS,
    AuthorsAutoencoder,
    AuthorsStepMap,
    authors_objective,
    count_parameters,
)
from latentdyn.cpae.regularizers import filter_continuity_penalty
from latentdyn.cpae.settings import RECONSTRUCTION_TARGET, system_settings
from latentdyn.runtime import seed_everything
from latentdyn.validation import check_choice, check_positive_float, check_positive_int

CURVE_FILE = "curve.json"
CHECKPOINT_FILE = "checkpoint.pt"


def epoch_snapshot_path(folder: str | Path, epoch: int) -> Path:
    """``<folder>/epoch-<k>.pt``: the model and step map of a learning-curve run after epoch ``k``
    (``{"model": state_dict, "step_map": state_dict, "epoch": k}``)."""
    return Path(folder) / f"epoch-{check_positive_int('epoch', epoch):03d}.pt"


@dataclass(frozen=True)
class CurveSettings:
    """What determines a learning-curve run (the authors' recipe by default).

    ``num_trajectories`` videos of ``num_frames`` frames at ``resolution`` px (80 % train);
    ``prediction_weight`` is the authors' ``lam``; ``batch_size`` and ``learning_rate`` theirs.
    """

    variant: str = "cpae"
    system: str = "damped_pendulum"
    resolution: int = 64
    num_trajectories: int = 1200
    num_frames: int = 60
    latent_dim: int = 2
    prediction_weight: float = 1.0
    batch_size: int = 512
    learning_rate: float = 1e-3
    seed: int = 0

    def __post_init__(self) -> None:
        check_choice("variant", self.variant, tuple(VARIANTS))
        check_positive_int("resolution", self.resolution)
        check_positive_int("num_trajectories", self.num_trajectories)
        check_positive_int("num_frames", self.num_frames)
        check_positive_int("latent_dim", self.latent_dim)
        check_positive_float("prediction_weight", self.prediction_weight, allow_zero=True)
        check_positive_int("batch_size", self.batch_size)
        check_positive_float("learning_rate", self.learning_rate)
        check_positive_int("seed", self.seed, allow_zero=True)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _data_settings(settings: CurveSettings) -> dict[str, Any]:
    """The book's ``long`` profile settings of the system (test videos, bar rendering) at the run's
    size and number of videos."""
    knobs = {
        "resolution": settings.resolution,
        "num_trajectories": settings.num_trajectories,
        "num_frames": settings.num_frames,
        "latent_dim": settings.latent_dim,
    }
    return system_settings("long", knobs, settings.system)


def state_r2(latents: np.ndarray, states: np.ndarray) -> float:
    """How well latent states ``(N, T, d)`` determine the true states ``(N, T, s)``: ``1 -`` the mean
    of :func:`latentdyn.cpae.experiments.latent_measures.state_errors` (1 = determined exactly; 0 = no better
    than the mean; can be negative)."""
    return float(1.0 - state_errors(latents, states).mean())


@torch.no_grad()
def score_autoencoder(
    model: AuthorsAutoencoder,
    test_pairs: torch.Tensor,
    test_states: np.ndarray,
    reference: torch.Tensor,
    batch_size: int = 256,
) -> dict[str, float]:
    """The curve's measures of one model (eval mode) on ``test_pairs`` ``(N, T, C, H, 2W)`` in [0, 1]
    with true states ``(N, T + 1, s)`` and the mean training input ``reference`` ``(C, H, 2W)``."""
    model.eval()
    count, steps = test_pairs.shape[:2]
    flat = test_pairs.reshape(count * steps, *test_pairs.shape[2:])
    errors, mses, mean_image, latents = [], [], [], []
    for first in range(0, len(flat), batch_size):
        inputs = flat[first : first + batch_size]
        encoded = model.encode(inputs)
        decoded = model.decode(encoded)
        errors.append(relative_frame_error(decoded, inputs, reference))
        mses.append(pixel_mse(decoded, inputs))
        mean_image.append(pixel_mse(reference.expand_as(inputs), inputs))
        latents.append(encoded)
    latent = torch.cat(latents).reshape(count, steps, -1)
    states = np.asarray(test_states)[:, :steps]
    return {
        "reconstruction_error": float(torch.cat(errors).mean()),
        "pixel_mse": float(torch.cat(mses).mean()),
        "mean_image_mse": float(torch.cat(mean_image).mean()),
        "latent_spread": float(latent.reshape(-1, latent.shape[-1]).std(0).mean()),
        "smoothness_ratio": float(np.mean([smoothness_ratio(video) for video in latent])),
        "true_smoothness_ratio": float(np.mean([smoothness_ratio(torch.from_numpy(s).double()) for s in states])),
        "state_r2": state_r2(latent.numpy(), states),
    }


def filter_measures(model: AuthorsAutoencoder) -> dict[str, float]:
    """The large filters: the trained penalty, their mean norm, and J of the unit-norm filters."""
    filters = model.regularized_filters()
    norms = [torch.linalg.vector_norm(w, dim=(-2, -1)) for w in filters]
    unit = [w / n[..., None, None].clamp_min(1e-12) for w, n in zip(filters, norms)]
    return {
        "penalty": float(model.weight_penalty().detach()),
        "filter_norm": float(torch.cat([n.flatten() for n in norms]).mean()),
        "normalised_continuity": float(
            sum(filter_continuity_penalty(w, kernel_scale=model.kernel_scale) for w in unit)
        ),
    }


def _git_commit() -> str:
    try:
        here = Path(__file__).resolve().parent
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload, indent=1) + "\n")
    os.replace(temporary, path)


def _read_curve(path: Path, settings: CurveSettings) -> dict[str, Any] | None:
    if not path.exists():
        return None
    curve = json.loads(path.read_text())
    if curve.get("settings") != settings.as_dict():
        raise ValueError(
            f"{path} holds a run with other settings ({curve.get('settings')}); use another folder or the same settings"
        )
    return curve


def run_learning_curve(
    folder: str | Path,
    *,
    max_epochs: int = 30,
    target_error: float = RECONSTRUCTION_TARGET,
    checkpoint_every: int = 10,
    num_threads: int = 1,
    time_limit_s: float | None = None,
    command: str = "",
    **setting_values: Any,
) -> dict[str, Any]:
    """Train (or resume) one learning-curve run in ``folder``; return its curve.

    Args:
        folder: the run's folder (``checkpoint.pt``, ``curve.json``).
        max_epochs: the last epoch trained; the run also stops once an epoch's reconstruction
            error is at most ``target_error`` (0: never before ``max_epochs``, a fixed budget).
        checkpoint_every: optimiser steps between checkpoints (and at every epoch's end).
        num_threads: CPU threads (1 keeps the result bit-identical run to run).
        time_limit_s: stop (after a checkpoint) once this many seconds have passed in this call.
        command: the command line recorded in the provenance.
        setting_values: fields of :class:`CurveSettings`.

    Returns:
        ``{"settings", "provenance", "parameters", "epochs": [one dict per scored epoch]}``.
    """
    settings = CurveSettings(**setting_values)
    max_epochs = check_positive_int("max_epochs", max_epochs)
    target_error = check_positive_float("target_error", target_error, allow_zero=True)
    checkpoint_every = check_positive_int("checkpoint_every", checkpoint_every)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    curve_path, checkpoint_path = folder / CURVE_FILE, folder / CHECKPOINT_FILE
    started = time.monotonic()
    seed_everything(settings.seed, num_threads)

    data_settings = _data_settings(settings)
    dataset = load_video(settings.system, data_settings, settings.seed)
    train = torch.from_numpy(dataset.frames[dataset.splits["train"]])
    windows = FrameWindows(train, frames_per_input=2, target_offset=2)
    reference = FrameWindows(train).mean_input()
    test = load_test_video(settings.system, data_settings)
    test_pairs = torch.from_numpy(frame_pairs(test.frames))

    image_shape = windows.input_shape
    model = AuthorsAutoencoder(image_shape, settings.latent_dim, **VARIANTS[settings.variant])
    model = model.to(memory_format=torch.channels_last)  # oneDNN's faster layout (about 1.4x here)
    step_map = AuthorsStepMap(settings.latent_dim)
    optimizer = torch.optim.Adam([*model.parameters(), *step_map.parameters()], lr=settings.learning_rate)
    curve = _read_curve(curve_path, settings) or {
        "settings": settings.as_dict(),
        "parameters": {"autoencoder": count_parameters(model), "step_map": count_parameters(step_map)},
        "training_videos": int(len(train)),
        "windows_per_epoch": len(windows),
        "test_videos": int(len(test.frames)),
        "epochs": [],
        "provenance": [],
    }
    epoch, step = 0, 0
    if checkpoint_path.exists():
        state = torch.load(checkpoint_path, map_location="cpu", weights_only=True)
        model.load_state_dict(state["model"])
        step_map.load_state_dict(state["step_map"])
        optimizer.load_state_dict(state["optimizer"])
        epoch, step = int(state["epoch"]), int(state["step"])
    curve["provenance"].append(
        {
            "commit": _git_commit(),
            "command": command or " ".join(sys.argv),
            "device": f"{_cpu_name()}, {num_threads} thread(s)",
            "torch": torch.__version__,
            "python": platform.python_version(),
            "resumed_at": {"epoch": epoch, "step": step},
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
    )
    _write_json(curve_path, curve)

    def save(epoch_: int, step_: int) -> None:
        temporary = checkpoint_path.with_suffix(".tmp")
        torch.save(
            {
                "model": model.state_dict(),
                "step_map": step_map.state_dict(),
                "optimizer": optimizer.state_dict(),
                "epoch": epoch_,
                "step": step_,
            },
            temporary,
        )
        os.replace(temporary, checkpoint_path)

    def done() -> bool:
        scored = curve["epochs"]
        return epoch >= max_epochs or (bool(scored) and scored[-1]["reconstruction_error"] <= target_error)

    while not done():
        generator = torch.Generator().manual_seed(settings.seed * 100_003 + epoch)
        batches = torch.randperm(len(windows), generator=generator).split(settings.batch_size)
        model.train()
        step_map.train()
        epoch_started = time.monotonic()
        for index in range(step, len(batches)):
            batch = batches[index]
            inputs = windows.inputs(batch).contiguous(memory_format=torch.channels_last)
            targets = windows.targets(batch).contiguous(memory_format=torch.channels_last)
            loss, _ = authors_objective(model, step_map, inputs, targets, settings.prediction_weight)
            loss = loss + model.weight_penalty()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if not torch.isfinite(loss):
                raise FloatingPointError(f"training loss not finite at epoch {epoch}, step {index}")
            if (index + 1) % checkpoint_every == 0 and index + 1 < len(batches):
                save(epoch, index + 1)
                if time_limit_s is not None and time.monotonic() - started > time_limit_s:
                    return curve
        epoch, step = epoch + 1, 0
        save(epoch, 0)
        snapshot = epoch_snapshot_path(folder, epoch)
        torch.save(
            {"model": model.state_dict(), "step_map": step_map.state_dict(), "epoch": epoch},
            snapshot.with_suffix(".tmp"),
        )
        os.replace(snapshot.with_suffix(".tmp"), snapshot)
        row = {
            "epoch": epoch,
            "steps": epoch * len(batches),
            "training_inputs": epoch * len(windows),
            "epoch_wall_s": round(time.monotonic() - epoch_started, 1),
            **score_autoencoder(model, test_pairs, test.states, reference),
            **filter_measures(model),
        }
        curve["epochs"].append(row)
        _write_json(curve_path, curve)
        if time_limit_s is not None and time.monotonic() - started > time_limit_s:
            break
    return curve


CURVES_FOLDER = Path("data") / "reference" / "learning_curves"
AUTHORS_EPOCHS = 3  # the authors' recipe: 3 epochs at batch 512 (about 320 steps over 960 videos)


def recorded_curves(folder: str | Path | None = None, *, system: str | None = None) -> pd.DataFrame:
    """Every recorded learning curve (``<folder>/*.json``, copies of a run's ``curve.json``), one
    row per (run, epoch): ``run`` (the file's stem), the settings' ``system``, ``variant``,
    ``prediction_weight``, ``batch_size``, ``learning_rate``, ``seed``, ``resolution`` and every
    measure of the epoch. Empty when none is recorded.

    Args:
        folder: default ``<project>/data/reference/learning_curves``.
        system: only the curves of this system (default: every one).
    """
    folder = project_folder(CURVES_FOLDER, "learning curves") if folder is None else Path(folder)
    rows = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        curve = json.loads(path.read_text())
        settings = curve.get("settings", {})
        if "epochs" not in curve or "variant" not in settings:
            raise ValueError(f"{path}: not a learning curve (no settings.variant or epochs)")
        if system is not None and settings.get("system") != system:
            continue
        for row in curve["epochs"]:
            rows.append({"run": path.stem, **{k: settings.get(k) for k in RUN_KEYS}, **row})
    return pd.DataFrame(rows)


RUN_KEYS = ("system", "variant", "prediction_weight", "batch_size", "learning_rate", "seed", "resolution")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", required=True, help="the run's folder (checkpoint and curve)")
    parser.add_argument("--variant", default="cpae", choices=tuple(VARIANTS))
    parser.add_argument("--max-epochs", type=int, default=30)
    parser.add_argument("--target-error", type=float, default=RECONSTRUCTION_TARGET)
    parser.add_argument("--prediction-weight", type=float, default=1.0, help="the authors' lam")
    parser.add_argument("--resolution", type=int, default=64)
    parser.add_argument("--num-trajectories", type=int, default=1200)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--num-threads", type=int, default=1)
    parser.add_argument("--time-limit-s", type=float, default=None)
    arguments = parser.parse_args(argv)
    curve = run_learning_curve(
        arguments.folder,
        max_epochs=arguments.max_epochs,
        target_error=arguments.target_error,
        num_threads=arguments.num_threads,
        time_limit_s=arguments.time_limit_s,
        command="python -m latentdyn.cpae.experiments.learning_curve "
        + " ".join(sys.argv[1:] if argv is None else argv),
        variant=arguments.variant,
        prediction_weight=arguments.prediction_weight,
        resolution=arguments.resolution,
        num_trajectories=arguments.num_trajectories,
        batch_size=arguments.batch_size,
        learning_rate=arguments.learning_rate,
        seed=arguments.seed,
    )
    for row in curve["epochs"]:
        print(
            f"epoch {row['epoch']:3d}: reconstruction error {row['reconstruction_error']:.3f}, "
            f"pixel MSE {row['pixel_mse']:.5f} (mean image {row['mean_image_mse']:.5f}), "
            f"state R2 {row['state_r2']:.3f}, smoothness {row['smoothness_ratio']:.3f}"
        )


if __name__ == "__main__":
    main()

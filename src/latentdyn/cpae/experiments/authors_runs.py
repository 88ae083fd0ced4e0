"""The authors' networks shipped: two learning-curve runs' models at the profile's epoch, with their latent stage.

The authors' autoencoders (:mod:`latentdyn.cpae.models.authors_networks`) are trained by the
resumable learning-curve runs (:mod:`latentdyn.cpae.experiments.learning_curve`), one per
autoencoder and seed, hours each on one CPU core, which keep every epoch's model. For one system
and seed, :func:`ship_authors_run`

1. checks that each run was trained as the profile (default ``authors``) says (variant, data,
   objective weight, batch size, learning rate, seed) and reads its model after epoch
   ``settings["epochs"]``;
2. fits the latent stage on each autoencoder's encoded training trajectories (the profile's
   Neural ODE, on the latent states standardised when ``settings["standardise_latents"]``;
   cached like a live run's);
3. scores both on the system's test videos and ships them like a long run
   (:func:`latentdyn.cpae.experiments.shipped.ship_models`; provenance: the curve runs' commits,
   commands, device and the wall time of their epochs up to the shipped one, plus the latent
   stage's).

The pages then re-score them with :func:`latentdyn.cpae.experiments.shipped.run_cpae_long`
(``profile="authors"``). Command line (after both runs have passed the profile's epoch)::

    python -m latentdyn.cpae.experiments.authors_runs --seed 1 \\
        --standard runs/damped-64-standard-batch64-seed1 --cpae runs/damped-64-cpae-batch64-seed1
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from latentdyn.cpae.experiments.autoencoder_stage import encode_windows
from latentdyn.cpae.experiments.data import prepare_system
from latentdyn.cpae.experiments.decoupled import DecoupledFit
from latentdyn.cpae.experiments.latent_stage import Standardiser, trained_latent_model
from latentdyn.cpae.experiments.learning_curve import CURVE_FILE, epoch_snapshot_path
from latentdyn.cpae.experiments.scoring import cached_evaluation, models_digest
from latentdyn.cpae.experiments.shipped import rebuilt_autoencoder, ship_models
from latentdyn.cpae.experiments.shipped_measures import store_latent_measures
from latentdyn.cpae.experiments.systems import SystemResult, assemble_system_result
from latentdyn.cpae.models.authors_networks import AuthorsAutoencoder
from latentdyn.cpae.recorded_runs import provenance_here, recorded_run_from_payload, run_payload
from latentdyn.cpae.settings import AUTHORS_PROFILE, LATENT_DIM, system_settings
from latentdyn.runtime import seed_everything
from latentdyn.validation import check_positive_int


def expected_curve_settings(settings: dict[str, Any], system: str, variant: str, seed: int) -> dict[str, Any]:
    """The learning-curve settings (:class:`latentdyn.cpae.experiments.learning_curve.CurveSettings`)
    of the run that trains ``variant`` for a profile with ``settings``."""
    return {
        "variant": variant,
        "system": system,
        "resolution": settings["resolution"],
        "num_trajectories": settings["num_trajectories"],
        "num_frames": settings["num_frames"],
        "latent_dim": settings["latent_dim"] or LATENT_DIM[system],
        "prediction_weight": settings["prediction_weight"],
        "batch_size": settings["batch_size"],
        "learning_rate": settings["learning_rate"],
        "seed": seed,
    }


def curve_model(
    folder: str | Path, settings: dict[str, Any], system: str, variant: str, seed: int
) -> tuple[AuthorsAutoencoder, dict[str, Any]]:
    """The autoencoder of the learning-curve run in ``folder`` after epoch ``settings["epochs"]``
    (eval mode) and the run's curve.

    Raises:
        FileNotFoundError: no curve in ``folder``, or the run has not reached that epoch yet.
        ValueError: the run was trained with other settings than the profile's (named).
    """
    folder = Path(folder)
    epoch = check_positive_int("epochs", settings["epochs"])
    curve_path = folder / CURVE_FILE
    if not curve_path.is_file():
        raise FileNotFoundError(f"no learning curve {curve_path}")
    curve = json.loads(curve_path.read_text())
    expected = expected_curve_settings(settings, system, variant, seed)
    recorded = curve.get("settings", {})
    differ = {key: (recorded.get(key), value) for key, value in expected.items() if recorded.get(key) != value}
    if differ:
        named = "; ".join(f"{key}: run {run!r}, profile {wanted!r}" for key, (run, wanted) in differ.items())
        raise ValueError(f"{folder} was not trained as the profile says ({named})")
    snapshot = epoch_snapshot_path(folder, epoch)
    if not snapshot.is_file():
        done = len(curve.get("epochs", []))
        raise FileNotFoundError(f"{snapshot} is missing: the run in {folder} has scored {done} epoch(s) of {epoch}")
    state = torch.load(snapshot, map_location="cpu", weights_only=True)
    image_shape = (3, settings["resolution"], 2 * settings["resolution"])
    model = rebuilt_autoencoder(variant, settings, image_shape, expected["latent_dim"])
    model.load_state_dict(state["model"])
    model.eval()
    if settings["channels_last"]:
        model.to(memory_format=torch.channels_last)
    return model, curve


def _curve_provenance(curves: dict[str, dict[str, Any]], epoch: int) -> dict[str, Any]:
    """The training runs' provenance: per autoencoder the commits, commands and devices of the
    curve's sittings and the wall time of its epochs up to ``epoch``."""
    runs = {}
    for variant, curve in curves.items():
        sittings = curve.get("provenance", [])
        runs[variant] = {
            "commits": sorted({s.get("commit", "") for s in sittings}),
            "command": sittings[0].get("command", "") if sittings else "",
            "devices": sorted({s.get("device", "") for s in sittings}),
            "torch": sorted({s.get("torch", "") for s in sittings}),
            "epoch_wall_seconds": [row["epoch_wall_s"] for row in curve["epochs"][:epoch]],
            "curve_reconstruction_error": curve["epochs"][epoch - 1]["reconstruction_error"],
        }
    return runs


def fit_latent_stage(
    autoencoder: AuthorsAutoencoder,
    train_latents: torch.Tensor,
    settings: dict[str, Any],
    seed: int,
    *,
    standardise: bool | None = None,
) -> tuple[Standardiser, dict[str, Any]]:
    """The latent stage of one autoencoder of the authors' networks: each of the profile's
    ``latent_models`` fitted (or read from the data cache, keyed by this autoencoder and the
    standardiser) to its encoded training trajectories ``train_latents (N, T, d)``.

    Args:
        standardise: fit to the latent states standardised per coordinate (default:
            ``settings["standardise_latents"]``), else to the raw states.

    Returns:
        The standardiser (identity for raw states) and kind -> fitted model.
    """
    standardise = settings["standardise_latents"] if standardise is None else standardise
    dim = train_latents.shape[-1]
    standardiser = Standardiser.fit(train_latents) if standardise else Standardiser.identity(dim)
    key = models_digest(autoencoder, {}, standardiser)  # the latent stage's cache key: this autoencoder
    fitted = standardiser.forward(train_latents)
    models = {kind: trained_latent_model(kind, fitted, key, settings, seed) for kind in settings["latent_models"]}
    return standardiser, models


def fit_authors_system(
    system: str,
    seed: int,
    folders: dict[str, str | Path],
    *,
    profile: str = AUTHORS_PROFILE,
    overrides: dict[str, Any] | None = None,
) -> tuple[SystemResult, dict[str, Any]]:
    """Stages 2 and 3 for the curve runs' models: fit the latent stage on each autoencoder's
    encoded training trajectories, score both on the test videos; return the result (models in
    ``result.models``) and the curve runs' provenance (:func:`_curve_provenance`).

    Args:
        folders: variant (each of the profile's ``autoencoders``) -> the learning-curve run's folder.
        overrides: settings that differ from the profile's (a small run in a test), recorded with it.
    """
    settings = system_settings(profile, dict(overrides or {}), system)
    if settings.get("networks") != "authors":
        raise ValueError(f"profile {profile!r} is not one of the authors' networks (settings['networks'])")
    missing = set(settings["autoencoders"]) - set(folders)
    if missing:
        raise ValueError(f"folders must name a learning-curve run for each of {sorted(settings['autoencoders'])}")
    seed_everything(seed, settings["num_threads"])
    started = time.perf_counter()
    data = prepare_system(system, settings, seed)
    fits, curves = {}, {}
    for variant in settings["autoencoders"]:
        autoencoder, curves[variant] = curve_model(folders[variant], settings, system, variant, seed)
        train_latents = encode_windows(autoencoder, data.train_windows(target_offset=0))
        standardiser, models = fit_latent_stage(autoencoder, train_latents, settings, seed)
        row, errors = cached_evaluation(autoencoder, models, standardiser, data, settings)
        epochs = curves[variant]["epochs"][: settings["epochs"]]
        # the curve's test reconstruction error per epoch (the runs keep no training loss)
        row["autoencoder_loss"] = np.asarray([r["reconstruction_error"] for r in epochs], dtype=np.float32)
        row["latent_losses"] = {kind: np.asarray(model.loss_curve) for kind, model in models.items()}
        row["training_seconds"] = float(sum(r["epoch_wall_s"] for r in epochs))
        fits[variant] = DecoupledFit(autoencoder, standardiser, models, row, errors)
    result = assemble_system_result(data, settings, fits, {"latent stage and scoring": time.perf_counter() - started})
    return result, _curve_provenance(curves, settings["epochs"])


def ship_authors_run(
    system: str,
    seed: int,
    folders: dict[str, str | Path],
    *,
    command: str,
    profile: str = AUTHORS_PROFILE,
    overrides: dict[str, Any] | None = None,
    folder: Path | None = None,
) -> Path:
    """:func:`fit_authors_system`, then ship the models (float16, with provenance and scores) as
    ``<system>-<profile>-seed<k>`` (:func:`latentdyn.cpae.experiments.shipped.ship_models`); return
    the ``.npz`` path. The recorded wall time is the curve runs' epochs plus the latent stage."""
    started = time.perf_counter()
    result, curves = fit_authors_system(system, seed, folders, profile=profile, overrides=overrides)
    training = sum(sum(run["epoch_wall_seconds"]) for run in curves.values())
    provenance = provenance_here(command, training + time.perf_counter() - started, "cpu")
    provenance["curve_runs"] = curves
    provenance["device"] = "; ".join(sorted({d for run in curves.values() for d in run["devices"]}))
    record = recorded_run_from_payload(
        run_payload(result, profile=profile, seed=seed, provenance=provenance, overrides=overrides)
    )
    return ship_models(result, record, command=command, folder=folder)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--system", default="damped_pendulum")
    parser.add_argument("--profile", default=AUTHORS_PROFILE)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--standard", required=True, help="the standard AE's learning-curve run folder")
    parser.add_argument("--cpae", required=True, help="the CpAE's learning-curve run folder")
    arguments = parser.parse_args(argv)
    command = "python -m latentdyn.cpae.experiments.authors_runs " + " ".join(sys.argv[1:] if argv is None else argv)
    path = ship_authors_run(
        arguments.system,
        arguments.seed,
        {"standard": arguments.standard, "cpae": arguments.cpae},
        command=command,
        profile=arguments.profile,
    )
    store_latent_measures(arguments.system, arguments.profile, arguments.seed)
    print(f"shipped {path}")


if __name__ == "__main__":
    main()

"""The circle experiment at the authors' length, shipped: trained once (profile ``paper`` on a
CPU: 100,000 full-batch steps an autoencoder, about 8 minutes each on one core), stored in the
repository and re-scored by the circle chapter (forward passes only).

One shipped seed is two files under ``data/reference/shipped_models/circle``:

- ``circle-<profile>-seed<k>.npz``: the three autoencoders' and Neural ODEs' tensors as float16
  (``<variant>.autoencoder.<parameter>``, ``<variant>.neural_ode.<parameter>``; the scores are
  those of the float16 models), their latent standardisers and training losses as float32
  (``<variant>.standardiser.mean|std``, ``<variant>.loss.autoencoder|neural_ode``, the loss of
  every :data:`LOSS_STRIDE`-th step, recorded as ``loss_stride`` in the JSON);
- ``<same>.json``: the settings, the training-code fingerprint, the scores of the stored models
  (``metrics``), and the provenance: commit, command, device, torch, each autoencoder's training
  wall time, and the file's SHA-256 digest (``shipped``).

:func:`load_circle_run` refuses a file whose digest differs from its JSON, and
:func:`circle_run_problems` also names a run that its profile or the training code has left
behind (a unit test fails on either).
"""

from __future__ import annotations

import argparse
import datetime
import json
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cpae.experiments.autoencoder_stage import encode, load_state, state_arrays
from latentdyn.cpae.experiments.circle import (
    CircleFit,
    CircleResult,
    circle_autoencoder,
    circle_video,
    fit_circle_variant,
    score_circle,
    train_circle_task,
)
from latentdyn.cpae.experiments.latent_stage import Standardiser
from latentdyn.cpae.models.latent_dynamics import build_latent_model
from latentdyn.cpae.recorded_runs import WHERE_IT_RAN, json_plain, provenance_here
from latentdyn.cpae.settings import TRAINING_CODE, VARIANT_LABELS
from latentdyn.cpae.shipped_models import (
    compact_arrays,
    file_digest,
    shipped_folder,
    write_arrays,
    write_shipped_json,
)
from latentdyn.parallel import fill_cache
from latentdyn.profiles import resolve_settings
from latentdyn.runtime import seed_everything
from latentdyn.validation import check_existing_path

SHIPPED_PROFILE = "paper"  # the authors' length
LOSS_STRIDE = 100  # the training losses are stored every this many steps (a curve, not every update)
# where a shipped circle run was trained: the CPU, one thread an autoencoder
TRAINED_ON = {"device": "cpu", "num_threads": 1}


def circle_folder(folder: Path | None = None) -> Path:
    """``<shipped models folder>/circle`` (or ``folder`` itself when given)."""
    return Path(folder) if folder is not None else shipped_folder() / "circle"


def circle_run_path(seed: int, profile: str = SHIPPED_PROFILE, folder: Path | None = None) -> Path:
    """The ``.npz`` of one shipped circle seed."""
    return circle_folder(folder) / f"circle-{profile}-seed{int(seed)}.npz"


def _fit_arrays(variant: str, fit: CircleFit) -> dict[str, np.ndarray]:
    arrays = {f"{variant}.autoencoder.{k}": v for k, v in state_arrays(fit.autoencoder).items()}
    arrays.update({f"{variant}.neural_ode.{k}": v for k, v in state_arrays(fit.neural_ode).items()})
    arrays[f"{variant}.standardiser.mean"] = fit.standardiser.mean.numpy()
    arrays[f"{variant}.standardiser.std"] = fit.standardiser.std.numpy()
    arrays[f"{variant}.loss.autoencoder"] = np.asarray(fit.autoencoder.training_history, dtype=np.float32)[
        ::LOSS_STRIDE
    ]
    arrays[f"{variant}.loss.neural_ode"] = np.asarray(fit.neural_ode.loss_curve, dtype=np.float32)[::LOSS_STRIDE]
    return arrays


def _metrics_records(result: CircleResult) -> list[dict[str, Any]]:
    return json_plain(result.metrics.rename_axis("autoencoder").reset_index().to_dict("records"))


def ship_circle_run(
    seed: int, *, command: str, profile: str = SHIPPED_PROFILE, folder: Path | None = None, workers: int = 1
) -> Path:
    """Train (or load from the cache) the circle's three autoencoders and Neural ODEs of ``profile``
    on the CPU, one thread each (``workers`` at a time), store them as float16 with their
    provenance and the scores of the stored models; return the ``.npz`` path."""
    settings = resolve_settings("cpae_circle", profile, **TRAINED_ON)
    variants = tuple(settings["autoencoders"])
    seed_everything(seed, 1)
    fill_cache([(train_circle_task, {"variant": v, "settings": settings, "seed": seed}) for v in variants], workers)
    video = circle_video(settings)
    fits = {variant: fit_circle_variant(variant, settings, seed, video) for variant in variants}
    arrays: dict[str, np.ndarray] = {}
    for variant, fit in fits.items():
        arrays.update(_fit_arrays(variant, fit))
    path = circle_run_path(seed, profile, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = write_arrays(path, compact_arrays(arrays))
    seconds = {variant: round(fit.training_seconds, 1) for variant, fit in fits.items()}
    provenance = provenance_here(command, sum(seconds.values()), "cpu")
    provenance["training_seconds"] = seconds
    provenance["shipped"] = {"file": path.name, "sha256": digest, "bytes": path.stat().st_size, "dtype": "float16"}
    payload = {
        "experiment": "circle",
        "profile": profile,
        "seed": int(seed),
        "settings": json_plain(settings),
        "training_code": TRAINING_CODE,
        "loss_stride": LOSS_STRIDE,
        "provenance": provenance,
        "metrics": [],
    }
    write_shipped_json(path, payload)
    payload["metrics"] = _metrics_records(shipped_circle_result(seed, profile, folder))
    write_shipped_json(path, payload)
    return path


@dataclass
class CircleRun:
    """One shipped circle seed: its JSON (``payload``), its arrays and the ``.npz`` path."""

    payload: dict[str, Any]
    arrays: dict[str, np.ndarray]
    path: Path

    def module_arrays(self, variant: str, part: str) -> dict[str, np.ndarray]:
        """One module's arrays (``part``: ``autoencoder``, ``neural_ode``) as float32, named as in its
        ``state_dict``."""
        prefix = f"{variant}.{part}."
        found = {
            name[len(prefix) :]: value.astype(np.float32) if np.issubdtype(value.dtype, np.floating) else value
            for name, value in self.arrays.items()
            if name.startswith(prefix)
        }
        if not found:
            raise KeyError(f"{self.path.name} holds no {part!r} of variant {variant!r}")
        return found


def _read_payload(path: Path) -> dict[str, Any]:
    json_path = path.with_suffix(".json")
    try:
        payload = json.loads(json_path.read_text())
        for key in ("profile", "seed", "settings", "training_code", "provenance", "metrics"):
            payload[key]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{json_path} is not a complete shipped circle run: {error!r}") from error
    return payload


def _digest_mismatch(path: Path, payload: dict[str, Any]) -> str | None:
    expected = str(payload["provenance"].get("shipped", {}).get("sha256"))
    actual = file_digest(path)
    return None if actual == expected else f"{path} has SHA-256 {actual[:12]}…, its JSON records {expected[:12]}…"


def load_circle_run(seed: int, profile: str = SHIPPED_PROFILE, folder: Path | None = None) -> CircleRun:
    """Read one shipped circle seed, refusing a file whose digest differs from its JSON.

    Raises:
        FileNotFoundError: nothing shipped for that seed (the message lists what is).
        ValueError: a changed or damaged file, or an incomplete JSON.
    """
    path = circle_run_path(seed, profile, folder)
    if not path.is_file() or not path.with_suffix(".json").is_file():
        there = sorted(p.stem for p in circle_folder(folder).glob("*.npz")) if circle_folder(folder).is_dir() else []
        raise FileNotFoundError(
            f"no shipped circle run {path.name} (with its .json) in {path.parent}; shipped: "
            f"{', '.join(there) or 'none'}. Train and ship it with "
            f"python -m latentdyn.cpae.experiments.circle_shipped --seed {seed}"
        )
    payload = _read_payload(path)
    mismatch = _digest_mismatch(path, payload)
    if mismatch:
        raise ValueError(
            f"{mismatch}: the file changed or is damaged; restore it (git checkout) or ship the seed again"
        )
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    return CircleRun(payload, arrays, path)


def circle_run_problems(path: Path) -> list[str]:
    """What is wrong with one shipped circle seed (empty when nothing): a missing or incomplete
    JSON, a digest that differs, settings that its profile no longer gives (where it ran aside),
    or other training code."""
    path = check_existing_path("path", path)
    try:
        payload = _read_payload(path)
    except ValueError as error:
        return [str(error)]
    problems = [mismatch] if (mismatch := _digest_mismatch(path, payload)) else []
    if payload["training_code"] != TRAINING_CODE:
        problems.append(
            f"{path.name}: trained by other training code ({payload['training_code']}, now {TRAINING_CODE})"
        )
    current = json_plain(resolve_settings("cpae_circle", payload["profile"], **TRAINED_ON))
    for key in sorted(set(current) | set(payload["settings"])):
        if key not in WHERE_IT_RAN and current.get(key) != payload["settings"].get(key):
            problems.append(
                f"{path.name}: {key}: shipped {payload['settings'].get(key)!r}, profile now {current.get(key)!r}"
            )
    return problems


def shipped_circle_seeds(profile: str = SHIPPED_PROFILE, folder: Path | None = None) -> tuple[int, ...]:
    """The seeds shipped for ``profile``, in order."""
    stems = circle_folder(folder).glob(f"circle-{profile}-seed*.npz") if circle_folder(folder).is_dir() else []
    return tuple(sorted(int(p.stem.rsplit("seed", 1)[1]) for p in stems))


def shipped_circle_result(seed: int, profile: str = SHIPPED_PROFILE, folder: Path | None = None) -> CircleResult:
    """One shipped seed rebuilt and scored as :func:`~latentdyn.cpae.experiments.circle.run_cpae_circle`
    scores a live run (``training_seconds``: the shipped training wall times)."""
    run = load_circle_run(seed, profile, folder)
    settings = dict(run.payload["settings"])
    seed_everything(seed, 1)
    fits = {}
    video = circle_video(settings)
    frames = torch.from_numpy(video.frames)
    for variant in settings["autoencoders"]:
        autoencoder = circle_autoencoder(variant, settings)
        load_state(autoencoder, run.module_arrays(variant, "autoencoder"))
        autoencoder.eval()
        ode = build_latent_model(
            "neural_ode", 2, hidden=settings["dynamics_hidden"], substeps=settings["dynamics_substeps"]
        )
        load_state(ode, run.module_arrays(variant, "neural_ode"))
        ode.eval()
        standardiser = Standardiser(
            torch.from_numpy(run.arrays[f"{variant}.standardiser.mean"]),
            torch.from_numpy(run.arrays[f"{variant}.standardiser.std"]),
        )
        latents = encode(autoencoder, frames)
        seconds = float(run.payload["provenance"].get("training_seconds", {}).get(variant, float("nan")))
        fits[variant] = CircleFit(autoencoder, latents, standardiser, ode, seconds)
    return score_circle(settings, video, fits)


@dataclass
class CircleSeeds:
    """The shipped circle seeds re-scored: ``results`` seed -> :class:`CircleResult`; ``table`` one
    row per (seed, autoencoder) with every metric; ``provenance`` seed -> the training run's."""

    results: dict[int, CircleResult]
    table: pd.DataFrame
    provenance: dict[int, dict[str, Any]]

    @property
    def seeds(self) -> tuple[int, ...]:
        return tuple(self.results)

    def differences(self, measure: str, other: str) -> np.ndarray:
        """``(seeds,)`` CpAE − ``other`` (a variant key) on ``measure`` (a metrics column), per seed."""
        cpae, baseline = VARIANT_LABELS["cpae"], VARIANT_LABELS[other]
        return np.asarray(
            [r.metrics.loc[cpae, measure] - r.metrics.loc[baseline, measure] for r in self.results.values()],
            dtype=float,
        )


def run_circle_shipped(
    *, profile: str = SHIPPED_PROFILE, seeds: tuple[int, ...] | None = None, folder: Path | None = None
) -> CircleSeeds:
    """Re-score the shipped circle seeds (all of ``profile``'s by default; seconds)."""
    seeds = shipped_circle_seeds(profile, folder) if seeds is None else tuple(int(s) for s in seeds)
    if not seeds:
        raise FileNotFoundError(f"no circle run of profile {profile!r} is shipped in {circle_folder(folder)}")
    results = {seed: shipped_circle_result(seed, profile, folder) for seed in seeds}
    table = pd.concat(
        {seed: result.metrics.rename_axis("autoencoder") for seed, result in results.items()}, names=["seed"]
    )
    provenance = {seed: load_circle_run(seed, profile, folder).payload["provenance"] for seed in seeds}
    return CircleSeeds(results, table, provenance)


def main(argv: list[str] | None = None) -> None:
    """``python -m latentdyn.cpae.experiments.circle_shipped --seed 0 [--seed 1 ...]``: train (or
    load from the cache) and ship circle seeds at the authors' length."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--seed", type=int, action="append", required=True)
    parser.add_argument("--profile", default=SHIPPED_PROFILE)
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args(argv)
    command = shlex.join(["python", "-m", "latentdyn.cpae.experiments.circle_shipped", *(argv or sys.argv[1:])])
    started = datetime.datetime.now(datetime.timezone.utc)
    for seed in arguments.seed:
        path = ship_circle_run(seed, command=command, profile=arguments.profile, workers=arguments.workers)
        print(f"shipped {path} ({path.stat().st_size / 1e6:.2f} MB) since {started:%H:%M}", flush=True)


if __name__ == "__main__":
    main()

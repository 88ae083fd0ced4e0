"""The CpAE's ablation variants on the authors' networks, scored like the shipped CpAE and paired with it.

The ablation (:mod:`latentdyn.cpae.experiments.filter_ablation`) trains the CpAE's networks
without J (``cpae_no_penalty``), with L2 instead (``cpae_l2``) or with 4 × 4 filters
(``cpae_small_filters``) in learning-curve runs with the shipped models' recipe. For one such run
:func:`score_variant_run` does what :func:`latentdyn.cpae.experiments.authors_runs.fit_authors_system`
does for the shipped pair: the model after the profile's epoch, its latent stage fitted as the
profile says (the Neural ODE on the standardised latent states), scored on the same test videos.
Per video it keeps the decoder-free measures
(:func:`latentdyn.cpae.experiments.latent_measures.latent_measures`), VPT against the autoencoder's
own reconstructions and against the true frames, the ceiling and the reconstruction error.

:func:`record_variant_scores` writes them with provenance to
``data/reference/variant_scores/<system>-<profile>-seed<k>-<variant>.json`` (the variant's weights
are not shipped: hours of one core, megabytes each); :func:`variant_comparison` pairs each recorded
variant with the shipped CpAE of the same seed (trained by the same recipe, on the same data) on
every measure. Command line (after the run has passed the profile's epoch)::

    python -m latentdyn.cpae.experiments.variant_scores --variant cpae_no_penalty --seed 1 \\
        --folder runs/damped-64-cpae_no_penalty-batch64-seed1
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from latentdyn.cache import project_folder
from latentdyn.cpae.experiments.authors_runs import curve_model, fit_latent_stage
from latentdyn.cpae.experiments.autoencoder_stage import encode_windows
from latentdyn.cpae.experiments.data import prepare_system
from latentdyn.cpae.experiments.filter_ablation import ABLATION_VARIANTS
from latentdyn.cpae.experiments.latent_claim import MEASURE_LABELS, MEASURES
from latentdyn.cpae.experiments.latent_measures import LATENT_THRESHOLD, latent_measures
from latentdyn.cpae.experiments.scoring import evaluate_variant, models_digest
from latentdyn.cpae.experiments.shipped import shipped_seeds, shipped_variant
from latentdyn.cpae.experiments.shipped_measures import shipped_latent_measures
from latentdyn.cpae.recorded_runs import provenance_here
from latentdyn.cpae.settings import AUTHORS_PROFILE, system_settings
from latentdyn.reporting import interval_column
from latentdyn.runtime import seed_everything
from latentdyn.statistics import Estimate, ordering, paired_difference
from latentdyn.validation import check_choice
from latentdyn.verdicts import HIGHER, LOWER

SCORES_FOLDER = "data/reference/variant_scores"
VARIANTS = ("cpae_no_penalty", "cpae_l2", "cpae_small_filters")  # the CpAE's networks, one change each
# per video, beside the decoder-free MEASURES: VPT against the true frames and the decoder's
# (the ceiling: VPT of the reconstructions; the reconstruction error), with which way is better
FRAME_MEASURES = {"vpt": HIGHER, "ceiling": HIGHER, "reconstruction_error": LOWER}
MEASURE_NAMES = {
    **MEASURE_LABELS,
    "vpt": "VPT against the true frames (%)",
    "ceiling": "ceiling: VPT of the reconstructions (%)",
    "reconstruction_error": "reconstruction error",
}


def score_variant_run(
    system: str,
    variant: str,
    seed: int,
    folder: str | Path,
    *,
    profile: str = AUTHORS_PROFILE,
    overrides: dict[str, Any] | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Fit the latent stage of one learning-curve run's autoencoder and score it on the test videos.

    Args:
        variant: one of :data:`VARIANTS`; folder: its learning-curve run (trained as ``profile``
            says, :func:`latentdyn.cpae.experiments.authors_runs.curve_model`).
        overrides: settings that differ from the profile's (a small run in a test).

    Returns:
        Per video (``(N,)``; ``state_error``: the odd videos): every measure of
        :data:`latentdyn.cpae.experiments.latent_claim.MEASURES`, ``vpt``, ``ceiling`` and
        ``reconstruction_error``; and what was scored: the models' and the test videos' digests,
        the epoch, the latent stage's updates and the fit's wall time (s).
    """
    check_choice("variant", variant, VARIANTS)
    settings = system_settings(profile, dict(overrides or {}), system)
    seed_everything(seed, settings["num_threads"])
    data = prepare_system(system, settings, seed)
    autoencoder, _ = curve_model(folder, settings, system, variant, seed)
    started = time.perf_counter()
    train_latents = encode_windows(autoencoder, data.train_windows(target_offset=0))  # (N, T, d)
    standardiser, models = fit_latent_stage(autoencoder, train_latents, settings, seed)
    fit_seconds = time.perf_counter() - started
    ode = models["neural_ode"]
    measures = latent_measures(autoencoder, ode, standardiser, data.test_pairs, data.test_states)
    scores, _ = evaluate_variant(
        autoencoder,
        {"neural_ode": ode},
        standardiser,
        data.test_pairs,
        None,
        data.reference,
        settings["vpt_threshold"],
        settings["inbetween_steps"],
        mse_threshold=settings["mse_threshold"],
    )
    per_video = {
        **measures,
        "dynamics_vpt": np.asarray(scores["dynamics_vpt"]["neural_ode"]),
        "vpt": np.asarray(scores["vpt"]["neural_ode"]),
        "ceiling": np.asarray(scores["ceiling"]),
        "reconstruction_error": np.asarray(scores["reconstruction_errors"]),
    }
    scored = {
        "models": models_digest(autoencoder, models, standardiser),
        "test": data.test_digest,
        "epoch": int(settings["epochs"]),
        "dynamics_steps": int(settings["dynamics_steps"]),
        "latent_threshold": LATENT_THRESHOLD,
        "vpt_threshold": float(settings["vpt_threshold"]),
        "fit_seconds": round(fit_seconds, 1),
    }
    return per_video, scored


def scores_path(system: str, profile: str, seed: int, variant: str, folder: Path | None = None) -> Path:
    folder = project_folder(SCORES_FOLDER, "variant scores") if folder is None else Path(folder)
    return folder / f"{system}-{profile}-seed{seed}-{variant}.json"


def record_variant_scores(
    system: str,
    variant: str,
    seed: int,
    run_folder: str | Path,
    *,
    command: str,
    profile: str = AUTHORS_PROFILE,
    overrides: dict[str, Any] | None = None,
    folder: Path | None = None,
) -> Path:
    """:func:`score_variant_run`, written with provenance (commit, device, torch, wall time,
    command, date) and the learning-curve run's folder name to :func:`scores_path`; return the path."""
    started = time.perf_counter()
    per_video, scored = score_variant_run(system, variant, seed, run_folder, profile=profile, overrides=overrides)
    path = scores_path(system, profile, seed, variant, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "system": system,
        "profile": profile,
        "variant": variant,
        "seed": seed,
        "run": Path(run_folder).name,
        "scored": scored,
        "per_video": {name: np.asarray(values, dtype=np.float64).tolist() for name, values in per_video.items()},
        "provenance": provenance_here(command, time.perf_counter() - started, "cpu"),
    }
    path.write_text(json.dumps(payload, indent=1) + "\n")
    return path


def recorded_variant_scores(folder: Path | None = None, *, system: str | None = None) -> dict[tuple, dict[str, Any]]:
    """Every recorded variant's scores: ``(system, profile, seed, variant)`` -> the file's payload
    (``per_video`` as ``(N,)`` arrays). Empty when none is recorded.

    Raises:
        ValueError: a file in the folder is not a recorded variant score (named).
    """
    folder = project_folder(SCORES_FOLDER, "variant scores") if folder is None else Path(folder)
    recorded = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        payload = json.loads(path.read_text())
        if not isinstance(payload.get("per_video"), dict) or "variant" not in payload or "scored" not in payload:
            raise ValueError(f"{path}: not a recorded variant score (no per_video, scored or variant)")
        if system is not None and payload["system"] != system:
            continue
        payload["per_video"] = {
            name: np.asarray(values, dtype=np.float64) for name, values in payload["per_video"].items()
        }
        recorded[(payload["system"], payload["profile"], int(payload["seed"]), payload["variant"])] = payload
    return recorded


def _reading(difference: Estimate, better: str) -> str:
    """Which of the variant and the CpAE is better on a measure (``difference``: variant − CpAE):
    ``"variant ahead"``, ``"CpAE ahead"`` or ``"no ordering"`` (the interval contains zero)."""
    if better == LOWER:
        difference = Estimate(
            -difference.mean,
            difference.standard_error,
            -difference.high,
            -difference.low,
            difference.n,
            difference.confidence,
        )
    return ordering(difference, "variant", "CpAE", short=True)


def variant_comparison(
    recorded: dict[tuple, dict[str, Any]] | None = None,
    *,
    system: str = "damped_pendulum",
    profile: str = AUTHORS_PROFILE,
    shipped_folder: Path | None = None,
) -> pd.DataFrame:
    """Each recorded variant against the shipped CpAE of its seed, per measure, paired over the
    same test videos.

    Args:
        recorded: :func:`recorded_variant_scores` (default: read them).
        shipped_folder: where the shipped models are (default: the project's).

    Returns:
        One row per (variant, seed, measure): ``variant``, ``seed``, ``measure`` (a key of
        :data:`MEASURE_NAMES`), ``better`` (which way), the variant's and the CpAE's means, ``difference`` (variant −
        CpAE) with ``low`` / ``high`` (95 %), ``reading`` (:func:`_reading`), ``videos``. Empty
        (with these columns) when nothing is recorded.

    Raises:
        ValueError: a recorded variant was scored on other test videos than the shipped CpAE of
            its seed (or its seed is not shipped).
    """
    recorded = recorded_variant_scores(system=system) if recorded is None else recorded
    rows = []
    shipped = set(shipped_seeds(system, profile, shipped_folder))
    for (run_system, run_profile, seed, variant), payload in sorted(recorded.items()):
        if (run_system, run_profile) != (system, profile):
            continue
        if seed not in shipped:
            raise ValueError(
                f"variant {variant} seed {seed}: no shipped CpAE of {system} ({profile}) seed {seed} to pair with"
            )
        cpae = shipped_variant(system, "cpae", profile, seed, folder=shipped_folder)
        if payload["scored"]["test"] != cpae.data.test_digest:
            raise ValueError(f"variant {variant} seed {seed} was scored on other test videos than the shipped CpAE")
        reference, _ = shipped_latent_measures(system, "cpae", seed, profile, use_stored=True, folder=shipped_folder)
        for measure, better in {**MEASURES, **FRAME_MEASURES}.items():
            mine, theirs = payload["per_video"][measure], reference[measure]
            estimate = paired_difference(mine, theirs)
            rows.append(
                {
                    "variant": variant,
                    "seed": seed,
                    "measure": measure,
                    "better": better,
                    "variant mean": float(np.mean(mine)),
                    "CpAE mean": float(np.mean(theirs)),
                    "difference": estimate.mean,
                    "low": estimate.low,
                    "high": estimate.high,
                    "reading": _reading(estimate, better),
                    "videos": estimate.n,
                }
            )
    columns = [
        "variant",
        "seed",
        "measure",
        "better",
        "variant mean",
        "CpAE mean",
        "difference",
        "low",
        "high",
        "reading",
        "videos",
    ]
    return pd.DataFrame(rows, columns=columns)


def variant_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`variant_comparison` for the page: index (variant as
    :data:`latentdyn.cpae.experiments.filter_ablation.ABLATION_VARIANTS` describes it, seed,
    measure name), the two means, the difference with its interval as one column, the reading."""
    shown = comparison.assign(
        autoencoder=comparison["variant"].map(ABLATION_VARIANTS),
        measure=comparison["measure"].map(MEASURE_NAMES),
    ).drop(columns=["variant"])
    shown = shown.rename(columns={"variant mean": "variant", "CpAE mean": "CpAE (J)", "difference": "variant − CpAE"})
    shown = interval_column(shown, low="low", high="high")
    columns = [
        "autoencoder",
        "seed",
        "measure",
        "better",
        "variant",
        "CpAE (J)",
        "variant − CpAE",
        "95% interval",
        "reading",
    ]
    return shown.reindex(columns=columns).set_index(["autoencoder", "seed", "measure"])


def variant_values(comparison: pd.DataFrame) -> dict[str, float | int | str]:
    """Numbers the ablation page quotes from :func:`variant_comparison`: how many of
    :data:`VARIANTS` are scored (``vs_scored``, of ``vs_planned``); per scored variant and seed
    ``vs_<variant>_s<seed>_<measure>_{variant,cpae,difference,low,high}`` and the readings'
    counts over the latent claim's measures (:data:`latentdyn.cpae.experiments.latent_claim.MEASURES`,
    not the frame measures): ``..._ahead_variant``, ``..._ahead_cpae``, ``..._no_ordering``
    (``..._measures``: how many were compared)."""
    values: dict[str, float | int | str] = {
        "vs_scored": int(comparison["variant"].nunique()) if len(comparison) else 0,
        "vs_planned": len(VARIANTS),
    }
    for (variant, seed), block in comparison.groupby(["variant", "seed"]):
        stem = f"vs_{variant}_s{seed}"
        for _, row in block.iterrows():
            for name, column in (
                ("variant", "variant mean"),
                ("cpae", "CpAE mean"),
                ("difference", "difference"),
                ("low", "low"),
                ("high", "high"),
            ):
                values[f"{stem}_{row['measure']}_{name}"] = float(row[column])
        readings = block[block["measure"].isin(list(MEASURES))]["reading"]
        values[f"{stem}_measures"] = len(readings)
        values[f"{stem}_ahead_variant"] = int((readings == "variant ahead").sum())
        values[f"{stem}_ahead_cpae"] = int((readings == "CpAE ahead").sum())
        values[f"{stem}_no_ordering"] = int((readings == "no ordering").sum())
    return values


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--system", default="damped_pendulum")
    parser.add_argument("--profile", default=AUTHORS_PROFILE)
    parser.add_argument("--variant", required=True, choices=VARIANTS)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--folder", required=True, help="the variant's learning-curve run folder")
    arguments = parser.parse_args(argv)
    path = record_variant_scores(
        arguments.system,
        arguments.variant,
        arguments.seed,
        arguments.folder,
        command="python -m latentdyn.cpae.experiments.variant_scores "
        + " ".join(sys.argv[1:] if argv is None else argv),
        profile=arguments.profile,
    )
    print(path)


if __name__ == "__main__":
    main()

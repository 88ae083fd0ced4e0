"""The CpAE's latent claim, tested without the decoder.

The paper's claim is that continuous latent states give better latent dynamical models.
:func:`latent_claim` compares the shipped CpAE with the shipped standard AE on each of the
decoder-free measures of :mod:`latentdyn.cpae.experiments.latent_measures`
(as :mod:`latentdyn.cpae.experiments.shipped_measures` stores them) (:data:`MEASURES`),
seed by seed (paired differences on the same test videos), and decides each with
:func:`latentdyn.verdicts.claim`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cpae.experiments.shipped import shipped_seeds, shipped_variant
from latentdyn.cpae.experiments.shipped_measures import (
    measure_shipped_variant_task,
    measures_cached,
    shipped_latent_measures,
    stored_latent_measures,
)
from latentdyn.cpae.metrics import smoothness_ratio
from latentdyn.parallel import fill_cache
from latentdyn.statistics import paired_difference
from latentdyn.validation import check_choice
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
AUTOENCODERS = ("cpae", "standard")


@dataclass
class LatentClaimResult:
    """The latent claim on one system's shipped models.

    Attributes:
        system, profile, seeds: what was scored.
        per_seed: one row per (seed, measure): the means of both autoencoders, the paired
            difference CpAE - standard with its 95 % interval, the number of videos.
        verdicts: measure -> :class:`~latentdyn.verdicts.Verdict` over the seeds.
        true_smoothness: the smoothness ratio of the true states (mean over test videos).
        sources: seed -> ``measured here`` or ``stored with the models`` (``mixed`` when the two
            autoencoders differ).
        check: one row per (seed, autoencoder) measured here that also has stored measures: the
            largest absolute difference of any measure on any video, and the videos whose latent
            VPT differs (empty when none was compared).
    """

    system: str
    profile: str
    seeds: tuple[int, ...]
    per_seed: pd.DataFrame
    verdicts: dict[str, Verdict]
    true_smoothness: float
    sources: dict[int, str] = field(default_factory=dict)
    check: pd.DataFrame = field(default_factory=pd.DataFrame)

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

    def means_table(self) -> pd.DataFrame:
        """One row per measure: each autoencoder's mean over the test videos as ``"CpAE | standard
        AE"`` (three significant digits), per seed and averaged over the seeds (the values that
        :meth:`table` takes the differences of)."""
        rows = []
        for measure in self.verdicts:
            block = self.per_seed[self.per_seed["measure"] == measure]
            row: dict[str, Any] = {"measure": MEASURE_LABELS[measure]}
            for _, seed_row in block.iterrows():
                row[f"seed {seed_row['seed']}: CpAE | standard"] = (
                    f"{seed_row['cpae']:.3g} | {seed_row['standard']:.3g}"
                )
            row["mean over seeds: CpAE | standard"] = f"{block['cpae'].mean():.3g} | {block['standard'].mean():.3g}"
            rows.append(row)
        return pd.DataFrame(rows)


def latent_claim(
    system: str = "damped_pendulum",
    profile: str = "long",
    seeds: tuple[int, ...] | None = None,
    *,
    rescore: str = "first",
    workers: int | str = "auto",
    folder: Path | None = None,
) -> LatentClaimResult:
    """Score the shipped standard AE and CpAE of every seed on :data:`MEASURES` and decide the
    claim "the CpAE's latent states give the better latent model" per measure.

    Args:
        seeds: default every shipped seed of (``system``, ``profile``).
        rescore: ``"first"`` measures the first seed here (its two autoencoders in ``workers``
            single-thread processes) and compares it with the measures stored beside the models
            (``result.check``), and reads the other seeds' stored measures; ``"all"`` measures
            every seed here. A seed without stored measures for this code and these test videos
            is always measured here (as :func:`latentdyn.cpae.experiments.shipped.run_cpae_long`
            treats the models' scores).
        folder: where the shipped models are (default: the project's).

    Raises:
        FileNotFoundError: nothing shipped for (``system``, ``profile``).
        ValueError: another ``rescore``.
    """
    check_choice("rescore", rescore, ("first", "all"))
    seeds = tuple(shipped_seeds(system, profile, folder)) if seeds is None else tuple(int(seed) for seed in seeds)
    if not seeds:
        raise FileNotFoundError(f"no shipped models of {system} ({profile})")
    rescored = seeds if rescore == "all" else seeds[:1]
    task = {"system": system, "profile": profile, "folder": folder}
    fill_cache(
        [
            (measure_shipped_variant_task, {**task, "seed": seed, "variant": v})
            for seed in rescored
            for v in AUTOENCODERS
            if not measures_cached(system, v, seed, profile, folder)  # workers only for what the cache lacks
        ],
        workers=workers,
    )
    rows, checks, sources, differences = [], [], {}, {measure: [] for measure in MEASURES}
    for seed in seeds:
        measured, seed_sources = {}, set()
        for variant in AUTOENCODERS:
            measured[variant], source = shipped_latent_measures(
                system, variant, seed, profile, use_stored=seed not in rescored, folder=folder
            )
            seed_sources.add(source)
            stored = stored_latent_measures(system, variant, seed, profile, folder=folder) if seed in rescored else None
            if stored is not None:
                checks.append({"seed": seed, "autoencoder": variant, **_measure_differences(measured[variant], stored)})
        sources[seed] = seed_sources.pop() if len(seed_sources) == 1 else "mixed"
        cpae, standard = measured["cpae"], measured["standard"]
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
    data = shipped_variant(system, "cpae", profile, seeds[0], folder=folder).data
    true = float(np.mean([smoothness_ratio(torch.from_numpy(s).double()) for s in data.test_states]))
    verdicts = {measure: claim(differences[measure], MEASURES[measure]) for measure in MEASURES}
    return LatentClaimResult(system, profile, seeds, pd.DataFrame(rows), verdicts, true, sources, pd.DataFrame(checks))


def _measure_differences(here: dict[str, np.ndarray], stored: dict[str, np.ndarray]) -> dict[str, float]:
    """How far measures made here are from stored ones (the measures both hold)."""
    shared = [name for name in here if name in stored]
    return {
        "largest difference of any measure": max(
            float(np.max(np.abs(np.asarray(here[name], np.float64) - stored[name]), initial=0.0)) for name in shared
        ),
        "videos with another latent VPT": int(np.sum(here["latent_vpt"] != stored["latent_vpt"])),
    }

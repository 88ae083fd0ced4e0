"""The results tables: every measured VPT beside the paper's, the recorded runs, the spread over
seeds, the recorded diagnostics of a system, and the objective at a chapter's own budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from latentdyn.cache import project_root
from latentdyn.cpae_settings import MODEL_LABELS
from latentdyn.data.videos import SYSTEMS
from latentdyn.experiments.cpae.systems import SystemResult, run_cpae_circle, run_cpae_system
from latentdyn.recorded_runs import load_recorded_runs, recorded_runs_table, stale_reasons


PAPER_VPT_FILE = "cpae_paper_vpt.csv"


def paper_vpt() -> pd.DataFrame:
    """The paper's reported VPT (``data/reference/cpae_paper_vpt.csv``, with its source column)."""
    root = project_root()
    path = (root / "data" / "reference" / PAPER_VPT_FILE) if root else None
    if path is None or not path.is_file():
        raise FileNotFoundError(f"the paper's numbers are missing: expected data/reference/{PAPER_VPT_FILE}")
    return pd.read_csv(path, comment="#")


@dataclass
class ResultsSummary:
    """Every VPT this book measured beside the paper's, the recorded long runs, and the seed spread.

    Attributes:
        comparison: one row per (system, autoencoder): Neural ODE VPT measured here (the
            profile's run, re-executed by CI), against own reconstructions, reconstruction
            error, and the paper's VPT where it reports one.
        all_vpt: VPT of every latent model, indexed (system, autoencoder, latent model).
        smoothness: the continuity measures, indexed (system, autoencoder).
        circle: the circular-motion metrics.
        recorded: every recorded run (:func:`latentdyn.recorded_runs.recorded_runs_table`),
            with where it ran and a ``stale`` reason when its profile has changed since.
        seeds: one row per (system, autoencoder) of ``seed_systems``: Neural ODE VPT and
            reconstruction error of every seed available for the profile (this run's seed from
            CI, other seeds from current recorded runs), their mean, standard deviation and count.
        seed_runs: the rows behind ``seeds``, one per (system, autoencoder, seed).
    """

    comparison: pd.DataFrame
    all_vpt: pd.DataFrame
    smoothness: pd.DataFrame
    circle: pd.DataFrame
    recorded: pd.DataFrame
    seeds: pd.DataFrame
    seed_runs: pd.DataFrame


def _seed_rows(results: dict[str, SystemResult], recorded: pd.DataFrame, profile: str, seed: int,
               seed_systems: tuple[str, ...]) -> pd.DataFrame:
    """One row per (system, autoencoder, seed): this run's seed (source ``CI``) plus the current
    (not stale) recorded seeds of ``profile`` without changed settings (source ``recorded``).
    Columns: system, autoencoder, seed, source, ``VPT (%)`` (Neural ODE), reconstruction error."""
    rows = []
    for system in seed_systems:
        result = results[system]
        for encoder in result.continuity.index:
            rows.append({"system": system, "autoencoder": encoder, "seed": seed, "source": "CI",
                         "VPT (%)": float(result.vpt.loc[(encoder, MODEL_LABELS["neural_ode"]), "VPT mean (%)"]),
                         "reconstruction error": float(result.continuity.loc[encoder, "reconstruction error"])})
    if len(recorded):
        extra = recorded[(recorded["profile"] == profile) & (recorded["seed"] != seed) & (recorded["stale"] == "")
                         & recorded["system"].isin(seed_systems)]
        rows += [{"system": r["system"], "autoencoder": r["autoencoder"], "seed": int(r["seed"]), "source": "recorded",
                  "VPT (%)": r["VPT (%)"], "reconstruction error": r["reconstruction error"]}
                 for _, r in extra.iterrows()]
    return pd.DataFrame(rows, columns=["system", "autoencoder", "seed", "source", "VPT (%)", "reconstruction error"])


def _seed_table(results: dict[str, SystemResult], recorded: pd.DataFrame, profile: str, seed: int,
                seed_systems: tuple[str, ...]) -> pd.DataFrame:
    """VPT and reconstruction error per (system, autoencoder) over the seeds of :func:`_seed_rows`:
    mean, population standard deviation, min, max and number of runs."""
    table = _seed_rows(results, recorded, profile, seed, seed_systems)
    summary = table.groupby(["system", "autoencoder"], sort=False).agg(
        seeds=("seed", lambda values: ", ".join(str(v) for v in sorted(values))),
        **{"VPT mean (%)": ("VPT (%)", "mean"), "VPT std (%)": ("VPT (%)", lambda v: float(np.std(v))),
           "VPT min (%)": ("VPT (%)", "min"), "VPT max (%)": ("VPT (%)", "max"),
           "reconstruction error mean": ("reconstruction error", "mean"), "runs": ("VPT (%)", "size")})
    return summary


def run_cpae_results(*, profile: str = "book", seed: int = 0, systems: tuple[str, ...] = SYSTEMS,
                     seed_systems: tuple[str, ...] = ("damped_pendulum", "elastic_double_pendulum"),
                     **knobs: Any) -> ResultsSummary:
    """Collect the system and circle experiments (from the cache when the chapters ran before),
    the recorded long runs, and the spread over seeds of ``seed_systems``."""
    results = {system: run_cpae_system(system, profile=profile, seed=seed, **knobs) for system in systems}
    circle = run_cpae_circle(profile=profile, seed=seed)
    paper = paper_vpt()
    rows, all_rows, smooth_rows = [], [], []
    for system, result in results.items():
        for (encoder, model), values in result.vpt.iterrows():
            all_rows.append({"system": system, "autoencoder": encoder, "latent model": model,
                             "VPT (%)": values["VPT mean (%)"]})
        for encoder, values in result.continuity.iterrows():
            smooth_rows.append({"system": system, "autoencoder": encoder, **values.to_dict()})
            match = paper[(paper["system"] == system) & (paper["autoencoder"] == encoder)]
            rows.append({"system": system, "autoencoder": encoder,
                         "measured VPT (%)": float(result.vpt.loc[(encoder, MODEL_LABELS["neural_ode"]),
                                                                  "VPT mean (%)"]),
                         "measured VPT vs reconstruction (%)": float(result.vpt.loc[
                             (encoder, MODEL_LABELS["neural_ode"]), "VPT vs reconstruction (%)"]),
                         "reconstruction error": float(values["reconstruction error"]),
                         "paper VPT (%)": float(match["vpt"].iloc[0]) if len(match) else float("nan")})
    recorded = recorded_runs_table()
    seed_systems = tuple(s for s in seed_systems if s in results)
    seeds = _seed_table(results, recorded, profile, seed, seed_systems)
    seed_runs = _seed_rows(results, recorded, profile, seed, seed_systems)
    return ResultsSummary(pd.DataFrame(rows), pd.DataFrame(all_rows).set_index(["system", "autoencoder",
                                                                                "latent model"]),
                          pd.DataFrame(smooth_rows).set_index(["system", "autoencoder"]), circle.metrics,
                          recorded, seeds, seed_runs)


def recorded_diagnostics(system: str, profile: str, result: SystemResult | None = None) -> pd.DataFrame:
    """The recorded runs of ``system`` in ``profile`` with changed settings (diagnostics) and other
    seeds, beside this page's run (``result``): one row per (run, autoencoder) with its
    settings label, Neural ODE VPT, reconstruction error, smoothness ratio and stale flag."""
    recorded = recorded_runs_table()
    rows = recorded[(recorded["system"] == system) & recorded["profile"].str.startswith(profile)]
    rows = rows.assign(setting=[f"{p}, seed {s}" if s else p for p, s in zip(rows["profile"], rows["seed"])])
    if result is not None:
        here = pd.DataFrame([{"setting": f"{profile} (this page)", "autoencoder": encoder,
                              "VPT (%)": float(result.vpt.loc[(encoder, MODEL_LABELS["neural_ode"]), "VPT mean (%)"]),
                              "reconstruction error": float(result.continuity.loc[encoder, "reconstruction error"]),
                              "smoothness ratio": float(result.continuity.loc[encoder, "smoothness ratio"]),
                              "stale": ""} for encoder in result.continuity.index])
        rows = pd.concat([here, rows], ignore_index=True)
    columns = ["setting", "autoencoder", "VPT (%)", "reconstruction error", "smoothness ratio", "stale"]
    return rows.reindex(columns=columns).reset_index(drop=True)


def objective_at_chapter_budget(system: str = "damped_pendulum", profile: str = "book", seed: int = 0) -> pd.DataFrame:
    """The weight ``lambda`` and step map at a system chapter's own budget: the chapter's run
    (re-executed, or loaded from the cache) and the recorded runs of the same profile and seed
    that change only ``prediction_weight`` and/or ``latent_map`` (stale records left out).

    Columns: latent map (``none`` when lambda is 0), weight, autoencoder, source, and the metrics
    ``VPT (%)``, ``VPT vs reconstruction (%)``, ``reconstruction error``, ``smoothness ratio``.
    """
    def rows_of(vpt: pd.DataFrame, continuity: pd.DataFrame, settings: dict[str, Any], source: str) -> list[dict]:
        weight = float(settings["prediction_weight"])
        kind = settings["latent_map"] if weight > 0 else "none"
        node = MODEL_LABELS["neural_ode"]
        return [{"latent map": kind, "weight": weight, "autoencoder": encoder, "source": source,
                 "VPT (%)": float(vpt.loc[(encoder, node), "VPT mean (%)"]),
                 "VPT vs reconstruction (%)": float(vpt.loc[(encoder, node), "VPT vs reconstruction (%)"]),
                 "reconstruction error": float(continuity.loc[encoder, "reconstruction error"]),
                 "smoothness ratio": float(continuity.loc[encoder, "smoothness ratio"])}
                for encoder in continuity.index]

    chapter = run_cpae_system(system, profile=profile, seed=seed)
    rows = rows_of(chapter.vpt, chapter.continuity, chapter.settings, "chapter run")
    for run in load_recorded_runs():
        if (run.system == system and run.profile == profile and run.seed == seed and run.overrides
                and set(run.overrides) <= {"prediction_weight", "latent_map"} and not stale_reasons(run)):
            rows += rows_of(run.vpt(), run.continuity(), run.settings, "recorded")
    columns = ["latent map", "weight", "autoencoder", "source", "VPT (%)", "VPT vs reconstruction (%)",
               "reconstruction error", "smoothness ratio"]
    return pd.DataFrame(rows, columns=columns).sort_values(["latent map", "weight", "autoencoder"],
                                                           ignore_index=True)

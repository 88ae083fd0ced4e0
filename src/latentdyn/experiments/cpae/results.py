"""The results tables: every measured VPT beside the paper's, the paired differences, the recorded
runs, the recorded seeds, the recorded diagnostics of a system, and the objective at a chapter's own budget.
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
from latentdyn.statistics import ordering, paired_difference


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
    """Every VPT this book measured beside the paper's, the paired differences, the recorded long
    runs and the recorded seeds.

    Attributes:
        comparison: one row per (system, autoencoder) of the profile's run (re-executed by CI):
            Neural ODE VPT by relative error (mean and standard error over the test videos), by
            pixel MSE, the ceilings (VPT of the reconstructions, both definitions), VPT against
            own reconstructions, reconstruction error, and the paper's VPT where it reports one.
        paired: one row per (system, latent model, definition): the paired difference CpAE −
            standard AE on the same test videos (Neural ODE under both VPT definitions, and the
            ceiling), mean, standard error, 95 % interval, videos and reading.
        all_vpt: VPT of every latent model, indexed (system, autoencoder, latent model).
        smoothness: the continuity measures, indexed (system, autoencoder).
        circle: the circular-motion metrics.
        recorded: every recorded run (:func:`latentdyn.recorded_runs.recorded_runs_table`),
            with where it ran, its data source and a ``stale`` reason when its profile has changed.
        seeds: :func:`seed_readings` of every system of ``seed_systems`` (recorded seeds of one
            device, paired differences per seed; never pooled with the live run), with a
            ``system`` column.
        test_videos: system -> number of test videos of the profile's run.
        runs: system -> the profile's :class:`SystemResult` (for the properties a correct run has).
    """

    comparison: pd.DataFrame
    paired: pd.DataFrame
    all_vpt: pd.DataFrame
    smoothness: pd.DataFrame
    circle: pd.DataFrame
    recorded: pd.DataFrame
    seeds: pd.DataFrame
    test_videos: dict[str, int]
    runs: dict[str, SystemResult]


SIMULATED = "simulated"


def seed_readings(system: str, profile: str, *, runs=None) -> pd.DataFrame:
    """The recorded seeds of ``system`` in ``profile`` (no changed settings, not stale, simulated
    data), each scored on its own 120 test videos: one row per (seed, definition) with the paired
    difference CpAE − standard AE of the Neural ODE VPT (mean, standard error, 95 % interval,
    reading) and both autoencoders' reconstruction error and ceiling.

    Seeds are never pooled across devices (other floating-point kernels train other models):
    only the device with the most recorded seeds is kept, and the ``device`` column names it.
    """
    runs = load_recorded_runs() if runs is None else runs
    chosen = [run for run in runs if run.system == system and run.profile == profile and not run.overrides
              and run.data_source.startswith(SIMULATED) and not stale_reasons(run) and len(run.scores())]
    columns = ["seed", "device", "definition", "mean difference (points)", "standard error", "95% low", "95% high",
               "reading", "reconstruction error standard AE", "reconstruction error CpAE",
               "ceiling standard AE (%)", "ceiling CpAE (%)", "videos"]
    if not chosen:
        return pd.DataFrame(columns=columns)
    devices = pd.Series([run.device for run in chosen]).value_counts()
    device = str(devices.index[0])
    rows = []
    for run in sorted((r for r in chosen if r.device == device), key=lambda r: r.seed):
        scores = run.scores()
        wide = {encoder: frame.sort_values("video") for encoder, frame in scores.groupby("autoencoder")}
        if not {"CpAE", "standard AE"} <= set(wide):
            continue
        cpae, standard = wide["CpAE"], wide["standard AE"]
        for key, definition in (("vpt", "relative error"), ("vpt_mse", "pixel MSE")):
            difference = paired_difference(cpae[key].to_numpy(), standard[key].to_numpy())
            rows.append({"seed": run.seed, "device": device, "definition": definition,
                         "mean difference (points)": difference.mean, "standard error": difference.standard_error,
                         "95% low": difference.low, "95% high": difference.high,
                         "reading": ordering(difference, "CpAE", "standard AE"),
                         "reconstruction error standard AE": float(standard["reconstruction_error"].mean()),
                         "reconstruction error CpAE": float(cpae["reconstruction_error"].mean()),
                         "ceiling standard AE (%)": float(standard["ceiling"].mean()),
                         "ceiling CpAE (%)": float(cpae["ceiling"].mean()), "videos": difference.n})
    return pd.DataFrame(rows, columns=columns)


COMPARISON_COLUMNS = ["system", "autoencoder", "measured VPT (%)", "measured VPT SE (%)",
                      "measured VPT pixel MSE (%)", "ceiling (%)", "ceiling pixel MSE (%)",
                      "measured VPT vs reconstruction (%)", "reconstruction error", "paper VPT (%)"]
PAIRED_COLUMNS = ["system", "latent model", "definition", "mean difference (points)", "standard error", "95% low",
                  "95% high", "videos", "reading"]


def run_cpae_results(*, profile: str = "book", seed: int = 0, systems: tuple[str, ...] = SYSTEMS,
                     seed_systems: tuple[str, ...] = ("damped_pendulum", "elastic_double_pendulum"),
                     **knobs: Any) -> ResultsSummary:
    """Collect the system and circle experiments (from the cache when the chapters ran before),
    their paired differences CpAE − standard AE, the recorded long runs, and the recorded seeds
    of ``seed_systems`` (:func:`seed_readings`, kept apart from the profile's run)."""
    results = {system: run_cpae_system(system, profile=profile, seed=seed, **knobs) for system in systems}
    circle = run_cpae_circle(profile=profile, seed=seed)
    paper = paper_vpt()
    node = MODEL_LABELS["neural_ode"]
    rows, all_rows, smooth_rows, paired_rows, videos = [], [], [], [], {}
    for system, result in results.items():
        for (encoder, model), values in result.vpt.iterrows():
            all_rows.append({"system": system, "autoencoder": encoder, "latent model": model,
                             "VPT (%)": values["VPT mean (%)"]})
        for encoder, values in result.continuity.iterrows():
            smooth_rows.append({"system": system, "autoencoder": encoder, **values.to_dict()})
            match = paper[(paper["system"] == system) & (paper["autoencoder"] == encoder)]
            vpt = result.vpt.loc[(encoder, node)]
            rows.append({"system": system, "autoencoder": encoder,
                         "measured VPT (%)": float(vpt["VPT mean (%)"]),
                         "measured VPT SE (%)": float(vpt["VPT SE (%)"]),
                         "measured VPT pixel MSE (%)": float(vpt["VPT pixel MSE mean (%)"]),
                         "ceiling (%)": float(values["ceiling (%)"]),
                         "ceiling pixel MSE (%)": float(values["ceiling pixel MSE (%)"]),
                         "measured VPT vs reconstruction (%)": float(vpt["VPT vs reconstruction (%)"]),
                         "reconstruction error": float(values["reconstruction error"]),
                         "paper VPT (%)": float(match["vpt"].iloc[0]) if len(match) else float("nan")})
        if result.paired is not None and len(result.paired):
            chosen = result.paired[(result.paired["comparison"] == "CpAE − standard AE")
                                   & result.paired["latent model"].isin([node, "ceiling"])]
            paired_rows += [{"system": system, **row} for row in chosen.to_dict("records")]
        videos[system] = int(result.scores["video"].nunique()) if result.scores is not None and len(
            result.scores) else 0
    recorded = recorded_runs_table()
    seeds = pd.concat([seed_readings(system, profile).assign(system=system) for system in seed_systems]
                      or [seed_readings("", profile).assign(system="")], ignore_index=True)
    return ResultsSummary(pd.DataFrame(rows, columns=COMPARISON_COLUMNS),
                          pd.DataFrame(paired_rows).reindex(columns=PAIRED_COLUMNS),
                          pd.DataFrame(all_rows).set_index(["system", "autoencoder", "latent model"]),
                          pd.DataFrame(smooth_rows).set_index(["system", "autoencoder"]), circle.metrics,
                          recorded, seeds, videos, results)


def recorded_diagnostics(system: str, profile: str, result: SystemResult | None = None) -> pd.DataFrame:
    """The recorded runs of ``system`` in ``profile`` with changed settings (diagnostics) and other
    seeds, beside this page's run (``result``): one row per (run, autoencoder) with its
    settings label, Neural ODE VPT, reconstruction error, smoothness ratio and stale flag."""
    recorded = recorded_runs_table()
    rows = recorded[(recorded["system"] == system) & recorded["profile"].str.startswith(profile)]
    if result is not None and not result.data_source.startswith(SIMULATED):
        rows = rows.iloc[:0]  # a user's videos: the simulation's records are another data source
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
    ``VPT (%)``, ``VPT pixel MSE (%)``, ``ceiling (%)``, ``VPT vs reconstruction (%)``, ``reconstruction error``, ``smoothness ratio``.
    """
    def rows_of(vpt: pd.DataFrame, continuity: pd.DataFrame, settings: dict[str, Any], source: str) -> list[dict]:
        weight = float(settings["prediction_weight"])
        kind = settings["latent_map"] if weight > 0 else "none"
        node = MODEL_LABELS["neural_ode"]
        return [{"latent map": kind, "weight": weight, "autoencoder": encoder, "source": source,
                 "VPT (%)": float(vpt.loc[(encoder, node), "VPT mean (%)"]),
                 "VPT pixel MSE (%)": float(vpt.loc[(encoder, node)].get("VPT pixel MSE mean (%)", np.nan)),
                 "ceiling (%)": float(continuity.loc[encoder].get("ceiling (%)", np.nan)),
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
    columns = ["latent map", "weight", "autoencoder", "source", "VPT (%)", "VPT pixel MSE (%)", "ceiling (%)",
               "VPT vs reconstruction (%)", "reconstruction error", "smoothness ratio"]
    return pd.DataFrame(rows, columns=columns).sort_values(["latent map", "weight", "autoencoder"],
                                                           ignore_index=True)

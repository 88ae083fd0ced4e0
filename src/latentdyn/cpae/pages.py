"""The page builders of the CpAE chapters: one for the four system chapters (damped, elastic and
rigid double pendulum, swing stick) and one for the results chapter; everything a page shows,
computed in one call.

A system chapter is its parameters cell, one call of :func:`run_cpae_page`, and cells that glue
:attr:`SystemPage.values` and :attr:`SystemPage.figures`, show the page's tables and compare
:attr:`SystemPage.checked` with the recorded numbers. The four chapters' code cells are the same;
only their parameters cell (the system) and their prose differ. A part of the page that a system
lacks (shipped 64 px models, the authors' networks, the pose floor of a single angle, learning
curves) is ``None`` or empty, and its cells show nothing. The book-profile run trained on the page
teaches the pipeline; no verdict rests on it, and no other seed of it is recorded (the 32 px
recorded seeds were retired once shipped models carried the verdicts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from latentdyn.checks import CheckGroups, table_values
from latentdyn.cpae import figures as cpae_figures
from latentdyn.cpae.experiments.bottom_line import (
    RECONSTRUCTION_TARGET,
    VptLine,
    line_values,
    vpt_line,
)
from latentdyn.cpae.experiments.latent_budget import CONFIG_KEYS, recorded_latent_budget
from latentdyn.cpae.experiments.latent_claim import MEASURE_LABELS, LatentClaimResult, latent_claim
from latentdyn.cpae.experiments.latent_measures import LATENT_THRESHOLD
from latentdyn.cpae.experiments.learning_curve import AUTHORS_EPOCHS, recorded_curves
from latentdyn.cpae.experiments.prose import long_values, system_values, training_properties
from latentdyn.cpae.experiments.results import (
    ResultsSummary,
    pose_error_floor,
    pose_floor_values,
    run_cpae_results,
)
from latentdyn.cpae.experiments.shipped import LongResult, run_cpae_long, shipped_seeds
from latentdyn.cpae.experiments.systems import SystemResult, run_cpae_system
from latentdyn.cpae.settings import AUTHORS_PROFILE, VARIANT_LABELS, system_settings
from latentdyn.validation import check_choice
from latentdyn.verdicts import REPRODUCED, REVERSED

# the prefix of a system's checked-number groups (tests/checked/<prefix>_<part>.json)
CHECK_PREFIX = {
    "damped_pendulum": "damped",
    "elastic_double_pendulum": "elastic",
    "rigid_double_pendulum": "double",
    "swing_stick": "swing",
}
# the stated tolerance of each checked part and why it holds on every machine
CHECK_TOLERANCES: dict[str, dict[str, float]] = {
    # shipped models, forward passes only: the same numbers on every machine (the first seed
    # scored here, and equal to the scores stored with the models to the same tolerance)
    "long": {"abs_tol": 0.05},
    "long_rescored": {"abs_tol": 0.05},
    "long_readings": {"abs_tol": 0.05},
    # shipped models, forward passes only: per seed and measure, the two autoencoders' means
    "latent_claim": {"abs_tol": 0.05, "rel_tol": 0.01},
    # the shipped models of the authors' networks (profile "authors"): the same parts, tolerances
    "authors": {"abs_tol": 0.05},
    "authors_rescored": {"abs_tol": 0.05},
    "authors_readings": {"abs_tol": 0.05},
    "authors_claim": {"abs_tol": 0.05, "rel_tol": 0.01},
    # a training ends elsewhere on another CPU, so the trained numbers are not compared: the
    # properties every correct run has are (booleans, exact)
    "properties": {},
    # rendering and float32 norms only (no training): the same on every machine to 1e-4
    "pose_floor": {"rel_tol": 1e-4, "abs_tol": 1e-6},
}
# how many of a learning curve's last epochs the page reports the range of
CURVE_WINDOW = 5
# the learning-curve table's columns and their names on the page
# the objectives whose batch-64 curves the page quotes: weight lambda -> prefix of the glue names
# (lambda = 1 is the authors' objective; lambda = 0, reconstruction alone, the diagnostic of issue 27)
CURVE_OBJECTIVES = {1.0: "curve", 0.0: "curve0"}
# the seeds of the authors' networks to be shipped per system (issue 27: three, both autoencoders)
AUTHORS_SEEDS_PLANNED = 3

CURVE_COLUMNS = {
    "epoch": "epoch",
    "reconstruction_error": "reconstruction error",
    "pixel_mse": "pixel MSE",
    "state_r2": "R² (state)",
    "smoothness_ratio": "smoothness ratio",
    "latent_spread": "latent spread",
}


@dataclass
class SystemPage:
    """What a system chapter shows.

    Attributes:
        system: the system's name (a key of :data:`CHECK_PREFIX`).
        result: the book-profile run trained here (:func:`run_cpae_system`).
        long: the shipped 64 px models scored on the test videos (:func:`run_cpae_long`), or
            ``None`` when none is shipped for the system.
        claim: the latent claim on the shipped models (decoder-free measures), or ``None``.
        authors: the shipped models of the authors' networks (profile ``authors``) scored on the
            test videos, or ``None`` when none is shipped for the system.
        authors_claim: the latent claim on them, or ``None``.
        floor: the test videos re-drawn with the rod's tip moved, scored as reconstructions (the
            damped pendulum only: one angle), or ``None``.
        curves: the recorded learning curves of the system (one row per run and epoch), or ``None``.
        curve_table: the last epoch recorded of each learning curve, or ``None``.
        latent_budget: the recorded latent-stage budget of the authors' networks (one row per
            autoencoder and configuration, :func:`latent_budget_table`), or ``None``.
        values: the numbers and outcome words the prose quotes, by glue name (``str`` values are
            outcome words, shown as markdown).
        figures: the figures by glue name.
        checked: the numbers compared with the recorded ones, by part (a key of
            :data:`CHECK_TOLERANCES`); the chapter checks :attr:`check_groups`.
    """

    system: str
    result: SystemResult
    long: LongResult | None = None
    claim: LatentClaimResult | None = None
    authors: LongResult | None = None
    authors_claim: LatentClaimResult | None = None
    floor: pd.DataFrame | None = None
    curves: pd.DataFrame | None = None
    curve_table: pd.DataFrame | None = None
    latent_budget: pd.DataFrame | None = None
    values: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    checked: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def check_prefix(self) -> str:
        return CHECK_PREFIX[self.system]

    @property
    def check_groups(self) -> CheckGroups:
        """``<prefix>_<part>`` -> (the part's checked numbers, its tolerance from
        :data:`CHECK_TOLERANCES`): the form every chapter's check cell reads."""
        return {
            f"{self.check_prefix}_{part}": (values, CHECK_TOLERANCES[part]) for part, values in self.checked.items()
        }

    @property
    def simulated(self) -> bool:
        return self.result.data_source.startswith("simulated")


def run_cpae_page(
    system: str = "damped_pendulum",
    *,
    profile: str = "book",
    seed: int = 0,
    long_seeds: tuple[int, ...] | None = None,
    rescore_long: str = "first",
    retrain: bool = False,
    **knobs: Any,
) -> SystemPage:
    """Everything a system chapter shows: the book-profile run of ``system`` trained here, and
    what is recorded or shipped for it.

    Args:
        system: a key of :data:`CHECK_PREFIX`.
        profile, seed, knobs: passed to :func:`run_cpae_system` (``None`` knobs keep the
            profile's value; ``frames_folder`` switches to real videos, and then the parts
            recorded on the simulation are left out).
        long_seeds, rescore_long, retrain: the shipped 64 px models' seeds, re-scoring and
            retraining (:func:`run_cpae_long`'s ``seeds``, ``rescore``, ``retrain``); unused when
            none is shipped for ``system``. The shipped models of the authors' networks (every
            seed shipped) are re-scored as ``rescore_long`` says; they are never retrained here
            (hours a model: :mod:`latentdyn.cpae.experiments.learning_curve`).

    Returns:
        A :class:`SystemPage`.
    """
    check_choice("system", system, tuple(CHECK_PREFIX))
    shipped = bool(shipped_seeds(system))
    long = run_cpae_long(system, seeds=long_seeds, retrain=retrain, rescore=rescore_long) if shipped else None
    result = run_cpae_system(system, profile=profile, seed=seed, **knobs)
    page = SystemPage(system=system, result=result, long=long)
    _add_run(page)
    if page.simulated and system == "damped_pendulum":
        floor_knobs = {k: knobs.get(k) for k in ("resolution", "num_trajectories", "test_videos", "vpt_threshold")}
        page.floor = pose_error_floor(system, profile=profile, seed=seed, **floor_knobs)
        page.values.update(pose_floor_values(page.floor, target=RECONSTRUCTION_TARGET))
        page.checked["pose_floor"] = table_values(
            page.floor[["tip offset (pixels)", "reconstruction error", "ceiling (%)"]],
            index_columns=("tip offset (pixels)",),
        )
    if long is not None:
        _add_shipped(page, long, prefix="long", line_prefix="line")
        page.claim = latent_claim(system, profile="long", seeds=long_seeds, rescore=rescore_long)
        _add_claim(page, page.claim, prefix="claim", part="latent_claim")
    if page.simulated and shipped_seeds(system, AUTHORS_PROFILE):
        page.authors = run_cpae_long(system, profile=AUTHORS_PROFILE, rescore=rescore_long)
        _add_shipped(page, page.authors, prefix="authors_run", line_prefix="authors_line", part="authors")
        page.authors_claim = latent_claim(system, profile=AUTHORS_PROFILE, rescore=rescore_long)
        _add_claim(page, page.authors_claim, prefix="authors_claim", part="authors_claim")
    _add_curves(page, recorded_curves(system=system))
    _add_latent_budget(page, recorded_latent_budget(system=system))
    return page


def _add_run(page: SystemPage) -> None:
    result = page.result
    page.figures.update({f"fig_{name}": figure for name, figure in cpae_figures.system_figures(result).items()})
    page.values.update(system_values(result))
    page.values["time_step"] = float(result.time_step)
    frames = result.settings["test_frames"] if page.simulated else result.settings["num_frames"]
    page.values["test_frames"] = int(frames)
    page.checked["properties"] = training_properties(result)


def _add_shipped(page: SystemPage, long: LongResult, *, prefix: str, line_prefix: str, part: str = "long") -> None:
    """Add one set of shipped models (``long``: the book's networks, or the authors') to ``page``:
    figures of the first seed ``fig_<prefix>_*``, numbers ``<prefix>_*`` (:func:`long_values`) and
    ``<line_prefix>_*`` (the VPT verdict), checked parts ``<part>``, ``<part>_rescored`` and
    ``<part>_readings``."""
    shown = next(iter(long.seeds))  # the figures of the shipped models: their first seed
    page.figures.update(
        {f"fig_{prefix}_{name}": figure for name, figure in cpae_figures.system_figures(long.seeds[shown]).items()}
    )
    page.values[f"{prefix}_shown"] = shown
    page.values.update({f"{prefix}_{key.removeprefix('long_')}": value for key, value in long_values(long).items()})
    page.values.update(line_values(vpt_line(long), line_prefix))
    relative = long.readings[long.readings["definition"] == "relative error"]
    for _, reading in relative.iterrows():  # each seed's paired VPT difference over the test videos
        for name, column in (("difference", "mean difference (points)"), ("low", "95% low"), ("high", "95% high")):
            page.values[f"{prefix}_seed{int(reading['seed'])}_{name}"] = float(reading[column])
    rescored = long.score_check
    page.values[f"{prefix}_rescore_difference"] = (
        float(rescored["largest difference of any score"].max()) if len(rescored) else 0.0
    )
    page.checked[part] = table_values(long.summary, index_columns=("seed", "autoencoder"))
    if len(rescored):  # empty when no seed has stored scores of this code: every seed was scored here
        page.checked[f"{part}_rescored"] = dict(
            zip(
                "seed " + rescored["seed"].astype(str) + " " + rescored["autoencoder"] + ": VPT here - stored",
                rescored["VPT here (%)"] - rescored["VPT stored (%)"],
            )
        )
    page.checked[f"{part}_readings"] = table_values(
        long.readings.drop(columns=["device", "reading"]), index_columns=("seed", "definition")
    )


def _measures_with(claim: LatentClaimResult, outcome: str) -> list[str]:
    """The measures of ``claim`` whose verdict is ``outcome`` (one of :data:`latentdyn.verdicts.OUTCOMES`)."""
    return [measure for measure, verdict in claim.verdicts.items() if verdict.outcome == outcome]


def _add_claim(page: SystemPage, claim: LatentClaimResult, *, prefix: str, part: str) -> None:
    """Add the latent claim's numbers (``<prefix>_*``) and its checked part ``part`` to ``page``."""
    means = claim.per_seed.groupby("measure")[["cpae", "standard"]].mean()
    page.values[f"{prefix}_videos"] = int(claim.per_seed["videos"].max())
    page.values[f"{prefix}_threshold"] = float(LATENT_THRESHOLD)
    page.values[f"{prefix}_true_smoothness"] = claim.true_smoothness
    here = [seed for seed, source in claim.sources.items() if source == "measured here"]
    page.values[f"{prefix}_measured_here"] = ", ".join(map(str, here)) or "none"
    page.values[f"{prefix}_measured_stored"] = len(claim.sources) - len(here)
    page.values[f"{prefix}_measure_difference"] = (
        float(claim.check["largest difference of any measure"].max()) if len(claim.check) else 0.0
    )
    page.values.update({f"{prefix}_{measure}": verdict.outcome for measure, verdict in claim.verdicts.items()})
    reproduced = _measures_with(claim, REPRODUCED)
    page.values[f"{prefix}_reproduced"] = len(reproduced)
    page.values[f"{prefix}_reproduced_names"] = ", ".join(MEASURE_LABELS[m] for m in reproduced) or "none"
    reversed_ = _measures_with(claim, REVERSED)
    page.values[f"{prefix}_reversed"] = len(reversed_)
    page.values[f"{prefix}_reversed_names"] = ", ".join(MEASURE_LABELS[m] for m in reversed_) or "none"
    page.values[f"{prefix}_measures"] = len(claim.verdicts)
    page.values[f"{prefix}_seeds"] = len(claim.seeds)
    for variant in ("cpae", "standard"):
        page.values[f"{prefix}_r2_{variant}"] = float(1 - means.loc["state_error", variant])
        for measure in claim.verdicts:
            page.values[f"{prefix}_mean_{measure}_{variant}"] = float(means.loc[measure, variant])
    page.checked[part] = table_values(
        claim.per_seed[["seed", "measure", "cpae", "standard"]], index_columns=("seed", "measure")
    )


def _add_curves(page: SystemPage, curves: pd.DataFrame) -> None:
    """The recorded learning curves of the authors' networks: the best epoch of any run, and each
    variant's runs at batches of 64 for each weight of :data:`CURVE_OBJECTIVES` (its last error and
    R², how much its last two epochs moved it, and the range of its last :data:`CURVE_WINDOW`
    epochs), and the lambda = 1 run's error and R² at the epoch the lambda = 0 run has reached.
    Only the shipped autoencoders' runs (standard AE and CpAE): the ablation variants' runs are the
    ablation page's."""
    if len(curves):
        curves = curves[curves["variant"].isin(["standard", "cpae"])]
    if not len(curves):
        return
    page.curves = curves
    last = curves.sort_values("epoch").groupby("run").tail(1)
    order = ["variant", "batch_size", "prediction_weight", "seed"]
    last = last.sort_values(order, ascending=[False, False, False, True])
    # one short index level per setting, so that no run's name wraps
    index = pd.MultiIndex.from_arrays(
        [
            [VARIANT_LABELS.get(variant, variant) for variant in last["variant"]],
            last["batch_size"].astype(int).to_numpy(),
            [f"{weight:g}" for weight in last["prediction_weight"]],
            last["seed"].astype(int).to_numpy(),
        ],
        names=["autoencoder", "batch", "λ", "seed"],
    )
    page.curve_table = last.set_index(index)[list(CURVE_COLUMNS)].rename(columns=CURVE_COLUMNS)
    page.figures["fig_learning_curves"] = cpae_figures.plot_learning_curves(curves, authors_epochs=AUTHORS_EPOCHS)
    best = curves.loc[curves["reconstruction_error"].idxmin()]
    page.values.update(
        curve_runs=curves["run"].nunique(),
        curve_epochs=int(curves["epoch"].max()),
        curve_best=float(best["reconstruction_error"]),
        curve_best_epoch=int(best["epoch"]),
        curve_best_batch=int(best["batch_size"]),
        curve_best_variant=VARIANT_LABELS.get(best["variant"], best["variant"]),
        curve_best_weight=float(best["prediction_weight"]),
    )

    def batch64_run(variant: str, weight: float) -> pd.DataFrame:
        """One variant's seed-0 run at batches of 64 with objective weight ``weight``, by epoch."""
        chosen = (curves["variant"] == variant) & (curves["batch_size"] == 64) & (curves["prediction_weight"] == weight)
        return curves[chosen & (curves["seed"] == 0)].sort_values("epoch")

    for weight, prefix in CURVE_OBJECTIVES.items():
        for variant in ("standard", "cpae"):
            # one objective at batches of 64: lambda = 1 (the authors') or the lambda = 0 diagnostic
            run = batch64_run(variant, weight)
            errors = run["reconstruction_error"].to_numpy()
            page.values[f"{prefix}_last_{variant}"] = float(errors[-1]) if len(errors) else float("nan")
            page.values[f"{prefix}_epoch_{variant}"] = int(run["epoch"].iloc[-1]) if len(run) else 0
            recent_change = float(errors[-1] - errors[-3]) if len(errors) >= 3 else float("nan")
            page.values[f"{prefix}_recent_{variant}"] = recent_change
            # where the last CURVE_WINDOW epochs stayed: a flat curve above the target shows here
            recent = errors[-CURVE_WINDOW:]
            page.values[f"{prefix}_low_{variant}"] = float(recent.min()) if len(recent) else float("nan")
            page.values[f"{prefix}_high_{variant}"] = float(recent.max()) if len(recent) else float("nan")
            page.values[f"{prefix}_r2_{variant}"] = float(run["state_r2"].iloc[-1]) if len(run) else float("nan")
    for variant in ("standard", "cpae"):
        # the authors' recipe as released (batches of 512) after their epochs, against batches of 64 after as many
        chosen = (curves["variant"] == variant) & (curves["batch_size"] == cpae_figures.AUTHORS_BATCH)
        authors_recipe = curves[chosen & (curves["seed"] == 0) & (curves["prediction_weight"] == 1.0)]
        at_budget = authors_recipe[authors_recipe["epoch"] == AUTHORS_EPOCHS]["reconstruction_error"]
        page.values[f"curve512_{variant}"] = float(at_budget.iloc[0]) if len(at_budget) else float("nan")
        batch64 = batch64_run(variant, 1.0)
        at_budget = batch64[batch64["epoch"] == AUTHORS_EPOCHS]["reconstruction_error"]
        page.values[f"curve64_at_authors_{variant}"] = float(at_budget.iloc[0]) if len(at_budget) else float("nan")
    for variant in ("standard", "cpae"):
        # the authors' objective at the epoch the lambda = 0 run has reached: one change compared at one budget
        authors = batch64_run(variant, 1.0)
        matched = authors[authors["epoch"] == page.values[f"curve0_epoch_{variant}"]]
        for name, column in (("matched", "reconstruction_error"), ("matched_r2", "state_r2")):
            value = float(matched[column].iloc[0]) if len(matched) else float("nan")
            page.values[f"curve0_{name}_{variant}"] = value
    page.values["curve_window"] = CURVE_WINDOW
    # the budget the curves name, as the authors profile fixes it, and how many seeds are shipped at it
    authors = system_settings(AUTHORS_PROFILE, {}, page.system)
    page.values["authors_epochs"] = int(authors["epochs"])
    page.values["authors_batch"] = int(authors["batch_size"])
    page.values["authors_seeds"] = len(shipped_seeds(page.system, AUTHORS_PROFILE))
    page.values["authors_seeds_planned"] = AUTHORS_SEEDS_PLANNED
    for variant in ("standard", "cpae"):
        # what that budget cost the lambda = 1 curve run (an epoch resumed from a checkpoint counts its remainder)
        run = batch64_run(variant, 1.0)
        within = run[run["epoch"] <= page.values["authors_epochs"]]
        complete = len(within) == page.values["authors_epochs"] and "epoch_wall_s" in within
        page.values[f"authors_hours_{variant}"] = (
            float(within["epoch_wall_s"].sum() / 3600) if complete else float("nan")
        )


# the configuration's name says whether the states are standardised and which learning rate runs,
# so the table shows only its updates beside the scores (narrow enough for one screen)
BUDGET_COLUMNS = {
    "dynamics_steps": "updates",
    "latent_vpt": "VPT, latent (%)",
    "dynamics_vpt": "VPT, own recon. (%)",
    "vpt": "VPT (%)",
    "fit_seconds": "fit (s)",
}


def latent_budget_table(budget: pd.DataFrame) -> pd.DataFrame:
    """The recorded latent-stage budget as the page shows it: one row per (autoencoder, seed,
    configuration), indexed by them (without the seed when only one was measured, so that the
    table fits one screen), with :data:`BUDGET_COLUMNS` (a fit read from the data cache shows no
    time: it was not this run's)."""
    shown = budget.assign(fit_seconds=budget["fit_seconds"].where(budget["fitted_here"]))
    shown["autoencoder"] = shown["variant"].map(lambda v: VARIANT_LABELS.get(v, v))
    levels = ["autoencoder", "seed", "config"] if shown["seed"].nunique() > 1 else ["autoencoder", "config"]
    index = pd.MultiIndex.from_frame(shown[levels])
    return shown.set_index(index)[list(BUDGET_COLUMNS)].rename(columns=BUDGET_COLUMNS)


def _add_latent_budget(page: SystemPage, budget: pd.DataFrame) -> None:
    """The recorded latent-stage budget: its table and ``budget_<config>_<measure>_<variant>`` for
    the VPTs of every configuration (seed 1, the models it was measured on), and
    ``budget_profile_steps`` (the ``authors`` profile's updates)."""
    if not len(budget):
        return
    page.latent_budget = latent_budget_table(budget)
    page.values["budget_seeds"] = budget["seed"].nunique()
    page.values["budget_seed"] = int(budget["seed"].min())
    first = budget[budget["seed"] == budget["seed"].min()]
    for row in first.itertuples():
        for measure in ("latent_vpt", "dynamics_vpt", "vpt", "ceiling"):
            page.values[f"budget_{CONFIG_KEYS[row.config]}_{measure}_{row.variant}"] = float(getattr(row, measure))
    page.values["budget_profile_steps"] = int(system_settings(AUTHORS_PROFILE, {}, page.system)["dynamics_steps"])


# the systems whose 64 px models are shipped and whose verdicts the results page states
LONG_SYSTEMS = {"damped_pendulum": "damped", "elastic_double_pendulum": "elastic"}


@dataclass
class ResultsPage:
    """What the results chapter shows.

    Attributes:
        summary: every VPT this book measured beside the paper's (:func:`run_cpae_results`).
        lines: system -> the VPT verdict on its shipped 64 px models (:func:`vpt_line`), and
            ``<system>-authors`` -> the verdict on the authors' networks where they are shipped.
        claim_table: the latent claim's verdict per measure (rows) and set of shipped models
            (columns: the system, or the system with the authors' networks).
        values: the numbers and verdict words the prose quotes, by glue name.
        figures: the figures by glue name.
    """

    summary: ResultsSummary
    lines: dict[str, VptLine]
    claim_table: pd.DataFrame
    values: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)


def shipped_means(summary: ResultsSummary, shipped: dict[str, LongResult] | None = None) -> pd.DataFrame:
    """The Neural ODE's VPT of every shipped system's 64 px models (``shipped``: system -> its
    shipped models; default ``summary.long``, the book's networks), averaged over their seeds (what
    the verdicts compare): columns system, autoencoder, 'VPT (%)', seeds."""
    rows = [
        {
            "system": system,
            "autoencoder": autoencoder,
            "VPT (%)": part["VPT (%)"].mean(),
            "seeds": part["seed"].nunique(),
        }
        for system, long in (summary.long if shipped is None else shipped).items()
        for autoencoder, part in long.summary.groupby("autoencoder", sort=False)
    ]
    return pd.DataFrame(rows, columns=["system", "autoencoder", "VPT (%)", "seeds"])


def run_cpae_results_page(*, profile: str = "book", seed: int = 0) -> ResultsPage:
    """Everything the results chapter shows: :func:`run_cpae_results` of ``profile`` and ``seed``,
    the VPT verdict of every shipped system, and the latent claim on every shipped system."""
    summary = run_cpae_results(profile=profile, seed=seed)
    lines = {system: vpt_line(long) for system, long in summary.long.items()}
    values: dict[str, Any] = {}
    for system, prefix in LONG_SYSTEMS.items():
        values.update(line_values(lines[system], prefix) if system in lines else {f"{prefix}_verdict": "not run"})
    claims = {
        system.replace("_double", "").replace("_", " "): latent_claim(system, profile="long")
        for system in LONG_SYSTEMS
        if shipped_seeds(system)
    }
    authors_runs: dict[str, LongResult] = {}
    for system in LONG_SYSTEMS:  # the authors' networks, where shipped (never retrained here: hours a model)
        seeds = shipped_seeds(system, AUTHORS_PROFILE)
        if seeds:
            authors = run_cpae_long(system, profile=AUTHORS_PROFILE)
            authors_runs[system] = authors
            lines[f"{system}-authors"] = vpt_line(authors)
            prefix = f"{LONG_SYSTEMS[system]}_authors"
            values.update(line_values(lines[f"{system}-authors"], prefix))
            values[f"{prefix}_seeds_planned"] = AUTHORS_SEEDS_PLANNED
            claim = latent_claim(system, profile=AUTHORS_PROFILE)
            values[f"{prefix}_claim_reproduced"] = len(_measures_with(claim, REPRODUCED))
            values[f"{prefix}_claim_reversed"] = len(_measures_with(claim, REVERSED))
            values[f"{prefix}_claim_measures"] = len(claim.verdicts)
            name = system.replace("_double", "").replace("_", " ")
            claims[f"{name}, the authors' networks ({len(seeds)} of {AUTHORS_SEEDS_PLANNED} seeds)"] = claim
    claim_table = (
        pd.DataFrame(
            {
                name: {MEASURE_LABELS[measure]: verdict.outcome for measure, verdict in claim.verdicts.items()}
                for name, claim in claims.items()
            }
        )
        .rename_axis("measure")
        .reset_index()
    )
    authors_means = shipped_means(summary, authors_runs)
    comparison = cpae_figures.plot_results_comparison(summary.comparison, shipped_means(summary), authors_means)
    figures = {"fig_results_comparison": comparison}
    return ResultsPage(summary, lines, claim_table, values, figures)

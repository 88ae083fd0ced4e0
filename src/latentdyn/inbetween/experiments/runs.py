"""In-between imagery dynamics (Han, Lee & Gelb, arXiv 2310.09495): the chapters' experiments.

- :func:`run_inbetween_data`: the synthetic scenarios with their truth, and the real imagery.
- :func:`run_inbetween_method`: latent advection trained on one scenario, step by step.
- :func:`run_inbetween_scenarios`: every method on crack formation, crack closing and rotation,
  over several seeds, scored against the true in-between frames and velocity; and which
  change of the velocity estimate and of the synthesis moved the scores.
- :func:`run_inbetween_real`: the real Sentinel-1 pair, the floe-breakup sequence (scored
  against its true middle frames), a pair given as files (scored when its true middle frame
  and velocity are given too).

The studies of the other latent PDEs and of the sensitivity to the knobs are in
:mod:`latentdyn.inbetween.experiments.studies`; what both use (the methods, their scoring, the
scenes) in :mod:`latentdyn.inbetween.experiments.core`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from latentdyn.cache import cache_dir
from latentdyn.inbetween import image_metrics
from latentdyn.inbetween.baselines.optical_flow import tvl1_velocity
from latentdyn.inbetween.data.seaice import (
    SCENARIOS,
    SeaIceSequence,
)
from latentdyn.inbetween.data.user_pairs import (
    DEFAULT_MAX_SIDE,
    VELOCITY_ORDERS,
    load_velocity,
    masked_frame_scores,
    path_list,
    read_pair,
    velocity_order_warning,
    warped_photograph,
    write_pair,
)
from latentdyn.inbetween.experiments.core import (
    ALL_METHODS,
    METHODS,
    VELOCITY_CONVENTION,
    experiment_settings,
    goal_table,
    history_frame,
    load_real_imagery,
    mean_over_seeds,
    ordered_table,
    run_method,
    run_methods,
    scene,
    score_frames,
    score_outputs,
    seed_list,
    sequence_call,
    summarise_scores,
)
from latentdyn.inbetween.experiments.events import changed_region, region_scores
from latentdyn.runtime import resolve_device
from latentdyn.validation import check_choice

__all__ = [
    "InbetweenDataResult",
    "InbetweenMethodResult",
    "InbetweenRealResult",
    "InbetweenScenariosResult",
    "PairCase",
    "VELOCITY_CONVENTION",
    "demonstration_pair",
    "fit_patches",
    "run_inbetween_data",
    "run_inbetween_method",
    "run_inbetween_real",
    "run_inbetween_scenarios",
    "user_pair_case",
]


# ---------------------------------------------------------------------------------------------
# chapter 1: data


@dataclass
class InbetweenDataResult:
    """What :func:`run_inbetween_data` made.

    Attributes:
        settings: every setting used.
        sequences: scenario -> :class:`~latentdyn.inbetween.data.seaice.SeaIceSequence`.
        summary: one row per scenario: frames, size, largest and mean true speed at the middle
            frame (pixels per unit time), MSE between the two observed frames, mean brightness
            of the middle frame.
        real: name -> ``(T, H, W)`` real frames (``"sentinel1"``, ``"floe_breakup"``) when found.
        real_message: one line on the real data (found, or missing and what happens then).
    """

    settings: dict[str, Any]
    sequences: dict[str, SeaIceSequence]
    summary: pd.DataFrame
    real: dict[str, np.ndarray]
    real_message: str


def run_inbetween_data(
    profile: str = "book",
    seed: int = 0,
    *,
    scenarios: tuple[str, ...] = SCENARIOS,
    seaice_path: str | None = None,
    **knobs: Any,
) -> InbetweenDataResult:
    """Generate the synthetic scenarios and load the real imagery.

    Args:
        profile: ``"smoke"``, ``"book"`` or ``"paper"``.
        seed: seeds the scenes.
        scenarios: any of :data:`~latentdyn.inbetween.data.seaice.SCENARIOS`.
        seaice_path: folder of the real imagery (default ``data/external/seaice``).
        knobs: overrides of the profile's settings (``image_size``, ``num_frames``, ...).
    """
    settings = experiment_settings("inbetween_data", profile, knobs)
    for name in scenarios:
        check_choice("scenarios", name, SCENARIOS)
    sequences = {name: scene(name, settings, seed) for name in scenarios}
    rows = []
    for name, sequence in sequences.items():
        speed = np.linalg.norm(sequence.velocity[sequence.middle], axis=0)
        rows.append(
            {
                "scenario": name,
                "frames": len(sequence.times),
                "size": sequence.frames.shape[-1],
                "max_speed": float(speed.max()),
                "mean_speed": float(speed.mean()),
                "mse_first_last": image_metrics.mse(sequence.frames[0], sequence.frames[-1]),
                "mean_middle": float(sequence.frames[sequence.middle].mean()),
            }
        )
    real, message = load_real_imagery(seaice_path)
    settings.update(seed=seed, scenarios=tuple(scenarios))
    return InbetweenDataResult(settings, sequences, pd.DataFrame(rows), real, message)


# ---------------------------------------------------------------------------------------------
# chapter 2: method


@dataclass
class InbetweenMethodResult:
    """What :func:`run_inbetween_method` trained and measured on one scenario.

    Attributes:
        settings: every setting used.
        sequence: the scenario with its truth.
        latent: outputs of latent advection (see :func:`run_method`), frames at the
            in-between times.
        history: loss per iteration (total and each term, learning rate).
        scores: long table of PSNR / SSIM / MSE per in-between frame (latent advection, the
            same pipeline with its learned part switched off — its prior alone — and, for
            reference, the cross-fade).
        endpoint_error: mean endpoint error of the learned velocity (pixels per unit time).
        prior_endpoint_error: the same for the velocity it started from (NaN without one).
        num_patches: patches the image was split into.
    """

    settings: dict[str, Any]
    sequence: SeaIceSequence
    latent: dict[str, np.ndarray] = field(repr=False)
    history: pd.DataFrame = field(repr=False)
    scores: pd.DataFrame = field(repr=False)
    endpoint_error: float = 0.0
    prior_endpoint_error: float = float("nan")
    num_patches: int = 0


def run_inbetween_method(
    profile: str = "book", seed: int = 0, *, scenario: str = "crack_formation", device: str = "auto", **knobs: Any
) -> InbetweenMethodResult:
    """Train latent advection on one synthetic scenario and return everything it learned.

    Args:
        profile: ``"smoke"``, ``"book"`` or ``"paper"``.
        seed: seeds the scene and the training.
        scenario: one of :data:`~latentdyn.inbetween.data.seaice.SCENARIOS`.
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
        knobs: overrides of the profile's settings (see :data:`ALL_KEYS`).
    """
    check_choice("scenario", scenario, SCENARIOS)
    settings = experiment_settings("inbetween_method", profile, knobs)
    sequence = scene(scenario, settings, seed)
    inner = list(range(1, len(sequence.times) - 1))
    times = [float(sequence.times[k]) for k in inner]
    outputs = {
        method: run_method(method, sequence.frames[0], sequence.frames[-1], times, settings, seed=seed, device=device)
        for method in ("latent_advection", "prior_alone", "cross_fade")
    }
    scores = score_frames(outputs, sequence.frames, times, inner, sequence.event_mask, sequence.texture_only)
    latent = outputs["latent_advection"]
    truth = sequence.velocity[sequence.middle]
    error = image_metrics.endpoint_error(latent["velocity"], truth)
    prior_error = image_metrics.endpoint_error(latent["prior"], truth) if latent["prior"].size else float("nan")
    settings.update(seed=seed, scenario=scenario, device=str(resolve_device(device)))
    return InbetweenMethodResult(
        settings, sequence, latent, history_frame(latent), scores, error, prior_error, int(latent["num_patches"])
    )


# ---------------------------------------------------------------------------------------------
# chapter 3: scenarios

# The steps from the paper's configuration to the book's, run on advection in image space
# (cheap, and the velocity estimate and the synthesis are shared with latent advection):
# label -> setting overrides. "paper budget" = the longer training the paper's estimator needs.
ABLATION_STEPS: dict[str, dict[str, Any]] = {
    "paper estimator, one-sided": {"velocity_init": "none", "two_sided": False, "paper_budget": True},
    "paper estimator, two-sided": {"velocity_init": "none", "two_sided": True, "paper_budget": True},
    "TV-L1 prior, one-sided": {"velocity_init": "tvl1", "two_sided": False},
    "TV-L1 prior, two-sided (book)": {"velocity_init": "tvl1", "two_sided": True},
    "TV-L1 prior alone (no training)": {"velocity_init": "tvl1", "two_sided": True, "iterations": 0},
    "coarse-to-fine prior, two-sided": {"velocity_init": "coarse_to_fine", "two_sided": True},
}


@dataclass
class InbetweenScenariosResult:
    """Every method on every scenario, over several seeds.

    Attributes:
        settings: every setting used.
        seeds: the seeds (each seeds a scene and the trainings on it).
        sequences: seed -> scenario -> the sequence with its truth.
        outputs: seed -> scenario -> method -> outputs (see :func:`run_method`).
        frame_scores: long table (seed, scenario, method, time, psnr, ssim, mse).
        summary: one row per (seed, scenario, method): middle-frame and all-frame scores, EPE.
        means: one row per (scenario, method): the mean and standard deviation over seeds.
        goals: one row per scenario: latent advection against image-space advection and
            TV-L1 (see :func:`goal_table`).
        ablation: one row per (scenario, step of :data:`ABLATION_STEPS`) on the first seed,
            advection in image space: middle-frame PSNR, SSIM and EPE.
        failures: the scenes where transport fails (see
            :func:`latentdyn.inbetween.experiments.studies.run_transport_failures`), or None.
        blend_summary: one row per (seed, scenario, method) for ``latent_advection`` and
            ``linear_blend`` (the same trained model with the plain ``(1 - t, t)`` blend instead of
            the visibility blend): the blend's measured effect, paired by seed (empty when
            latent advection was not run or blends linearly).
    """

    settings: dict[str, Any]
    seeds: list[int]
    sequences: dict[int, dict[str, SeaIceSequence]] = field(repr=False)
    outputs: dict[int, dict[str, dict[str, dict[str, np.ndarray]]]] = field(repr=False)
    frame_scores: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    means: pd.DataFrame = field(repr=False)
    goals: pd.DataFrame = field(repr=False)
    ablation: pd.DataFrame = field(repr=False)
    failures: Any = field(default=None, repr=False)
    blend_summary: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


def _ablation_settings(settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Step of :data:`ABLATION_STEPS` -> the settings of its run."""
    chosen = {}
    for label, step in ABLATION_STEPS.items():
        overrides = {key: value for key, value in step.items() if key != "paper_budget"}
        if step.get("paper_budget"):
            overrides.update(iterations=settings["paper_iterations"], batch_size=settings["paper_batch_size"])
        chosen[label] = {**settings, **overrides}
    return chosen


def _ablation(sequences: dict[str, SeaIceSequence], results: dict[Hashable, dict[str, np.ndarray]]) -> pd.DataFrame:
    """The ablation table from ``results[("ablation", scenario, step)]`` (advection in image space)."""
    rows = []
    for name, sequence in sequences.items():
        for label in ABLATION_STEPS:
            _, summary = score_outputs(sequence, {"image_advection": results[("ablation", name, label)]})
            row = summary.iloc[0]
            rows.append(
                {
                    "scenario": name,
                    "step": label,
                    "psnr_mid": row["psnr_mid"],
                    "ssim_mid": row["ssim_mid"],
                    "epe": row["epe"],
                }
            )
    return pd.DataFrame(rows)


def run_inbetween_scenarios(
    profile: str = "book",
    seed: int = 0,
    *,
    scenarios: tuple[str, ...] = ("crack_formation", "crack_closing", "rotation"),
    methods: tuple[str, ...] = METHODS,
    device: str = "auto",
    ablation: bool = True,
    failure_scenes: tuple[str, ...] = (),
    workers: int | str = "auto",
    **knobs: Any,
) -> InbetweenScenariosResult:
    """Run ``methods`` on each scenario for ``num_seeds`` seeds and score them against the truth.

    Args:
        profile: ``"smoke"``, ``"book"`` or ``"paper"``.
        seed: the first seed (seeds ``seed ... seed + num_seeds - 1`` seed the scenes and trainings).
        scenarios: any of :data:`~latentdyn.inbetween.data.seaice.SCENARIOS`.
        methods: any of :data:`METHODS`.
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
        ablation: also run the steps of :data:`ABLATION_STEPS` (first seed).
        failure_scenes: scenes of :data:`latentdyn.inbetween.data.scenes.SCENES` where transport fails,
            run by :func:`latentdyn.inbetween.experiments.studies.run_transport_failures` with
            the same profile, seeds and knobs (none by default).
        workers: processes for the runs not yet cached (:func:`run_methods`): ``"auto"`` (one
            per core) or a positive integer; the results do not depend on it.
        knobs: overrides of the profile's settings (see :data:`ALL_KEYS`, and ``num_seeds``).
    """
    settings = experiment_settings("inbetween_scenarios", profile, knobs)
    for name in scenarios:
        check_choice("scenarios", name, SCENARIOS)
    for method in methods:
        check_choice("methods", method, ALL_METHODS)
    seeds = seed_list(seed, settings)
    sequences = {run_seed: {name: scene(name, settings, run_seed) for name in scenarios} for run_seed in seeds}
    calls = {
        (run_seed, name, method): sequence_call(sequence, method, settings, run_seed, device)
        for run_seed in seeds
        for name, sequence in sequences[run_seed].items()
        for method in methods
    }
    if ablation:
        calls.update(
            {
                ("ablation", name, label): sequence_call(sequence, "image_advection", step_settings, seeds[0], device)
                for name, sequence in sequences[seeds[0]].items()
                for label, step_settings in _ablation_settings(settings).items()
            }
        )
    results = run_methods(calls, workers)
    outputs, frame_tables, summaries, blend_summaries = {}, [], [], []
    for run_seed in seeds:
        outputs[run_seed] = {}
        for name, sequence in sequences[run_seed].items():
            outputs[run_seed][name] = {method: results[(run_seed, name, method)] for method in methods}
            scores, summary = score_outputs(sequence, outputs[run_seed][name])
            frame_tables.append(scores.assign(seed=run_seed, scenario=name))
            summaries.append(summary.assign(seed=run_seed, scenario=name))
            latent = outputs[run_seed][name].get("latent_advection", {})
            if "frames_linear_blend" in latent:
                pair = {"latent_advection": latent, "linear_blend": {"frames": latent["frames_linear_blend"]}}
                blend_summaries.append(score_outputs(sequence, pair)[1].assign(seed=run_seed, scenario=name))
    columns = ["seed", "scenario", "method"]
    summary = ordered_table(summaries, columns)
    blend_summary = ordered_table(blend_summaries, columns) if blend_summaries else pd.DataFrame()
    means = mean_over_seeds(summary)
    steps = _ablation(sequences[seeds[0]], results) if ablation else pd.DataFrame()
    failures = None
    if failure_scenes:
        from latentdyn.inbetween.experiments.studies import run_transport_failures

        failures = run_transport_failures(
            profile, seed, scenes=tuple(failure_scenes), device=device, workers=workers, **knobs
        )
    settings.update(
        seed=seed,
        seeds=tuple(seeds),
        scenarios=tuple(scenarios),
        methods=tuple(methods),
        device=str(resolve_device(device)),
    )
    return InbetweenScenariosResult(
        settings,
        seeds,
        sequences,
        outputs,
        ordered_table(frame_tables, columns),
        summary,
        means,
        goal_table(means),
        steps,
        failures,
        blend_summary,
    )


# ---------------------------------------------------------------------------------------------
# chapter 4: real imagery and a user's own pair


@dataclass
class PairCase:
    """One pair to process: the observed images and whatever truth comes with them.

    Attributes:
        name: the case's name.
        description: one sentence on what the pair is (shown to the reader).
        pair: ``(2, H, W)`` the observed images.
        frames: ``(T, H, W)`` first, true in-between frames, last — or None.
        times: ``(T,)`` their times (None without ``frames``).
        velocity: ``(2, H, W)`` true velocity at the middle time (pixels per interval), or None.
        valid: ``(H, W)`` bool, False where a given image has no data (left out of the
            scores), or None (every pixel has data).
        notes: what was done to the user's files (value mapping, no-data, resizing, ...).
    """

    name: str
    description: str
    pair: np.ndarray
    frames: np.ndarray | None = None
    times: np.ndarray | None = None
    velocity: np.ndarray | None = None
    valid: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        """Whether the case has any truth to score against."""
        return self.frames is not None or self.velocity is not None


def user_pair_case(
    image_pair_paths,
    *,
    true_middle_path=None,
    true_velocity_path=None,
    invert_images: bool = False,
    name: str = "user_pair",
    description: str | None = None,
    band: int | None = None,
    value_range=None,
    nodata: float | None = None,
    max_side: int | None = DEFAULT_MAX_SIDE,
    velocity_order: str = "xy",
) -> PairCase:
    """A :class:`PairCase` from files: two images, and optionally the true middle frame (an
    image of the same size, at ``t = 0.5``) and the true velocity there (see
    :func:`latentdyn.inbetween.data.user_pairs.load_velocity`).

    The files are read by :func:`latentdyn.inbetween.data.user_pairs.read_pair` (rules in
    :mod:`latentdyn.image_files`: ``band``, ``value_range``, ``nodata``, ``max_side``);
    ``velocity_order`` (``"xy"`` or ``"yx"``) is the order of the velocity file's components,
    and a warning says when the other order carries the first image onto the second far
    better. What was done is in ``notes`` (and shown as one warning). Errors name the
    parameter and the file."""
    velocity_order = check_choice("velocity_order", velocity_order, VELOCITY_ORDERS)
    paths = path_list("image_pair_paths", image_pair_paths)
    read = read_pair(
        paths,
        true_middle_path=true_middle_path,
        invert=invert_images,
        band=band,
        value_range=value_range,
        nodata=nodata,
        max_side=max_side,
    )
    pair, notes = read.pair, list(read.notes)
    frames = times = velocity = None
    if read.middle is not None:
        frames, times = np.stack((pair[0], read.middle, pair[1])), np.array([0.0, 0.5, 1.0])
    if true_velocity_path:
        velocity = load_velocity(
            true_velocity_path,
            pair.shape[1:],
            name="true_velocity_path",
            velocity_order=velocity_order,
            original_shape=read.original_shape,
        )
        warning = velocity_order_warning(pair, velocity, read.valid, velocity_order=velocity_order)
        if warning:
            notes.append(warning)
    names = ", ".join(Path(p).name for p in paths)
    truth = [
        what
        for what, given in (("its true middle frame", true_middle_path), ("its true velocity", true_velocity_path))
        if given
    ]
    text = description or (
        f"A pair given as files ({names}), {pair.shape[2]} x {pair.shape[1]} pixels"
        + (f", with {' and '.join(truth)}." if truth else ", without truth.")
    )
    if notes:
        warnings.warn(" ".join(notes), UserWarning, stacklevel=2)
    valid = None if read.valid.all() else read.valid
    return PairCase(name, text, pair, frames, times, velocity, valid, notes)


def demonstration_pair(size: int, folder: str | Path | None = None) -> tuple[dict[str, Path], str]:
    """Write the warped photograph (:func:`latentdyn.inbetween.data.user_pairs.warped_photograph`) as a
    user would give it; returns its paths and a description."""
    sequence = warped_photograph(size)
    folder = Path(folder) if folder is not None else cache_dir() / "demonstration_pair"
    paths = write_pair(sequence, folder)
    settings = sequence.settings
    text = (
        f"A photograph (scikit-image's 'camera', {size} x {size} pixels) carried by a steady "
        f"rotation of {settings['rotation_degrees']:.0f} degrees plus a shear of "
        f"{settings['shear']:.2f} over the interval, given as files with its true middle frame "
        f"and velocity."
    )
    return paths, text


@dataclass
class InbetweenRealResult:
    """Real and user-given pairs.

    Attributes:
        settings: every setting used.
        message: one line on the data that was found.
        cases: case -> :class:`PairCase` (descriptions, pairs, truths).
        outputs: case -> seed -> method -> outputs (see :func:`run_method`).
        summary: one row per (case, seed, method) with truth: middle-frame and all-frame scores,
            the scores on the changed region at ``t = 0.5`` (``changed_psnr_mid``,
            ``changed_mae_mid``, ``changed_fraction_mid``: where the pair differs beyond its
            TV-L1 motion, see :func:`latentdyn.inbetween.experiments.events.changed_region`),
            and the endpoint error when the true velocity is known.
        means: one row per (case, method) with truth: means and spreads over seeds.
        goals: latent advection against image-space advection and TV-L1 per scored case.
        frame_scores: long table (case, seed, method, time, psnr, ssim, mse).
        velocity_summary: one row per (case, method) on the first seed: RMS speed of the
            velocity (pixels per interval) and the MSE of the frame at ``t = 1`` against the
            second image.
        zero_velocity_error: case -> endpoint error of a zero velocity (the reference an
            estimate must beat), for the cases with a true velocity.
        ot_limits: when optimal transport's velocity beats a zero velocity and when not (see
            :func:`latentdyn.inbetween.experiments.studies.ot_velocity_limits`; empty unless
            asked for).
    """

    settings: dict[str, Any]
    message: str
    cases: dict[str, PairCase] = field(repr=False)
    outputs: dict[str, dict[int, dict[str, dict[str, np.ndarray]]]] = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    means: pd.DataFrame = field(repr=False)
    goals: pd.DataFrame = field(repr=False)
    frame_scores: pd.DataFrame = field(repr=False)
    velocity_summary: pd.DataFrame = field(repr=False)
    zero_velocity_error: dict[str, float] = field(default_factory=dict)
    ot_limits: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def pairs(self) -> dict[str, np.ndarray]:
        return {name: case.pair for name, case in self.cases.items()}

    def best_per_case(self) -> pd.DataFrame:
        """One row per scored case: the method whose frame at ``t = 0.5`` is best (highest PSNR;
        by velocity error where only the true velocity is known) with its score, latent
        advection's and optimal transport's PSNR (dB), the best method on the changed region
        (``changed_psnr_mid``; "–" without a true frame) and the two methods' PSNR there, their
        velocity errors (pixels per interval), and a zero velocity's error for reference. Empty
        when nothing is scored."""
        rows = []
        for case, block in self.means.groupby("case", sort=False):
            by = block.set_index("method")
            frames = "psnr_mid" in by and by["psnr_mid"].notna().any()
            best = by["psnr_mid"].idxmax() if frames else by["epe"].idxmin()
            value = functools.partial(_cell, by)
            changed = by["changed_psnr_mid"].dropna() if "changed_psnr_mid" in by else pd.Series(dtype=float)
            best_changed = changed.idxmax() if len(changed) else None

            rows.append(
                {
                    "case": case,
                    "best method": best,
                    "best PSNR (dB)": value(best, "psnr_mid"),
                    "latent advection PSNR (dB)": value("latent_advection", "psnr_mid"),
                    "optimal transport PSNR (dB)": value("optimal_transport", "psnr_mid"),
                    "best on the changed region": best_changed if best_changed is not None else "–",
                    "latent advection, changed region (dB)": value("latent_advection", "changed_psnr_mid"),
                    "optimal transport, changed region (dB)": value("optimal_transport", "changed_psnr_mid"),
                    "latent advection EPE": value("latent_advection", "epe"),
                    "optimal transport EPE": value("optimal_transport", "epe"),
                    "zero velocity EPE": self.zero_velocity_error.get(case, float("nan")),
                }
            )
        return pd.DataFrame(rows)


def _cell(table: pd.DataFrame, row: str, column: str) -> float:
    """``table.loc[row, column]`` as a float, NaN when the row or column is missing."""
    return float(table.loc[row, column]) if row in table.index and column in table else float("nan")


def _case_frame_scores(
    case: PairCase, results: dict[str, dict[str, np.ndarray]], times: list[float], inner: list[int]
) -> pd.DataFrame:
    """:func:`score_frames` counting only the case's valid pixels (every pixel without a mask)."""
    if case.valid is None:
        return score_frames(results, case.frames, times, inner)
    rows = [
        {
            "method": method,
            "time": float(t),
            **masked_frame_scores(result["frames"][position], case.frames[index], case.valid),
        }
        for method, result in results.items()
        for position, (t, index) in enumerate(zip(times, inner))
    ]
    return pd.DataFrame(rows)


def _case_summary(
    case: PairCase, results: dict[str, dict[str, np.ndarray]], times: list[float], inner: list[int]
) -> pd.DataFrame:
    """One row per method: middle-frame scores (with true frames) and endpoint error (with a
    true velocity), over the case's valid pixels."""
    errors = None
    if case.velocity is not None:
        mask = case.valid if case.valid is not None else np.ones(case.pair.shape[1:], bool)
        errors = {
            m: float(np.linalg.norm(r["velocity"] - case.velocity, axis=0)[mask].mean())
            for m, r in results.items()
            if "velocity" in r
        }
    if case.frames is None:
        return pd.DataFrame(
            {"method": [m for m in results if m in errors], "epe": [errors[m] for m in results if m in errors]}
        )
    summary = summarise_scores(_case_frame_scores(case, results, times[:-1], inner), 0.5, errors)
    middle = [k for k in inner if np.isclose(case.times[k], 0.5)]
    if not middle:
        return summary
    # the scores where the scene changes beyond its motion (the pair has no event mask)
    flow = results.get("optical_flow", {}).get("velocity")
    if flow is None:
        flow = tvl1_velocity(case.pair[0], case.pair[1])
    region = changed_region(case.pair[0], case.pair[1], flow, 0.5)
    if case.valid is not None:
        region &= case.valid
    position = inner.index(middle[0])
    scores = {m: region_scores(r["frames"][position], case.frames[middle[0]], region) for m, r in results.items()}
    for key in ("changed_psnr", "changed_mae", "changed_fraction"):
        summary[f"{key}_mid"] = summary["method"].map(lambda m, key=key: scores[m][key])
    return summary


def fit_patches(settings: dict[str, Any], shape: tuple[int, int]) -> tuple[dict[str, Any], str | None]:
    """Settings whose ``patch_size`` and ``patch_stride`` fit an image of ``shape`` ``(H, W)``.

    A patch larger than the shorter side becomes the largest side <= it divisible by
    ``field_downsample * 2**depth`` (what the networks need), the stride at most that; returns
    the settings and a sentence saying what changed (None when nothing did)."""
    side = int(min(shape))
    if settings["patch_size"] <= side:
        return settings, None
    multiple = int(settings["field_downsample"]) * 2 ** int(settings["depth"])
    patch = side // multiple * multiple
    if patch < multiple:
        raise ValueError(
            f"the images ({shape[1]} x {shape[0]} pixels) are too small: the networks need a side of at "
            f"least {multiple} pixels (field_downsample x 2**depth); pass larger images"
        )
    stride = min(int(settings["patch_stride"]), max(multiple, patch // 2))
    fitted = {**settings, "patch_size": patch, "patch_stride": stride}
    return fitted, (
        f"patch_size {settings['patch_size']} exceeds the shorter image side ({side}): patches of "
        f"{patch} pixels every {stride} were used (pass patch_size to choose)."
    )


def _default_cases(settings: dict[str, Any], seed: int, seaice_path, demonstration: bool) -> tuple[list[PairCase], str]:
    real, message = load_real_imagery(seaice_path)
    cases = []
    if real:
        side = real["sentinel1"].shape[-1]
        cases.append(
            PairCase(
                "sentinel1",
                f"A Sentinel-1 HH pair of one sea-ice scene about 24 hours "
                f"apart, {side} x {side} pixels, without truth.",
                real["sentinel1"],
            )
        )
        floe = real["floe_breakup"]
        cases.append(
            PairCase(
                "floe_breakup",
                f"A 5-frame sequence ({floe.shape[-1]} x {floe.shape[-1]} pixels) "
                "of a floe breaking into pieces that drift apart; its three "
                "middle frames are the truth, it has no true velocity.",
                floe[[0, -1]],
                floe,
                np.linspace(0, 1, len(floe)),
            )
        )
    else:
        sequence = scene("combined", settings, seed)
        cases.append(
            PairCase(
                "synthetic_combined",
                "The synthetic combined scenario (a crack opens while a floe turns), standing in for the real imagery.",
                sequence.frames[[0, -1]],
                sequence.frames,
                sequence.times,
                sequence.velocity[sequence.middle],
            )
        )
    if demonstration:
        paths, text = demonstration_pair(settings["image_size"])
        cases.append(
            user_pair_case(
                (paths["first"], paths["second"]),
                true_middle_path=paths["middle"],
                true_velocity_path=paths["velocity"],
                name="warped_photograph",
                description=text,
            )
        )
    return cases, message


def _case_times(case: PairCase) -> tuple[list[int], list[float]]:
    """The indices of a case's true in-between frames (none without truth), and the times at which
    the methods return frames: those frames' times and ``t = 1``."""
    if case.frames is None:
        return [], [0.25, 0.5, 0.75, 1.0]
    inner = list(range(1, len(case.frames) - 1))
    return inner, [float(case.times[k]) for k in inner] + [1.0]


def run_inbetween_real(
    profile: str = "book",
    seed: int = 0,
    *,
    image_pair_paths: Any = (),
    true_middle_path: str | None = None,
    true_velocity_path: str | None = None,
    invert_images: bool = False,
    band: int | None = None,
    value_range: Any = None,
    nodata: float | None = None,
    max_side: int | None = DEFAULT_MAX_SIDE,
    velocity_order: str = "xy",
    seaice_path: str | None = None,
    demonstration: bool = True,
    ot_study: bool = True,
    methods: tuple[str, ...] = METHODS,
    device: str = "auto",
    workers: int | str = "auto",
    **knobs: Any,
) -> InbetweenRealResult:
    """Run every method on the real imagery, or on a pair given as files.

    Without ``image_pair_paths``: the Sentinel-1 pair (first seed only, no truth), the
    floe-breakup sequence (``num_seeds`` seeds, scored against its true middle frames) and,
    with ``demonstration``, a warped photograph written as files and read back as a user's
    pair would be (scored against its true middle frame and velocity). Without the real
    imagery, the synthetic ``"combined"`` scenario stands in for it.

    With ``image_pair_paths = (first, second)`` (PNG, TIFF, ...; a list, or one string of paths
    separated by spaces or commas; relative paths against the directory the command was run
    from) only that pair is processed; ``true_middle_path`` (an image at ``t = 0.5``) and
    ``true_velocity_path`` (``.npy``, see :func:`latentdyn.inbetween.data.user_pairs.load_velocity`), one
    or both, add a score table for what is given. The files are read by the rules of
    :mod:`latentdyn.image_files`; pixels without data are left out of the scores. A patch
    size larger than the pair's shorter side is reduced to fit (:func:`fit_patches`).

    Args:
        profile: ``"smoke"``, ``"book"`` or ``"paper"``.
        seed: the first seed of the trainings (and of the synthetic stand-in).
        image_pair_paths: ``()`` or two image paths.
        true_middle_path, true_velocity_path: the truth of a given pair, or None.
        invert_images: invert the given images (dark ice on a bright background).
        band: the band of multi-band files (0-based), or None.
        value_range: ``(low, high)`` of float or signed data mapped to [0, 1], or None (automatic:
            kept if already in [0, 1], else the 0.5th-99.5th percentiles of all images).
        nodata: a pixel value that means "no data" (NaN and TIFF nodata tags are always read).
        max_side: longer side above which the given images are downscaled to it (None or 0: never).
        velocity_order: ``"xy"`` or ``"yx"``: the order of the components in the velocity file.
        seaice_path: folder of the real imagery (default ``data/external/seaice``).
        demonstration: add the warped-photograph pair to the default cases.
        ot_study: also measure when optimal transport's velocity beats a zero velocity
            (:func:`latentdyn.inbetween.experiments.studies.ot_velocity_limits`).
        methods: any of :data:`METHODS`.
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
        workers: processes for the runs not yet cached (:func:`run_methods`); the results do not
            depend on it.
        knobs: overrides of the profile's settings (see :data:`ALL_KEYS`, and ``num_seeds``).
    """
    settings = experiment_settings("inbetween_real", profile, knobs)
    for method in methods:
        check_choice("methods", method, METHODS)
    image_pair_paths = path_list("image_pair_paths", image_pair_paths)
    if (true_middle_path or true_velocity_path) and not image_pair_paths:
        raise ValueError("true_middle_path and true_velocity_path need image_pair_paths (the pair they belong to)")
    if image_pair_paths:
        case = user_pair_case(
            image_pair_paths,
            true_middle_path=true_middle_path,
            true_velocity_path=true_velocity_path,
            invert_images=invert_images,
            band=band,
            value_range=value_range,
            nodata=nodata,
            max_side=max_side,
            velocity_order=velocity_order,
        )
        settings, fitted = fit_patches(settings, case.pair.shape[1:])
        if fitted:
            case.notes.append(fitted)
            warnings.warn(fitted, UserWarning, stacklevel=2)
        cases, message = [case], case.description
    else:
        cases, message = _default_cases(settings, seed, seaice_path, demonstration)
    seeds = seed_list(seed, settings)
    calls = {
        (case.name, run_seed, method): dict(
            method=method,
            image0=case.pair[0],
            image1=case.pair[1],
            times=_case_times(case)[1],
            settings=settings,
            seed=run_seed,
            device=device,
        )
        for case in cases
        for run_seed in (seeds if case.scored else seeds[:1])
        for method in methods
    }
    runs = run_methods(calls, workers)
    outputs, summaries, frame_tables, velocity_rows, zero_errors = {}, [], [], [], {}
    for case in cases:
        inner, times = _case_times(case)
        outputs[case.name] = {}
        for run_seed in seeds if case.scored else seeds[:1]:
            results = {method: runs[(case.name, run_seed, method)] for method in methods}
            outputs[case.name][run_seed] = results
            if case.scored:
                summary = _case_summary(case, results, times, inner)
                summaries.append(summary.assign(case=case.name, seed=run_seed))
                if case.frames is not None:
                    scores = _case_frame_scores(case, results, times[:-1], inner)
                    frame_tables.append(scores.assign(case=case.name, seed=run_seed))
        for method, result in outputs[case.name][seeds[0]].items():
            speed = (
                float(np.sqrt((result["velocity"] ** 2).sum(axis=0).mean())) if "velocity" in result else float("nan")
            )
            velocity_rows.append(
                {
                    "case": case.name,
                    "method": method,
                    "rms_speed": speed,
                    "mse_end": image_metrics.mse(result["frames"][-1], case.pair[1]),
                }
            )
        if case.velocity is not None:
            mask = case.valid if case.valid is not None else np.ones(case.pair.shape[1:], bool)
            zero_errors[case.name] = float(np.linalg.norm(case.velocity, axis=0)[mask].mean())
    columns = ["case", "seed", "method"]
    summary = ordered_table(summaries, columns)
    means = mean_over_seeds(summary, by=("case", "method")) if not summary.empty else summary
    settings.update(
        seed=seed,
        seeds=tuple(seeds),
        image_pair_paths=tuple(str(p) for p in image_pair_paths),
        true_middle_path=true_middle_path,
        true_velocity_path=true_velocity_path,
        band=band,
        value_range=value_range,
        nodata=nodata,
        max_side=max_side,
        velocity_order=velocity_order,
        methods=tuple(methods),
        device=str(resolve_device(device)),
    )
    goals = goal_table(means, group="case") if "psnr_mid" in means else pd.DataFrame()
    return InbetweenRealResult(
        settings,
        message,
        {case.name: case for case in cases},
        outputs,
        summary,
        means,
        goals,
        ordered_table(frame_tables, columns),
        pd.DataFrame(velocity_rows),
        zero_errors,
        _ot_limits(settings) if ot_study else pd.DataFrame(),
    )


def _ot_limits(settings: dict[str, Any]) -> pd.DataFrame:
    from latentdyn.inbetween.experiments.studies import ot_velocity_limits

    points = settings["ot_max_points"]
    return ot_velocity_limits(settings["image_size"], max_points_values=tuple(sorted({max(100, points // 3), points})))

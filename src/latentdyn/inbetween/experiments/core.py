"""In-between imagery dynamics: what every in-between experiment shares.

The methods (:data:`METHODS`, :func:`run_method`, :func:`run_methods` in worker processes, cached),
their settings, scoring against a sequence's truth (:func:`score_outputs`, :func:`summarise_scores`,
:func:`goal_table`), the synthetic scenes (:func:`scene`) and the real imagery
(:func:`load_real_imagery`). The chapters' entry functions are in
:mod:`latentdyn.inbetween.experiments.runs` (data, method, scenarios, real pair) and
:mod:`latentdyn.inbetween.experiments.studies` (other PDEs, sensitivity, where transport fails);
both import this module, and it imports neither.

Every method maps a pair ``(I_0, I_1)`` of ``(H, W)`` images in [0, 1] to frames at times
``t`` in [0, 1] and (except the cross-fade) a velocity ``(2, H, W)`` in pixels per unit time
(x then y). Results are cached (:func:`latentdyn.cache.load_or_create`) under a key made of
the images' contents, the method's settings and the seed, so a rerun — or another chapter
with the same parameters — reuses them.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cache import cache_path, load_or_create
from latentdyn.inbetween import image_metrics
from latentdyn.inbetween.baselines.cross_fade import cross_fade
from latentdyn.inbetween.baselines.optical_flow import optical_flow_interpolation, tvl1_velocity
from latentdyn.inbetween.baselines.optimal_transport import ot_interpolation
from latentdyn.inbetween.data.seaice import (
    FLOE_SEQUENCE,
    SENTINEL_PAIR,
    SeaIceSequence,
    image_digest,
    load_image,
    load_image_pair,
    make_scenario,
    seaice_folder,
)
from latentdyn.inbetween.models.latent_advection import (
    LatentAdvectionModel,
    TrainingSettings,
    count_parameters,
    interpolate_pair,
    train_frames,
)
from latentdyn.inbetween.models.velocity_prior import motion_gate, velocity_prior
from latentdyn.parallel import fill_cache
from latentdyn.profiles import resolve_settings
from latentdyn.runtime import resolve_device, seed_everything
from latentdyn.validation import check_choice, check_existing_path, check_positive_int

# the paper's comparison (latent advection, image-space advection, optimal transport) and ours
PAPER_METHODS = ("latent_advection", "image_advection", "optimal_transport", "optical_flow", "cross_fade")
# the default set: the paper's comparison and, beside latent advection, the same pipeline with
# its learned part switched off ("prior_alone": no training, identity codec; it costs no training)
METHODS = (*PAPER_METHODS, "prior_alone")
# every method: the default set and the advection-reaction variant with its learned part off
ALL_METHODS = (*METHODS, "latent_reaction", "reaction_prior_alone")
METHOD_LABELS = {
    "latent_advection": "latent advection",
    "image_advection": "advection in image space",
    "optimal_transport": "optimal transport",
    "optical_flow": "TV-L1 optical flow",
    "cross_fade": "linear cross-fade",
    "prior_alone": "its prior alone (no learning)",
    "latent_reaction": "latent advection-reaction, motion-gated",
    "reaction_prior_alone": "gated prior alone (no learning)",
}
# each method that is a variant of the latent model: the settings it overrides. The
# "prior alone" methods are the same pipeline with the learned part switched off: no
# training (the velocity is the prior), and the codec is the identity (image space).
METHOD_OVERRIDES: dict[str, dict[str, Any]] = {
    "prior_alone": {"iterations": 0},
    "latent_reaction": {"source": "minimal", "motion_gate": True},
    "reaction_prior_alone": {"source": "minimal", "motion_gate": True, "iterations": 0},
}
LEARNED_PART_OFF = {"latent_advection": "prior_alone", "latent_reaction": "reaction_prior_alone"}
IMAGE_SPACE_METHODS = ("image_advection", "prior_alone", "reaction_prior_alone")
ADVECTION_METHODS = ("latent_advection", "image_advection", "prior_alone", "latent_reaction", "reaction_prior_alone")
RESULT_VERSION = 3  # bump when a method's code changes, so cached results are recomputed

SCENE_KEYS = ("image_size", "num_frames", "crack_opening", "rotation_degrees", "looks")
MODEL_KEYS = (
    "latent_channels",
    "base_channels",
    "field_channels",
    "depth",
    "field_downsample",
    "loss_scales",
    "max_speed",
    "correction_speed",
    "courant",
    "scheme",
    "pde",
    "diffusivity",
    "two_sided",
    "codec_bias",
    "source",
    "motion_gate",
    "blend",
    "blend_sharpness",
    "blend_margin",
    "blend_window",
)
BLEND_KEYS = ("blend_sharpness", "blend_margin", "blend_window")
GATE_KEYS = ("gate_sigma", "gate_floor", "gate_low", "gate_high", "gate_consistency", "gate_min_speed")
VELOCITY_KEYS = ("velocity_init", "coarse_levels", "coarse_iterations")
TRAINING_KEYS = (
    "patch_size",
    "patch_stride",
    "iterations",
    "batch_size",
    "learning_rate",
    "lr_decay",
    "lambda_ae",
    "lambda_magnitude",
    "lambda_smooth",
    "lambda_source",
)
BASELINE_KEYS = ("ot_max_points", "flow_downscale")
ALL_KEYS = SCENE_KEYS + MODEL_KEYS + GATE_KEYS + VELOCITY_KEYS + TRAINING_KEYS + BASELINE_KEYS
VELOCITY_CONVENTION = (
    "velocity (x, y): x along the columns (to the right), y along the rows "
    "(downwards), in pixels per interval between the two images"
)


# ---------------------------------------------------------------------------------------------
# running the methods on one pair


def method_settings(method: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings a method uses (and only those: they key its cache)."""
    if method == "optimal_transport":
        return {"ot_max_points": settings["ot_max_points"]}
    if method == "optical_flow":
        return {"flow_downscale": settings["flow_downscale"]}
    if method == "cross_fade":
        return {}
    # settings of versions before the advection-reaction variant default to it
    defaults = {"source": "none", "motion_gate": False, "lambda_source": 0.0, "blend": "linear"}
    chosen = {
        key: settings.get(key, defaults.get(key))
        for key in MODEL_KEYS + GATE_KEYS + VELOCITY_KEYS + TRAINING_KEYS + ("flow_downscale",)
    }
    chosen.update(METHOD_OVERRIDES.get(method, {}))
    if chosen["motion_gate"] and chosen["velocity_init"] == "none":
        raise ValueError(
            f"method {method!r}: motion_gate needs a velocity prior (velocity_init 'tvl1' "
            "or 'coarse_to_fine'), got velocity_init='none'"
        )
    # the variant's keys key the cache only when they are used (older results stay valid)
    for key in ("source", "lambda_source") if chosen["source"] == "none" else ():
        chosen.pop(key)
    if not chosen["motion_gate"]:
        for key in ("motion_gate", *GATE_KEYS):
            chosen.pop(key)
    # the blend keys key the cache only where a visibility blend is used (a two-sided pure
    # advection): linear blends, one-sided runs and advection-reaction keep their older results
    if not chosen["two_sided"] or chosen.get("source", "none") != "none" or chosen["blend"] == "linear":
        for key in ("blend", *BLEND_KEYS):
            chosen.pop(key, None)
    if method in IMAGE_SPACE_METHODS:
        # the paper's "direct PDE application": advection of the image, no encoder/decoder
        for key in ("latent_channels", "codec_bias"):
            chosen.pop(key)
        chosen.update(lambda_ae=0.0, pde="advection")
    if chosen["pde"] != "advection_diffusion":
        chosen.pop("diffusivity")
    if chosen["velocity_init"] == "none":
        chosen.pop("correction_speed")
    else:
        chosen.pop("max_speed")
    if chosen["velocity_init"] != "coarse_to_fine":
        chosen.pop("coarse_levels")
        chosen.pop("coarse_iterations")
    if chosen["velocity_init"] != "tvl1":
        chosen.pop("flow_downscale")
    return chosen


def _model_options(options: dict[str, Any]) -> dict[str, Any]:
    """Keywords of :class:`LatentAdvectionModel` among a method's options: the learned part of
    the velocity is bounded by ``max_speed`` without a prior and by ``correction_speed`` with one."""
    names = (
        "base_channels",
        "field_channels",
        "depth",
        "scheme",
        "courant",
        "loss_scales",
        "field_downsample",
        "pde",
        "diffusivity",
        "two_sided",
        "codec_bias",
        "source",
        "blend",
        *BLEND_KEYS,
    )
    chosen = {key: options[key] for key in names if key in options}
    chosen["max_speed"] = options["max_speed"] if options["velocity_init"] == "none" else options["correction_speed"]
    return chosen


def _prior(
    image0: np.ndarray, image1: np.ndarray, options: dict[str, Any], seed: int, device: torch.device
) -> np.ndarray | None:
    """The velocity prior of the advection methods (cached: both methods share it)."""
    kind = options["velocity_init"]
    if kind == "none":
        return None
    training = TrainingSettings(**{key: options.get(key, 0.0) for key in TRAINING_KEYS})
    model_options = {
        key: options[key]
        for key in ("base_channels", "field_channels", "depth", "scheme", "courant", "loss_scales", "field_downsample")
    }
    model_options["max_speed"] = options["correction_speed"]
    params = dict(
        version=RESULT_VERSION,
        kind=kind,
        images=image_digest(image0, image1),
        seed=seed,
        device=device.type,
        flow_downscale=options.get("flow_downscale"),
        levels=options.get("coarse_levels"),
        iterations=options.get("coarse_iterations"),
        model=model_options,
        training=training.__dict__ if kind == "coarse_to_fine" else None,
    )

    def create() -> dict[str, np.ndarray]:
        return {
            "velocity": velocity_prior(
                kind,
                image0,
                image1,
                levels=options.get("coarse_levels", "auto"),
                model_options=model_options,
                training=training,
                iterations=options.get("coarse_iterations", 150),
                flow_downscale=options.get("flow_downscale", 1),
                seed=seed,
                device=device,
            )
        }

    return load_or_create("inbetween_prior", params, create)["velocity"]


LATENT_METHODS = ("latent_advection", "latent_reaction")


def _gate(image0: np.ndarray, image1: np.ndarray, prior: np.ndarray, options: dict[str, Any]) -> np.ndarray:
    """The motion gate of the prior (:func:`latentdyn.inbetween.models.velocity_prior.motion_gate`), with
    the TV-L1 flow from the second image back to the first for the forward-backward check."""
    backward = tvl1_velocity(image1, image0, downscale=options.get("flow_downscale", 1))
    return motion_gate(
        image0,
        image1,
        prior,
        backward,
        sigma=options["gate_sigma"],
        floor=options["gate_floor"],
        low=options["gate_low"],
        high=options["gate_high"],
        consistency=options["gate_consistency"],
        min_speed=options["gate_min_speed"],
    )


def _train_and_interpolate(
    method: str,
    frames: np.ndarray,
    frame_times: tuple[float, ...],
    times: list[float],
    options: dict[str, Any],
    seed: int,
    device: torch.device,
    latent_times: tuple[float, ...],
) -> dict[str, np.ndarray]:
    # One CPU thread for training and inference: float32 reductions then do not depend on
    # OMP_NUM_THREADS, so the printed metrics are the same with 1 or 2 threads (CI checks it).
    threads = torch.get_num_threads()
    try:
        seed_everything(seed, num_threads=1 if device.type == "cpu" else None)
        began = time.perf_counter()
        prior = _prior(frames[0], frames[-1], options, seed, device)
        gate = _gate(frames[0], frames[-1], prior, options) if options.get("motion_gate") else None
        model = LatentAdvectionModel(
            options.get("latent_channels", 1),
            **_model_options(options),
            image_space=method in IMAGE_SPACE_METHODS,
            zero_field_output=prior is not None,
        )
        training = TrainingSettings(**{key: options.get(key, 0.0) for key in TRAINING_KEYS})
        history = train_frames(
            model, frames, training, times=frame_times, prior=prior, seed=seed, device=device, gate=gate
        )
        seconds = time.perf_counter() - began
        outputs = interpolate_pair(
            model,
            frames[0],
            frames[-1],
            times,
            patch_size=training.patch_size,
            patch_stride=training.patch_stride,
            prior=prior,
            device=device,
            latent_times=latent_times if method in LATENT_METHODS else (),
            gate=gate,
            linear_blend_too=method in LATENT_METHODS,
        )
    finally:
        torch.set_num_threads(threads)
    outputs["prior"] = np.zeros((0,), np.float32) if prior is None else np.asarray(prior, np.float32)
    outputs["gate"] = np.zeros((0,), np.float32) if gate is None else gate
    outputs["diffusivity"] = model.diffusivity.detach().cpu().numpy().astype(np.float32)
    outputs["history"] = history.drop(columns="iteration").to_numpy(dtype=np.float64)
    outputs["history_columns"] = np.array(list(history.columns[1:]))
    outputs["train_seconds"] = np.array(seconds)
    outputs["num_parameters"] = np.array(count_parameters(model))
    return outputs


def run_method(
    method: str,
    image0: np.ndarray,
    image1: np.ndarray,
    times,
    settings: dict[str, Any],
    *,
    seed: int = 0,
    device: str | torch.device = "auto",
    latent_times: tuple[float, ...] = (0.0, 0.5, 1.0),
    given_frames: np.ndarray | None = None,
    given_times: tuple[float, ...] = (),
    use_cache: bool = True,
) -> dict[str, np.ndarray]:
    """Frames (and velocity) of one method on one pair; cached by images, settings and seed.

    Args:
        method: one of :data:`ALL_METHODS`.
        image0, image1: ``(H, W)`` images in [0, 1].
        times: fractions in [0, 1] at which to return frames.
        settings: resolved settings (the keys of :data:`ALL_KEYS` that the method uses).
        seed: seeds the training of the advection methods.
        device: where to train.
        latent_times: times at which latent advection also returns its latent fields.
        given_frames: ``(K, H, W)`` observed frames between the two images (advection
            methods only: they are fitted at ``given_times``; the others ignore them).
        given_times: their times in (0, 1).

    Returns:
        ``frames`` ``(T, H, W)``; ``velocity`` ``(2, H, W)`` (absent for the cross-fade);
        the advection methods add ``prior`` (the velocity they started from, or empty),
        ``history`` (loss per iteration), ``history_columns``, ``train_seconds``,
        ``num_parameters``, ``reconstruction``, ``diffusivity``; latent advection adds
        ``latents`` ``(len(latent_times), C, H, W)``.
    """
    name, params, create = _method_job(
        method,
        image0,
        image1,
        times,
        settings,
        seed=seed,
        device=device,
        latent_times=latent_times,
        given_frames=given_frames,
        given_times=given_times,
    )
    if not use_cache:
        return {key: np.asarray(value) for key, value in create().items()}
    return load_or_create(name, params, create)


def _method_job(
    method: str,
    image0: np.ndarray,
    image1: np.ndarray,
    times,
    settings: dict[str, Any],
    *,
    seed: int = 0,
    device: str | torch.device = "auto",
    latent_times: tuple[float, ...] = (0.0, 0.5, 1.0),
    given_frames: np.ndarray | None = None,
    given_times: tuple[float, ...] = (),
):
    """:func:`run_method`'s arguments checked: its cache name, cache key and the function that
    computes its result."""
    check_choice("method", method, ALL_METHODS)
    first = np.asarray(image0, dtype=np.float32)
    second = np.asarray(image1, dtype=np.float32)
    if first.ndim != 2 or first.shape != second.shape:
        raise ValueError(f"image0 and image1 must be 2-D of one shape, got {first.shape} and {second.shape}")
    times = [float(t) for t in times]
    extra = np.zeros((0, *first.shape), np.float32) if given_frames is None else np.asarray(given_frames, np.float32)
    given_times = tuple(float(t) for t in given_times)
    if extra.shape[1:] != first.shape or len(given_times) != len(extra):
        raise ValueError(
            f"given_frames must be (K, {first.shape[0]}, {first.shape[1]}) with one time each, "
            f"got shape {extra.shape} and {len(given_times)} times"
        )
    options = method_settings(method, settings)
    run_device = resolve_device(device)
    uses_given = method in ADVECTION_METHODS and len(extra) > 0

    def create() -> dict[str, np.ndarray]:
        if method == "cross_fade":
            return {"frames": cross_fade(first, second, times)}
        if method == "optical_flow":
            return optical_flow_interpolation(first, second, times, downscale=options["flow_downscale"])
        if method == "optimal_transport":
            return ot_interpolation(first, second, times, max_points=options["ot_max_points"])
        frames = np.concatenate((first[None], extra, second[None])) if uses_given else np.stack((first, second))
        frame_times = (0.0, *given_times, 1.0) if uses_given else (0.0, 1.0)
        return _train_and_interpolate(
            method, frames, frame_times, times, options, seed, run_device, tuple(latent_times)
        )

    # only the trained methods depend on the seed: the others are shared by every seed
    params = dict(
        version=RESULT_VERSION,
        method=method,
        images=image_digest(first, second),
        times=times,
        seed=seed if method in ADVECTION_METHODS else None,
        options=options,
        latent_times=list(latent_times) if method in LATENT_METHODS else [],
        given=[image_digest(extra), list(given_times)] if uses_given else [],
        device=run_device.type,
    )
    return f"inbetween_{method}", params, create


# the costliest runs first, so that two workers finish together (trainings, then transport)
_RUN_ORDER = {"latent_advection": 0, "latent_reaction": 0, "image_advection": 1, "optimal_transport": 2}


def _run_method_task(**call: Any) -> None:
    """A worker's job (:func:`latentdyn.parallel.run_tasks`): one :func:`run_method` into the cache."""
    run_method(**call)


def run_methods(
    calls: dict[Hashable, dict[str, Any]], workers: int | str | None = "auto"
) -> dict[Hashable, dict[str, np.ndarray]]:
    """:func:`run_method` for each of ``calls``, those not yet cached computed first in
    single-thread worker processes, one per core (:func:`latentdyn.parallel.run_tasks`).

    The trainings use one thread wherever they run, so the results are bit-identical to calling
    :func:`run_method` in turn; a run that several calls share is computed once. On a GPU, or
    with ``workers=1``, the calls run here in turn.

    Args:
        calls: key -> keyword arguments of :func:`run_method` (without ``use_cache=False``).
        workers: ``"auto"`` (one per available core) or a positive integer.

    Returns:
        key -> the result of :func:`run_method`, in the order of ``calls``.
    """
    if not isinstance(calls, dict) or not all(isinstance(call, dict) for call in calls.values()):
        raise ValueError("calls must be a dict of run_method's keyword arguments")
    pending: dict[Path, dict[str, Any]] = {}
    for key, call in calls.items():
        if call.get("use_cache", True) is False:
            raise ValueError(f"calls[{key!r}]: run_methods needs the cache (use_cache=False given)")
        name, params, _ = _method_job(**{option: value for option, value in call.items() if option != "use_cache"})
        path = cache_path(name, params)
        if not path.exists() and resolve_device(call.get("device", "auto")).type == "cpu":
            pending.setdefault(path, call)
    ordered = sorted(pending.values(), key=lambda call: _RUN_ORDER.get(call["method"], len(_RUN_ORDER)))
    fill_cache([(_run_method_task, call) for call in ordered], workers=workers)
    return {key: run_method(**call) for key, call in calls.items()}


def history_frame(outputs: dict[str, np.ndarray]) -> pd.DataFrame:
    """The loss history of an advection method as a DataFrame (one row per iteration)."""
    frame = pd.DataFrame(outputs["history"], columns=[str(c) for c in outputs["history_columns"]])
    frame.insert(0, "iteration", np.arange(len(frame)))
    return frame


def score_frames(
    outputs: dict[str, dict[str, np.ndarray]],
    truth: np.ndarray,
    times,
    indices,
    event_mask: np.ndarray | None = None,
    texture_only: np.ndarray | None = None,
) -> pd.DataFrame:
    """PSNR / SSIM / MSE of every method's frame ``k`` against ``truth[indices[k]]``, and, when the
    truth knows its event (``event_mask`` and ``texture_only``, ``(T, H, W)`` like ``truth``), the
    event scores of :func:`latentdyn.inbetween.image_metrics.event_scores` (NaN where a frame has no event).

    Returns a long table (method, time, psnr, ssim, mse[, event_psnr, event_mae, event_depth]).
    """
    rows = []
    for method, result in outputs.items():
        for position, (t, index) in enumerate(zip(times, indices)):
            frame = result["frames"][position]
            row = {"method": method, "time": float(t), **image_metrics.frame_scores(frame, truth[index])}
            if event_mask is not None and texture_only is not None:
                row.update(image_metrics.event_scores(frame, truth[index], texture_only[index], event_mask[index]))
            rows.append(row)
    return pd.DataFrame(rows)


def summarise_scores(
    frame_scores: pd.DataFrame, middle_time: float, endpoint_errors: dict[str, float] | None = None
) -> pd.DataFrame:
    """One row per method: scores at the middle frame, means over all in-between frames, the event
    scores at the middle frame (when the frame scores have them), EPE."""
    rows = []
    for method, group in frame_scores.groupby("method", sort=False):
        middle = group[np.isclose(group["time"], middle_time)].iloc[0]
        row = {
            "method": method,
            "psnr_mid": middle["psnr"],
            "ssim_mid": middle["ssim"],
            "mse_mid": middle["mse"],
            "psnr_all": group["psnr"].mean(),
            "ssim_all": group["ssim"].mean(),
            "mse_all": group["mse"].mean(),
        }
        for key in image_metrics.EVENT_KEYS:
            if key in group:
                row[f"{key}_mid"] = middle[key]
        if endpoint_errors is not None:
            row["epe"] = endpoint_errors.get(method, float("nan"))
        rows.append(row)
    return pd.DataFrame(rows)


def mean_over_seeds(summary: pd.DataFrame, by: tuple[str, ...] = ("scenario", "method")) -> pd.DataFrame:
    """Mean and standard deviation over the ``seed`` column of every score, one row per ``by``."""
    values = [c for c in summary.columns if c not in (*by, "seed")]
    grouped = summary.groupby(list(by), sort=False)[values]
    means = grouped.mean()
    spreads = grouped.std(ddof=0).add_suffix("_std")
    table = pd.concat([means, spreads], axis=1).reset_index()
    table.insert(len(by), "seeds", summary.groupby(list(by), sort=False)["seed"].nunique().to_numpy())
    return table


def goal_table(means: pd.DataFrame, group: str = "scenario") -> pd.DataFrame:
    """Per ``group``: latent advection's middle-frame PSNR against advection in image space and
    against TV-L1 (dB, means over seeds), its SSIM against the lowest SSIM of the other methods
    that move content, and whether each goal is met (latent >= image space; within 1 dB of
    TV-L1 or better; SSIM not below every other method's by more than 0.05)."""
    rows = []
    for name, block in means.groupby(group, sort=False):
        scores = block.set_index("method")
        if not {"latent_advection", "image_advection", "optical_flow"} <= set(scores.index):
            continue
        latent = scores.loc["latent_advection"]
        others = scores.drop(index=[m for m in ("latent_advection", "cross_fade") if m in scores.index])
        rows.append(
            {
                group: name,
                "latent_minus_image_db": latent["psnr_mid"] - scores.loc["image_advection", "psnr_mid"],
                "latent_minus_tvl1_db": latent["psnr_mid"] - scores.loc["optical_flow", "psnr_mid"],
                "latent_ssim": latent["ssim_mid"],
                "lowest_other_ssim": others["ssim_mid"].min(),
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["at_least_image_space"] = table["latent_minus_image_db"] >= 0
    table["within_1db_of_tvl1"] = table["latent_minus_tvl1_db"] >= -1.0
    table["ssim_not_an_outlier"] = table["latent_ssim"] >= table["lowest_other_ssim"] - 0.05
    return table


def experiment_settings(experiment: str, profile: str, knobs: dict[str, Any]) -> dict[str, Any]:
    """The settings of ``experiment`` in ``profile``, with the knobs given explicitly."""
    return resolve_settings(experiment, profile, **knobs)


def scene(name: str, settings: dict[str, Any], seed: int) -> SeaIceSequence:
    """The synthetic scenario ``name`` with the scene settings of ``settings``."""
    return make_scenario(
        name,
        size=settings["image_size"],
        num_frames=settings["num_frames"],
        seed=seed,
        crack_opening=settings["crack_opening"],
        rotation_degrees=settings["rotation_degrees"],
        looks=settings["looks"],
    )


def sequence_call(
    sequence: SeaIceSequence, method: str, settings: dict[str, Any], seed: int, device: str
) -> dict[str, Any]:
    """:func:`run_method`'s keyword arguments for ``method`` on the first and last frame of
    ``sequence``, returning the frames between them."""
    return dict(
        method=method,
        image0=sequence.frames[0],
        image1=sequence.frames[-1],
        times=[float(t) for t in sequence.times[1:-1]],
        settings=settings,
        seed=seed,
        device=device,
    )


def score_outputs(
    sequence: SeaIceSequence, outputs: dict[str, dict[str, np.ndarray]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each method's frames (``outputs``: method -> result of :func:`sequence_call`'s run) scored
    against the frames between the first and last of ``sequence`` (and, when the sequence has a
    velocity, by the endpoint error at its middle frame): the frame scores and the summary."""
    inner = list(range(1, len(sequence.times) - 1))
    times = [float(sequence.times[k]) for k in inner]
    scores = score_frames(outputs, sequence.frames, times, inner, sequence.event_mask, sequence.texture_only)
    errors = None
    if sequence.velocity is not None and len(sequence.velocity):
        errors = {
            method: image_metrics.endpoint_error(result["velocity"], sequence.velocity[sequence.middle])
            for method, result in outputs.items()
            if "velocity" in result
        }
    return scores, summarise_scores(scores, float(sequence.times[sequence.middle]), errors)


def score_sequence(
    sequence: SeaIceSequence,
    settings: dict[str, Any],
    methods: tuple[str, ...],
    seed: int,
    device: str,
    workers: int | str | None = "auto",
) -> tuple[dict[str, dict[str, np.ndarray]], pd.DataFrame, pd.DataFrame]:
    """Every method on the first and last frame of ``sequence`` (:func:`run_methods`), scored by
    :func:`score_outputs`: the outputs, the frame scores and the summary."""
    outputs = run_methods(
        {method: sequence_call(sequence, method, settings, seed, device) for method in methods}, workers
    )
    scores, summary = score_outputs(sequence, outputs)
    return outputs, scores, summary


def ordered_table(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The tables concatenated, ``columns`` first (an empty table with them when there are none)."""
    if not tables:
        return pd.DataFrame(columns=columns)
    table = pd.concat(tables, ignore_index=True)
    return table[columns + [c for c in table.columns if c not in columns]]


def seed_list(seed: int, settings: dict[str, Any]) -> list[int]:
    """``seed``, ``seed + 1``, ... (``settings["num_seeds"]`` of them)."""
    count = check_positive_int("num_seeds", settings.get("num_seeds", 1))
    return list(range(seed, seed + count))


def load_real_imagery(folder: str | Path | None = None) -> tuple[dict[str, np.ndarray], str]:
    """The Sentinel-1 pair and the floe-breakup sequence (inverted: ice bright), or a message.

    Args:
        folder: where the files are; default ``data/external/seaice`` (see its README).
    """
    if folder is None:
        folder = seaice_folder()
    else:
        folder = check_existing_path("seaice_path", folder, kind="directory")
    missing_message = (
        "The real sea-ice imagery was not found (see the README: it is copied into "
        "data/external/seaice by make setup); the synthetic scenes stand in for it."
    )
    if folder is None or not all((Path(folder) / n).is_file() for n in SENTINEL_PAIR + FLOE_SEQUENCE):
        return {}, missing_message
    folder = Path(folder)
    real = {
        "sentinel1": np.stack(load_image_pair(tuple(folder / n for n in SENTINEL_PAIR), name="seaice_path")),
        "floe_breakup": np.stack([load_image(folder / n, invert=True, name="seaice_path") for n in FLOE_SEQUENCE]),
    }
    return real, "The real sea-ice imagery was found: the Sentinel-1 pair and the floe-breakup sequence."

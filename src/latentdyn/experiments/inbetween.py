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
:mod:`latentdyn.experiments.inbetween_studies`.

Every method maps a pair ``(I_0, I_1)`` of ``(H, W)`` images in [0, 1] to frames at times
``t`` in [0, 1] and (except the cross-fade) a velocity ``(2, H, W)`` in pixels per unit time
(x then y). Results are cached (:func:`latentdyn.cache.load_or_create`) under a key made of
the images' contents, the method's settings and the seed, so a rerun — or another chapter
with the same parameters — reuses them.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Hashable

import numpy as np
import pandas as pd
import torch

from latentdyn import image_metrics
from latentdyn.baselines.cross_fade import cross_fade
from latentdyn.baselines.optical_flow import optical_flow_interpolation
from latentdyn.baselines.optimal_transport import ot_interpolation
from latentdyn.cache import cache_dir, cache_path, load_or_create
from latentdyn.data.seaice import (
    FLOE_SEQUENCE,
    SCENARIOS,
    SENTINEL_PAIR,
    SeaIceSequence,
    image_digest,
    load_image,
    load_image_pair,
    make_scenario,
    seaice_folder,
)
from latentdyn.data.user_pairs import (
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
from latentdyn.models.latent_advection import (
    LatentAdvectionModel,
    TrainingSettings,
    count_parameters,
    interpolate_pair,
    train_frames,
)
from latentdyn.baselines.optical_flow import tvl1_velocity
from latentdyn.models.velocity_prior import motion_gate, velocity_prior
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
ADVECTION_METHODS = ("latent_advection", "image_advection", "prior_alone", "latent_reaction",
                     "reaction_prior_alone")
RESULT_VERSION = 3  # bump when a method's code changes, so cached results are recomputed

SCENE_KEYS = ("image_size", "num_frames", "crack_opening", "rotation_degrees", "looks")
MODEL_KEYS = ("latent_channels", "base_channels", "field_channels", "depth", "field_downsample", "loss_scales",
              "max_speed", "correction_speed", "courant", "scheme", "pde", "diffusivity", "two_sided",
              "codec_bias", "source", "motion_gate")
GATE_KEYS = ("gate_sigma", "gate_floor", "gate_low", "gate_high", "gate_consistency", "gate_min_speed")
VELOCITY_KEYS = ("velocity_init", "coarse_levels", "coarse_iterations")
TRAINING_KEYS = ("patch_size", "patch_stride", "iterations", "batch_size", "learning_rate",
                 "lr_decay", "lambda_ae", "lambda_magnitude", "lambda_smooth", "lambda_source")
BASELINE_KEYS = ("ot_max_points", "flow_downscale")
ALL_KEYS = SCENE_KEYS + MODEL_KEYS + GATE_KEYS + VELOCITY_KEYS + TRAINING_KEYS + BASELINE_KEYS
VELOCITY_CONVENTION = ("velocity (x, y): x along the columns (to the right), y along the rows "
                       "(downwards), in pixels per interval between the two images")


# ---------------------------------------------------------------------------------------------
# running the methods on one pair


def _method_settings(method: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The settings a method uses (and only those: they key its cache)."""
    if method == "optimal_transport":
        return {"ot_max_points": settings["ot_max_points"]}
    if method == "optical_flow":
        return {"flow_downscale": settings["flow_downscale"]}
    if method == "cross_fade":
        return {}
    # settings of versions before the advection-reaction variant default to it
    defaults = {"source": "none", "motion_gate": False, "lambda_source": 0.0}
    chosen = {key: settings.get(key, defaults.get(key)) for key in
              MODEL_KEYS + GATE_KEYS + VELOCITY_KEYS + TRAINING_KEYS + ("flow_downscale",)}
    chosen.update(METHOD_OVERRIDES.get(method, {}))
    if chosen["motion_gate"] and chosen["velocity_init"] == "none":
        raise ValueError(f"method {method!r}: motion_gate needs a velocity prior (velocity_init 'tvl1' "
                         "or 'coarse_to_fine'), got velocity_init='none'")
    # the variant's keys key the cache only when they are used (older results stay valid)
    for key in ("source", "lambda_source") if chosen["source"] == "none" else ():
        chosen.pop(key)
    if not chosen["motion_gate"]:
        for key in ("motion_gate", *GATE_KEYS):
            chosen.pop(key)
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
    names = ("base_channels", "field_channels", "depth", "scheme", "courant", "loss_scales",
             "field_downsample", "pde", "diffusivity", "two_sided", "codec_bias", "source")
    chosen = {key: options[key] for key in names if key in options}
    chosen["max_speed"] = options["max_speed"] if options["velocity_init"] == "none" else options["correction_speed"]
    return chosen


def _prior(image0: np.ndarray, image1: np.ndarray, options: dict[str, Any], seed: int,
           device: torch.device) -> np.ndarray | None:
    """The velocity prior of the advection methods (cached: both methods share it)."""
    kind = options["velocity_init"]
    if kind == "none":
        return None
    training = TrainingSettings(**{key: options.get(key, 0.0) for key in TRAINING_KEYS})
    model_options = {key: options[key] for key in ("base_channels", "field_channels", "depth", "scheme",
                                                   "courant", "loss_scales", "field_downsample")}
    model_options["max_speed"] = options["correction_speed"]
    params = dict(version=RESULT_VERSION, kind=kind, images=image_digest(image0, image1), seed=seed,
                  device=device.type, flow_downscale=options.get("flow_downscale"),
                  levels=options.get("coarse_levels"), iterations=options.get("coarse_iterations"),
                  model=model_options, training=training.__dict__ if kind == "coarse_to_fine" else None)

    def create() -> dict[str, np.ndarray]:
        return {"velocity": velocity_prior(kind, image0, image1, levels=options.get("coarse_levels", "auto"),
                                           model_options=model_options, training=training,
                                           iterations=options.get("coarse_iterations", 150),
                                           flow_downscale=options.get("flow_downscale", 1), seed=seed,
                                           device=device)}

    return load_or_create("inbetween_prior", params, create)["velocity"]


LATENT_METHODS = ("latent_advection", "latent_reaction")


def _gate(image0: np.ndarray, image1: np.ndarray, prior: np.ndarray, options: dict[str, Any]) -> np.ndarray:
    """The motion gate of the prior (:func:`latentdyn.models.velocity_prior.motion_gate`), with
    the TV-L1 flow from the second image back to the first for the forward-backward check."""
    backward = tvl1_velocity(image1, image0, downscale=options.get("flow_downscale", 1))
    return motion_gate(image0, image1, prior, backward, sigma=options["gate_sigma"], floor=options["gate_floor"],
                       low=options["gate_low"], high=options["gate_high"],
                       consistency=options["gate_consistency"], min_speed=options["gate_min_speed"])


def _train_and_interpolate(method: str, frames: np.ndarray, frame_times: tuple[float, ...],
                           times: list[float], options: dict[str, Any], seed: int, device: torch.device,
                           latent_times: tuple[float, ...]) -> dict[str, np.ndarray]:
    # One CPU thread for training and inference: float32 reductions then do not depend on
    # OMP_NUM_THREADS, so the printed metrics are the same with 1 or 2 threads (CI checks it).
    threads = torch.get_num_threads()
    try:
        seed_everything(seed, num_threads=1 if device.type == "cpu" else None)
        began = time.perf_counter()
        prior = _prior(frames[0], frames[-1], options, seed, device)
        gate = _gate(frames[0], frames[-1], prior, options) if options.get("motion_gate") else None
        model = LatentAdvectionModel(options.get("latent_channels", 1), **_model_options(options),
                                     image_space=method in IMAGE_SPACE_METHODS,
                                     zero_field_output=prior is not None)
        training = TrainingSettings(**{key: options.get(key, 0.0) for key in TRAINING_KEYS})
        history = train_frames(model, frames, training, times=frame_times, prior=prior, seed=seed,
                               device=device, gate=gate)
        seconds = time.perf_counter() - began
        outputs = interpolate_pair(model, frames[0], frames[-1], times, patch_size=training.patch_size,
                                   patch_stride=training.patch_stride, prior=prior, device=device,
                                   latent_times=latent_times if method in LATENT_METHODS else (),
                                   gate=gate)
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


def run_method(method: str, image0: np.ndarray, image1: np.ndarray, times, settings: dict[str, Any], *,
               seed: int = 0, device: str | torch.device = "auto",
               latent_times: tuple[float, ...] = (0.0, 0.5, 1.0), given_frames: np.ndarray | None = None,
               given_times: tuple[float, ...] = (), use_cache: bool = True) -> dict[str, np.ndarray]:
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
    name, params, create = _method_job(method, image0, image1, times, settings, seed=seed, device=device,
                                       latent_times=latent_times, given_frames=given_frames,
                                       given_times=given_times)
    if not use_cache:
        return {key: np.asarray(value) for key, value in create().items()}
    return load_or_create(name, params, create)


def _method_job(method: str, image0: np.ndarray, image1: np.ndarray, times, settings: dict[str, Any], *,
                seed: int = 0, device: str | torch.device = "auto",
                latent_times: tuple[float, ...] = (0.0, 0.5, 1.0), given_frames: np.ndarray | None = None,
                given_times: tuple[float, ...] = ()):
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
        raise ValueError(f"given_frames must be (K, {first.shape[0]}, {first.shape[1]}) with one time each, "
                         f"got shape {extra.shape} and {len(given_times)} times")
    options = _method_settings(method, settings)
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
        return _train_and_interpolate(method, frames, frame_times, times, options, seed, run_device,
                                      tuple(latent_times))

    # only the trained methods depend on the seed: the others are shared by every seed
    params = dict(version=RESULT_VERSION, method=method, images=image_digest(first, second),
                  times=times, seed=seed if method in ADVECTION_METHODS else None, options=options,
                  latent_times=list(latent_times) if method in LATENT_METHODS else [],
                  given=[image_digest(extra), list(given_times)] if uses_given else [],
                  device=run_device.type)
    return f"inbetween_{method}", params, create


# the costliest runs first, so that two workers finish together (trainings, then transport)
_RUN_ORDER = {"latent_advection": 0, "latent_reaction": 0, "image_advection": 1, "optimal_transport": 2}


def _run_method_task(**call: Any) -> None:
    """A worker's job (:func:`latentdyn.parallel.run_tasks`): one :func:`run_method` into the cache."""
    run_method(**call)


def run_methods(calls: dict[Hashable, dict[str, Any]], workers: int | str | None = "auto"
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


def score_frames(outputs: dict[str, dict[str, np.ndarray]], truth: np.ndarray, times,
                 indices) -> pd.DataFrame:
    """PSNR / SSIM / MSE of every method's frame ``k`` against ``truth[indices[k]]``.

    Returns a long table (method, time, psnr, ssim, mse).
    """
    rows = []
    for method, result in outputs.items():
        for position, (t, index) in enumerate(zip(times, indices)):
            rows.append({"method": method, "time": float(t),
                         **image_metrics.frame_scores(result["frames"][position], truth[index])})
    return pd.DataFrame(rows)


def summarise_scores(frame_scores: pd.DataFrame, middle_time: float,
                     endpoint_errors: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per method: scores at the middle frame, means over all in-between frames, EPE."""
    rows = []
    for method, group in frame_scores.groupby("method", sort=False):
        middle = group[np.isclose(group["time"], middle_time)].iloc[0]
        row = {"method": method, "psnr_mid": middle["psnr"], "ssim_mid": middle["ssim"],
               "mse_mid": middle["mse"], "psnr_all": group["psnr"].mean(),
               "ssim_all": group["ssim"].mean(), "mse_all": group["mse"].mean()}
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
        rows.append({
            group: name,
            "latent_minus_image_db": latent["psnr_mid"] - scores.loc["image_advection", "psnr_mid"],
            "latent_minus_tvl1_db": latent["psnr_mid"] - scores.loc["optical_flow", "psnr_mid"],
            "latent_ssim": latent["ssim_mid"], "lowest_other_ssim": others["ssim_mid"].min(),
        })
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["at_least_image_space"] = table["latent_minus_image_db"] >= 0
    table["within_1db_of_tvl1"] = table["latent_minus_tvl1_db"] >= -1.0
    table["ssim_not_an_outlier"] = table["latent_ssim"] >= table["lowest_other_ssim"] - 0.05
    return table


def _resolve(experiment: str, profile: str, knobs: dict[str, Any]) -> dict[str, Any]:
    return resolve_settings(experiment, profile, **knobs)


def scene(name: str, settings: dict[str, Any], seed: int) -> SeaIceSequence:
    """The synthetic scenario ``name`` with the scene settings of ``settings``."""
    return make_scenario(name, size=settings["image_size"], num_frames=settings["num_frames"],
                         seed=seed, crack_opening=settings["crack_opening"],
                         rotation_degrees=settings["rotation_degrees"], looks=settings["looks"])


def sequence_call(sequence: SeaIceSequence, method: str, settings: dict[str, Any], seed: int,
                  device: str) -> dict[str, Any]:
    """:func:`run_method`'s keyword arguments for ``method`` on the first and last frame of
    ``sequence``, returning the frames between them."""
    return dict(method=method, image0=sequence.frames[0], image1=sequence.frames[-1],
                times=[float(t) for t in sequence.times[1:-1]], settings=settings, seed=seed, device=device)


def score_outputs(sequence: SeaIceSequence, outputs: dict[str, dict[str, np.ndarray]]
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each method's frames (``outputs``: method -> result of :func:`sequence_call`'s run) scored
    against the frames between the first and last of ``sequence`` (and, when the sequence has a
    velocity, by the endpoint error at its middle frame): the frame scores and the summary."""
    inner = list(range(1, len(sequence.times) - 1))
    times = [float(sequence.times[k]) for k in inner]
    scores = score_frames(outputs, sequence.frames, times, inner)
    errors = None
    if sequence.velocity is not None and len(sequence.velocity):
        errors = {method: image_metrics.endpoint_error(result["velocity"], sequence.velocity[sequence.middle])
                  for method, result in outputs.items() if "velocity" in result}
    return scores, summarise_scores(scores, float(sequence.times[sequence.middle]), errors)


def score_sequence(sequence: SeaIceSequence, settings: dict[str, Any], methods: tuple[str, ...],
                   seed: int, device: str, workers: int | str | None = "auto"
                   ) -> tuple[dict[str, dict[str, np.ndarray]], pd.DataFrame, pd.DataFrame]:
    """Every method on the first and last frame of ``sequence`` (:func:`run_methods`), scored by
    :func:`score_outputs`: the outputs, the frame scores and the summary."""
    outputs = run_methods({method: sequence_call(sequence, method, settings, seed, device) for method in methods},
                          workers)
    scores, summary = score_outputs(sequence, outputs)
    return outputs, scores, summary


def _ordered(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not tables:
        return pd.DataFrame(columns=columns)
    table = pd.concat(tables, ignore_index=True)
    return table[columns + [c for c in table.columns if c not in columns]]


def _seeds(seed: int, settings: dict[str, Any]) -> list[int]:
    count = check_positive_int("num_seeds", settings.get("num_seeds", 1))
    return list(range(seed, seed + count))


# ---------------------------------------------------------------------------------------------
# chapter 1: data


@dataclass
class InbetweenDataResult:
    """What :func:`run_inbetween_data` made.

    Attributes:
        settings: every setting used.
        sequences: scenario -> :class:`~latentdyn.data.seaice.SeaIceSequence`.
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


def load_real_imagery(folder: str | Path | None = None) -> tuple[dict[str, np.ndarray], str]:
    """The Sentinel-1 pair and the floe-breakup sequence (inverted: ice bright), or a message.

    Args:
        folder: where the files are; default ``data/external/seaice`` (see its README).
    """
    if folder is None:
        folder = seaice_folder()
    else:
        folder = check_existing_path("seaice_path", folder, kind="directory")
    missing_message = ("The real sea-ice imagery was not found (see the README: it is copied into "
                       "data/external/seaice by make setup); the synthetic scenes stand in for it.")
    if folder is None or not all((Path(folder) / n).is_file() for n in SENTINEL_PAIR + FLOE_SEQUENCE):
        return {}, missing_message
    folder = Path(folder)
    real = {
        "sentinel1": np.stack(load_image_pair(tuple(folder / n for n in SENTINEL_PAIR), name="seaice_path")),
        "floe_breakup": np.stack([load_image(folder / n, invert=True, name="seaice_path")
                                  for n in FLOE_SEQUENCE]),
    }
    return real, "The real sea-ice imagery was found: the Sentinel-1 pair and the floe-breakup sequence."


def run_inbetween_data(profile: str = "book", seed: int = 0, *,
                       scenarios: tuple[str, ...] = SCENARIOS, seaice_path: str | None = None,
                       **knobs: Any) -> InbetweenDataResult:
    """Generate the synthetic scenarios and load the real imagery.

    Args:
        profile: ``"smoke"``, ``"book"`` or ``"paper"``.
        seed: seeds the scenes.
        scenarios: any of :data:`~latentdyn.data.seaice.SCENARIOS`.
        seaice_path: folder of the real imagery (default ``data/external/seaice``).
        knobs: overrides of the profile's settings (``image_size``, ``num_frames``, ...).
    """
    settings = _resolve("inbetween_data", profile, knobs)
    for name in scenarios:
        check_choice("scenarios", name, SCENARIOS)
    sequences = {name: scene(name, settings, seed) for name in scenarios}
    rows = []
    for name, sequence in sequences.items():
        speed = np.linalg.norm(sequence.velocity[sequence.middle], axis=0)
        rows.append({"scenario": name, "frames": len(sequence.times),
                     "size": sequence.frames.shape[-1], "max_speed": float(speed.max()),
                     "mean_speed": float(speed.mean()),
                     "mse_first_last": image_metrics.mse(sequence.frames[0], sequence.frames[-1]),
                     "mean_middle": float(sequence.frames[sequence.middle].mean())})
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


def run_inbetween_method(profile: str = "book", seed: int = 0, *, scenario: str = "crack_formation",
                         device: str = "auto", **knobs: Any) -> InbetweenMethodResult:
    """Train latent advection on one synthetic scenario and return everything it learned.

    Args:
        profile: ``"smoke"``, ``"book"`` or ``"paper"``.
        seed: seeds the scene and the training.
        scenario: one of :data:`~latentdyn.data.seaice.SCENARIOS`.
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
        knobs: overrides of the profile's settings (see :data:`ALL_KEYS`).
    """
    check_choice("scenario", scenario, SCENARIOS)
    settings = _resolve("inbetween_method", profile, knobs)
    sequence = scene(scenario, settings, seed)
    inner = list(range(1, len(sequence.times) - 1))
    times = [float(sequence.times[k]) for k in inner]
    outputs = {method: run_method(method, sequence.frames[0], sequence.frames[-1], times, settings,
                                  seed=seed, device=device)
               for method in ("latent_advection", "prior_alone", "cross_fade")}
    scores = score_frames(outputs, sequence.frames, times, inner)
    latent = outputs["latent_advection"]
    truth = sequence.velocity[sequence.middle]
    error = image_metrics.endpoint_error(latent["velocity"], truth)
    prior_error = (image_metrics.endpoint_error(latent["prior"], truth) if latent["prior"].size
                   else float("nan"))
    settings.update(seed=seed, scenario=scenario, device=str(resolve_device(device)))
    return InbetweenMethodResult(settings, sequence, latent, history_frame(latent), scores, error,
                                 prior_error, int(latent["num_patches"]))


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
            :func:`latentdyn.experiments.inbetween_studies.run_transport_failures`), or None.
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


def _ablation_settings(settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Step of :data:`ABLATION_STEPS` -> the settings of its run."""
    chosen = {}
    for label, step in ABLATION_STEPS.items():
        overrides = {key: value for key, value in step.items() if key != "paper_budget"}
        if step.get("paper_budget"):
            overrides.update(iterations=settings["paper_iterations"], batch_size=settings["paper_batch_size"])
        chosen[label] = {**settings, **overrides}
    return chosen


def _ablation(sequences: dict[str, SeaIceSequence], results: dict[Hashable, dict[str, np.ndarray]]
              ) -> pd.DataFrame:
    """The ablation table from ``results[("ablation", scenario, step)]`` (advection in image space)."""
    rows = []
    for name, sequence in sequences.items():
        for label in ABLATION_STEPS:
            _, summary = score_outputs(sequence, {"image_advection": results[("ablation", name, label)]})
            row = summary.iloc[0]
            rows.append({"scenario": name, "step": label, "psnr_mid": row["psnr_mid"],
                         "ssim_mid": row["ssim_mid"], "epe": row["epe"]})
    return pd.DataFrame(rows)


def run_inbetween_scenarios(profile: str = "book", seed: int = 0, *,
                            scenarios: tuple[str, ...] = ("crack_formation", "crack_closing", "rotation"),
                            methods: tuple[str, ...] = METHODS, device: str = "auto",
                            ablation: bool = True, failure_scenes: tuple[str, ...] = (),
                            workers: int | str = "auto", **knobs: Any) -> InbetweenScenariosResult:
    """Run ``methods`` on each scenario for ``num_seeds`` seeds and score them against the truth.

    Args:
        profile: ``"smoke"``, ``"book"`` or ``"paper"``.
        seed: the first seed (seeds ``seed ... seed + num_seeds - 1`` seed the scenes and trainings).
        scenarios: any of :data:`~latentdyn.data.seaice.SCENARIOS`.
        methods: any of :data:`METHODS`.
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
        ablation: also run the steps of :data:`ABLATION_STEPS` (first seed).
        failure_scenes: scenes of :data:`latentdyn.data.scenes.SCENES` where transport fails,
            run by :func:`latentdyn.experiments.inbetween_studies.run_transport_failures` with
            the same profile, seeds and knobs (none by default).
        workers: processes for the runs not yet cached (:func:`run_methods`): ``"auto"`` (one
            per core) or a positive integer; the results do not depend on it.
        knobs: overrides of the profile's settings (see :data:`ALL_KEYS`, and ``num_seeds``).
    """
    settings = _resolve("inbetween_scenarios", profile, knobs)
    for name in scenarios:
        check_choice("scenarios", name, SCENARIOS)
    for method in methods:
        check_choice("methods", method, ALL_METHODS)
    seeds = _seeds(seed, settings)
    sequences = {run_seed: {name: scene(name, settings, run_seed) for name in scenarios} for run_seed in seeds}
    calls = {(run_seed, name, method): sequence_call(sequence, method, settings, run_seed, device)
             for run_seed in seeds for name, sequence in sequences[run_seed].items() for method in methods}
    if ablation:
        calls.update({("ablation", name, label): sequence_call(sequence, "image_advection", step_settings,
                                                               seeds[0], device)
                      for name, sequence in sequences[seeds[0]].items()
                      for label, step_settings in _ablation_settings(settings).items()})
    results = run_methods(calls, workers)
    outputs, frame_tables, summaries = {}, [], []
    for run_seed in seeds:
        outputs[run_seed] = {}
        for name, sequence in sequences[run_seed].items():
            outputs[run_seed][name] = {method: results[(run_seed, name, method)] for method in methods}
            scores, summary = score_outputs(sequence, outputs[run_seed][name])
            frame_tables.append(scores.assign(seed=run_seed, scenario=name))
            summaries.append(summary.assign(seed=run_seed, scenario=name))
    columns = ["seed", "scenario", "method"]
    summary = _ordered(summaries, columns)
    means = mean_over_seeds(summary)
    steps = _ablation(sequences[seeds[0]], results) if ablation else pd.DataFrame()
    failures = None
    if failure_scenes:
        from latentdyn.experiments.inbetween_studies import run_transport_failures

        failures = run_transport_failures(profile, seed, scenes=tuple(failure_scenes), device=device,
                                          workers=workers, **knobs)
    settings.update(seed=seed, seeds=tuple(seeds), scenarios=tuple(scenarios), methods=tuple(methods),
                    device=str(resolve_device(device)))
    return InbetweenScenariosResult(settings, seeds, sequences, outputs, _ordered(frame_tables, columns),
                                    summary, means, goal_table(means), steps, failures)


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


def user_pair_case(image_pair_paths, *, true_middle_path=None, true_velocity_path=None,
                   invert_images: bool = False, name: str = "user_pair",
                   description: str | None = None, band: int | None = None, value_range=None,
                   nodata: float | None = None, max_side: int | None = DEFAULT_MAX_SIDE,
                   velocity_order: str = "xy") -> PairCase:
    """A :class:`PairCase` from files: two images, and optionally the true middle frame (an
    image of the same size, at ``t = 0.5``) and the true velocity there (see
    :func:`latentdyn.data.user_pairs.load_velocity`).

    The files are read by :func:`latentdyn.data.user_pairs.read_pair` (rules in
    :mod:`latentdyn.data.image_files`: ``band``, ``value_range``, ``nodata``, ``max_side``);
    ``velocity_order`` (``"xy"`` or ``"yx"``) is the order of the velocity file's components,
    and a warning says when the other order carries the first image onto the second far
    better. What was done is in ``notes`` (and shown as one warning). Errors name the
    parameter and the file."""
    velocity_order = check_choice("velocity_order", velocity_order, VELOCITY_ORDERS)
    paths = path_list("image_pair_paths", image_pair_paths)
    read = read_pair(paths, true_middle_path=true_middle_path, invert=invert_images, band=band,
                     value_range=value_range, nodata=nodata, max_side=max_side)
    pair, notes = read.pair, list(read.notes)
    frames = times = velocity = None
    if read.middle is not None:
        frames, times = np.stack((pair[0], read.middle, pair[1])), np.array([0.0, 0.5, 1.0])
    if true_velocity_path:
        velocity = load_velocity(true_velocity_path, pair.shape[1:], name="true_velocity_path",
                                 velocity_order=velocity_order, original_shape=read.original_shape)
        warning = velocity_order_warning(pair, velocity, read.valid, velocity_order=velocity_order)
        if warning:
            notes.append(warning)
    names = ", ".join(Path(p).name for p in paths)
    truth = [what for what, given in (("its true middle frame", true_middle_path),
                                      ("its true velocity", true_velocity_path)) if given]
    text = description or (f"A pair given as files ({names}), {pair.shape[2]} x {pair.shape[1]} pixels"
                           + (f", with {' and '.join(truth)}." if truth else ", without truth."))
    if notes:
        warnings.warn(" ".join(notes), UserWarning, stacklevel=2)
    valid = None if read.valid.all() else read.valid
    return PairCase(name, text, pair, frames, times, velocity, valid, notes)


def demonstration_pair(size: int, folder: str | Path | None = None) -> tuple[dict[str, Path], str]:
    """Write the warped photograph (:func:`latentdyn.data.user_pairs.warped_photograph`) as a
    user would give it; returns its paths and a description."""
    sequence = warped_photograph(size)
    folder = Path(folder) if folder is not None else cache_dir() / "demonstration_pair"
    paths = write_pair(sequence, folder)
    settings = sequence.settings
    text = (f"A photograph (scikit-image's 'camera', {size} x {size} pixels) carried by a steady "
            f"rotation of {settings['rotation_degrees']:.0f} degrees plus a shear of "
            f"{settings['shear']:.2f} over the interval, given as files with its true middle frame "
            f"and velocity.")
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
            :func:`latentdyn.experiments.inbetween_studies.ot_velocity_limits`; empty unless
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


def _case_frame_scores(case: PairCase, results: dict[str, dict[str, np.ndarray]], times: list[float],
                       inner: list[int]) -> pd.DataFrame:
    """:func:`score_frames` counting only the case's valid pixels (every pixel without a mask)."""
    if case.valid is None:
        return score_frames(results, case.frames, times, inner)
    rows = [{"method": method, "time": float(t),
             **masked_frame_scores(result["frames"][position], case.frames[index], case.valid)}
            for method, result in results.items() for position, (t, index) in enumerate(zip(times, inner))]
    return pd.DataFrame(rows)


def _case_summary(case: PairCase, results: dict[str, dict[str, np.ndarray]], times: list[float],
                  inner: list[int]) -> pd.DataFrame:
    """One row per method: middle-frame scores (with true frames) and endpoint error (with a
    true velocity), over the case's valid pixels."""
    errors = None
    if case.velocity is not None:
        mask = case.valid if case.valid is not None else np.ones(case.pair.shape[1:], bool)
        errors = {m: float(np.linalg.norm(r["velocity"] - case.velocity, axis=0)[mask].mean())
                  for m, r in results.items() if "velocity" in r}
    if case.frames is None:
        return pd.DataFrame({"method": [m for m in results if m in errors],
                             "epe": [errors[m] for m in results if m in errors]})
    return summarise_scores(_case_frame_scores(case, results, times[:-1], inner), 0.5, errors)


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
        raise ValueError(f"the images ({shape[1]} x {shape[0]} pixels) are too small: the networks need a side of at "
                         f"least {multiple} pixels (field_downsample x 2**depth); pass larger images")
    stride = min(int(settings["patch_stride"]), max(multiple, patch // 2))
    fitted = {**settings, "patch_size": patch, "patch_stride": stride}
    return fitted, (f"patch_size {settings['patch_size']} exceeds the shorter image side ({side}): patches of "
                    f"{patch} pixels every {stride} were used (pass patch_size to choose).")


def _default_cases(settings: dict[str, Any], seed: int, seaice_path, demonstration: bool) -> tuple[list[PairCase], str]:
    real, message = load_real_imagery(seaice_path)
    cases = []
    if real:
        side = real["sentinel1"].shape[-1]
        cases.append(PairCase("sentinel1", f"A Sentinel-1 HH pair of one sea-ice scene about 24 hours "
                                           f"apart, {side} x {side} pixels, without truth.", real["sentinel1"]))
        floe = real["floe_breakup"]
        cases.append(PairCase("floe_breakup", f"A 5-frame sequence ({floe.shape[-1]} x {floe.shape[-1]} pixels) "
                                              "of a floe breaking into pieces that drift apart; its three "
                                              "middle frames are the truth, it has no true velocity.",
                              floe[[0, -1]], floe, np.linspace(0, 1, len(floe))))
    else:
        sequence = scene("combined", settings, seed)
        cases.append(PairCase("synthetic_combined", "The synthetic combined scenario (a crack opens while a "
                                                    "floe turns), standing in for the real imagery.",
                              sequence.frames[[0, -1]], sequence.frames, sequence.times,
                              sequence.velocity[sequence.middle]))
    if demonstration:
        paths, text = demonstration_pair(settings["image_size"])
        cases.append(user_pair_case((paths["first"], paths["second"]), true_middle_path=paths["middle"],
                                    true_velocity_path=paths["velocity"], name="warped_photograph",
                                    description=text))
    return cases, message


def _case_times(case: PairCase) -> tuple[list[int], list[float]]:
    """The indices of a case's true in-between frames (none without truth), and the times at which
    the methods return frames: those frames' times and ``t = 1``."""
    if case.frames is None:
        return [], [0.25, 0.5, 0.75, 1.0]
    inner = list(range(1, len(case.frames) - 1))
    return inner, [float(case.times[k]) for k in inner] + [1.0]


def run_inbetween_real(profile: str = "book", seed: int = 0, *, image_pair_paths: Any = (),
                       true_middle_path: str | None = None, true_velocity_path: str | None = None,
                       invert_images: bool = False, band: int | None = None, value_range: Any = None,
                       nodata: float | None = None, max_side: int | None = DEFAULT_MAX_SIDE,
                       velocity_order: str = "xy", seaice_path: str | None = None,
                       demonstration: bool = True, ot_study: bool = True,
                       methods: tuple[str, ...] = METHODS, device: str = "auto",
                       workers: int | str = "auto", **knobs: Any) -> InbetweenRealResult:
    """Run every method on the real imagery, or on a pair given as files.

    Without ``image_pair_paths``: the Sentinel-1 pair (first seed only, no truth), the
    floe-breakup sequence (``num_seeds`` seeds, scored against its true middle frames) and,
    with ``demonstration``, a warped photograph written as files and read back as a user's
    pair would be (scored against its true middle frame and velocity). Without the real
    imagery, the synthetic ``"combined"`` scenario stands in for it.

    With ``image_pair_paths = (first, second)`` (PNG, TIFF, ...; a list, or one string of paths
    separated by spaces or commas; relative paths against the directory the command was run
    from) only that pair is processed; ``true_middle_path`` (an image at ``t = 0.5``) and
    ``true_velocity_path`` (``.npy``, see :func:`latentdyn.data.user_pairs.load_velocity`), one
    or both, add a score table for what is given. The files are read by the rules of
    :mod:`latentdyn.data.image_files`; pixels without data are left out of the scores. A patch
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
            (:func:`latentdyn.experiments.inbetween_studies.ot_velocity_limits`).
        methods: any of :data:`METHODS`.
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
        workers: processes for the runs not yet cached (:func:`run_methods`); the results do not
            depend on it.
        knobs: overrides of the profile's settings (see :data:`ALL_KEYS`, and ``num_seeds``).
    """
    settings = _resolve("inbetween_real", profile, knobs)
    for method in methods:
        check_choice("methods", method, METHODS)
    image_pair_paths = path_list("image_pair_paths", image_pair_paths)
    if (true_middle_path or true_velocity_path) and not image_pair_paths:
        raise ValueError("true_middle_path and true_velocity_path need image_pair_paths (the pair they belong to)")
    if image_pair_paths:
        case = user_pair_case(image_pair_paths, true_middle_path=true_middle_path,
                              true_velocity_path=true_velocity_path, invert_images=invert_images, band=band,
                              value_range=value_range, nodata=nodata, max_side=max_side,
                              velocity_order=velocity_order)
        settings, fitted = fit_patches(settings, case.pair.shape[1:])
        if fitted:
            case.notes.append(fitted)
            warnings.warn(fitted, UserWarning, stacklevel=2)
        cases, message = [case], case.description
    else:
        cases, message = _default_cases(settings, seed, seaice_path, demonstration)
    seeds = _seeds(seed, settings)
    calls = {(case.name, run_seed, method): dict(method=method, image0=case.pair[0], image1=case.pair[1],
                                                 times=_case_times(case)[1], settings=settings, seed=run_seed,
                                                 device=device)
             for case in cases for run_seed in (seeds if case.scored else seeds[:1]) for method in methods}
    runs = run_methods(calls, workers)
    outputs, summaries, frame_tables, velocity_rows, zero_errors = {}, [], [], [], {}
    for case in cases:
        inner, times = _case_times(case)
        outputs[case.name] = {}
        for run_seed in (seeds if case.scored else seeds[:1]):
            results = {method: runs[(case.name, run_seed, method)] for method in methods}
            outputs[case.name][run_seed] = results
            if case.scored:
                summary = _case_summary(case, results, times, inner)
                summaries.append(summary.assign(case=case.name, seed=run_seed))
                if case.frames is not None:
                    scores = _case_frame_scores(case, results, times[:-1], inner)
                    frame_tables.append(scores.assign(case=case.name, seed=run_seed))
        for method, result in outputs[case.name][seeds[0]].items():
            speed = (float(np.sqrt((result["velocity"] ** 2).sum(axis=0).mean()))
                     if "velocity" in result else float("nan"))
            velocity_rows.append({"case": case.name, "method": method, "rms_speed": speed,
                                  "mse_end": image_metrics.mse(result["frames"][-1], case.pair[1])})
        if case.velocity is not None:
            mask = case.valid if case.valid is not None else np.ones(case.pair.shape[1:], bool)
            zero_errors[case.name] = float(np.linalg.norm(case.velocity, axis=0)[mask].mean())
    columns = ["case", "seed", "method"]
    summary = _ordered(summaries, columns)
    means = mean_over_seeds(summary, by=("case", "method")) if not summary.empty else summary
    settings.update(seed=seed, seeds=tuple(seeds), image_pair_paths=tuple(str(p) for p in image_pair_paths),
                    true_middle_path=true_middle_path, true_velocity_path=true_velocity_path, band=band,
                    value_range=value_range, nodata=nodata, max_side=max_side, velocity_order=velocity_order,
                    methods=tuple(methods), device=str(resolve_device(device)))
    goals = goal_table(means, group="case") if "psnr_mid" in means else pd.DataFrame()
    return InbetweenRealResult(settings, message, {case.name: case for case in cases}, outputs, summary, means,
                               goals,
                               _ordered(frame_tables, columns), pd.DataFrame(velocity_rows), zero_errors,
                               _ot_limits(settings) if ot_study else pd.DataFrame())


def _ot_limits(settings: dict[str, Any]) -> pd.DataFrame:
    from latentdyn.experiments.inbetween_studies import ot_velocity_limits

    points = settings["ot_max_points"]
    return ot_velocity_limits(settings["image_size"], max_points_values=tuple(sorted({max(100, points // 3), points})))

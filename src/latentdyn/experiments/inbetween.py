"""In-between imagery dynamics (Han, Lee & Gelb, arXiv 2310.09495): the four chapters' experiments.

- :func:`run_inbetween_data`: the synthetic scenarios with their truth, and the real imagery.
- :func:`run_inbetween_method`: latent advection trained on one scenario, step by step.
- :func:`run_inbetween_scenarios`: every method on crack formation, crack closing and rotation,
  scored against the true in-between frames and velocity.
- :func:`run_inbetween_real`: the real Sentinel-1 pair (whole 900x900 scene) and the
  floe-breakup sequence (scored against its true middle frames), or any user-given pair.

Every method maps a pair ``(I_0, I_1)`` of ``(H, W)`` images in [0, 1] to frames at times
``t`` in [0, 1] and (except the cross-fade) a velocity ``(2, H, W)`` in pixels per unit time.
Results are cached (:func:`latentdyn.cache.load_or_create`) under a key made of the images'
contents, the method's settings and the seed, so a rerun — or another chapter with the same
parameters — reuses them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn import image_metrics
from latentdyn.baselines.cross_fade import cross_fade
from latentdyn.baselines.optical_flow import optical_flow_interpolation
from latentdyn.baselines.optimal_transport import ot_interpolation
from latentdyn.cache import load_or_create
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
from latentdyn.models.latent_advection import (
    LatentAdvectionModel,
    TrainingSettings,
    count_parameters,
    interpolate_pair,
    train_pair,
)
from latentdyn.profiles import resolve_settings
from latentdyn.runtime import resolve_device, seed_everything
from latentdyn.validation import check_choice, check_existing_path

METHODS = ("latent_advection", "image_advection", "optimal_transport", "optical_flow", "cross_fade")
METHOD_LABELS = {
    "latent_advection": "latent advection",
    "image_advection": "advection in image space",
    "optimal_transport": "optimal transport",
    "optical_flow": "TV-L1 optical flow",
    "cross_fade": "linear cross-fade",
}
RESULT_VERSION = 1  # bump when a method's code changes, so cached results are recomputed

SCENE_KEYS = ("image_size", "num_frames", "crack_opening", "rotation_degrees", "looks")
MODEL_KEYS = ("latent_channels", "base_channels", "field_channels", "depth", "field_downsample", "loss_scales",
              "max_speed", "courant", "scheme")
TRAINING_KEYS = ("patch_size", "patch_stride", "iterations", "batch_size", "learning_rate",
                 "lr_decay", "lambda_ae", "lambda_magnitude", "lambda_smooth")
BASELINE_KEYS = ("ot_max_points", "flow_downscale")
ALL_KEYS = SCENE_KEYS + MODEL_KEYS + TRAINING_KEYS + BASELINE_KEYS


# ---------------------------------------------------------------------------------------------
# running the methods on one pair


def _method_settings(method: str, settings: dict[str, Any]) -> dict[str, Any]:
    if method in ("latent_advection", "image_advection"):
        keys = MODEL_KEYS + TRAINING_KEYS
    elif method == "optimal_transport":
        keys = ("ot_max_points",)
    elif method == "optical_flow":
        keys = ("flow_downscale",)
    else:
        keys = ()
    chosen = {key: settings[key] for key in keys}
    if method == "image_advection":
        chosen.pop("latent_channels")
        chosen["lambda_ae"] = 0.0
    return chosen


def _train_and_interpolate(method: str, image0: np.ndarray, image1: np.ndarray, times: list[float],
                           options: dict[str, Any], seed: int, device: torch.device,
                           latent_times: tuple[float, ...]) -> dict[str, np.ndarray]:
    # One CPU thread for training and inference: float32 reductions then do not depend on
    # OMP_NUM_THREADS, so the printed metrics are the same with 1 or 2 threads (CI checks it).
    threads = torch.get_num_threads()
    try:
        seed_everything(seed, num_threads=1 if device.type == "cpu" else None)
        return _train_and_interpolate_pinned(method, image0, image1, times, options, seed, device,
                                             latent_times)
    finally:
        torch.set_num_threads(threads)


def _train_and_interpolate_pinned(method: str, image0: np.ndarray, image1: np.ndarray,
                                  times: list[float], options: dict[str, Any], seed: int,
                                  device: torch.device,
                                  latent_times: tuple[float, ...]) -> dict[str, np.ndarray]:
    model = LatentAdvectionModel(
        options.get("latent_channels", 1), base_channels=options["base_channels"],
        field_channels=options["field_channels"],
        depth=options["depth"], max_speed=options["max_speed"], scheme=options["scheme"],
        courant=options["courant"], image_space=method == "image_advection",
        loss_scales=options["loss_scales"], field_downsample=options["field_downsample"])
    training = TrainingSettings(**{key: options[key] for key in TRAINING_KEYS})
    began = time.perf_counter()
    history = train_pair(model, image0, image1, training, seed=seed, device=device)
    seconds = time.perf_counter() - began
    outputs = interpolate_pair(model, image0, image1, times, patch_size=training.patch_size,
                               patch_stride=training.patch_stride, device=device,
                               latent_times=latent_times if method == "latent_advection" else ())
    outputs["history"] = history.drop(columns="iteration").to_numpy(dtype=np.float64)
    outputs["history_columns"] = np.array(list(history.columns[1:]))
    outputs["train_seconds"] = np.array(seconds)
    outputs["num_parameters"] = np.array(count_parameters(model))
    return outputs


def run_method(method: str, image0: np.ndarray, image1: np.ndarray, times, settings: dict[str, Any], *,
               seed: int = 0, device: str | torch.device = "auto",
               latent_times: tuple[float, ...] = (0.0, 0.5, 1.0), use_cache: bool = True) -> dict[str, np.ndarray]:
    """Frames (and velocity) of one method on one pair; cached by images, settings and seed.

    Args:
        method: one of :data:`METHODS`.
        image0, image1: ``(H, W)`` images in [0, 1].
        times: fractions in [0, 1] at which to return frames.
        settings: resolved settings (the keys of :data:`ALL_KEYS` that the method uses).
        seed: seeds the training of the advection methods.
        device: where to train.
        latent_times: times at which latent advection also returns its latent fields.

    Returns:
        ``frames`` ``(T, H, W)``; ``velocity`` ``(2, H, W)`` (absent for the cross-fade);
        the advection methods add ``history`` (loss per iteration), ``history_columns``,
        ``train_seconds``, ``num_parameters``, ``reconstruction``; latent advection adds
        ``latents`` ``(len(latent_times), C, H, W)``.
    """
    check_choice("method", method, METHODS)
    first = np.asarray(image0, dtype=np.float32)
    second = np.asarray(image1, dtype=np.float32)
    if first.ndim != 2 or first.shape != second.shape:
        raise ValueError(f"image0 and image1 must be 2-D of one shape, got {first.shape} and {second.shape}")
    times = [float(t) for t in times]
    options = _method_settings(method, settings)
    run_device = resolve_device(device)

    def create() -> dict[str, np.ndarray]:
        if method == "cross_fade":
            return {"frames": cross_fade(first, second, times)}
        if method == "optical_flow":
            return optical_flow_interpolation(first, second, times, downscale=options["flow_downscale"])
        if method == "optimal_transport":
            return ot_interpolation(first, second, times, max_points=options["ot_max_points"])
        return _train_and_interpolate(method, first, second, times, options, seed, run_device,
                                      tuple(latent_times))

    params = dict(version=RESULT_VERSION, method=method, images=image_digest(first, second),
                  times=times, seed=seed, options=options,
                  latent_times=list(latent_times) if method == "latent_advection" else [],
                  device=run_device.type)
    if not use_cache:
        return {key: np.asarray(value) for key, value in create().items()}
    return load_or_create(f"inbetween_{method}", params, create)


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


def _resolve(experiment: str, profile: str, knobs: dict[str, Any]) -> dict[str, Any]:
    return resolve_settings(experiment, profile, **knobs)


def _scene(name: str, settings: dict[str, Any], seed: int) -> SeaIceSequence:
    return make_scenario(name, size=settings["image_size"], num_frames=settings["num_frames"],
                         seed=seed, crack_opening=settings["crack_opening"],
                         rotation_degrees=settings["rotation_degrees"], looks=settings["looks"])


def _score_sequence(sequence: SeaIceSequence, settings: dict[str, Any], methods: tuple[str, ...],
                    seed: int, device: str) -> tuple[dict[str, dict[str, np.ndarray]], pd.DataFrame, pd.DataFrame]:
    inner = list(range(1, len(sequence.times) - 1))
    times = [float(sequence.times[k]) for k in inner]
    outputs = {method: run_method(method, sequence.frames[0], sequence.frames[-1], times, settings,
                                  seed=seed, device=device) for method in methods}
    scores = score_frames(outputs, sequence.frames, times, inner)
    errors = {method: image_metrics.endpoint_error(result["velocity"], sequence.velocity[sequence.middle])
              for method, result in outputs.items() if "velocity" in result}
    summary = summarise_scores(scores, float(sequence.times[sequence.middle]), errors)
    return outputs, scores, summary


# ---------------------------------------------------------------------------------------------
# chapter 1: data


@dataclass
class InbetweenDataResult:
    """What :func:`run_inbetween_data` made.

    Attributes:
        settings: every setting used.
        sequences: scenario -> :class:`~latentdyn.data.seaice.SeaIceSequence`.
        summary: one row per scenario: frames, size, largest and mean true speed (pixels per
            unit time), MSE between the two observed frames, fraction of open-water pixels
            (zero velocity where the first frame had ice) at the middle frame.
        real: name -> ``(T, H, W)`` real frames (``"sentinel1"``, ``"floe_breakup"``) when found.
        real_message: one line on the real data (found where, or missing and what to do).
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
        folder = check_existing_path("folder", folder, kind="directory")
    missing_message = ("Real sea-ice imagery not found (expected in data/external/seaice, see "
                       "data/README.md / the seaice README): running on synthetic data instead.")
    if folder is None or not all((Path(folder) / n).is_file() for n in SENTINEL_PAIR + FLOE_SEQUENCE):
        return {}, missing_message
    folder = Path(folder)
    real = {
        "sentinel1": np.stack(load_image_pair(tuple(folder / n for n in SENTINEL_PAIR))),
        "floe_breakup": np.stack([load_image(folder / n, invert=True) for n in FLOE_SEQUENCE]),
    }
    return real, f"Real sea-ice imagery found in {folder.name}/ ({len(real)} sets)."


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
    sequences = {name: _scene(name, settings, seed) for name in scenarios}
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
        scores: long table of PSNR / SSIM / MSE per in-between frame (latent advection and,
            for reference, the cross-fade).
        endpoint_error: mean endpoint error of the learned velocity (pixels per unit time).
        num_patches: patches the image was split into.
    """

    settings: dict[str, Any]
    sequence: SeaIceSequence
    latent: dict[str, np.ndarray] = field(repr=False)
    history: pd.DataFrame = field(repr=False)
    scores: pd.DataFrame = field(repr=False)
    endpoint_error: float = 0.0
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
    sequence = _scene(scenario, settings, seed)
    inner = list(range(1, len(sequence.times) - 1))
    times = [float(sequence.times[k]) for k in inner]
    outputs = {method: run_method(method, sequence.frames[0], sequence.frames[-1], times, settings,
                                  seed=seed, device=device)
               for method in ("latent_advection", "cross_fade")}
    scores = score_frames(outputs, sequence.frames, times, inner)
    latent = outputs["latent_advection"]
    error = image_metrics.endpoint_error(latent["velocity"], sequence.velocity[sequence.middle])
    settings.update(seed=seed, scenario=scenario, device=str(resolve_device(device)))
    return InbetweenMethodResult(settings, sequence, latent, history_frame(latent), scores, error,
                                 int(latent["num_patches"]))


# ---------------------------------------------------------------------------------------------
# chapter 3: scenarios


@dataclass
class InbetweenScenariosResult:
    """Every method on every scenario.

    Attributes:
        settings: every setting used.
        sequences: scenario -> the sequence with its truth.
        outputs: scenario -> method -> outputs (see :func:`run_method`).
        frame_scores: long table (scenario, method, time, psnr, ssim, mse).
        summary: one row per (scenario, method): middle-frame and all-frame scores, EPE.
    """

    settings: dict[str, Any]
    sequences: dict[str, SeaIceSequence]
    outputs: dict[str, dict[str, dict[str, np.ndarray]]] = field(repr=False)
    frame_scores: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)


def run_inbetween_scenarios(profile: str = "book", seed: int = 0, *,
                            scenarios: tuple[str, ...] = ("crack_formation", "crack_closing", "rotation"),
                            methods: tuple[str, ...] = METHODS, device: str = "auto",
                            **knobs: Any) -> InbetweenScenariosResult:
    """Run ``methods`` on each scenario and score them against the truth.

    Args:
        profile: ``"smoke"``, ``"book"`` or ``"paper"``.
        seed: seeds the scenes and the trainings.
        scenarios: any of :data:`~latentdyn.data.seaice.SCENARIOS`.
        methods: any of :data:`METHODS`.
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
        knobs: overrides of the profile's settings (see :data:`ALL_KEYS`).
    """
    settings = _resolve("inbetween_scenarios", profile, knobs)
    for name in scenarios:
        check_choice("scenarios", name, SCENARIOS)
    for method in methods:
        check_choice("methods", method, METHODS)
    sequences, outputs, frame_tables, summaries = {}, {}, [], []
    for name in scenarios:
        sequence = _scene(name, settings, seed)
        result, scores, summary = _score_sequence(sequence, settings, tuple(methods), seed, device)
        sequences[name], outputs[name] = sequence, result
        frame_tables.append(scores.assign(scenario=name))
        summaries.append(summary.assign(scenario=name))
    columns = ["scenario", "method"]
    frame_scores = pd.concat(frame_tables, ignore_index=True)
    frame_scores = frame_scores[columns + [c for c in frame_scores.columns if c not in columns]]
    summary = pd.concat(summaries, ignore_index=True)
    summary = summary[columns + [c for c in summary.columns if c not in columns]]
    settings.update(seed=seed, scenarios=tuple(scenarios), methods=tuple(methods),
                    device=str(resolve_device(device)))
    return InbetweenScenariosResult(settings, sequences, outputs, frame_scores, summary)


# ---------------------------------------------------------------------------------------------
# chapter 4: real imagery


@dataclass
class InbetweenRealResult:
    """Real (or user-given) pairs.

    Attributes:
        settings: every setting used.
        message: one line saying which data was used (and, if the real data is missing,
            that the chapter runs on synthetic data instead).
        pairs: case -> ``(2, H, W)`` the observed pair.
        outputs: case -> method -> outputs (see :func:`run_method`).
        truth: case -> ``(T, H, W)`` true frames (first, in-between..., last) where known.
        summary: one row per (case, method) with truth: middle-frame and all-frame scores.
        frame_scores: long table (case, method, time, psnr, ssim, mse).
        end_errors: one row per (case, method): MSE of the frame at ``t = 1`` against the
            second image (how well each method reproduces what it was given).
    """

    settings: dict[str, Any]
    message: str
    pairs: dict[str, np.ndarray] = field(repr=False)
    outputs: dict[str, dict[str, dict[str, np.ndarray]]] = field(repr=False)
    truth: dict[str, np.ndarray] = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    frame_scores: pd.DataFrame = field(repr=False)
    end_errors: pd.DataFrame = field(repr=False)


def run_inbetween_real(profile: str = "book", seed: int = 0, *, image_pair_paths: tuple = (),
                       invert_images: bool = False, seaice_path: str | None = None,
                       methods: tuple[str, ...] = METHODS, device: str = "auto",
                       **knobs: Any) -> InbetweenRealResult:
    """Run every method on the real Sentinel-1 pair and the floe-breakup sequence.

    With ``image_pair_paths = (first, second)`` (PNG or TIFF) that pair is processed
    instead (case ``"user_pair"``, no truth). Without real data, the synthetic
    ``"combined"`` scenario stands in (case ``"synthetic_combined"``, with truth).

    Args:
        profile: ``"smoke"``, ``"book"`` or ``"paper"``.
        seed: seeds the trainings (and the synthetic stand-in).
        image_pair_paths: ``()`` or two image paths.
        invert_images: invert a user-given pair (dark ice on a bright background).
        seaice_path: folder of the real imagery (default ``data/external/seaice``).
        methods: any of :data:`METHODS`.
        device: ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"mps"``.
        knobs: overrides of the profile's settings (see :data:`ALL_KEYS`).
    """
    settings = _resolve("inbetween_real", profile, knobs)
    for method in methods:
        check_choice("methods", method, METHODS)
    cases: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    if image_pair_paths:
        pair = np.stack(load_image_pair(tuple(image_pair_paths), invert=invert_images))
        cases["user_pair"] = (pair, None)
        message = f"User-given pair: {', '.join(Path(p).name for p in image_pair_paths)}."
    else:
        real, message = load_real_imagery(seaice_path)
        if real:
            cases["sentinel1"] = (real["sentinel1"], None)
            cases["floe_breakup"] = (real["floe_breakup"][[0, -1]], real["floe_breakup"])
        else:
            sequence = make_scenario("combined", size=settings["image_size"],
                                     num_frames=settings["num_frames"], seed=seed,
                                     crack_opening=settings["crack_opening"],
                                     rotation_degrees=settings["rotation_degrees"],
                                     looks=settings["looks"])
            cases["synthetic_combined"] = (sequence.frames[[0, -1]], sequence.frames)
    pairs, outputs, truth, summaries, frame_tables, end_rows = {}, {}, {}, [], [], []
    for case, (pair, frames) in cases.items():
        if frames is not None:
            count = len(frames)
            times = [k / (count - 1) for k in range(1, count - 1)] + [1.0]
        else:
            times = [0.25, 0.5, 0.75, 1.0]
        results = {method: run_method(method, pair[0], pair[1], times, settings, seed=seed, device=device)
                   for method in methods}
        pairs[case], outputs[case] = pair, results
        for method, result in results.items():
            end_rows.append({"case": case, "method": method,
                             "mse_end": image_metrics.mse(result["frames"][-1], pair[1])})
        if frames is not None:
            truth[case] = frames
            inner = list(range(1, len(frames) - 1))
            scores = score_frames(results, frames, times[:-1], inner)
            frame_tables.append(scores.assign(case=case))
            summaries.append(summarise_scores(scores, 0.5).assign(case=case))
    columns = ["case", "method"]

    def ordered(tables: list[pd.DataFrame]) -> pd.DataFrame:
        if not tables:
            return pd.DataFrame(columns=columns)
        table = pd.concat(tables, ignore_index=True)
        return table[columns + [c for c in table.columns if c not in columns]]

    settings.update(seed=seed, image_pair_paths=tuple(str(p) for p in image_pair_paths),
                    methods=tuple(methods), device=str(resolve_device(device)))
    return InbetweenRealResult(settings, message, pairs, outputs, truth, ordered(summaries),
                               ordered(frame_tables), pd.DataFrame(end_rows))

"""Studies on one system beyond a chapter run: the ablations (filter size x penalty, weight and
kernel scale of J, decoupled vs joint training, the cost of J) and the sweeps of the
autoencoder objective, the resolution and the training-set size.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cache import load_or_create
from latentdyn.cpae.data.videos import SYSTEMS, split_indices
from latentdyn.cpae.experiments.autoencoder_stage import (
    autoencoder_arguments,
    autoencoder_checkpoint_path,
    load_state,
    state_arrays,
)
from latentdyn.cpae.experiments.data import SystemData, prepare_system
from latentdyn.cpae.experiments.decoupled import score_decoupled
from latentdyn.cpae.experiments.latent_stage import Standardiser
from latentdyn.cpae.experiments.scoring import cached_evaluation, metric_keys, metric_row
from latentdyn.cpae.models.autoencoder import ConvAutoencoder
from latentdyn.cpae.models.latent_dynamics import build_latent_model
from latentdyn.cpae.models.training import train_jointly
from latentdyn.cpae.regularizers import filter_continuity_penalty
from latentdyn.cpae.settings import RESULTS_VERSION, TRAINING_CODE, VARIANT_LABELS, system_settings
from latentdyn.parallel import fill_cache
from latentdyn.profiles import resolve_settings
from latentdyn.runtime import seed_everything
from latentdyn.validation import check_choice


@dataclass
class AblationResult:
    """The ablation study on one system.

    Attributes:
        settings: resolved system knobs; ablation: resolved ablation knobs.
        filter_grid: rows (filter size, penalty): the metric row of a decoupled Neural ODE
            (``VPT (%)`` by relative error, ``VPT pixel MSE (%)``, ``ceiling (%)`` = VPT of the
            reconstructions, ``VPT vs reconstruction (%)``, smoothness and step ratios,
            reconstruction MSE and error, in-between error), means over the test videos.
        weight_sweep: rows (weight of J, kernel scale sigma): the same columns.
        training_schemes: rows decoupled / joint, same columns.
        benchmark: rows (filter banks, what): seconds per call of the separable and direct forms, ratio.
        filters: label -> first-layer filter bank ``(C_out, C_in, K, K)``.
    """

    settings: dict[str, Any]
    ablation: dict[str, Any]
    filter_grid: pd.DataFrame
    weight_sweep: pd.DataFrame
    training_schemes: pd.DataFrame
    benchmark: pd.DataFrame
    filters: dict[str, np.ndarray]


def _joint_arrays(
    data: SystemData, arguments: dict[str, Any], settings: dict[str, Any], ablation: dict[str, Any], seed: int
) -> dict[str, np.ndarray]:
    """Autoencoder and Neural ODE trained together (cached): their parameters, ``ae.*`` and ``ode.*``."""
    params = {
        "data": data.data_key,
        "arguments": arguments,
        "latent_dim": data.latent_dim,
        "epochs": settings["epochs"],
        "batch_size": settings["batch_size"],
        "learning_rate": settings["learning_rate"],
        "hidden": settings["dynamics_hidden"],
        "prediction_weight": ablation["joint_prediction_weight"],
        "latent_weight": ablation["joint_latent_weight"],
        "seed": seed,
        "threads": settings["num_threads"],
        "version": RESULTS_VERSION,
        "code": TRAINING_CODE,
    }

    def create() -> dict[str, np.ndarray]:
        seed_everything(seed, settings["num_threads"])
        fresh_ae = ConvAutoencoder(data.image_shape, data.latent_dim, **arguments)
        fresh_ode = build_latent_model("neural_ode", data.latent_dim, hidden=settings["dynamics_hidden"])
        checkpoint = autoencoder_checkpoint_path(f"joint-{data.system}", params)
        train_jointly(
            fresh_ae,
            fresh_ode,
            data.train_pairs,
            time_step=1.0,
            epochs=settings["epochs"],
            batch_size=settings["batch_size"],
            learning_rate=settings["learning_rate"],
            seed=seed,
            prediction_weight=ablation["joint_prediction_weight"],
            latent_weight=ablation["joint_latent_weight"],
            checkpoint=checkpoint,
            description="joint training",
        )
        checkpoint.unlink(missing_ok=True)
        return {
            **{f"ae.{k}": v for k, v in state_arrays(fresh_ae).items()},
            **{f"ode.{k}": v for k, v in state_arrays(fresh_ode).items()},
        }

    return load_or_create(f"joint-{data.system}", params, create)


def _score_joint(
    data: SystemData, arguments: dict[str, Any], settings: dict[str, Any], ablation: dict[str, Any], seed: int
) -> dict[str, float]:
    """Train autoencoder and Neural ODE together (cached) and score them like the decoupled pair."""
    arrays = _joint_arrays(data, arguments, settings, ablation, seed)
    autoencoder = ConvAutoencoder(data.image_shape, data.latent_dim, **arguments)
    ode = build_latent_model("neural_ode", data.latent_dim, hidden=settings["dynamics_hidden"])
    load_state(autoencoder, arrays, "ae.")
    load_state(ode, arrays, "ode.")
    autoencoder.eval()
    ode.eval()
    identity = Standardiser(torch.zeros(data.latent_dim), torch.ones(data.latent_dim))
    row, _ = cached_evaluation(autoencoder, {"neural_ode": ode}, identity, data, settings)
    return metric_row(row)


def train_point_task(system: str, settings: dict[str, Any], seed: int, arguments: dict[str, Any], name: str) -> None:
    """A worker's job (:func:`latentdyn.parallel.run_tasks`): one autoencoder of a study (with
    ``arguments`` and the objective of ``settings``) and its Neural ODE, trained and scored into the cache."""
    score_decoupled(prepare_system(system, settings, seed), arguments, settings, seed, name)


def train_joint_task(
    system: str, settings: dict[str, Any], seed: int, arguments: dict[str, Any], ablation: dict[str, Any]
) -> None:
    """A worker's job: the jointly trained autoencoder and Neural ODE of the ablations, trained and
    scored into the cache."""
    _score_joint(prepare_system(system, settings, seed), arguments, settings, ablation, seed)


def benchmark_continuity_penalty(
    filter_banks: list[tuple[int, int, int, int]],
    image_shape: tuple[int, int, int],
    batch_size: int,
    repeats: int,
    seed: int = 0,
) -> pd.DataFrame:
    """Seconds per call of J alone and of one CpAE training step, with J separable vs direct.

    ``filter_banks``: the large convolution weights of the encoder (``(C_out, C_in, K, K)`` each,
    e.g. the paper's three 12x12 banks). The training step is a forward and backward pass of a
    CpAE with those banks on a random batch, plus an Adam update.
    """
    generator = torch.Generator().manual_seed(seed)
    weights = [torch.randn(bank, generator=generator, requires_grad=True) for bank in filter_banks]

    def time_call(function) -> float:
        function()
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        return float(np.median(times))

    def penalty(method: str):
        def call():
            total = sum(filter_continuity_penalty(w, method=method) for w in weights)
            total.backward()

        return call

    channels = tuple(bank[0] for bank in filter_banks)
    model = ConvAutoencoder(image_shape, 8, filter_size=filter_banks[0][-1], channels=channels)
    optimizer = torch.optim.Adam(model.parameters(), 1e-3)
    images = torch.rand(batch_size, *image_shape, generator=generator)

    def step(method: str):
        def call():
            loss = (model(images) - images).pow(2).mean() + sum(
                filter_continuity_penalty(c.weight, method=method) for c in model.regularized_convs
            )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        return call

    rows = []
    for what, make in (("J (forward + backward)", penalty), ("CpAE training step", step)):
        separable, direct = time_call(make("separable")), time_call(make("direct"))
        rows.append(
            {
                "what": what,
                "separable (ms)": 1e3 * separable,
                "direct (ms)": 1e3 * direct,
                "direct / separable": direct / separable,
            }
        )
    return pd.DataFrame(rows).set_index("what")


def run_cpae_ablations(*, profile: str = "book", seed: int = 0, **knobs: Any) -> AblationResult:
    """Filter size x penalty, the weight and kernel scale of J, decoupled vs joint training, and the
    cost of J: all on one system (``system`` knob), scored with a decoupled Neural ODE.

    Knobs of ``SETTINGS["cpae_ablations"]`` set the study; any ``cpae_system`` knob (e.g. ``epochs``)
    is passed to the system's settings, after the ablation profile's ``system_overrides``;
    ``workers`` trains the autoencoders in that many single-thread processes first (``"auto"``:
    one per core; the numbers equal a serial run's, every result being loaded from the cache).
    """
    ablation_keys = set(resolve_settings("cpae_ablations", profile))
    ablation = resolve_settings("cpae_ablations", profile, **{k: v for k, v in knobs.items() if k in ablation_keys})
    # a knob left at None keeps the ablation profile's value (it must not undo system_overrides)
    system_knobs = {
        **ablation["system_overrides"],
        **{k: v for k, v in knobs.items() if k not in ablation_keys and v is not None},
    }
    settings = system_settings(profile, system_knobs, ablation["system"])
    seed_everything(seed, settings["num_threads"])
    system = check_choice("system", ablation["system"], SYSTEMS)
    data = prepare_system(system, settings, seed)
    small, large = settings["small_filter_size"], settings["large_filter_size"]
    # the CpAE's arguments (channels, decoder, kernel scale): only filter size and penalty vary below
    base = {**autoencoder_arguments("cpae", settings), "regularizer_weight": settings["continuity_weight"]}
    grid = []
    for size, penalty in (
        (small, "none"),
        (small, "continuity"),
        (large, "none"),
        (large, "l2"),
        (large, "continuity"),
    ):
        arguments = {**base, "filter_size": size, "regularizer": penalty}
        if penalty == "l2":
            arguments["regularizer_weight"] = settings["l2_weight"]
        grid.append((size, penalty, arguments))
    default_scale, default_weight = settings["kernel_scale"], settings["continuity_weight"]
    sweep = [(w, default_scale) for w in ablation["continuity_weights"]]
    sweep += [(default_weight, s) for s in ablation["kernel_scales"] if s != default_scale]
    sweep_arguments = [
        {**base, "filter_size": large, "regularizer": "continuity", "regularizer_weight": weight, "kernel_scale": scale}
        for weight, scale in sweep
    ]
    cpae_arguments = {**base, "filter_size": large, "regularizer": "continuity"}
    name = f"{system}-ablation"
    # every training is independent: fill the cache in single-thread workers, then load below. The
    # joint training (autoencoder and Neural ODE together) costs about two decoupled ones: it goes
    # first, so that both workers finish together (last, it ran alone for its last ~2.5 min)
    fill_cache(
        [
            (
                train_joint_task,
                {
                    "system": system,
                    "settings": settings,
                    "seed": seed,
                    "arguments": cpae_arguments,
                    "ablation": ablation,
                },
            )
        ]
        + [
            (
                train_point_task,
                {"system": system, "settings": settings, "seed": seed, "arguments": arguments, "name": name},
            )
            for arguments in [a for _, _, a in grid] + sweep_arguments
        ],
        settings["workers"],
    )
    grid_rows, filters = [], {}
    for size, penalty, arguments in grid:
        row, autoencoder = score_decoupled(data, arguments, settings, seed, name)
        label = {"none": "none", "continuity": "J", "l2": "L2"}[penalty]
        grid_rows.append({"filter size": f"{size}x{size}", "penalty": label, **row})
        filters[f"{size}x{size}, {label}"] = autoencoder.regularized_filters()[0].numpy()
    sweep_rows = []
    for (weight, scale), arguments in zip(sweep, sweep_arguments):
        row, _ = score_decoupled(data, arguments, settings, seed, name)
        sweep_rows.append({"weight of J": weight, "kernel scale sigma": scale, **row})
    decoupled = next(r for r in grid_rows if r["filter size"] == f"{large}x{large}" and r["penalty"] == "J")
    schemes = pd.DataFrame(
        {
            "decoupled (AE, then Neural ODE)": {k: decoupled[k] for k in metric_keys()},
            "joint (AE + Neural ODE together)": _score_joint(data, cpae_arguments, settings, ablation, seed),
        }
    ).T
    paper_banks = [tuple(bank) for bank in ablation["benchmark_filter_banks"]]
    benchmark = benchmark_continuity_penalty(
        paper_banks,
        tuple(ablation["benchmark_image_shape"]),
        ablation["benchmark_batch_size"],
        ablation["benchmark_repeats"],
        seed,
    )
    return AblationResult(
        settings,
        ablation,
        pd.DataFrame(grid_rows).set_index(["filter size", "penalty"]),
        pd.DataFrame(sweep_rows).set_index(["weight of J", "kernel scale sigma"]),
        schemes,
        benchmark,
        filters,
    )


@dataclass
class SweepResult:
    """The autoencoder objective and the budget, swept on one system.

    Attributes:
        settings: the system settings every point starts from; sweeps: the resolved sweep knobs.
        objective: one row per (latent map, weight lambda, autoencoder): the metrics of a
            decoupled Neural ODE after it (``VPT (%)``, ``VPT pixel MSE (%)``, ``ceiling (%)``,
            ``VPT vs reconstruction (%)``, ``reconstruction error``, ``smoothness ratio``,
            ``in-between error`` ...).
        resolution: one row per (resolution, autoencoder), same columns.
        data_size: one row per (training trajectories, autoencoder), same columns.
    """

    settings: dict[str, Any]
    sweeps: dict[str, Any]
    objective: pd.DataFrame
    resolution: pd.DataFrame
    data_size: pd.DataFrame


def _sweep_points(
    data_for,
    settings: dict[str, Any],
    points: list[tuple[dict[str, Any], dict[str, Any]]],
    seed: int,
    system: str,
    knob: str,
) -> pd.DataFrame:
    """Score one decoupled fit per point; ``points``: (columns of the row, setting overrides). An
    empty sweep gives an empty table with the columns ``knob``, ``autoencoder`` and the metrics."""
    if not points:
        return pd.DataFrame(columns=[knob, "autoencoder", *metric_keys()])
    rows = []
    for columns, overrides in points:
        point = {**settings, **overrides}
        variant = columns["autoencoder"]
        row, _ = score_decoupled(
            data_for(point), autoencoder_arguments(variant, point), point, seed, f"{system}-sweep-{variant}"
        )
        rows.append({**columns, "autoencoder": VARIANT_LABELS[variant], **row})
    return pd.DataFrame(rows)


def run_cpae_sweeps(*, profile: str = "book", seed: int = 0, **knobs: Any) -> SweepResult:
    """The authors' autoencoder objective and the budget on one system (``system`` knob):

    - **objective**: the weight ``lambda`` of the auxiliary terms over ``prediction_weights``, for
      each step map of ``latent_maps`` (``volume_preserving``: the authors' LA-VPNet; ``mlp``),
      for the autoencoders of ``objective_autoencoders``;
    - **resolution**: image side over ``resolutions``, both autoencoders (filters scaled with the
      image: ``large_filter_size`` is kept at the same fraction of the side);
    - **data size**: training trajectories over ``trajectory_counts``, both autoencoders, with the
      same number of optimiser steps as the base setting (epochs scaled inversely).

    Knobs of ``SETTINGS["cpae_sweeps"]`` set the study; any ``cpae_system`` knob (e.g. ``epochs``)
    changes the base setting, after the profile's ``system_overrides``; ``workers`` trains the
    points in that many single-thread processes first (the numbers equal a serial run's).
    """
    sweep_keys = set(resolve_settings("cpae_sweeps", profile))
    sweeps = resolve_settings("cpae_sweeps", profile, **{k: v for k, v in knobs.items() if k in sweep_keys})
    settings = system_settings(
        profile,
        {**sweeps["system_overrides"], **{k: v for k, v in knobs.items() if k not in sweep_keys and v is not None}},
        sweeps["system"],
    )
    seed_everything(seed, settings["num_threads"])
    system = check_choice("system", sweeps["system"], SYSTEMS)
    prepared: dict[str, SystemData] = {}

    def data_for(point: dict[str, Any]) -> SystemData:
        key = f"{point['resolution']}-{point['num_trajectories']}"
        if key not in prepared:
            prepared[key] = prepare_system(system, point, seed)
        return prepared[key]

    objective_points = [
        (
            {"latent map": kind if weight > 0 else "none", "weight": weight, "autoencoder": variant},
            {"latent_map": kind if weight > 0 else "none", "prediction_weight": weight},
        )
        for kind in sweeps["latent_maps"]
        for weight in sweeps["prediction_weights"]
        if weight > 0 or kind == sweeps["latent_maps"][0]
        for variant in sweeps["objective_autoencoders"]
    ]
    base_resolution = settings["resolution"]
    resolution_points = [
        (
            {"resolution": size, "autoencoder": variant},
            {
                "resolution": size,
                "large_filter_size": 2 * round(settings["large_filter_size"] * size / base_resolution / 2),
            },
        )
        for size in sweeps["resolutions"]
        for variant in ("standard", "cpae")
    ]
    base_trajectories = settings["num_trajectories"]
    data_points = [
        (
            {"training trajectories": len(split_indices(count, seed)["train"]), "autoencoder": variant},
            {"num_trajectories": count, "epochs": max(1, round(settings["epochs"] * base_trajectories / count))},
        )
        for count in sweeps["trajectory_counts"]
        for variant in ("standard", "cpae")
    ]
    # every point is an independent training: data made here, trainings in single-thread workers
    # (into the cache), then every point scored here from the cache
    tasks = []
    for columns, overrides in objective_points + resolution_points + data_points:
        point = {**settings, **overrides}
        data_for(point)
        variant = columns["autoencoder"]
        tasks.append(
            (
                train_point_task,
                {
                    "system": system,
                    "settings": point,
                    "seed": seed,
                    "arguments": autoencoder_arguments(variant, point),
                    "name": f"{system}-sweep-{variant}",
                },
            )
        )
    fill_cache(tasks, settings["workers"])
    objective = _sweep_points(data_for, settings, objective_points, seed, system, "weight")
    resolution = _sweep_points(data_for, settings, resolution_points, seed, system, "resolution")
    data_size = _sweep_points(data_for, settings, data_points, seed, system, "training trajectories")
    return SweepResult(settings, sweeps, objective, resolution, data_size)

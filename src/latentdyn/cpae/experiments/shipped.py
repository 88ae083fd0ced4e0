"""The shipped long-run models: shipped after training, rebuilt and re-scored by the pages.

:func:`ship_models` stores the models of a ``SystemResult`` as float16 arrays with their
provenance (format: :mod:`latentdyn.cpae.shipped_models`) and records the scores *of the stored
float16 models*; :func:`score_shipped_system` rebuilds the modules from such a file and scores
them on the system's test videos exactly as a live run is scored (forward passes only, so a
page can re-score half an hour of training in seconds); :func:`run_cpae_long` does it for several
seeds, or (``retrain=True``) trains the long configuration from scratch and scores it the same
way.

The scores of the shipped models are shipped too (:func:`store_shipped_scores`, under
``shipped_models/scores``, keyed like the cache by the models, the test videos and the scoring
code): a page re-scores its first seed and compares it with them, and reads the other seeds'
(``rescore="all"`` re-scores every seed; a seed whose stored scores are missing, e.g. after a
change of the scoring code, is always scored here).
"""

from __future__ import annotations

import datetime
import json
import shutil
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from latentdyn.cache import PARAMS_KEY, cache_path, load_arrays
from latentdyn.cpae.experiments.autoencoder_stage import autoencoder_arguments, load_state, state_arrays
from latentdyn.cpae.experiments.data import SystemData, system_test_data
from latentdyn.cpae.experiments.decoupled import DecoupledFit
from latentdyn.cpae.experiments.latent_stage import Standardiser
from latentdyn.cpae.experiments.scoring import cached_evaluation, evaluation_key, stored_scores_path
from latentdyn.cpae.experiments.systems import SystemResult, assemble_system_result, run_cpae_system
from latentdyn.cpae.models.authors_networks import VARIANTS as AUTHORS_VARIANTS
from latentdyn.cpae.models.authors_networks import AuthorsAutoencoder
from latentdyn.cpae.models.autoencoder import ConvAutoencoder
from latentdyn.cpae.models.latent_dynamics import build_latent_model
from latentdyn.cpae.recorded_runs import (
    RecordedRun,
    current_commit,
    json_plain,
    provenance_here,
    recorded_run_from_payload,
    run_payload,
    seed_readings,
    stale_reasons,
)
from latentdyn.cpae.settings import MODEL_LABELS, VARIANT_LABELS
from latentdyn.cpae.shipped_models import (
    compact_arrays,
    load_shipped,
    run_name,
    shipped_folder,
    shipped_path,
    shipped_runs,
    write_arrays,
    write_shipped_json,
)
from latentdyn.parallel import fill_cache
from latentdyn.runtime import seed_everything
from latentdyn.statistics import Estimate, mean_estimate
from latentdyn.validation import check_choice

# settings stored as JSON lists that the model builders expect as tuples
_TUPLE_SETTINGS = ("autoencoders", "latent_models", "cpae_channels", "standard_channels", "vpt_thresholds")


def _settings_from_record(settings: dict[str, Any]) -> dict[str, Any]:
    return {
        key: tuple(value) if key in _TUPLE_SETTINGS and isinstance(value, list) else value
        for key, value in settings.items()
    }


def model_arrays(result: SystemResult) -> dict[str, np.ndarray]:
    """Every trained tensor of ``result.models`` and the training losses, named as in
    :mod:`latentdyn.cpae.shipped_models` (float32; :func:`latentdyn.cpae.shipped_models.compact_arrays`
    makes them float16)."""
    if not result.models or result.reference is None:
        raise ValueError("result holds no trained models: ship the SystemResult of a run_cpae_system call")
    arrays: dict[str, np.ndarray] = {"reference": np.asarray(result.reference, dtype=np.float32)}
    for variant, trained in result.models.items():
        arrays.update({f"{variant}.autoencoder.{k}": v for k, v in state_arrays(trained.autoencoder).items()})
        for kind, model in trained.latent_models.items():
            arrays.update({f"{variant}.{kind}.{k}": v for k, v in state_arrays(model).items()})
            arrays[f"{variant}.loss.{kind}"] = np.asarray(result.losses[variant][kind], dtype=np.float32)
        arrays[f"{variant}.standardiser.mean"] = trained.standardiser.mean.numpy()
        arrays[f"{variant}.standardiser.std"] = trained.standardiser.std.numpy()
        arrays[f"{variant}.loss.autoencoder"] = np.asarray(result.losses[variant]["autoencoder"], dtype=np.float32)
    return arrays


def ship_models(result: SystemResult, record: RecordedRun, *, command: str, folder: Path | None = None) -> Path:
    """Store ``result``'s models (float16) and a JSON with ``record``'s provenance (the training
    run's) and the scores of the stored models; return the ``.npz`` path.

    ``record`` is the recorded run of the same training (:func:`latentdyn.cpae.recorded_runs.record_run`):
    its settings must be ``result``'s.
    """
    if record.system != result.system:
        raise ValueError(f"record is of {record.system!r}, result of {result.system!r}")
    path = shipped_path(result.system, record.profile, record.seed, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = write_arrays(path, compact_arrays(model_arrays(result)))
    first = next(iter(result.models.values())).autoencoder
    shipped = {
        "file": path.name,
        "sha256": digest,
        "bytes": path.stat().st_size,
        "dtype": "float16",
        "image_shape": list(first.image_shape),
        "latent_dim": int(first.latent_dim),
        "commit": current_commit(),
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    provenance = {**record.provenance, "shipped": shipped}
    payload = run_payload(
        result, profile=record.profile, seed=record.seed, overrides=record.overrides, provenance=provenance
    )
    write_shipped_json(path, payload)  # the digest is known: the stored models can now be loaded
    rescored = score_shipped_system(result.system, record.profile, record.seed, folder=folder)
    write_shipped_json(
        path,
        run_payload(
            rescored, profile=record.profile, seed=record.seed, overrides=record.overrides, provenance=provenance
        ),
    )
    store_shipped_scores(result.system, record.profile, record.seed, folder=folder)
    return path


def ship_recorded_run(record: RecordedRun, *, command: str, folder: Path | None = None) -> Path:
    """Ship the models of a recorded run from the cache its training filled: the run is repeated
    with the record's settings (every stage a cache hit) and must score exactly as recorded.

    Raises ``ValueError`` when the record is stale or the repeated run scores otherwise (the
    cache holds other models: retrain with ``tools/record_run.py ... --ship``).
    """
    reasons = stale_reasons(record)
    if reasons:
        raise ValueError(f"the record of {record.system} seed {record.seed} is stale: {'; '.join(reasons)}")
    knobs = {key: value for key, value in _settings_from_record(record.settings).items() if key not in ("workers",)}
    result = run_cpae_system(record.system, profile=record.profile, seed=record.seed, **{**knobs, "workers": 1})
    again = result.vpt.reset_index().to_dict("records")
    recorded = record.metrics["vpt"]
    if json_plain(again) != recorded:
        raise ValueError(
            f"repeating {record.system} seed {record.seed} from the cache scored otherwise than its "
            "record: the cache does not hold that run's models (retrain it with --ship)"
        )
    return ship_models(result, record, command=command, folder=folder)


def rescore_shipped(system: str, profile: str = "long", seed: int = 0, *, folder: Path | None = None) -> Path:
    """Score a shipped run again (after a change of the scoring code) and rewrite the scores in its
    JSON and its stored scores (:func:`store_shipped_scores`); the models, their digest and the
    training provenance stay as they are."""
    run = load_shipped(system, profile, seed, folder)
    result = score_shipped_system(system, profile, seed, folder=folder)
    store_shipped_scores(system, profile, seed, folder=folder)
    return write_shipped_json(
        run.path,
        run_payload(
            result, profile=profile, seed=seed, overrides=run.record.overrides, provenance=run.record.provenance
        ),
    )


def rebuilt_autoencoder(
    variant: str, settings: dict[str, Any], image_shape: tuple[int, ...], latent_dim: int
) -> ConvAutoencoder | AuthorsAutoencoder:
    """An untrained autoencoder of ``variant`` as the run with ``settings`` built it: the authors'
    network (``settings["networks"] == "authors"``, :data:`latentdyn.cpae.models.authors_networks.VARIANTS`)
    or the book's own deep one; ``image_shape`` ``(C, H, 2W)``."""
    if settings.get("networks") == "authors":
        return AuthorsAutoencoder(image_shape, latent_dim, **AUTHORS_VARIANTS[variant])
    return ConvAutoencoder(image_shape, latent_dim, architecture="deep", **autoencoder_arguments(variant, settings))


def _rebuilt_models(run, variant: str, settings: dict[str, Any]) -> tuple[ConvAutoencoder, Standardiser, dict]:
    shipped = run.shipped
    image_shape, latent_dim = tuple(shipped["image_shape"]), int(shipped["latent_dim"])
    autoencoder = rebuilt_autoencoder(variant, settings, image_shape, latent_dim)
    load_state(autoencoder, run.module_arrays(variant, "autoencoder"))
    autoencoder.eval()
    if settings["channels_last"]:  # forward passes ~1.7x faster with oneDNN (the training's layout)
        autoencoder.to(memory_format=torch.channels_last)
    models = {}
    for kind in settings["latent_models"]:
        model = build_latent_model(
            kind, latent_dim, hidden=settings["dynamics_hidden"], substeps=settings["dynamics_substeps"]
        )
        load_state(model, run.module_arrays(variant, kind))
        model.eval()
        models[kind] = model
    standardiser = Standardiser(
        torch.from_numpy(run.arrays[f"{variant}.standardiser.mean"]),
        torch.from_numpy(run.arrays[f"{variant}.standardiser.std"]),
    )
    return autoencoder, standardiser, models


def _shipped_test_data(system: str, profile: str, seed: int, folder: Path | None):
    """One shipped run, its settings and its test videos (seeds fixed, one thread: as scored).

    Read once per process for each version of the shipped files (a page asks for the same run
    a dozen times: its scores, its measures, its figures): the key holds the files' size and
    modification time, so a run shipped again in this process is read again."""
    path = shipped_path(system, profile, seed, folder)
    versions = tuple(
        (candidate.stat().st_mtime_ns, candidate.stat().st_size) if candidate.is_file() else None
        for candidate in (path, path.with_suffix(".json"))
    )
    run, data = _read_shipped_test_data(system, profile, seed, folder, versions)
    seed_everything(seed, 1)
    return run, _settings_from_record(run.record.settings), data


@lru_cache(maxsize=8)
def _read_shipped_test_data(system: str, profile: str, seed: int, folder: Path | None, versions: tuple):
    """:func:`_shipped_test_data`'s reading (``versions``: the files' versions, part of the key only)."""
    run = load_shipped(system, profile, seed, folder)
    settings = _settings_from_record(run.record.settings)
    reference = torch.from_numpy(run.arrays["reference"].astype(np.float32))
    return run, system_test_data(system, settings, reference)


@dataclass
class ShippedVariant:
    """One shipped autoencoder rebuilt with its latent models, and the test videos it is scored on.

    Attributes:
        autoencoder, standardiser, latent_models: the trained modules (eval mode), as scored.
        data: the system's test videos (``data.test_pairs``, ``data.test_states``), the shipped
            mean training input as ``data.reference``.
        settings: the recorded run's settings.
    """

    autoencoder: ConvAutoencoder
    standardiser: Standardiser
    latent_models: dict[str, Any]
    data: SystemData
    settings: dict[str, Any]


def shipped_variant(
    system: str, variant: str, profile: str = "long", seed: int = 0, *, folder: Path | None = None
) -> ShippedVariant:
    """The shipped ``variant`` (``"standard"``, ``"cpae"``) of (``system``, ``profile``, ``seed``),
    rebuilt, with its test videos. Raises ``FileNotFoundError`` when nothing is shipped for it."""
    run, settings, data = _shipped_test_data(system, profile, seed, folder)
    check_choice("variant", variant, tuple(settings["autoencoders"]))
    autoencoder, standardiser, models = _rebuilt_models(run, variant, settings)
    return ShippedVariant(autoencoder, standardiser, models, data, settings)


def shipped_scores_folder(folder: Path | None = None) -> Path:
    """Where the scores of the shipped models are stored: ``<shipped models folder>/scores``."""
    return (Path(folder) if folder is not None else shipped_folder()) / "scores"


def _shipped_fit(
    run,
    variant: str,
    settings: dict[str, Any],
    data,
    stored: Path | None = None,
    rebuilt: tuple[ConvAutoencoder, Standardiser, dict] | None = None,
) -> DecoupledFit:
    """One shipped autoencoder and its latent models, rebuilt (or ``rebuilt`` given) and scored (the
    scores cached under the models' and the test videos' content,
    :func:`latentdyn.cpae.experiments.scoring.cached_evaluation`; ``stored``: a folder of stored
    scores to read instead, where they exist)."""
    autoencoder, standardiser, models = rebuilt or _rebuilt_models(run, variant, settings)
    row, errors = cached_evaluation(autoencoder, models, standardiser, data, settings, stored=stored)
    row["autoencoder_loss"] = run.arrays[f"{variant}.loss.autoencoder"]
    row["latent_losses"] = {kind: run.arrays[f"{variant}.loss.{kind}"] for kind in models}
    row["training_seconds"] = float("nan")
    return DecoupledFit(autoencoder, standardiser, models, row, errors)


def shipped_scores_cached(system: str, profile: str, seed: int, variant: str, folder: Path | None = None) -> bool:
    """Whether the data cache already holds the scores of this shipped autoencoder (then no worker
    need start for it: starting one costs seconds, reading the cache a fraction of one)."""
    run, settings, data = _shipped_test_data(system, profile, seed, folder)
    autoencoder, standardiser, models = _rebuilt_models(run, variant, settings)
    return cache_path("scores", evaluation_key(autoencoder, models, standardiser, data, settings)).exists()


def score_shipped_variant_task(system: str, profile: str, seed: int, variant: str, folder: Path | None = None) -> None:
    """A worker's job (:func:`latentdyn.parallel.run_tasks`): score one shipped autoencoder into the
    cache; :func:`score_shipped_system` then finds it there."""
    run, settings, data = _shipped_test_data(system, profile, seed, folder)
    _shipped_fit(run, variant, settings, data)


def _score_differences(here: dict[str, np.ndarray], stored: dict[str, np.ndarray]) -> dict[str, float]:
    """How far scores computed here are from stored ones (flat rows of the score files)."""
    vpt_here, vpt_stored = here["row.vpt.neural_ode"], stored["row.vpt.neural_ode"]
    largest = max(
        float(np.nanmax(np.abs(np.asarray(here[name], dtype=np.float64) - stored[name]), initial=0.0))
        for name in here
        if name in stored and np.issubdtype(np.asarray(here[name]).dtype, np.number)
    )
    return {
        "VPT here (%)": float(vpt_here.mean()),
        "VPT stored (%)": float(vpt_stored.mean()),
        "videos with another VPT": int(np.sum(vpt_here != vpt_stored)),
        "reconstruction error here": float(here["row.reconstruction_error"]),
        "reconstruction error stored": float(stored["row.reconstruction_error"]),
        "largest difference of any score": largest,
    }


def score_shipped_system(
    system: str = "damped_pendulum",
    profile: str = "long",
    seed: int = 0,
    *,
    folder: Path | None = None,
    use_stored: bool = False,
) -> SystemResult:
    """Rebuild the shipped models of (``system``, ``profile``, ``seed``) and score them on the
    system's test videos, as :func:`run_cpae_system` scores a live training (one thread, so the
    numbers do not depend on the thread count). Forward passes only; the scores are cached
    (``data/cache``) under the file's digest and the scoring code, so a second page reuses them.

    ``use_stored``: read the stored scores of the shipped models (:func:`store_shipped_scores`)
    where they exist for this code and these test videos, instead of scoring. Otherwise, where
    stored scores exist, ``result.score_check`` compares them with the scores made here (one row
    per autoencoder: mean VPT here and stored, videos whose VPT differs, reconstruction error,
    the largest difference of any score); else it is empty. ``result.scores_source``: ``scored
    here`` or ``stored with the models`` (``mixed`` when only some autoencoders had stored scores).

    Raises ``FileNotFoundError`` when nothing is shipped for it, ``ValueError`` when the file's
    digest differs from its JSON.
    """
    started = time.perf_counter()
    run, settings, data = _shipped_test_data(system, profile, seed, folder)
    stored_folder = shipped_scores_folder(folder)
    fits, checks, sources = {}, [], set()
    for variant in settings["autoencoders"]:
        autoencoder, standardiser, models = _rebuilt_models(run, variant, settings)
        key = evaluation_key(autoencoder, models, standardiser, data, settings)
        stored = stored_scores_path(key, stored_folder)
        sources.add("stored with the models" if use_stored and stored.exists() else "scored here")
        fits[variant] = _shipped_fit(
            run,
            variant,
            settings,
            data,
            stored=stored_folder if use_stored else None,
            rebuilt=(autoencoder, standardiser, models),
        )
        if not use_stored and stored.exists():
            here = cache_path("scores", key)
            checks.append(
                {
                    "seed": seed,
                    "autoencoder": VARIANT_LABELS[variant],
                    **_score_differences(load_arrays(here), load_arrays(stored)),
                }
            )
    result = assemble_system_result(data, settings, fits, {"score shipped models": time.perf_counter() - started})
    result.provenance = dict(run.record.provenance)
    result.score_check = pd.DataFrame(checks)
    result.scores_source = sources.pop() if len(sources) == 1 else "mixed"
    return result


def store_shipped_scores(
    system: str, profile: str = "long", seed: int = 0, *, folder: Path | None = None
) -> list[Path]:
    """Score the shipped models of (``system``, ``profile``, ``seed``) here (or take their scores
    from the cache) and store the score files beside the models (:func:`shipped_scores_folder`),
    replacing the stored scores of the same models made by other code or on other test videos.
    Returns the stored files."""
    run, settings, data = _shipped_test_data(system, profile, seed, folder)
    target = shipped_scores_folder(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for variant in settings["autoencoders"]:
        autoencoder, standardiser, models = _rebuilt_models(run, variant, settings)
        key = evaluation_key(autoencoder, models, standardiser, data, settings)
        cached_evaluation(autoencoder, models, standardiser, data, settings)  # scored, or found in the cache
        for old in target.glob("scores-*.npz"):
            if stored_scores_key(old).get("models") == key["models"]:
                old.unlink()
        path = stored_scores_path(key, target)
        shutil.copyfile(cache_path("scores", key), path)
        load_arrays(path)  # the copy verifies against its checksum
        written.append(path)
    return written


def stored_scores_key(path: Path) -> dict[str, Any]:
    """The key (:func:`latentdyn.cpae.experiments.scoring.evaluation_key`) a stored score file was made under."""
    with np.load(path, allow_pickle=False) as stored:
        return json.loads(str(stored[PARAMS_KEY]))


@dataclass
class LongResult:
    """The long configuration of one system over several seeds.

    Attributes:
        system, profile: what ran; source: ``shipped models`` or ``retrained here``.
        seeds: seed -> the :class:`SystemResult` of that seed (its ``provenance``: the training
            run's, for shipped models).
        summary: one row per (seed, autoencoder): Neural ODE VPT under both definitions (mean and
            standard error over the test videos) and against the autoencoder's own
            reconstructions, ceiling, reconstruction error, smoothness ratio.
        readings: one row per (seed, definition): the paired difference CpAE − standard AE over
            the same test videos with its 95 % interval and reading, and both autoencoders'
            reconstruction errors and ceilings (the format of
            :func:`latentdyn.cpae.experiments.results.seed_readings`).
        provenance: one row per seed: training device, wall time (hours), commit, command, file size.
        scores_source: seed -> ``scored here`` or ``stored with the models``.
        score_check: the re-scored seeds' scores against those stored with the models, one row
            per (seed, autoencoder) (:func:`score_shipped_system`); empty when none was compared.
    """

    system: str
    profile: str
    source: str
    seeds: dict[int, SystemResult]
    summary: pd.DataFrame
    readings: pd.DataFrame
    provenance: pd.DataFrame
    scores_source: dict[int, str] = field(default_factory=dict)
    score_check: pd.DataFrame = field(default_factory=pd.DataFrame)


def shipped_seeds(system: str, profile: str = "long", folder: Path | None = None) -> tuple[int, ...]:
    """The seeds of ``system`` shipped for ``profile``, in order."""
    stem = run_name(system, profile, 0)[: -len("0")]
    return tuple(
        sorted(
            int(path.stem[len(stem) :])
            for path in shipped_runs(folder)
            if path.stem.startswith(stem) and path.stem[len(stem) :].isdigit()
        )
    )


def run_cpae_long(
    system: str = "damped_pendulum",
    *,
    profile: str = "long",
    seeds: tuple[int, ...] | None = None,
    retrain: bool = False,
    rescore: str = "first",
    workers: int | str = "auto",
    folder: Path | None = None,
) -> LongResult:
    """The long configuration of ``system`` for each of ``seeds`` (default: every shipped seed;
    with ``retrain=True``: 0, 1, 2): the shipped models scored on the test videos (default) or,
    with ``retrain=True``, trained here from scratch (about half an hour a seed on two CPU cores)
    and scored the same way.

    ``rescore``: ``"first"`` re-scores the first seed here (half a minute) and compares its scores
    with those stored with the models (``result.score_check``), and reads the other seeds' stored
    scores; ``"all"`` re-scores every seed here. A seed without stored scores for this code and
    these test videos is always scored here. Re-scored seeds run in ``workers`` single-thread
    processes (a retraining uses the workers itself, one per autoencoder); ``folder``: where the
    shipped models are (default: the project's ``data/reference/shipped_models``).

    Raises ``FileNotFoundError`` naming the missing file when a seed is not shipped,
    ``ValueError`` for another ``rescore``.
    """
    check_choice("rescore", rescore, ("first", "all"))
    if seeds is None:
        seeds = (0, 1, 2) if retrain else shipped_seeds(system, profile, folder)
    seeds = tuple(int(seed) for seed in seeds)
    if not seeds:
        raise FileNotFoundError(
            f"no shipped models of {system} ({profile} profile) in "
            f"{folder or shipped_folder()}: ship them with tools/record_run.py {system} "
            f"--profile {profile} --seed 0 --ship, or pass retrain=True"
        )
    if retrain:
        results = [run_cpae_system(system, profile=profile, seed=seed) for seed in seeds]
    else:
        rescored = seeds if rescore == "all" else seeds[:1]
        # one task per (seed, autoencoder), to balance the workers; the assembly below reads their cache
        tasks = [
            (
                score_shipped_variant_task,
                {"system": system, "profile": profile, "seed": seed, "variant": variant, "folder": folder},
            )
            for seed in rescored
            for variant in load_shipped(system, profile, seed, folder).record.settings["autoencoders"]
            if not shipped_scores_cached(system, profile, seed, variant, folder)
        ]
        fill_cache(tasks, workers=workers)
        results = [
            score_shipped_system(system, profile, seed, folder=folder, use_stored=seed not in rescored)
            for seed in seeds
        ]
    by_seed = dict(zip(seeds, results))
    summary, provenance, runs = [], [], []
    for seed, result in by_seed.items():
        node = result.vpt.xs(MODEL_LABELS["neural_ode"], level="latent model")
        for label in node.index:
            summary.append(
                {
                    "seed": seed,
                    "autoencoder": label,
                    "VPT (%)": node.loc[label, "VPT mean (%)"],
                    "VPT SE (%)": node.loc[label, "VPT SE (%)"],
                    "VPT pixel MSE (%)": node.loc[label, "VPT pixel MSE mean (%)"],
                    "VPT vs own reconstruction (%)": node.loc[label, "VPT vs reconstruction (%)"],
                    "ceiling (%)": result.continuity.loc[label, "ceiling (%)"],
                    "reconstruction error": result.continuity.loc[label, "reconstruction error"],
                    "smoothness ratio": result.continuity.loc[label, "smoothness ratio"],
                }
            )
        info = result.provenance or provenance_here("run_cpae_long(retrain=True)", float("nan"), "cpu")
        runs.append(recorded_run_from_payload(run_payload(result, profile=profile, seed=seed, provenance=info)))
        provenance.append(
            {
                "seed": seed,
                "device": info.get("device", ""),
                "training hours": info.get("wall_seconds", float("nan")) / 3600,
                "commit": str(info.get("commit", ""))[:10],
                "command": info.get("command", ""),
                "shipped MB": info.get("shipped", {}).get("bytes", float("nan")) / 2**20,
            }
        )
    checks = [result.score_check for result in results if len(result.score_check)]
    return LongResult(
        system,
        profile,
        "retrained here" if retrain else "shipped models",
        by_seed,
        pd.DataFrame(summary),
        seed_readings(system, profile, runs=runs, current_only=False),
        pd.DataFrame(provenance),
        {seed: result.scores_source for seed, result in by_seed.items()},
        pd.concat(checks, ignore_index=True) if checks else pd.DataFrame(),
    )


def seed_level_difference(long: LongResult, definition: str = "relative error") -> Estimate:
    """The CpAE − standard AE difference of the Neural ODE's VPT across seeds: each seed's paired
    mean difference over the test videos is one sample, and the interval is Student's over the
    seeds (with three seeds, wide: the seed-to-seed spread of training is the uncertainty that
    matters; the test videos are the same for every seed)."""
    rows = long.readings[long.readings["definition"] == definition]
    return mean_estimate(rows["mean difference (points)"].to_numpy())

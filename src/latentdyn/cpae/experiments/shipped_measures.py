"""The latent measures of the shipped autoencoders: cached, stored beside the models, read back.

:func:`shipped_latent_measures` computes :func:`latentdyn.cpae.experiments.latent_measures.latent_measures`
for a shipped autoencoder and its Neural ODE (cached, ``data/cache/latent-measures-*.npz``, under
the models' and test videos' content, the thresholds and the measures' code) and adds the VPT
against the true frames and against the autoencoder's own reconstructions from the models'
scores. Like the models' scores (:func:`latentdyn.cpae.experiments.shipped.store_shipped_scores`),
the measures are stored beside the models (:func:`store_latent_measures`), so that a page
re-measures one seed and reads the others (encoding every test video through the authors'
encoders is most of a chapter's time).
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from latentdyn.cache import CorruptCacheError, cache_path, load_arrays, load_or_create
from latentdyn.cpae.experiments.latent_measures import CODE, LATENT_THRESHOLD, latent_measures
from latentdyn.cpae.experiments.scoring import cached_evaluation, models_digest
from latentdyn.cpae.experiments.shipped import ShippedVariant, shipped_scores_folder, shipped_variant, stored_scores_key

MEASURES_FILE = "latent-measures"  # the cache's and the stored files' name prefix


def measures_key(shipped: ShippedVariant) -> dict[str, Any]:
    """What the latent measures of a shipped autoencoder depend on: its models' and test videos'
    content, the thresholds and this code (the cache's and the stored file's key)."""
    return {
        "models": models_digest(shipped.autoencoder, shipped.latent_models, shipped.standardiser),
        "test": shipped.data.test_digest,
        "threshold": shipped.settings["vpt_threshold"],
        "latent_threshold": LATENT_THRESHOLD,
        "code": CODE,
    }


def stored_measures_path(key: dict[str, Any], folder: Path | None = None) -> Path:
    """The file beside the shipped models (in ``folder``'s scores folder) that holds the measures
    made under ``key`` (it may not exist)."""
    return cache_path(MEASURES_FILE, key, directory=shipped_scores_folder(folder))


def shipped_latent_measures(
    system: str,
    variant: str,
    seed: int,
    profile: str = "long",
    *,
    use_stored: bool = False,
    folder: Path | None = None,
) -> tuple[dict[str, np.ndarray], str]:
    """:func:`latent_measures` of a shipped autoencoder, with its Neural ODE's VPT against its own
    reconstructions (``dynamics_vpt``) and against the true frames (``vpt``), its ceiling and its
    reconstruction error (``reconstruction_error``), all per video from the models' scores.

    Args:
        use_stored: read the measures stored beside the models (:func:`store_latent_measures`)
            where a file exists for these models, test videos and code (its checksum verified; a
            corrupt one is measured here, with a warning); else measure here (cached).
        folder: where the shipped models are (default: the project's).

    Returns:
        measure -> ``(N,)`` (``state_error``: the odd videos), and the scores above; and
        ``"stored with the models"`` or ``"measured here"``.
    """
    shipped = shipped_variant(system, variant, profile, seed, folder=folder)
    key = measures_key(shipped)
    measures, source = None, "measured here"
    stored = stored_measures_path(key, folder)
    if use_stored and stored.exists():
        try:
            measures, source = dict(load_arrays(stored)), "stored with the models"
        except CorruptCacheError as error:
            warnings.warn(f"{error}; measuring the models here instead", RuntimeWarning, stacklevel=2)
    if measures is None:
        measures = dict(
            load_or_create(
                MEASURES_FILE,
                key,
                lambda: latent_measures(
                    shipped.autoencoder,
                    shipped.latent_models["neural_ode"],
                    shipped.standardiser,
                    shipped.data.test_pairs,
                    shipped.data.test_states,
                ),
            )
        )
    row, _ = cached_evaluation(
        shipped.autoencoder,
        shipped.latent_models,
        shipped.standardiser,
        shipped.data,
        shipped.settings,
        stored=shipped_scores_folder(folder),
    )
    measures["dynamics_vpt"] = np.asarray(row["dynamics_vpt"]["neural_ode"])
    measures["vpt"] = np.asarray(row["vpt"]["neural_ode"])
    measures["ceiling"] = np.asarray(row["ceiling"])
    measures["reconstruction_error"] = np.asarray(row["reconstruction_errors"])
    return measures, source


def measures_cached(system: str, variant: str, seed: int, profile: str, folder: Path | None = None) -> bool:
    """Whether the data cache already holds the measures of this shipped autoencoder (then no
    worker need start for it)."""
    return cache_path(
        MEASURES_FILE, measures_key(shipped_variant(system, variant, profile, seed, folder=folder))
    ).exists()


def measure_shipped_variant_task(
    system: str, variant: str, seed: int, profile: str, folder: Path | None = None
) -> None:
    """A worker's job (:func:`latentdyn.parallel.fill_cache`): measure one shipped autoencoder into
    the cache."""
    shipped_latent_measures(system, variant, seed, profile, folder=folder)


def store_latent_measures(
    system: str, profile: str = "long", seed: int = 0, *, folder: Path | None = None
) -> list[Path]:
    """Measure each shipped autoencoder of (``system``, ``profile``, ``seed``) here (or take its
    measures from the cache) and store them beside the models, replacing the stored measures of
    the same models made by other code or on other test videos. Returns the stored files."""
    target = shipped_scores_folder(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for variant in shipped_variant(system, "cpae", profile, seed, folder=folder).settings["autoencoders"]:
        shipped_latent_measures(system, variant, seed, profile, folder=folder)  # into the cache
        key = measures_key(shipped_variant(system, variant, profile, seed, folder=folder))
        for old in target.glob(f"{MEASURES_FILE}-*.npz"):
            if stored_scores_key(old).get("models") == key["models"]:
                old.unlink()
        path = stored_measures_path(key, folder)
        shutil.copyfile(cache_path(MEASURES_FILE, key), path)
        load_arrays(path)  # verifies against its checksum
        written.append(path)
    return written


def stored_latent_measures(
    system: str, variant: str, seed: int, profile: str = "long", *, folder: Path | None = None
) -> dict[str, np.ndarray] | None:
    """The measures stored beside a shipped autoencoder for these models, test videos and code
    (without the scores :func:`shipped_latent_measures` adds), or ``None`` where none (or a corrupt one) is stored."""
    path = stored_measures_path(measures_key(shipped_variant(system, variant, profile, seed, folder=folder)), folder)
    if not path.exists():
        return None
    try:
        return load_arrays(path)
    except CorruptCacheError:
        return None

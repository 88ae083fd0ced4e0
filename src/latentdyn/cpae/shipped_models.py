"""Shipped models: trained CpAE-system models stored in the repository, with their provenance.

A long run (profile ``long``, about an hour a seed on a CPU) is too long for CI, so its trained
models travel with the book and the pages re-score them (forward passes only). One run (one
system, profile and seed) is two files under ``data/reference/shipped_models``:

- ``<system>-<profile>-seed<k>.npz``: every trained tensor, floating ones stored as float16
  (the scores are those of the float16 models, loaded back as float32), with names
  ``<variant>.autoencoder.<parameter>``, ``<variant>.<latent model>.<parameter>``,
  ``<variant>.standardiser.mean|std``, ``<variant>.loss.<stage>`` (float32 training losses) and
  ``reference`` (float32, the mean training input that scales the relative frame error);
- ``<same>.json``: a recorded run (:mod:`latentdyn.cpae.recorded_runs`: settings, training-code
  fingerprint, results version, the shipped models' scores, per-video Neural ODE scores) whose
  ``provenance`` holds the training run's (commit, command, device, torch, wall time) and, under
  ``shipped``, the file's SHA-256 digest, its size, its dtype, and the image shape and latent
  dimension the modules are rebuilt with.

:func:`load_shipped` refuses a file whose digest differs from its JSON; :func:`shipped_problems`
also lists what :func:`latentdyn.cpae.recorded_runs.stale_reasons` says (settings or training code
changed since), and a unit test fails on either. This module stores and checks arrays; the
modules are rebuilt and scored by :mod:`latentdyn.cpae.experiments.shipped`.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from latentdyn.cache import project_folder
from latentdyn.cpae.recorded_runs import RecordedRun, load_recorded_run, stale_reasons
from latentdyn.validation import check_existing_path

SHIPPED_FOLDER = Path("data") / "reference" / "shipped_models"
SHIPPED_DTYPE = np.float16
SIZE_LIMIT_BYTES = 60 * 2**20  # the whole shipped set


def shipped_folder() -> Path:
    """``<project>/data/reference/shipped_models``."""
    return project_folder(SHIPPED_FOLDER, "shipped models")


def run_name(system: str, profile: str, seed: int) -> str:
    """``<system>-<profile>-seed<k>``: the stem of a shipped run's two files."""
    return f"{system}-{profile}-seed{int(seed)}"


def shipped_path(system: str, profile: str, seed: int, folder: Path | None = None) -> Path:
    """The ``.npz`` of one shipped run in ``folder`` (default: the project's); its JSON sits beside
    it with the suffix ``.json``. The file may not exist."""
    return (Path(folder) if folder is not None else shipped_folder()) / f"{run_name(system, profile, seed)}.npz"


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def compact_arrays(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Floating arrays as float16 (integer buffers such as batch-norm counters as they are);
    names starting with ``reference`` or containing ``.loss.`` stay float32."""
    compact = {}
    for name, value in arrays.items():
        value = np.asarray(value)
        if np.issubdtype(value.dtype, np.floating):
            keep = name == "reference" or ".loss." in name or ".standardiser." in name
            value = value.astype(np.float32 if keep else SHIPPED_DTYPE)
        compact[name] = value
    return compact


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> str:
    """Write ``arrays`` (already compact) as a compressed ``.npz`` at ``path`` (atomically);
    return the file's SHA-256."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    temporary = Path(path).with_suffix(".tmp")
    temporary.write_bytes(buffer.getvalue())
    temporary.replace(path)
    return file_digest(path)


@dataclass
class ShippedRun:
    """A shipped run: its record (settings, scores, provenance) and its arrays (float16 weights)."""

    record: RecordedRun
    arrays: dict[str, np.ndarray]
    path: Path

    @property
    def shipped(self) -> dict[str, Any]:
        return dict(self.record.provenance["shipped"])

    @property
    def variants(self) -> list[str]:
        return sorted({name.split(".", 1)[0] for name in self.arrays if "." in name})

    def module_arrays(self, variant: str, part: str) -> dict[str, np.ndarray]:
        """The arrays of one module (``part``: ``autoencoder``, ``neural_ode`` ...) as float32,
        named as its ``state_dict``."""
        prefix = f"{variant}.{part}."
        found = {
            name[len(prefix) :]: (value.astype(np.float32) if np.issubdtype(value.dtype, np.floating) else value)
            for name, value in self.arrays.items()
            if name.startswith(prefix)
        }
        if not found:
            raise KeyError(f"{self.path.name} holds no {part!r} of variant {variant!r}")
        return found


def _json_path(path: Path) -> Path:
    return path.with_suffix(".json")


def _digest_mismatch(path: Path, record: RecordedRun) -> str | None:
    """``None`` when the ``.npz`` at ``path`` has the SHA-256 that ``record`` (its JSON) stores,
    else a sentence naming both digests."""
    expected = str(record.provenance.get("shipped", {}).get("sha256"))
    actual = file_digest(path)
    if expected == actual:
        return None
    return f"{path} has SHA-256 {actual[:12]}…, its JSON records {expected[:12]}…"


def load_shipped(system: str, profile: str = "long", seed: int = 0, folder: Path | None = None) -> ShippedRun:
    """Read one shipped run, refusing it when its digest differs from its JSON.

    Raises:
        FileNotFoundError: no such shipped run (the message lists the ones there are).
        ValueError: the ``.npz`` does not match the digest its JSON records (a changed or damaged file).
    """
    path = shipped_path(system, profile, seed, folder)
    folder = path.parent
    if not path.is_file() or not _json_path(path).is_file():
        there = sorted(p.stem for p in folder.glob("*.npz")) if folder.is_dir() else []
        raise FileNotFoundError(
            f"no shipped models {path.name} (with its .json) in {folder}; shipped: "
            f"{', '.join(there) or 'none'}. Train them with tools/record_run.py "
            f"{system} --profile {profile} --seed {seed} --ship"
        )
    record = load_recorded_run(_json_path(path))
    mismatch = _digest_mismatch(path, record)
    if mismatch:
        raise ValueError(f"{mismatch}: the file changed or is damaged; restore it (git checkout) or ship the run again")
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    return ShippedRun(record, arrays, path)


def load_shipped_file(path: Path) -> ShippedRun:
    """:func:`load_shipped` by the ``.npz`` path (digest checked)."""
    path = check_existing_path("path", path)
    record = load_recorded_run(_json_path(path))
    return load_shipped(record.system, record.profile, record.seed, folder=path.parent)


def shipped_runs(folder: Path | None = None) -> list[Path]:
    """The ``.npz`` files of every shipped run in ``folder`` (default: the project's), by name."""
    folder = Path(folder) if folder is not None else shipped_folder()
    return sorted(folder.glob("*.npz")) if folder.is_dir() else []


def shipped_problems(path: Path) -> list[str]:
    """What is wrong with one shipped run (empty when nothing): a missing JSON, a digest that
    differs, or a record that is stale against today's profile and training code."""
    path = check_existing_path("path", path)
    if not _json_path(path).is_file():
        return [f"{path.name} has no {_json_path(path).name}"]
    record = load_recorded_run(_json_path(path))
    mismatch = _digest_mismatch(path, record)
    return ([mismatch] if mismatch else []) + [f"{path.name}: {reason}" for reason in stale_reasons(record)]


def write_shipped_json(path: Path, payload: dict[str, Any]) -> Path:
    """Write a shipped run's JSON next to its ``.npz`` (atomically)."""
    target = _json_path(Path(path))
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    temporary.replace(target)
    return target

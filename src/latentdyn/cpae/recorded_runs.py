"""Recorded long runs: metrics of CpAE system runs too long for CI, with their provenance.

A run of :func:`latentdyn.cpae.experiments.run_cpae_system` too long for CI (the ``paper``
profile on a GPU, ``long`` on a CPU, or more seeds of the ``book`` profile) is stored as
``data/reference/recorded_runs/<system>-<profile>[-seed<k>][-<overrides>].json`` (no suffix
for seed 0 or no overrides; a diagnostic run may change named settings of its profile):
its metrics (the VPT and continuity tables), the settings it ran with, and its provenance
(commit, device, torch version, wall time, the exact command, date). Chapters only display
these files; they never mix them with what CI re-executes.

A record is *stale* when the settings it ran with (apart from where it ran: ``device``,
``num_threads``) differ from those its profile (with its overrides) gives today in
:mod:`latentdyn.profiles`, when the training code has changed since (its fingerprint), or when
it was made by an older version of the results code: :func:`stale_reasons` says why, the
results chapter flags it, and a unit test fails on any committed stale record.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from latentdyn.cache import project_folder, project_root
from latentdyn.cpae.settings import (
    RESULTS_VERSION,
    ceilings_testable,
    system_settings,
    training_code,
)
from latentdyn.runtime import resolve_device
from latentdyn.statistics import ordering, paired_difference
from latentdyn.validation import check_existing_path

RECORDS_FOLDER = Path("data") / "reference" / "recorded_runs"
WHERE_IT_RAN = ("device", "num_threads", "workers")  # settings that say where a run ran, not what it computed
# settings added after runs were recorded -> the value every run recorded before had
ADDED_SETTINGS = {"networks": "book"}


def records_folder() -> Path:
    """``<project>/data/reference/recorded_runs``."""
    return project_folder(RECORDS_FOLDER, "recorded runs")


def json_plain(value: Any) -> Any:
    """Settings as JSON stores them (tuples become lists), so recorded and current compare equal."""
    return json.loads(json.dumps(value, default=str))


def current_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, cwd=project_root()
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_name(device: str = "cpu") -> str:
    """Where a run's floating-point arithmetic happened: the GPU's name, or the CPU model with the
    instruction set torch's kernels use (``AVX512``, ``AVX2`` ...) and the oneDNN limit when one
    is set; runs from different devices are never pooled."""
    resolved = resolve_device(device)
    if resolved.type == "cuda":
        return torch.cuda.get_device_name(resolved)
    isa = torch.backends.cpu.get_cpu_capability()
    limit = os.environ.get("ONEDNN_MAX_CPU_ISA")
    return (
        f"{_cpu_model()} CPU ({isa}{f', oneDNN {limit}' if limit else ''}), "
        f"{torch.get_num_threads()} thread{'s' if torch.get_num_threads() > 1 else ''}"
    )


_device_name = device_name


@dataclass
class RecordedRun:
    """One recorded run: ``system``, ``profile``, ``seed``, ``settings``, ``metrics`` (tables as
    lists of rows) and ``provenance`` (commit, device, torch, wall_seconds, command, date)."""

    system: str
    profile: str
    seed: int
    settings: dict[str, Any]
    metrics: dict[str, list[dict[str, Any]]]
    provenance: dict[str, Any]
    results_version: int
    overrides: dict[str, Any]
    training_code: str = ""
    data_source: str = "simulated"

    @property
    def device(self) -> str:
        return str(self.provenance.get("device", ""))

    def scores(self) -> pd.DataFrame:
        """Per test video Neural ODE scores (columns autoencoder, video, vpt, vpt_mse, ceiling ...);
        empty for records made before per-video scores were kept."""
        return pd.DataFrame(self.metrics.get("scores", []))

    def paired(self) -> pd.DataFrame:
        return pd.DataFrame(self.metrics.get("paired", []))

    @property
    def label(self) -> str:
        """``profile`` plus its overrides, e.g. ``book, epochs=48``."""
        return ", ".join([self.profile, *(f"{k}={v}" for k, v in sorted(self.overrides.items()))])

    def vpt(self) -> pd.DataFrame:
        return pd.DataFrame(self.metrics["vpt"]).set_index(["autoencoder", "latent model"])

    def continuity(self) -> pd.DataFrame:
        return pd.DataFrame(self.metrics["continuity"]).set_index("autoencoder")


def run_payload(
    result, *, profile: str, seed: int, provenance: dict[str, Any], overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON of a record of ``result`` (a ``SystemResult``) with the given ``provenance``."""
    return {
        "system": result.system,
        "profile": profile,
        "seed": seed,
        "results_version": RESULTS_VERSION,
        "overrides": json_plain(overrides or {}),
        "training_code": training_code(result.settings),
        "settings": json_plain(result.settings),
        "metrics": {
            "vpt": json_plain(result.vpt.reset_index().to_dict("records")),
            "continuity": json_plain(result.continuity.rename_axis("autoencoder").reset_index().to_dict("records")),
            "timings": json_plain(result.timings),
            # per test video, Neural ODE only: enough to recompute paired differences
            "scores": json_plain(_neural_ode_scores(result)),
            "paired": json_plain([] if result.paired is None else result.paired.to_dict("records")),
        },
        "data_source": getattr(result, "data_source", "simulated"),
        "provenance": json_plain(provenance),
    }


def provenance_here(command: str, wall_seconds: float, device: str) -> dict[str, Any]:
    """Where and how a run ran: commit, device (:func:`device_name`), torch, wall time, command, date."""
    return {
        "commit": current_commit(),
        "device": _device_name(device),
        "torch": torch.__version__,
        "wall_seconds": round(float(wall_seconds), 1),
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def record_run(
    result,
    *,
    profile: str,
    seed: int,
    command: str,
    wall_seconds: float,
    device: str,
    overrides: dict[str, Any] | None = None,
    folder: Path | None = None,
) -> Path:
    """Write ``result`` (a ``SystemResult``) as ``<folder>/<system>-<profile>[-seed<k>].json``; return
    the path."""
    folder = Path(folder) if folder is not None else records_folder()
    folder.mkdir(parents=True, exist_ok=True)
    payload = run_payload(
        result,
        profile=profile,
        seed=seed,
        overrides=overrides,
        provenance=provenance_here(command, wall_seconds, device),
    )
    suffix = "".join(f"-{key}{value}" for key, value in sorted((overrides or {}).items()))
    path = folder / f"{result.system}-{profile}{f'-seed{seed}' if seed else ''}{suffix}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    temporary.replace(path)
    return path


def _neural_ode_scores(result) -> list[dict[str, Any]]:
    scores = getattr(result, "scores", None)
    if scores is None or not len(scores):
        return []
    rows = scores[scores["latent model"] == "Neural ODE"]
    return rows.drop(columns="latent model").to_dict("records")


def load_recorded_run(path: str | Path) -> RecordedRun:
    """Read one record; a file that is not a complete record raises ``ValueError`` naming it."""
    path = check_existing_path("path", path)
    try:
        return recorded_run_from_payload(json.loads(path.read_text()))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path} is not a complete recorded run: {error!r}") from error


def recorded_run_from_payload(payload: dict[str, Any]) -> RecordedRun:
    """A record from its JSON (:func:`run_payload`); ``KeyError`` for a missing field."""
    return RecordedRun(
        payload["system"],
        payload["profile"],
        int(payload["seed"]),
        payload["settings"],
        payload["metrics"],
        payload["provenance"],
        int(payload["results_version"]),
        dict(payload.get("overrides", {})),
        str(payload.get("training_code", "")),
        str(payload.get("data_source", "simulated")),
    )


def load_recorded_runs(folder: Path | None = None) -> list[RecordedRun]:
    """Every record in ``folder`` (default: the project's), sorted by file name."""
    folder = Path(folder) if folder is not None else records_folder()
    return [load_recorded_run(path) for path in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def stale_reasons(run: RecordedRun) -> list[str]:
    """Why ``run`` no longer describes its profile (empty when it still does)."""
    reasons = []
    if run.results_version != RESULTS_VERSION:
        reasons.append(f"made by results version {run.results_version}, the code is at {RESULTS_VERSION}")
    code = training_code(run.settings)
    if run.training_code != code:
        reasons.append(f"trained by other training code ({run.training_code or 'unknown'}, now {code})")
    try:
        current = json_plain(system_settings(run.profile, dict(run.overrides), run.system))
    except ValueError as error:
        return reasons + [str(error)]
    for key in sorted(set(current) | set(run.settings)):
        if key in WHERE_IT_RAN:
            continue
        recorded = run.settings.get(key, ADDED_SETTINGS.get(key, "<missing>"))
        if current.get(key, "<missing>") != recorded:
            now = current.get(key, "<missing>")
            reasons.append(f"{key}: recorded {recorded!r}, profile {run.profile!r} now {now!r}")
    return reasons


def recorded_runs_table(runs: list[RecordedRun] | None = None) -> pd.DataFrame:
    """One row per (recorded run, autoencoder): Neural ODE VPT, reconstruction error, smoothness,
    where and how long it ran, and whether it is stale."""
    runs = load_recorded_runs() if runs is None else runs
    rows = []
    for run in runs:
        vpt, continuity, stale = run.vpt(), run.continuity(), stale_reasons(run)
        for encoder in continuity.index:
            rows.append(
                {
                    "system": run.system,
                    "autoencoder": encoder,
                    "profile": run.label,
                    "seed": run.seed,
                    "VPT (%)": float(vpt.loc[(encoder, "Neural ODE"), "VPT mean (%)"]),
                    "VPT SE (%)": float(vpt.loc[(encoder, "Neural ODE")].get("VPT SE (%)", float("nan"))),
                    "reconstruction error": float(continuity.loc[encoder, "reconstruction error"]),
                    "smoothness ratio": float(continuity.loc[encoder, "smoothness ratio"]),
                    "device": run.provenance["device"],
                    "data source": run.data_source,
                    "hours": run.provenance["wall_seconds"] / 3600,
                    "stale": "; ".join(stale) if stale else "",
                }
            )
    columns = [
        "system",
        "autoencoder",
        "profile",
        "seed",
        "VPT (%)",
        "VPT SE (%)",
        "reconstruction error",
        "smoothness ratio",
        "device",
        "data source",
        "hours",
        "stale",
    ]
    return pd.DataFrame(rows, columns=columns)


SIMULATED = "simulated"


NOT_TESTABLE_READING = "not testable"


def seed_readings(system: str, profile: str, *, runs=None, current_only: bool = True) -> pd.DataFrame:
    """The recorded seeds of ``system`` in ``profile`` (no changed settings, not stale, simulated
    data), each scored on its own 120 test videos: one row per (seed, definition) with the paired
    difference CpAE − standard AE of the Neural ODE VPT (mean, standard error, 95 % interval,
    reading) and both autoencoders' reconstruction error and ceiling.

    ``current_only=False`` keeps runs with changed settings or of older code too (for runs the
    caller has just scored, whatever their settings).

    The reading is :data:`NOT_TESTABLE_READING` where both autoencoders' ceilings (mean VPT of
    their own reconstructions of the true frames) stay below ``UNTESTABLE_CEILING`` (no latent
    model could show a VPT), else the short ordering of the paired difference ("CpAE ahead",
    "standard AE ahead" or "no ordering": its 95 % interval contains zero).

    Seeds are never pooled across devices (other floating-point kernels train other models):
    only the device with the most recorded seeds is kept, and the ``device`` column names it.
    """
    runs = load_recorded_runs() if runs is None else runs
    chosen = [
        run
        for run in runs
        if run.system == system
        and run.profile == profile
        and (not current_only or (not run.overrides and not stale_reasons(run)))
        and run.data_source.startswith(SIMULATED)
        and len(run.scores())
    ]
    columns = [
        "seed",
        "device",
        "definition",
        "mean difference (points)",
        "standard error",
        "95% low",
        "95% high",
        "reading",
        "reconstruction error standard AE",
        "reconstruction error CpAE",
        "ceiling standard AE (%)",
        "ceiling CpAE (%)",
        "videos",
    ]
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
            rows.append(
                {
                    "seed": run.seed,
                    "device": device,
                    "definition": definition,
                    "mean difference (points)": difference.mean,
                    "standard error": difference.standard_error,
                    "95% low": difference.low,
                    "95% high": difference.high,
                    "reading": ordering(difference, "CpAE", "standard AE", short=True)
                    if ceilings_testable(cpae["ceiling"].mean(), standard["ceiling"].mean())
                    else NOT_TESTABLE_READING,
                    "reconstruction error standard AE": float(standard["reconstruction_error"].mean()),
                    "reconstruction error CpAE": float(cpae["reconstruction_error"].mean()),
                    "ceiling standard AE (%)": float(standard["ceiling"].mean()),
                    "ceiling CpAE (%)": float(cpae["ceiling"].mean()),
                    "videos": difference.n,
                }
            )
    return pd.DataFrame(rows, columns=columns)

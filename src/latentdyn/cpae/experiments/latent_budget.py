"""The latent stage's budget: what fitting the Neural ODE needs before it stops ending the prediction.

The authors fit their ODE net to the raw latent states for up to 500,000 updates of 20,000
transitions at a learning rate of 1e-2 decaying to 1e-3; a CPU affords thousands. On one
trained autoencoder (the model after epoch ``settings["epochs"]`` of a learning-curve run,
:func:`latentdyn.cpae.experiments.authors_runs.curve_model`), :func:`latent_budget_rows` fits
the latent stage once per configuration of :data:`LATENT_BUDGET_CONFIGS` (the raw latent states
at the profile's updates and learning rate, then one change at a time, or two where named) and
scores it on the test videos by the decoder-free latent VPT, by VPT against the autoencoder's
own reconstructions and against the true frames. :func:`record_latent_budget` writes the rows with their provenance as
``data/reference/latent_budget/<system>-<profile>-seed<k>-<variant>.json``;
:func:`recorded_latent_budget` reads them back for the pages. Command line::

    python -m latentdyn.cpae.experiments.latent_budget --variant standard --seed 1 \\
        --folder runs/damped-64-standard-batch64-seed1
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from latentdyn.cache import cache_dir, project_folder
from latentdyn.cpae.experiments.authors_runs import curve_model, fit_latent_stage
from latentdyn.cpae.experiments.autoencoder_stage import encode_windows
from latentdyn.cpae.experiments.data import prepare_system
from latentdyn.cpae.experiments.latent_measures import latent_measures
from latentdyn.cpae.experiments.scoring import evaluate_variant
from latentdyn.cpae.recorded_runs import provenance_here
from latentdyn.cpae.settings import AUTHORS_PROFILE, VARIANTS, system_settings
from latentdyn.runtime import seed_everything
from latentdyn.validation import check_choice

BUDGET_FOLDER = "data/reference/latent_budget"
# name -> (settings that differ from the profile's, standardised latent states): the raw latent
# states as the authors fit them (the profile's latent stage until this budget chose the standardised
# ones), then one change at a time, and the chosen change with four and sixteen times the updates
LATENT_BUDGET_CONFIGS: dict[str, tuple[dict[str, Any], bool]] = {
    "raw": ({"dynamics_steps": 3_000}, False),
    "raw, updates x4": ({"dynamics_steps": 12_000}, False),
    "raw, authors' learning rate": (
        {"dynamics_steps": 3_000, "dynamics_learning_rate": 1e-2, "dynamics_final_learning_rate": 1e-3},
        False,
    ),
    "standardised": ({"dynamics_steps": 3_000}, True),
    "standardised, updates x4": ({"dynamics_steps": 12_000}, True),
    # whether the chosen budget has flattened: four times its updates again
    "standardised, updates x16": ({"dynamics_steps": 48_000}, True),
}
# the glue-name part of each configuration (the pages' ``budget_<key>_<measure>_<variant>``)
CONFIG_KEYS = {
    "raw": "raw",
    "raw, updates x4": "raw4",
    "raw, authors' learning rate": "raw_authors_lr",
    "standardised": "standardised",
    "standardised, updates x4": "standardised4",
    "standardised, updates x16": "standardised16",
}
SETTING_COLUMNS = ("dynamics_steps", "dynamics_batch_size", "dynamics_learning_rate", "dynamics_final_learning_rate")


def _fitted_models(directory: Path) -> set[str]:
    return {path.name for path in directory.glob("latent-neural_ode*")} if directory.is_dir() else set()


def latent_budget_rows(
    system: str,
    variant: str,
    seed: int,
    folder: str | Path,
    *,
    profile: str = AUTHORS_PROFILE,
    configs: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """Fit and score the latent stage of one learning-curve run's autoencoder per configuration.

    Args:
        folder: the learning-curve run of ``variant`` and ``seed`` (trained as ``profile`` says).
        configs: names from :data:`LATENT_BUDGET_CONFIGS` (default: every one).

    Returns:
        One row per configuration: its name, ``standardised``, the settings of
        :data:`SETTING_COLUMNS`, ``final_loss`` (mean training loss over the last 5 % of the
        updates, in the fitted coordinates), ``latent_vpt`` / ``dynamics_vpt`` / ``vpt`` /
        ``ceiling`` (% of the horizon, mean over the test videos), ``latent_error`` (relative to
        the latents' spread), ``fit_seconds`` and ``fitted_here`` (``False``: read from the data
        cache, where an earlier call had fitted it; its time is then not this call's).
    """
    check_choice("variant", variant, VARIANTS)
    names = tuple(LATENT_BUDGET_CONFIGS) if configs is None else tuple(configs)
    for name in names:
        check_choice("configs", name, tuple(LATENT_BUDGET_CONFIGS))
    base = system_settings(profile, {}, system)
    seed_everything(seed, base["num_threads"])
    data = prepare_system(system, base, seed)
    autoencoder, _ = curve_model(folder, base, system, variant, seed)
    train_latents = encode_windows(autoencoder, data.train_windows(target_offset=0))  # (N, T, d)
    rows = []
    for name in names:
        overrides, standardise = LATENT_BUDGET_CONFIGS[name]
        settings = system_settings(profile, dict(overrides), system)
        before = _fitted_models(cache_dir())
        started = time.perf_counter()
        standardiser, models = fit_latent_stage(autoencoder, train_latents, settings, seed, standardise=standardise)
        model = models["neural_ode"]
        fit_seconds = time.perf_counter() - started
        fitted_here = bool(_fitted_models(cache_dir()) - before)
        losses = np.asarray(model.loss_curve)
        measures = latent_measures(autoencoder, model, standardiser, data.test_pairs, data.test_states)
        scores, _ = evaluate_variant(
            autoencoder,
            {"neural_ode": model},
            standardiser,
            data.test_pairs,
            None,
            data.reference,
            settings["vpt_threshold"],
            settings["inbetween_steps"],
            mse_threshold=settings["mse_threshold"],
        )
        rows.append(
            {
                "config": name,
                "standardised": standardise,
                **{key_: settings[key_] for key_ in SETTING_COLUMNS},
                "final_loss": float(losses[-max(1, len(losses) // 20) :].mean()),
                "latent_vpt": float(measures["latent_vpt"].mean()),
                "latent_error": float(measures["latent_error"].mean()),
                "dynamics_vpt": float(np.mean(scores["dynamics_vpt"]["neural_ode"])),
                "vpt": float(np.mean(scores["vpt"]["neural_ode"])),
                "ceiling": float(np.mean(scores["ceiling"])),
                "fit_seconds": round(fit_seconds, 1),
                "fitted_here": fitted_here,
            }
        )
    return rows


def budget_path(system: str, profile: str, seed: int, variant: str, folder: Path | None = None) -> Path:
    folder = project_folder(BUDGET_FOLDER, "latent-stage budgets") if folder is None else Path(folder)
    return folder / f"{system}-{profile}-seed{seed}-{variant}.json"


def record_latent_budget(
    system: str,
    variant: str,
    seed: int,
    run_folder: str | Path,
    *,
    command: str,
    profile: str = AUTHORS_PROFILE,
    configs: tuple[str, ...] | None = None,
    folder: Path | None = None,
) -> Path:
    """:func:`latent_budget_rows`, written with provenance (commit, device, torch, wall time,
    command, date) to :func:`budget_path`; return the path."""
    started = time.perf_counter()
    rows = latent_budget_rows(system, variant, seed, run_folder, profile=profile, configs=configs)
    path = budget_path(system, profile, seed, variant, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "system": system,
        "profile": profile,
        "variant": variant,
        "seed": seed,
        "rows": rows,
        "provenance": provenance_here(command, time.perf_counter() - started, "cpu"),
    }
    path.write_text(json.dumps(payload, indent=1) + "\n")
    return path


def recorded_latent_budget(folder: Path | None = None, *, system: str | None = None) -> pd.DataFrame:
    """Every recorded latent-stage budget, one row per (autoencoder, seed, configuration), with the
    file's ``system``, ``profile``, ``variant`` and ``seed``. Empty when none is recorded.

    Raises:
        ValueError: a file in the folder is not a recorded budget (named).
    """
    folder = project_folder(BUDGET_FOLDER, "latent-stage budgets") if folder is None else Path(folder)
    rows = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        payload = json.loads(path.read_text())
        if not isinstance(payload.get("rows"), list) or "variant" not in payload:
            raise ValueError(f"{path}: not a recorded latent-stage budget (no rows or variant)")
        if system is not None and payload.get("system") != system:
            continue
        head = {key: payload.get(key) for key in ("system", "profile", "variant", "seed")}
        rows.extend({**head, **row} for row in payload["rows"])
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--system", default="damped_pendulum")
    parser.add_argument("--profile", default=AUTHORS_PROFILE)
    parser.add_argument("--variant", required=True, choices=("standard", "cpae"))
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--folder", required=True, help="the autoencoder's learning-curve run folder")
    parser.add_argument("--configs", default=None, help="comma-separated names (default: every one)")
    arguments = parser.parse_args(argv)
    configs = None if arguments.configs is None else tuple(arguments.configs.split(","))
    path = record_latent_budget(
        arguments.system,
        arguments.variant,
        arguments.seed,
        arguments.folder,
        command="python -m latentdyn.cpae.experiments.latent_budget "
        + " ".join(sys.argv[1:] if argv is None else argv),
        profile=arguments.profile,
        configs=configs,
    )
    print(path)


if __name__ == "__main__":
    main()

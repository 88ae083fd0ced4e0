"""What carries the CpAE's gain on the authors' networks: the penalty and filter-size ablation, read
from learning-curve runs.

In both codes every penalised convolution is followed directly by batch normalisation, so scaling
a filter by ``c`` leaves the network's output unchanged while J (and L2) scale by ``c**2``: the
penalty can fall by shrinking the filters without changing their shape. After every epoch a
learning-curve run (:mod:`latentdyn.cpae.experiments.learning_curve`) records the penalised
filters' mean norm (``filter_norm``) and J of the filters scaled to unit norm
(``normalised_continuity``: their shape alone), beside the reconstruction error and the latent
measures. :func:`filter_ablation` sets the variants of :data:`ABLATION_VARIANTS` side by side at
one epoch, each seed a row, with how much norm and shape changed from the first epoch; variants
without a recorded run get one row that says so (``epochs recorded`` 0).
"""

from __future__ import annotations

import pandas as pd

from latentdyn.validation import check_positive_int

# the variants of the CpAE's networks the ablation compares (authors_networks.VARIANTS), in the
# page's order, with what each changes
ABLATION_VARIANTS = {
    "cpae": "12 × 12 filters, J (the CpAE)",
    "cpae_l2": "12 × 12 filters, L2",
    "cpae_no_penalty": "12 × 12 filters, no penalty",
    "cpae_small_filters": "4 × 4 filters, no penalty",
    "standard": "the standard AE (4 × 4, its own widths)",
}
NOT_RUN_SEED = "none yet"  # the seed cell of a variant without a run at the compared epoch
COLUMNS = (
    "epochs recorded",
    "reconstruction error",
    "smoothness ratio",
    "state R²",
    "filter norm",
    "filter norm change (%)",
    "shape J",
    "shape J change (%)",
)


def filter_ablation(
    curves: pd.DataFrame,
    *,
    system: str = "damped_pendulum",
    epoch: int = 6,
    prediction_weight: float = 1.0,
    batch_size: int = 64,
) -> pd.DataFrame:
    """The ablation variants at ``epoch``, one row per (variant, seed) recorded.

    Args:
        curves: recorded learning curves, one row per (run, epoch)
            (:func:`latentdyn.cpae.experiments.learning_curve.recorded_curves`).
        system, prediction_weight, batch_size: which runs compare (the shipped models' recipe).
        epoch: the epoch compared (runs that have not reached it are left out).

    Returns:
        Index ``(variant, seed)`` (the variant as its :data:`ABLATION_VARIANTS` description, the
        seed as text, :data:`NOT_RUN_SEED` for a variant with no run at ``epoch``); columns
        :data:`COLUMNS`: how many epochs the run recorded, the reconstruction error, smoothness
        ratio and state R² at ``epoch``, the filters' mean norm and shape J (J of the unit-norm
        filters) at ``epoch``, and their change from epoch 1 in % (negative: fell).
    """
    epoch = check_positive_int("epoch", epoch)
    wanted = curves
    if len(wanted):
        wanted = wanted[
            (wanted["system"] == system)
            & (wanted["prediction_weight"] == prediction_weight)
            & (wanted["batch_size"] == batch_size)
            & wanted["variant"].isin(list(ABLATION_VARIANTS))
        ]
    rows = []
    for variant, description in ABLATION_VARIANTS.items():
        runs = wanted[wanted["variant"] == variant] if len(wanted) else pd.DataFrame(columns=["seed", "epoch"])
        reached = [(seed, run) for seed, run in runs.groupby("seed") if (run["epoch"] == epoch).any()]
        if not reached:
            rows.append(
                {
                    "variant": description,
                    "seed": NOT_RUN_SEED,
                    "epochs recorded": int(runs["epoch"].max()) if len(runs) else 0,
                }
            )
            continue
        for seed, run in reached:
            first = run[run["epoch"] == 1].iloc[0]
            last = run[run["epoch"] == epoch].iloc[0]
            rows.append(
                {
                    "variant": description,
                    "seed": str(int(seed)),
                    "epochs recorded": int(run["epoch"].max()),
                    "reconstruction error": float(last["reconstruction_error"]),
                    "smoothness ratio": float(last["smoothness_ratio"]),
                    "state R²": float(last["state_r2"]),
                    "filter norm": float(last["filter_norm"]),
                    "filter norm change (%)": 100.0 * (float(last["filter_norm"]) / float(first["filter_norm"]) - 1.0),
                    "shape J": float(last["normalised_continuity"]),
                    "shape J change (%)": 100.0
                    * (float(last["normalised_continuity"]) / float(first["normalised_continuity"]) - 1.0),
                }
            )
    return pd.DataFrame(rows, columns=["variant", "seed", *COLUMNS]).set_index(["variant", "seed"])


def filter_ablation_values(table: pd.DataFrame) -> dict[str, float | int]:
    """Numbers the ablation page quotes from :func:`filter_ablation`: for every variant of
    :data:`ABLATION_VARIANTS` (key ``k``) the mean over its seeds of the filter-norm and shape-J
    changes (``fa_<k>_norm_change``, ``fa_<k>_shape_change``, %; NaN without a run) and its seeds
    at the compared epoch (``fa_<k>_seeds``); how many of the variants between the CpAE and the
    standard AE have a run at that epoch (``fa_variants_run``, of ``fa_variants_planned``)."""
    values: dict[str, float | int] = {}
    present = set(table.index.get_level_values("variant"))
    for key, name in ABLATION_VARIANTS.items():
        rows = table.xs(name, level="variant") if name in present else table.iloc[0:0]
        rows = rows[rows.index != NOT_RUN_SEED]
        values[f"fa_{key}_seeds"] = len(rows)
        for column, stem in (("filter norm change (%)", "norm_change"), ("shape J change (%)", "shape_change")):
            values[f"fa_{key}_{stem}"] = float(rows[column].mean()) if len(rows) else float("nan")
    others = [key for key in ABLATION_VARIANTS if key not in ("cpae", "standard")]
    values["fa_variants_run"] = sum(values[f"fa_{key}_seeds"] > 0 for key in others)
    values["fa_variants_planned"] = len(others)
    return values

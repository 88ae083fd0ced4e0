"""The page: tables and numbers the chapters quote, and sentences that read right for any outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd

from latentdyn.cpae_settings import MODEL_LABELS, VARIANT_LABELS, system_settings
from latentdyn.data.videos import split_indices
from latentdyn.experiments.cpae.results import SIMULATED, ResultsSummary, seed_readings
from latentdyn.experiments.cpae.shipped import LongResult, seed_level_difference
from latentdyn.experiments.cpae.studies import AblationResult, SweepResult
from latentdyn.experiments.cpae.systems import CircleResult, SystemResult

UNTESTABLE_CEILING = 5.0  # %: below this ceiling on every seed, VPT measures the reconstructions


def _ceilings_too_low(rows) -> bool:
    """Whether both autoencoders' ceilings (the VPT of their reconstructions, %) stay below
    :data:`UNTESTABLE_CEILING` on every row of seed readings: then no latent model can show a VPT."""
    return bool(rows[["ceiling CpAE (%)", "ceiling standard AE (%)"]].to_numpy().max() < UNTESTABLE_CEILING)


def seed_sentence(readings: pd.DataFrame) -> str:
    """What the recorded seeds of one system say (``readings`` from :func:`seed_readings`): per
    VPT definition, on how many seeds the paired difference CpAE − standard AE has an interval
    above zero, below zero, or containing it; and the reconstruction errors."""
    if readings is None or not len(readings):
        return "No current recorded seeds of this system: there is no seed reading."
    seeds = sorted(int(s) for s in readings["seed"].unique())
    count = len(seeds)
    parts = []
    for definition, rows in readings.groupby("definition", sort=False):
        ahead = int((rows["95% low"] > 0).sum())
        behind = int((rows["95% high"] < 0).sum())
        differences = ", ".join(f"{value:+.1f}" for value in rows["mean difference (points)"])
        parts.append(
            f"with VPT by {definition}, the CpAE is ahead on {ahead}, behind on {behind} and tied on "
            f"{count - ahead - behind} (paired differences {differences} points)"
        )
    first = readings.drop_duplicates("seed")
    recon_cpae, recon_standard = first["reconstruction error CpAE"], first["reconstruction error standard AE"]
    both = int(((recon_cpae <= 0.3) & (recon_standard <= 0.3)).sum())
    rel = readings[readings["definition"] == "relative error"]
    if _ceilings_too_low(first):
        return (
            f"Over {count} recorded seed{'s' if count > 1 else ''} ({', '.join(map(str, seeds))}; "
            f"{int(first['videos'].iloc[0])} test videos each, all on {first['device'].iloc[0]}), both "
            f"autoencoders' ceilings stay below 5 % (mean reconstruction error: CpAE {recon_cpae.mean():.2f}, "
            f"standard AE {recon_standard.mean():.2f}): their reconstructions are past the threshold from the "
            "first frames, so VPT here measures the autoencoders, not the latent dynamics, and cannot test the "
            "paper's ordering (" + "; ".join(parts) + ")."
        )
    verdict = (
        "The paper's ordering (CpAE ahead) holds on every seed."
        if len(rel) and (rel["95% low"] > 0).all()
        else "The paper's ordering (CpAE ahead) holds on no seed at this budget."
        if len(rel) and not (rel["95% low"] > 0).any()
        else "The ordering changes from seed to seed: this budget cannot settle the paper's claim."
    )
    return (
        f"Over {count} recorded seed{'s' if count > 1 else ''} ({', '.join(map(str, seeds))}; "
        f"{int(first['videos'].iloc[0])} test videos each, all on {first['device'].iloc[0]}), "
        + "; ".join(parts)
        + f". Mean reconstruction error: CpAE {recon_cpae.mean():.2f}, standard AE {recon_standard.mean():.2f}; "
        f"both within 0.3 on {both} of {count} seeds. {verdict}"
    )


def system_seed_sentence(result: SystemResult, profile: str, seed: int) -> str:
    """:func:`seed_sentence` for a system chapter: the recorded seeds of the simulated system, never
    combined with a run on the reader's own videos."""
    if not result.data_source.startswith(SIMULATED):
        return (
            "This page shows your own videos; the recorded seeds are runs on the simulation, another data "
            "source, so they are not combined with this run."
        )
    return seed_sentence(seed_readings(result.system, profile))


def system_table(result: SystemResult) -> pd.DataFrame:
    """The reader's table of a system chapter: one row per autoencoder, VPT of every latent
    model (relative error, mean over the test videos), the Neural ODE's VPT by pixel MSE and
    against the model's own reconstructions, the ceiling, and the continuity and reconstruction
    measures (names as the chapters define them)."""
    rows = {}
    node = MODEL_LABELS["neural_ode"]
    for encoder in result.continuity.index:
        row = {
            f"VPT {model} (%)": float(result.vpt.loc[(encoder, model), "VPT mean (%)"])
            for model in result.vpt.loc[encoder].index
        }
        if (encoder, node) in result.vpt.index:
            row["VPT Neural ODE, pixel MSE (%)"] = float(result.vpt.loc[(encoder, node), "VPT pixel MSE mean (%)"])
            row["VPT Neural ODE vs own reconstruction (%)"] = float(
                result.vpt.loc[(encoder, node), "VPT vs reconstruction (%)"]
            )
        measures = result.continuity.loc[encoder]
        row.update(
            {
                "ceiling (%)": float(measures["ceiling (%)"]),
                "reconstruction error": float(measures["reconstruction error"]),
                "smoothness ratio": float(measures["smoothness ratio"]),
                "in-between error": float(measures["in-between error"]),
            }
        )
        rows[encoder] = row
    return pd.DataFrame(rows).T.rename_axis("autoencoder")


def paired_table(result: SystemResult) -> pd.DataFrame:
    """The paired differences of a system chapter (Neural ODE and ceiling) for readers."""
    if result.paired is None or not len(result.paired):
        return pd.DataFrame()
    columns = [
        "comparison",
        "latent model",
        "definition",
        "mean difference (points)",
        "95% low",
        "95% high",
        "videos",
        "reading",
    ]
    rows = result.paired[result.paired["latent model"].isin([MODEL_LABELS["neural_ode"], "ceiling"])]
    return rows[columns].reset_index(drop=True)


def system_values(result: SystemResult) -> dict[str, float | int]:
    """Numbers a system chapter's prose quotes, keyed ``<measure>_<autoencoder key>`` (``cpae``,
    ``standard``, ``l2``): ``vpt_``, ``vpt_own_``, ``recon_``, ``smooth_``, ``step_``,
    ``inbetween_``; and the settings a reader needs (``epochs``, ``num_trajectories`` ...)."""
    keys = {label: key for key, label in VARIANT_LABELS.items()}
    values: dict[str, float | int] = {}
    for encoder in result.continuity.index:
        key = keys.get(encoder, encoder)
        node = (encoder, MODEL_LABELS["neural_ode"])
        if node in result.vpt.index:
            values[f"vpt_{key}"] = float(result.vpt.loc[node, "VPT mean (%)"])
            values[f"vpt_se_{key}"] = float(result.vpt.loc[node, "VPT SE (%)"])
            values[f"vpt_mse_{key}"] = float(result.vpt.loc[node, "VPT pixel MSE mean (%)"])
            values[f"ceiling_{key}"] = float(result.continuity.loc[encoder, "ceiling (%)"])
            values[f"vpt_own_{key}"] = float(result.vpt.loc[node, "VPT vs reconstruction (%)"])
        for measure, column in (
            ("recon", "reconstruction error"),
            ("smooth", "smoothness ratio"),
            ("step", "step ratio"),
            ("inbetween", "in-between error"),
        ):
            values[f"{measure}_{key}"] = float(result.continuity.loc[encoder, column])
    settings = result.settings
    values.update(
        {
            name: settings[name]
            for name in (
                "epochs",
                "num_trajectories",
                "num_frames",
                "resolution",
                "large_filter_size",
                "small_filter_size",
                "prediction_weight",
                "vpt_threshold",
            )
        }
    )
    values["num_train"] = len(
        split_indices(settings["num_trajectories"], 0)["train"]
    )  # sizes do not depend on the seed
    values["horizon"] = int(next(iter(result.frame_errors.values())).shape[1]) if result.frame_errors else 0
    values["test_videos"] = int(next(iter(result.frame_errors.values())).shape[0]) if result.frame_errors else 0
    values["mse_threshold"] = float(settings["mse_threshold"])
    if result.paired is not None and len(result.paired):
        for definition, key in (("relative error", "rel"), ("pixel MSE", "mse")):
            row = result.paired[
                (result.paired["latent model"] == MODEL_LABELS["neural_ode"])
                & (result.paired["definition"] == definition)
            ]
            if len(row):
                values[f"diff_{key}"] = float(row["mean difference (points)"].iloc[0])
                values[f"diff_{key}_low"] = float(row["95% low"].iloc[0])
                values[f"diff_{key}_high"] = float(row["95% high"].iloc[0])
    return values


def system_notes(result: SystemResult) -> dict[str, str]:
    """Sentences for captions and prose that depend on the outcome (so the text reads right for
    any result): ``vpt_caption`` says when every bar is 0 and why; ``reconstruction`` says
    whether both autoencoders reconstruct within 0.3 (``target_phrase``: reached / not reached);
    ``ordering`` states the VPT ordering."""
    values = system_values(result)
    threshold = values["vpt_threshold"]
    vpts = result.vpt["VPT mean (%)"]
    notes = {"vpt_caption": ""}
    if float(vpts.max()) == 0.0:
        notes["vpt_caption"] = (
            f"Every bar is 0: no decoded rollout stays within the relative error {threshold:g} for even one "
            "frame, because the reconstructions themselves are already that far from the true frames "
            "(see the reconstruction error in the table)."
        )
    recon = {name: values.get(f"recon_{name}") for name in ("standard", "cpae") if f"recon_{name}" in values}
    if recon and all(value <= 0.3 for value in recon.values()):
        notes["reconstruction"] = "Both autoencoders reconstruct the test frames to a relative error of 0.3 or less"
    elif recon:
        failing = [VARIANT_LABELS[name] for name, value in recon.items() if value > 0.3]
        notes["reconstruction"] = (
            f"The {' and the '.join(failing)} {'does' if len(failing) == 1 else 'do'} not "
            "reconstruct the test frames to a relative error of 0.3 or less"
        )
    notes["target_phrase"] = "reached" if recon and all(value <= 0.3 for value in recon.values()) else "not reached"
    notes["ordering"] = "only one autoencoder was trained"
    for key in ("rel", "mse"):
        if f"diff_{key}" not in values:
            continue
        low, high, mean = values[f"diff_{key}_low"], values[f"diff_{key}_high"], values[f"diff_{key}"]
        interval = f"paired difference {mean:+.1f} points, 95 % interval {low:+.1f} to {high:+.1f}"
        verdict = (
            "the CpAE is ahead"
            if low > 0
            else "the standard AE is ahead"
            if high < 0
            else "neither is ahead (the interval contains zero)"
        )
        notes[f"ordering_{key}"] = f"{verdict} ({interval}, {values['test_videos']} test videos)"
    if "ordering_rel" in notes:
        notes["ordering"] = notes["ordering_rel"]
    return notes


def circle_values(result: CircleResult) -> dict[str, float | str]:
    """Numbers and one outcome sentence the circle chapter quotes: ``circle_<measure>_<variant>``
    for ``vpt``, ``smooth``, ``inbetween``, ``recon`` and ``circle_smooth_sentence``."""
    keys = {label: key for key, label in VARIANT_LABELS.items()}
    values: dict[str, float | str] = {"circle_epochs": int(result.settings["epochs"])}
    for encoder in result.metrics.index:
        key = keys.get(encoder, encoder)
        for measure, column in (
            ("vpt", "VPT (%)"),
            ("smooth", "smoothness ratio"),
            ("inbetween", "in-between error"),
            ("recon", "reconstruction error"),
        ):
            values[f"circle_{measure}_{key}"] = float(result.metrics.loc[encoder, column])
    smoothness = result.metrics["smoothness ratio"]
    order = list(smoothness.sort_values().index)
    values["circle_smooth_sentence"] = (
        f"The {order[0]}'s latent states are the smoothest, as the paper finds."
        if order[0] == "CpAE"
        else f"The {order[0]}'s latent states are the smoothest, not the CpAE's as in the paper."
    )
    vpt = result.metrics["VPT (%)"]
    continuity = (
        "The continuity result is reproduced" if order[0] == "CpAE" else "The continuity result is not reproduced"
    )
    prediction = (
        "the prediction result (the CpAE's Neural ODE predicts longest) is reproduced"
        if "CpAE" in vpt.index and vpt["CpAE"] > 0 and vpt["CpAE"] == vpt.max() and (vpt == vpt.max()).sum() == 1
        else "the prediction result (the CpAE's Neural ODE predicts longest) is not"
    )
    values["circle_verdict"] = f"{continuity}; {prediction}, at this budget (one seed)."
    return values


def circle_properties(result: CircleResult) -> dict[str, bool]:
    """Properties every correct run of the circle chapter has, on any machine (nbval checks these,
    not the trained numbers): each autoencoder's latent states spread (std > 1e-2), its
    relative reconstruction error is below 1 (the error of a blank prediction), its rollout is finite, and every
    VPT lies in [0, 100] %."""
    properties = {}
    for variant, latents in result.latents.items():
        name = VARIANT_LABELS.get(variant, variant)
        properties[f"{name}: latent states spread (std > 1e-2)"] = bool(np.asarray(latents).std(0).max() > 1e-2)
        properties[f"{name}: Neural ODE rollout finite"] = bool(np.isfinite(result.rollouts[variant]).all())
    for encoder, row in result.metrics.iterrows():
        properties[f"{encoder}: relative reconstruction error below 1"] = bool(row["reconstruction error"] < 1.0)
        properties[f"{encoder}: VPT within [0, 100] %"] = bool(0.0 <= row["VPT (%)"] <= 100.0)
    return properties


def _study_properties(rows: dict[str, pd.Series], better_than_mean: tuple[str, ...]) -> dict[str, bool]:
    """Properties of the metric rows of a study (label -> row of ``metric_row``): every VPT and
    ceiling within [0, 100] %, every reconstruction error finite, and the rows ``better_than_mean``
    (trainings on reconstruction alone) reconstruct better than the mean image (error below
    :data:`BETTER_THAN_MEAN_IMAGE`)."""
    properties = {}
    for label, row in rows.items():
        properties[f"{label}: VPTs and ceiling within [0, 100] %"] = bool(
            all(0.0 <= float(row[column]) <= 100.0 for column in ("VPT (%)", "VPT pixel MSE (%)", "ceiling (%)"))
        )
        properties[f"{label}: reconstruction error finite"] = bool(np.isfinite(float(row["reconstruction error"])))
        if label in better_than_mean:
            properties[f"{label}: reconstructs better than the mean image (error < {BETTER_THAN_MEAN_IMAGE})"] = bool(
                float(row["reconstruction error"]) < BETTER_THAN_MEAN_IMAGE
            )
    return properties


def ablation_properties(result: AblationResult) -> dict[str, bool]:
    """What every correct run of the ablations has, on any machine: the properties of
    :func:`_study_properties` for every trained autoencoder (the decoupled ones, trained on
    reconstruction alone, beat the mean image), and $J$ alone slower in the direct form than in
    the separable one (a ratio measured on the paper's filter banks, far above 1; a whole
    training step is not checked, its ratio can be near 1)."""
    rows = {f"{size}, {penalty}": row for (size, penalty), row in result.filter_grid.iterrows()}
    rows.update(
        {f"J weight {weight:g}, sigma {scale:g}": row for (weight, scale), row in result.weight_sweep.iterrows()}
    )
    decoupled = tuple(rows)
    rows["joint training"] = result.training_schemes.iloc[1]
    properties = _study_properties(rows, decoupled if result.settings["prediction_weight"] == 0 else ())
    properties["J alone: direct form slower than separable"] = bool(
        result.benchmark.iloc[0]["direct / separable"] > 1.0
    )
    return properties


def sweep_properties(result: SweepResult) -> dict[str, bool]:
    """What every correct run of the sweeps has, on any machine: :func:`_study_properties` of
    every point, the points without latent-prediction terms (lambda = 0) beating the mean image."""
    rows, plain = {}, []
    for table, knob in (
        (result.objective, "weight"),
        (result.resolution, "resolution"),
        (result.data_size, "training trajectories"),
    ):
        for _, row in table.iterrows():
            label = (
                f"{row['autoencoder']}, lambda {row['weight']:g}, {row['latent map']}"
                if knob == "weight"
                else f"{row['autoencoder']}, {knob} {row[knob]}"
            )
            rows[label] = row
            if knob == "weight" and row["weight"] == 0:
                plain.append(label)
    return _study_properties(rows, tuple(plain)) if rows else {"no point was run": True}


def ablation_values(result: AblationResult) -> dict[str, float | str]:
    """Numbers and outcome sentences the ablations chapter quotes (``abl_<measure>_<size>_<penalty>``,
    ``decoupled_*``, ``joint_*``, benchmark ratios, ``ablation_summary``, ``joint_sentence``)."""
    settings, grid = result.settings, result.filter_grid
    sizes = {
        "small": f"{settings['small_filter_size']}x{settings['small_filter_size']}",
        "large": f"{settings['large_filter_size']}x{settings['large_filter_size']}",
    }
    values: dict[str, float | str] = {
        "abl_trajectories": int(settings["num_trajectories"]),
        "abl_epochs": int(settings["epochs"]),
        "abl_large": int(settings["large_filter_size"]),
    }
    for tag, size in sizes.items():
        for penalty in ("none", "J"):
            for measure, column in (
                ("smooth", "smoothness ratio"),
                ("vpt", "VPT (%)"),
                ("recon", "reconstruction error"),
            ):
                values[f"abl_{measure}_{tag}_{penalty}"] = float(grid.loc[(size, penalty), column])
    schemes = result.training_schemes
    for scheme, row in (("decoupled", schemes.iloc[0]), ("joint", schemes.iloc[1])):
        values[f"{scheme}_vpt"] = float(row["VPT (%)"])
        values[f"{scheme}_smooth"] = float(row["smoothness ratio"])
        values[f"{scheme}_recon"] = float(row["reconstruction error"])
    values["ratio_penalty"] = float(result.benchmark.iloc[0]["direct / separable"])
    values["ratio_step"] = float(result.benchmark.iloc[1]["direct / separable"])
    values["bench_batch"] = int(result.ablation["benchmark_batch_size"])
    both = values["abl_smooth_large_J"]
    others = [values["abl_smooth_small_none"], values["abl_smooth_small_J"], values["abl_smooth_large_none"]]
    values["ablation_summary"] = (
        (
            "Large filters with $J$ give the smoothest latent trajectories of the four combinations, as the "
            "paper argues."
            if both < min(others)
            else "Large filters with $J$ do not give the smoothest latent trajectories of the four combinations "
            "here, against the paper's argument."
        )
        + f" Their Neural ODE VPT is {values['abl_vpt_large_J']:.1f} % against "
        f"{values['abl_vpt_small_none']:.1f} % for small filters without a penalty (the standard AE), and "
        f"decoupled training reaches {values['decoupled_vpt']:.1f} % against {values['joint_vpt']:.1f} % "
        "for joint training."
    )
    large_smoother = max(values["abl_smooth_large_none"], values["abl_smooth_large_J"]) < min(
        values["abl_smooth_small_none"], values["abl_smooth_small_J"]
    )
    j_helps = {tag: values[f"abl_smooth_{tag}_J"] < values[f"abl_smooth_{tag}_none"] for tag in sizes}
    values["filter_reading"] = (
        (
            "Large filters give smoother latent trajectories than small ones whatever the penalty, the half of "
            "Theorem 3.1 that is about the filters' size."
            if large_smoother
            else "Large filters do not give smoother latent trajectories than small ones under both penalties here."
        )
        + " $J$ "
        + ("lowers" if j_helps["small"] else "does not lower")
        + " the smoothness ratio of small filters and "
        + ("lowers" if j_helps["large"] else "does not lower")
        + " that of large ones. "
        + (
            "The paper's claim that continuity needs both large filters and $J$ is consistent with this run (one seed)."
            if both < min(others)
            else "The paper's claim that continuity needs both large filters and $J$ is not reproduced by this run "
            "(one seed)."
        )
    )
    values["joint_sentence"] = (
        "The joint scheme collapses to the mean image (reconstruction error near 1): its latent states carry "
        "almost nothing, so its VPT and smoothness say nothing about the dynamics."
        if values["joint_recon"] > 0.9
        else (
            "Decoupled training predicts longer, as the paper argues."
            if values["decoupled_vpt"] > values["joint_vpt"]
            else "Joint training predicts at least as long here, against the paper's argument."
        )
    )
    return values


def _gap_sentence(table: pd.DataFrame, knob: str, unit: str = "") -> str:
    """How the CpAE's VPT compares with the standard AE's at each value of ``knob``."""
    parts = []
    for value, rows in table.groupby(knob, sort=True):
        by = rows.set_index("autoencoder")
        if {"CpAE", "standard AE"} <= set(by.index):
            parts.append(
                f"{value}{unit}: {by.loc['CpAE', 'VPT (%)']:.1f} vs {by.loc['standard AE', 'VPT (%)']:.1f} %"
                f" (reconstruction {by.loc['CpAE', 'reconstruction error']:.2f} vs "
                f"{by.loc['standard AE', 'reconstruction error']:.2f})"
            )
    if not parts:
        return (
            "Not run in this profile: every point of this sweep costs about as much as a system chapter on "
            "one CPU core. Rerun the chapter with a list of values (see the end of the page), or use the "
            "`paper` profile on a GPU."
        )
    return "VPT of the CpAE vs the standard AE at " + "; ".join(parts) + "."


def sweep_values(result: SweepResult, chapter_weight: float | None = None) -> dict[str, float | str]:
    """Numbers and outcome sentences of the objective-and-budget chapter. ``chapter_weight`` (the
    system chapters' lambda) adds a warning when that weight collapses at the sweep's budget."""
    objective = result.objective
    values: dict[str, float | str] = {
        "sweep_trajectories": int(result.settings["num_trajectories"]),
        "sweep_epochs": int(result.settings["epochs"]),
        "sweep_objective_autoencoder": " and ".join(dict.fromkeys(objective["autoencoder"])),
    }
    collapsed = objective[objective["reconstruction error"] > 0.9]
    best = objective.loc[objective["VPT (%)"].idxmax()]
    plain = objective[objective["weight"] == 0]
    plain_vpt = float(plain["VPT (%)"].max()) if len(plain) else float("nan")
    collapse = (
        "No setting collapses the latent space (reconstruction error above 0.9)."
        if collapsed.empty
        else "The latent space collapses (reconstruction error above 0.9, the decoder shows the mean image) at "
        + ", ".join(
            f"$\\lambda = {r['weight']:g}$"
            + (f" with the {r['latent map'].replace('_', '-')} map" if r["weight"] > 0 else "")
            for _, r in collapsed.iterrows()
        )
        + "."
    )
    if float(objective["VPT (%)"].max()) == 0.0:
        best_text = (
            f"no setting predicts at all at this budget (every VPT is 0; without the terms the "
            f"reconstruction error is {float(plain['reconstruction error'].min()):.2f})."
        )
    else:
        best_text = (
            f"the best setting, $\\lambda = {best['weight']:g}$"
            + (f" with the {best['latent map'].replace('_', '-')} map" if best["weight"] > 0 else "")
            + f", reaches {best['VPT (%)']:.1f} % at a reconstruction error of "
            f"{best['reconstruction error']:.2f}."
        )
    values["sweep_objective_sentence"] = (
        f"Without the latent-prediction terms ($\\lambda = 0$) the VPT is {plain_vpt:.1f} %; {best_text} {collapse}"
    )
    relative = bool(result.settings.get("relative_latent_error", False))
    term = (
        "the latent term divided by the variance of the latent states (scale-invariant), as in the system chapters"
        if relative
        else "the latent term as the authors write it (absolute)"
    )
    values["sweep_latent_term"] = term
    values["sweep_weight_reading"] = f"Every point here uses {term}. " + (
        "No weight collapses the latent space at this budget."
        if collapsed.empty
        else "Where the latent space collapses, the latent-prediction terms have won over the reconstruction: "
        "latent states that barely move are easy to predict, and the decoder can then only show the mean image."
    )
    if chapter_weight is not None and (collapsed["weight"] == chapter_weight).any():
        values["sweep_weight_reading"] += (
            f" At this page's reduced budget the system chapters' own $\\lambda = {chapter_weight:g}$ collapses; "
            "whether it does at the damped chapter's budget is shown below: collapse depends on the training "
            "budget as well as on $\\lambda$."
        )
    values["sweep_resolution_sentence"] = _gap_sentence(result.resolution, "resolution", " px")
    values["sweep_data_sentence"] = _gap_sentence(result.data_size, "training trajectories", " trajectories")
    not_run = values["sweep_resolution_sentence"].startswith("Not run")
    if not_run and values["sweep_data_sentence"].startswith("Not run"):
        scale = "The resolution and training-set sweeps are n" + values["sweep_data_sentence"][1:]
    else:
        scale = f"{values['sweep_resolution_sentence']} {values['sweep_data_sentence']}"
    values["sweep_scale_sentence"] = scale
    values["sweep_summary"] = f"{values['sweep_objective_sentence']} {scale}"
    return values


def _interval(row: pd.Series) -> str:
    return (
        f"{row['mean difference (points)']:+.1f} points (95 % interval {row['95% low']:+.1f} to {row['95% high']:+.1f})"
    )


def _verdict(row: pd.Series) -> str:
    """Which autoencoder is ahead: claimed only when the interval excludes zero."""
    return (
        "CpAE ahead"
        if row["95% low"] > 0
        else "standard AE ahead"
        if row["95% high"] < 0
        else "no ordering (the interval contains zero)"
    )


def ordering_sentence(system: str, summary: ResultsSummary, profile: str) -> str:
    """One plain sentence on whether the paper's ordering of ``system`` (CpAE ahead of the standard
    AE in Neural ODE VPT) is reproduced by the profile's run: the paired difference CpAE − standard
    AE on the same test videos and its 95 % interval under both VPT definitions; an ordering is
    claimed only when the interval excludes zero, and the ceilings are quoted beside it."""
    name = system.replace("_", " ").capitalize()
    table = summary.comparison.set_index(["system", "autoencoder"])
    paper = {
        encoder: float(table.loc[(system, encoder), "paper VPT (%)"])
        for encoder in ("CpAE", "standard AE")
        if (system, encoder) in table.index
    }
    reported = (
        f"the paper reports {paper['CpAE']:.1f} % for the CpAE against {paper['standard AE']:.1f} % for the standard AE"
        if len(paper) == 2 and not any(np.isnan(v) for v in paper.values())
        else "the paper reports no pair of numbers for it"
    )
    paired = summary.paired[(summary.paired["system"] == system) & (summary.paired["latent model"] == "Neural ODE")]
    rows = {row["definition"]: row for _, row in paired.iterrows()}
    if "relative error" not in rows:
        return f"{name}: {reported}; this profile trained a single autoencoder, so there is no paired comparison."
    rel = rows["relative error"]
    videos = int(rel["videos"])
    parts = [f"by relative error {_interval(rel)}: {_verdict(rel)}"]
    if "pixel MSE" in rows:
        parts.append(f"by pixel MSE {_interval(rows['pixel MSE'])}: {_verdict(rows['pixel MSE'])}")
    paper_ahead = len(paper) == 2 and paper["CpAE"] > paper["standard AE"]
    if rel["95% low"] > 0:
        outcome = (
            "the paper's ordering is reproduced at this scale" if paper_ahead else "the CpAE is ahead at this scale"
        )
    elif rel["95% high"] < 0:
        outcome = (
            "the opposite of the paper's ordering holds at this scale"
            if paper_ahead
            else "the standard AE is ahead at this scale"
        )
    else:
        outcome = "this scale does not decide the paper's ordering"
    ceilings = ", ".join(
        f"{encoder} {float(table.loc[(system, encoder), 'ceiling (%)']):.1f} %"
        for encoder in ("CpAE", "standard AE")
        if (system, encoder) in table.index
    )
    return (
        f"{name}: {reported}. In the {profile} profile the paired difference CpAE − standard AE of the "
        f"Neural ODE VPT over {videos} test videos is "
        + "; ".join(parts)
        + f". So {outcome} (ceilings, the VPT of the reconstructions themselves: {ceilings})."
    )


def results_values(summary: ResultsSummary, profile: str) -> dict[str, float | str]:
    """Outcome sentences of the results chapter, every number taken from ``summary``:
    ``ordering_<system>`` (:func:`ordering_sentence`), ``seed_reading_<system>``
    (:func:`seed_sentence`), both as bullet lists (``ordering_list``, ``seed_reading_list``),
    ``results_summary``, ``reproduced_sentence``, ``seeds_sentence``,
    ``recorded_sentence``, and the counts ``num_systems``, ``cpae_ahead``, ``standard_ahead``,
    ``undecided`` (systems whose relative-error interval is above, below or around zero)."""
    systems = list(dict.fromkeys(summary.comparison["system"]))
    names = {s: s.replace("_", " ") for s in systems}
    values: dict[str, float | str] = {f"ordering_{s}": ordering_sentence(s, summary, profile) for s in systems}
    rel = summary.paired[
        (summary.paired["latent model"] == "Neural ODE") & (summary.paired["definition"] == "relative error")
    ].set_index("system")
    ahead = [s for s in systems if s in rel.index and rel.loc[s, "95% low"] > 0]
    behind = [s for s in systems if s in rel.index and rel.loc[s, "95% high"] < 0]
    undecided = [s for s in systems if s in rel.index and s not in ahead and s not in behind]
    table = summary.comparison.set_index(["system", "autoencoder"])
    reconstructing = [
        s
        for s in systems
        if all(
            float(table.loc[(s, e), "reconstruction error"]) <= 0.3
            for e in ("CpAE", "standard AE")
            if (s, e) in table.index
        )
    ]

    def listed(group: list[str]) -> str:
        return f" ({', '.join(names[s] for s in group)})" if group else ""

    summary_text = (
        f"In the {profile} profile (one seed, {max(summary.test_videos.values(), default=0)} test videos per "
        f"system), the paired difference CpAE − standard AE of the Neural ODE VPT (relative error) has a 95 % "
        f"interval above zero on {len(ahead)} of {len(rel)} systems{listed(ahead)}, below zero on {len(behind)}"
        f"{listed(behind)} and containing zero on {len(undecided)}{listed(undecided)}; the paper reports the CpAE "
        f"ahead on every system it scores. Both autoencoders reconstruct within a relative error of 0.3 on "
        f"{len(reconstructing)} of {len(systems)} systems{listed(reconstructing)}."
    )
    scored = [
        s
        for s in systems
        if all(
            (s, e) in table.index and not np.isnan(float(table.loc[(s, e), "paper VPT (%)"]))
            for e in ("CpAE", "standard AE")
        )
    ]
    values["reproduced_sentence"] = (
        f"Of the {len(scored)} systems the paper scores{listed(scored)}, its ordering (CpAE ahead) is reproduced "
        f"at this scale on {len([s for s in scored if s in ahead])}{listed([s for s in scored if s in ahead])}, "
        f"reversed on {len([s for s in scored if s in behind])}{listed([s for s in scored if s in behind])} and "
        f"left undecided (interval containing zero) on {len([s for s in scored if s in undecided])}"
        f"{listed([s for s in scored if s in undecided])}."
    )
    seed_parts = []
    for system, rows in summary.seeds.groupby("system", sort=False):
        rel_seeds = rows[rows["definition"] == "relative error"]
        up, down = int((rel_seeds["95% low"] > 0).sum()), int((rel_seeds["95% high"] < 0).sum())
        seed_parts.append(
            f"{names.get(system, system.replace('_', ' '))}: CpAE ahead on {up}, behind on {down}, "
            f"undecided on {len(rel_seeds) - up - down} of {len(rel_seeds)} recorded seeds"
        )
    values["seeds_sentence"] = (
        "Recorded seeds (each on its own test videos, all of one system on one device, never pooled with this "
        "page's run), paired difference of the Neural ODE VPT by relative error: " + "; ".join(seed_parts) + "."
        if seed_parts
        else "No seed has been recorded for this profile with the current code."
    )
    recorded = summary.recorded
    if recorded.empty:
        values["recorded_sentence"] = "No run has been recorded yet."
    else:
        stale = recorded[recorded["stale"] != ""]
        values["recorded_sentence"] = (
            f"{recorded[['system', 'profile', 'seed']].drop_duplicates().shape[0]} recorded run(s). "
            + (
                f"{stale[['system', 'profile', 'seed']].drop_duplicates().shape[0]} of them are stale "
                "(their profile has changed since they ran) and are shown only with that flag."
                if len(stale)
                else "None is stale: each ran with its profile's current settings."
            )
        )
    for system in dict.fromkeys([*systems, *summary.seeds["system"]]):
        values[f"seed_reading_{system}"] = seed_sentence(summary.seeds[summary.seeds["system"] == system])
    values["ordering_list"] = "\n".join(f"- {values[f'ordering_{s}']}" for s in systems)
    values["seed_reading_list"] = "\n".join(
        f"- {names.get(s, s.replace('_', ' ')).capitalize()}: {values[f'seed_reading_{s}']}"
        for s in dict.fromkeys(summary.seeds["system"])
        if s
    )
    values.update(
        {
            "results_summary": summary_text,
            "num_systems": len(systems),
            "cpae_ahead": len(ahead),
            "standard_ahead": len(behind),
            "undecided": len(undecided),
        }
    )
    values["long_list"] = (
        "\n".join(f"- {long_ordering_sentence(long)}" for long in summary.long.values())
        or "- No long-configuration models are shipped with this book."
    )
    return values


def diagnostics_sentence(table: pd.DataFrame) -> str:
    """One clause per setting of :func:`recorded_diagnostics`: CpAE vs standard AE, VPT and
    reconstruction error (stale rows are left out and said so)."""
    parts, stale = [], 0
    for setting, rows in table.groupby("setting", sort=False):
        if (rows["stale"] != "").any():
            stale += 1
            continue
        by = rows.set_index("autoencoder")
        if {"CpAE", "standard AE"} <= set(by.index):
            parts.append(
                f"{setting}: VPT {by.loc['CpAE', 'VPT (%)']:.1f} vs {by.loc['standard AE', 'VPT (%)']:.1f} %, "
                f"reconstruction {by.loc['CpAE', 'reconstruction error']:.2f} vs "
                f"{by.loc['standard AE', 'reconstruction error']:.2f}"
            )
        elif "CpAE" in by.index:
            parts.append(
                f"{setting}: CpAE only, VPT {by.loc['CpAE', 'VPT (%)']:.1f} %, reconstruction "
                f"{by.loc['CpAE', 'reconstruction error']:.2f}"
            )
    text = "CpAE vs standard AE — " + "; ".join(parts) + "." if parts else "No diagnostic run is recorded."
    return text + (f" ({stale} stale record(s) left out.)" if stale else "")


def budget_values(
    at_budget: pd.DataFrame, system: str = "damped_pendulum", profile: str = "book"
) -> dict[str, float | str]:
    """The chapter budget quoted beside :func:`objective_at_chapter_budget`, and its outcome sentence."""
    settings = system_settings(profile, {}, system)
    parts = []
    for (kind, weight), rows in at_budget.groupby(["latent map", "weight"], sort=True):
        by = rows.set_index("autoencoder")
        label = "no map" if kind == "none" else kind.replace("_", "-")
        if {"CpAE", "standard AE"} <= set(by.index):
            parts.append(
                f"$\\lambda = {weight:g}$ ({label}): VPT {by.loc['CpAE', 'VPT (%)']:.1f} vs "
                f"{by.loc['standard AE', 'VPT (%)']:.1f} %, reconstruction "
                f"{by.loc['CpAE', 'reconstruction error']:.2f} vs {by.loc['standard AE', 'reconstruction error']:.2f}"
            )
    sentence = (
        "CpAE vs standard AE — " + "; ".join(parts) + "."
        if parts
        else "Only the chapter's own run is available at this budget."
    )
    return {
        "chapter_trajectories": int(settings["num_trajectories"]),
        "chapter_epochs": int(settings["epochs"]),
        "chapter_weight": float(settings["prediction_weight"]),
        "budget_objective_sentence": sentence,
    }


# what every correct training of a system chapter shows, on any machine (nbval checks these, not
# the trained numbers, which other floating-point kernels move)
AUTOENCODER_LOSS_DROP = 1.5  # last epoch's loss at most two thirds of the first epoch's (measured 2.8-25)
LATENT_LOSS_DROP = 3.0  # the best update's loss at most a third of the first update's
BETTER_THAN_MEAN_IMAGE = 1.0  # mean relative reconstruction error below 1 (the mean image scores 1)


def training_properties(result: SystemResult) -> dict[str, bool]:
    """Properties a correct run of a system chapter always has, as ``{statement: holds}``: each
    autoencoder's loss fell at least :data:`AUTOENCODER_LOSS_DROP`-fold over its epochs, its
    reconstructions beat the mean training image (:data:`BETTER_THAN_MEAN_IMAGE`), its latent states
    are not collapsed to a point, and each latent model's loss fell :data:`LATENT_LOSS_DROP`-fold."""
    properties = {}
    for variant, losses in result.losses.items():
        name = VARIANT_LABELS[variant]
        history = np.asarray(losses["autoencoder"], dtype=float)
        properties[f"{name}: loss fell {AUTOENCODER_LOSS_DROP:g}-fold"] = bool(
            history[-1] * AUTOENCODER_LOSS_DROP <= history[0]
        )
        error = float(result.continuity.loc[name, "reconstruction error"])
        properties[f"{name}: reconstructs better than the mean image (error < {BETTER_THAN_MEAN_IMAGE})"] = bool(
            error < BETTER_THAN_MEAN_IMAGE
        )
        spread = float(np.asarray(result.latents[variant]).reshape(-1, result.latents[variant].shape[-1]).std(0).max())
        properties[f"{name}: latent states spread (std > 1e-2)"] = bool(spread > 1e-2)
        for kind, curve in losses.items():
            if kind == "autoencoder" or len(curve) == 0:
                continue
            curve = np.asarray(curve, dtype=float)
            properties[f"{name} + {MODEL_LABELS[kind]}: loss fell {LATENT_LOSS_DROP:g}-fold"] = bool(
                curve.min() * LATENT_LOSS_DROP <= curve[0]
            )
    return properties


def long_table(long: LongResult) -> pd.DataFrame:
    """The reader's table of the long configuration: one row per (seed, autoencoder)."""
    return long.summary.set_index(["seed", "autoencoder"])


def long_values(long: LongResult) -> dict[str, float | int | str]:
    """Numbers and sentences a page quotes about the long configuration (keys ``long_*``): its sizes,
    the Neural ODE's VPT, ceilings, reconstruction errors and smoothness ratios of both
    autoencoders averaged over the seeds, the seed readings (:func:`seed_sentence`), the
    across-seed difference, and where and how long the models trained."""
    first = next(iter(long.seeds.values()))
    settings = first.settings
    values: dict[str, float | int | str] = {
        "long_resolution": int(settings["resolution"]),
        "long_filter": int(settings["large_filter_size"]),
        "long_videos": int(settings["num_trajectories"]),
        "long_frames": int(settings["num_frames"]),
        "long_train_videos": len(split_indices(settings["num_trajectories"], 0)["train"]),
        "long_epochs": int(settings["epochs"]),
        "long_seeds": len(long.seeds),
        "long_seed_list": ", ".join(str(seed) for seed in long.seeds),
        "long_test_videos": int(first.scores["video"].nunique()),
        "long_source": long.source,
    }
    keys = {label: key for key, label in VARIANT_LABELS.items()}
    means = long.summary.groupby("autoencoder", sort=False).mean(numeric_only=True)
    for label, row in means.iterrows():
        key = keys.get(label, label)
        for measure, column in (
            ("vpt", "VPT (%)"),
            ("vpt_mse", "VPT pixel MSE (%)"),
            ("ceiling", "ceiling (%)"),
            ("vpt_own", "VPT vs own reconstruction (%)"),
            ("recon", "reconstruction error"),
            ("smooth", "smoothness ratio"),
        ):
            values[f"long_{measure}_{key}"] = float(row[column])
        per_seed = long.summary[long.summary["autoencoder"] == label]["reconstruction error"]
        values[f"long_recon_max_{key}"] = float(per_seed.max())
    worst = max(values.get("long_recon_max_cpae", np.inf), values.get("long_recon_max_standard", np.inf))
    values["long_target_phrase"] = (
        f"Both autoencoders reconstruct the test videos within a relative error of 0.3 on every seed (worst seed "
        f"{worst:.2f})"
        if worst <= 0.3
        else f"The reconstruction target of 0.3 is not reached on every seed (worst seed {worst:.2f})"
    )
    values["long_seed_reading"] = seed_sentence(long.readings)
    if len(long.readings) and long.readings["seed"].nunique() >= 2:
        estimate = seed_level_difference(long)
        values["long_seed_level"] = (
            f"Averaged over the {estimate.n} seeds, the CpAE − standard AE difference is {estimate.mean:+.1f} points "
            f"(95 % interval over seeds {estimate.low:+.1f} to {estimate.high:+.1f}: "
            + (
                "the CpAE is ahead"
                if estimate.low > 0
                else "the standard AE is ahead"
                if estimate.high < 0
                else "it contains zero, so the seeds do not settle the ordering"
            )
            + ")."
        )
    else:
        values["long_seed_level"] = "One seed only: no interval over seeds."
    hours = long.provenance["training hours"]
    values["long_hours"] = float(hours.mean()) if hours.notna().any() else float("nan")
    values["long_device"] = ", ".join(sorted(set(long.provenance["device"])))
    values["long_megabytes"] = float(long.provenance["shipped MB"].sum())
    values["long_scoring"] = long_scoring_sentence(long)
    return values


def _seed_list(seeds: list[int]) -> str:
    return ("seed " if len(seeds) == 1 else "seeds ") + ", ".join(str(seed) for seed in seeds)


def long_scoring_sentence(long: LongResult) -> str:
    """Which seeds of ``long`` were scored here and which scores were read from the models'
    stored scores, and how the re-scored seeds compare with their stored scores."""
    here = [seed for seed, source in long.scores_source.items() if source == "scored here"]
    stored = [seed for seed, source in long.scores_source.items() if source == "stored with the models"]
    if long.source != "shipped models":
        return "Every seed was trained and scored here."
    parts = []
    if here:
        parts.append(f"This page scored {_seed_list(here)} here")
    if stored:
        parts.append(("and read" if here else "This page read") + f" the stored scores of {_seed_list(stored)}")
    sentence = " ".join(parts) + "."
    check = long.score_check
    if check.empty:
        return (
            sentence
            + " No scores of the current scoring code are stored for the seeds scored here, so nothing was compared."
        )
    changed = int(check["videos with another VPT"].sum())
    largest = float(check["largest difference of any score"].max())
    compared = _seed_list(sorted({int(seed) for seed in check["seed"]}))
    if changed == 0 and largest == 0.0:
        return sentence + f" The scores of {compared} made here equal the stored ones exactly, on every test video."
    rounding = (
        f" The scores of {compared} made here differ from the stored ones by at most {largest:.2g} (any "
        "score): floating-point rounding of CPU kernels other than those that stored them"
    )
    if changed == 0:
        return sentence + rounding + "; every test video keeps its VPT."
    return (
        sentence
        + rounding
        + (
            f"; {changed} test video{'s' if changed > 1 else ''} get{'' if changed > 1 else 's'} "
            "another VPT (a frame error at the threshold tips over)."
        )
    )


def long_ordering_sentence(long: LongResult) -> str:
    """One plain sentence on whether the paper's ordering (CpAE ahead) holds for the shipped long
    models of one system: per seed, the paired difference CpAE − standard AE of the Neural ODE VPT
    (relative error) over the test videos; *reproduced* only when the CpAE is ahead on every seed
    (each interval above zero), *reversed* when behind on every seed, else *not settled*; *not testable*
    when both autoencoders' ceilings (the VPT of their reconstructions) stay below 5 % on every seed."""
    values = long_values(long)
    rel = long.readings[long.readings["definition"] == "relative error"]
    ahead, behind = int((rel["95% low"] > 0).sum()), int((rel["95% high"] < 0).sum())
    count = len(rel)
    differences = ", ".join(f"{value:+.1f}" for value in rel["mean difference (points)"])
    outcome = (
        "both autoencoders' ceilings stay below 5 % on every seed, so VPT measures the reconstructions, "
        "not the latent dynamics, and this scale cannot test the paper's ordering"
        if count and _ceilings_too_low(rel)
        else "the paper's ordering is reproduced at this scale"
        if count and ahead == count
        else "the opposite of the paper's ordering holds at this scale"
        if count and behind == count
        else "this scale does not settle the paper's ordering"
    )
    name = long.system.replace("_", " ").capitalize()
    return (
        f"{name} at {values['long_resolution']} px ({count} seed{'s' if count != 1 else ''} × "
        f"{values['long_test_videos']} test videos): the CpAE is ahead on {ahead}, behind on {behind} and tied "
        f"on {count - ahead - behind} seeds (paired differences {differences} points; mean VPT "
        f"{values['long_vpt_cpae']:.1f} against {values['long_vpt_standard']:.1f} %, reconstruction errors "
        f"{values['long_recon_cpae']:.2f} and {values['long_recon_standard']:.2f}): {outcome}."
    )


def scale_table(summary: ResultsSummary) -> pd.DataFrame:
    """Per system with shipped long models: the shipped long models (mean over seeds), this page's
    book-profile run and the paper side by side — Neural ODE VPT of both autoencoders and the
    paired difference CpAE − standard AE (long: mean over seeds with Student's interval over the
    seeds; book: over the test videos of its one seed)."""
    rows = []
    comparison = summary.comparison.set_index(["system", "autoencoder"])
    for system, long in summary.long.items():
        values = long_values(long)
        estimate = seed_level_difference(long)
        rows.append(
            {
                "system": system,
                "models": f"shipped, {values['long_resolution']} px, {values['long_seeds']} seeds",
                "VPT CpAE (%)": values["long_vpt_cpae"],
                "VPT standard AE (%)": values["long_vpt_standard"],
                "CpAE − standard AE": estimate.mean,
                "95% low": estimate.low,
                "95% high": estimate.high,
            }
        )
        paired = summary.paired[
            (summary.paired["system"] == system)
            & (summary.paired["latent model"] == "Neural ODE")
            & (summary.paired["definition"] == "relative error")
        ]
        if (system, "CpAE") in comparison.index and len(paired):
            rows.append(
                {
                    "system": system,
                    "models": f"this page, book profile, {summary.runs[system].settings['resolution']} px, 1 seed",
                    "VPT CpAE (%)": float(comparison.loc[(system, "CpAE"), "measured VPT (%)"]),
                    "VPT standard AE (%)": float(comparison.loc[(system, "standard AE"), "measured VPT (%)"]),
                    "CpAE − standard AE": float(paired["mean difference (points)"].iloc[0]),
                    "95% low": float(paired["95% low"].iloc[0]),
                    "95% high": float(paired["95% high"].iloc[0]),
                }
            )
        if (system, "CpAE") in comparison.index:
            cpae, standard = (float(comparison.loc[(system, e), "paper VPT (%)"]) for e in ("CpAE", "standard AE"))
            rows.append(
                {
                    "system": system,
                    "models": "paper (128 px)",
                    "VPT CpAE (%)": cpae,
                    "VPT standard AE (%)": standard,
                    "CpAE − standard AE": cpae - standard,
                    "95% low": float("nan"),
                    "95% high": float("nan"),
                }
            )
    return pd.DataFrame(rows)


def budget_sentence(table: pd.DataFrame, target: float = 0.3) -> str:
    """One sentence per change (more epochs, more videos, another learning rate, another weight of
    the latent terms, ...) of :func:`latentdyn.experiments.cpae.results.reconstruction_budget`:
    each autoencoder's mean reconstruction error over the seeds without and with the change, on
    how many seeds the paired interval puts it lower or higher, its latent smoothness ratio and
    Neural ODE VPT without and with it; how many trainings reach ``target``; and which changes
    reach it at all."""
    if table is None or not len(table):
        return "No diagnostic run is recorded for this configuration."
    sentences, reaching, never = [], [], []
    for change, rows in table.groupby("change", sort=True):
        clauses = []
        for encoder, part in rows.groupby("autoencoder", sort=False):
            lower, higher = int((part["95% high"] < 0).sum()), int((part["95% low"] > 0).sum())
            clauses.append(
                f"{encoder} {part['reconstruction error'].mean():.2f} → "
                f"{part['changed reconstruction error'].mean():.2f} (lower on {lower}, higher on {higher}, "
                f"undecided on {len(part) - lower - higher} of {len(part)} seeds; smoothness ratio "
                f"{part['smoothness ratio'].mean():.2f} → {part['changed smoothness ratio'].mean():.2f}; "
                f"Neural ODE VPT {part['VPT (%)'].mean():.1f} → {part['changed VPT (%)'].mean():.1f} %)"
            )
        reached = int((rows["changed reconstruction error"] <= target).sum())
        (reaching if reached else never).append(change)
        sentences.append(
            f"With {change} ({rows['hours'].mean() * 60:.0f} minutes of training a seed): "
            + "; ".join(clauses)
            + f"; {reached} of {len(rows)} trainings reach {target:g}."
        )
    mixed = any(
        ((part["95% high"] < 0).any() and (part["95% low"] > 0).any())
        for _, part in table.groupby(["change", "autoencoder"])
    )
    if mixed:
        sentences.append(
            "Some change lowers the error on one seed and raises it on another: there a training's "
            "outcome depends on its seed more than on the change."
        )
    if not reaching:
        sentences.append(f"No change recorded here reaches {target:g}.")
    elif never:
        sentences.append(
            f"Only {'; '.join(f'`{c}`' for c in reaching)} reach{'es' if len(reaching) == 1 else ''} "
            f"{target:g} on some training; {'; '.join(f'`{c}`' for c in never)} "
            f"never do{'es' if len(never) == 1 else ''}."
        )
    return " ".join(sentences)


def pose_floor_sentence(
    floor: pd.DataFrame, reached: dict[str, float] | None = None, target: float = 0.3, threshold: float = 0.5
) -> str:
    """What :func:`latentdyn.experiments.cpae.results.pose_error_floor` says: the reconstruction
    error of a rod drawn exactly but with its tip a pixel off, the tip accuracy ``target`` asks for
    (interpolated in the table, 0 offset scoring 0), and — for ``reached`` (autoencoder -> its mean
    reconstruction error) — the tip offset each autoencoder's error corresponds to."""
    if floor is None or not len(floor):
        return ""
    offsets = np.concatenate(([0.0], floor["tip offset (pixels)"].to_numpy(float)))
    errors = np.concatenate(([0.0], floor["reconstruction error"].to_numpy(float)))
    if np.any(np.diff(errors) <= 0):
        return "The reconstruction error does not grow with the tip offset here, so it cannot be read as a distance."
    one = floor.loc[np.isclose(floor["tip offset (pixels)"], 1.0)]
    parts = []
    if len(one):
        parts.append(
            f'A "reconstruction" that draws the rod exactly but with its tip one pixel off (the angle '
            f"{one['angle offset (degrees)'].iloc[0]:.1f}° off) has relative error "
            f"{one['reconstruction error'].iloc[0]:.2f}, and its ceiling at the VPT threshold "
            f"{threshold:g} is {one['ceiling (%)'].iloc[0]:.0f} %."
        )
    if target <= errors[-1]:
        parts.append(
            f"The target {target:g} asks for the tip within about {np.interp(target, errors, offsets):.2f} "
            "pixels of its true place on every frame."
        )
    within = {name: value for name, value in (reached or {}).items() if value <= errors[-1]}
    if within:
        parts.append(
            "Read the same way, this page's reconstruction errors correspond to a tip about "
            + " and ".join(
                f"{np.interp(value, errors, offsets):.2f} pixels off ({name}, {value:.2f})"
                for name, value in within.items()
            )
            + "."
        )
    return " ".join(parts)

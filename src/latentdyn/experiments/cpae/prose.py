"""The page: tables and numbers the chapters quote, and sentences that read right for any outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd

from latentdyn.cpae_settings import MODEL_LABELS, VARIANT_LABELS, system_settings
from latentdyn.data.videos import split_indices
from latentdyn.experiments.cpae.results import SIMULATED, ResultsSummary, seed_readings
from latentdyn.experiments.cpae.studies import AblationResult, SweepResult
from latentdyn.experiments.cpae.systems import CircleResult, SystemResult
from latentdyn.recorded_runs import recorded_runs_table


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
        parts.append(f"with VPT by {definition}, the CpAE is ahead on {ahead}, behind on {behind} and tied on "
                     f"{count - ahead - behind} (paired differences {differences} points)")
    first = readings.drop_duplicates("seed")
    recon_cpae, recon_standard = first["reconstruction error CpAE"], first["reconstruction error standard AE"]
    both = int(((recon_cpae <= 0.3) & (recon_standard <= 0.3)).sum())
    rel = readings[readings["definition"] == "relative error"]
    verdict = ("The paper's ordering (CpAE ahead) holds on every seed." if len(rel) and (rel["95% low"] > 0).all() else
               "The paper's ordering (CpAE ahead) holds on no seed at this budget." if len(rel) and not (rel["95% low"] > 0).any()
               else "The ordering changes from seed to seed: this budget cannot settle the paper's claim.")
    return (f"Over {count} recorded seed{'s' if count > 1 else ''} ({', '.join(map(str, seeds))}; "
            f"{int(first['videos'].iloc[0])} test videos each, all on {first['device'].iloc[0]}), "
            + "; ".join(parts)
            + f". Mean reconstruction error: CpAE {recon_cpae.mean():.2f}, standard AE {recon_standard.mean():.2f}; "
              f"both within 0.3 on {both} of {count} seeds. {verdict}")


def system_seed_sentence(result: SystemResult, profile: str, seed: int) -> str:
    """:func:`seed_sentence` for a system chapter: the recorded seeds of the simulated system, never
    combined with a run on the reader's own videos."""
    if not result.data_source.startswith(SIMULATED):
        return ("This page shows your own videos; the recorded seeds are runs on the simulation, another data "
                "source, so they are not combined with this run.")
    return seed_sentence(seed_readings(result.system, profile))


def system_table(result: SystemResult) -> pd.DataFrame:
    """The reader's table of a system chapter: one row per autoencoder, VPT of every latent
    model (relative error, mean over the test videos), the Neural ODE's VPT by pixel MSE and
    against the model's own reconstructions, the ceiling, and the continuity and reconstruction
    measures (names as the chapters define them)."""
    rows = {}
    node = MODEL_LABELS["neural_ode"]
    for encoder in result.continuity.index:
        row = {f"VPT {model} (%)": float(result.vpt.loc[(encoder, model), "VPT mean (%)"])
               for model in result.vpt.loc[encoder].index}
        if (encoder, node) in result.vpt.index:
            row["VPT Neural ODE, pixel MSE (%)"] = float(result.vpt.loc[(encoder, node), "VPT pixel MSE mean (%)"])
            row["VPT Neural ODE vs own reconstruction (%)"] = float(
                result.vpt.loc[(encoder, node), "VPT vs reconstruction (%)"])
        measures = result.continuity.loc[encoder]
        row.update({"ceiling (%)": float(measures["ceiling (%)"]),
                    "reconstruction error": float(measures["reconstruction error"]),
                    "smoothness ratio": float(measures["smoothness ratio"]),
                    "in-between error": float(measures["in-between error"])})
        rows[encoder] = row
    return pd.DataFrame(rows).T.rename_axis("autoencoder")


def paired_table(result: SystemResult) -> pd.DataFrame:
    """The paired differences of a system chapter (Neural ODE and ceiling) for readers."""
    if result.paired is None or not len(result.paired):
        return pd.DataFrame()
    columns = ["comparison", "latent model", "definition", "mean difference (points)", "95% low", "95% high",
               "videos", "reading"]
    return result.paired[result.paired["latent model"].isin([MODEL_LABELS["neural_ode"], "ceiling"])][columns]


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
        for measure, column in (("recon", "reconstruction error"), ("smooth", "smoothness ratio"),
                                ("step", "step ratio"), ("inbetween", "in-between error")):
            values[f"{measure}_{key}"] = float(result.continuity.loc[encoder, column])
    settings = result.settings
    values.update({name: settings[name] for name in ("epochs", "num_trajectories", "num_frames", "resolution",
                                                      "large_filter_size", "small_filter_size", "prediction_weight",
                                                      "vpt_threshold")})
    values["num_train"] = len(split_indices(settings["num_trajectories"], 0)["train"])  # sizes do not depend on the seed
    values["horizon"] = int(next(iter(result.frame_errors.values())).shape[1]) if result.frame_errors else 0
    values["test_videos"] = int(next(iter(result.frame_errors.values())).shape[0]) if result.frame_errors else 0
    values["mse_threshold"] = float(settings["mse_threshold"])
    if result.paired is not None and len(result.paired):
        for definition, key in (("relative error", "rel"), ("pixel MSE", "mse")):
            row = result.paired[(result.paired["latent model"] == MODEL_LABELS["neural_ode"])
                                & (result.paired["definition"] == definition)]
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
            "(see the reconstruction error in the table).")
    recon = {name: values.get(f"recon_{name}") for name in ("standard", "cpae") if f"recon_{name}" in values}
    if recon and all(value <= 0.3 for value in recon.values()):
        notes["reconstruction"] = "Both autoencoders reconstruct the test frames to a relative error of 0.3 or less"
    elif recon:
        failing = [VARIANT_LABELS[name] for name, value in recon.items() if value > 0.3]
        notes["reconstruction"] = (f"The {' and the '.join(failing)} {'does' if len(failing) == 1 else 'do'} not "
                                   "reconstruct the test frames to a relative error of 0.3 or less")
    notes["target_phrase"] = ("reached" if recon and all(value <= 0.3 for value in recon.values()) else
                              "not reached")
    notes["ordering"] = "only one autoencoder was trained"
    for key, definition in (("rel", "relative error"), ("mse", "pixel MSE")):
        if f"diff_{key}" not in values:
            continue
        low, high, mean = values[f"diff_{key}_low"], values[f"diff_{key}_high"], values[f"diff_{key}"]
        interval = f"paired difference {mean:+.1f} points, 95 % interval {low:+.1f} to {high:+.1f}"
        verdict = ("the CpAE is ahead" if low > 0 else "the standard AE is ahead" if high < 0 else
                   "neither is ahead (the interval contains zero)")
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
        for measure, column in (("vpt", "VPT (%)"), ("smooth", "smoothness ratio"), ("inbetween", "in-between error"),
                                ("recon", "reconstruction error")):
            values[f"circle_{measure}_{key}"] = float(result.metrics.loc[encoder, column])
    smoothness = result.metrics["smoothness ratio"]
    order = list(smoothness.sort_values().index)
    values["circle_smooth_sentence"] = (
        f"The {order[0]}'s latent states are the smoothest, as the paper finds." if order[0] == "CpAE" else
        f"The {order[0]}'s latent states are the smoothest, not the CpAE's as in the paper.")
    return values


def ablation_values(result: AblationResult) -> dict[str, float | str]:
    """Numbers and outcome sentences the ablations chapter quotes (``abl_<measure>_<size>_<penalty>``,
    ``decoupled_*``, ``joint_*``, benchmark ratios, ``ablation_summary``, ``joint_sentence``)."""
    settings, grid = result.settings, result.filter_grid
    sizes = {"small": f"{settings['small_filter_size']}x{settings['small_filter_size']}",
             "large": f"{settings['large_filter_size']}x{settings['large_filter_size']}"}
    values: dict[str, float | str] = {"abl_trajectories": int(settings["num_trajectories"]),
                                      "abl_epochs": int(settings["epochs"]),
                                      "abl_large": int(settings["large_filter_size"])}
    for tag, size in sizes.items():
        for penalty in ("none", "J"):
            for measure, column in (("smooth", "smoothness ratio"), ("vpt", "VPT (%)"),
                                    ("recon", "reconstruction error")):
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
        ("Large filters with $J$ give the smoothest latent trajectories of the four combinations, as the "
         "paper argues." if both < min(others) else
         "Large filters with $J$ do not give the smoothest latent trajectories of the four combinations "
         "here, against the paper's argument.")
        + f" Their Neural ODE VPT is {values['abl_vpt_large_J']:.1f} % against "
        f"{values['abl_vpt_small_none']:.1f} % for small filters without a penalty (the standard AE), and "
        f"decoupled training reaches {values['decoupled_vpt']:.1f} % against {values['joint_vpt']:.1f} % "
        "for joint training.")
    values["joint_sentence"] = (
        "The joint scheme collapses to the mean image (reconstruction error near 1): its latent states carry "
        "almost nothing, so its VPT and smoothness say nothing about the dynamics."
        if values["joint_recon"] > 0.9 else
        ("Decoupled training predicts longer, as the paper argues." if values["decoupled_vpt"] > values["joint_vpt"]
         else "Joint training predicts at least as long here, against the paper's argument."))
    return values


def _gap_sentence(table: pd.DataFrame, knob: str, unit: str = "") -> str:
    """How the CpAE's VPT compares with the standard AE's at each value of ``knob``."""
    parts = []
    for value, rows in table.groupby(knob, sort=True):
        by = rows.set_index("autoencoder")
        if {"CpAE", "standard AE"} <= set(by.index):
            parts.append(f"{value}{unit}: {by.loc['CpAE', 'VPT (%)']:.1f} vs {by.loc['standard AE', 'VPT (%)']:.1f} %"
                         f" (reconstruction {by.loc['CpAE', 'reconstruction error']:.2f} vs "
                         f"{by.loc['standard AE', 'reconstruction error']:.2f})")
    if not parts:
        return ("Not run in this profile: every point of this sweep costs about as much as a system chapter on "
                "one CPU core. Rerun the chapter with a list of values (see the end of the page), or use the "
                "`paper` profile on a GPU.")
    return "VPT of the CpAE vs the standard AE at " + "; ".join(parts) + "."


def sweep_values(result: SweepResult, chapter_weight: float | None = None) -> dict[str, float | str]:
    """Numbers and outcome sentences of the objective-and-budget chapter. ``chapter_weight`` (the
    system chapters' lambda) adds a warning when that weight collapses at the sweep's budget."""
    objective = result.objective
    values: dict[str, float | str] = {
        "sweep_trajectories": int(result.settings["num_trajectories"]), "sweep_epochs": int(result.settings["epochs"]),
        "sweep_objective_autoencoder": " and ".join(dict.fromkeys(objective["autoencoder"]))}
    collapsed = objective[objective["reconstruction error"] > 0.9]
    best = objective.loc[objective["VPT (%)"].idxmax()]
    plain = objective[objective["weight"] == 0]
    plain_vpt = float(plain["VPT (%)"].max()) if len(plain) else float("nan")
    collapse = ("No setting collapses the latent space (reconstruction error above 0.9)." if collapsed.empty else
                "The latent space collapses (reconstruction error above 0.9, the decoder shows the mean image) at "
                + ", ".join(f"$\\lambda = {r['weight']:g}$" + (f" with the {r['latent map'].replace('_', '-')} map"
                                                               if r["weight"] > 0 else "")
                            for _, r in collapsed.iterrows()) + ".")
    if float(objective["VPT (%)"].max()) == 0.0:
        best_text = (f"no setting predicts at all at this budget (every VPT is 0; without the terms the "
                     f"reconstruction error is {float(plain['reconstruction error'].min()):.2f}).")
    else:
        best_text = (f"the best setting, $\\lambda = {best['weight']:g}$"
                     + (f" with the {best['latent map'].replace('_', '-')} map" if best["weight"] > 0 else "")
                     + f", reaches {best['VPT (%)']:.1f} % at a reconstruction error of "
                     f"{best['reconstruction error']:.2f}.")
    values["sweep_objective_sentence"] = (
        f"Without the latent-prediction terms ($\\lambda = 0$) the VPT is {plain_vpt:.1f} %; {best_text} {collapse}")
    values["sweep_weight_reading"] = (
        "No weight collapses the latent space at this budget." if collapsed.empty else
        "Where the latent space collapses, the latent-prediction terms have won over the reconstruction: constant "
        "latent states are perfectly predictable, and the decoder can then only show the mean image. This is why "
        "the book does not use the authors' $\\lambda = 1$ with pixels in [0, 1].")
    if chapter_weight is not None and (collapsed["weight"] == chapter_weight).any():
        values["sweep_weight_reading"] += (
            f" At this page's reduced budget even the system chapters' $\\lambda = {chapter_weight:g}$ collapses, "
            "while at the damped chapter's budget (below) it does not: whether the latent space collapses depends "
            "on the training budget as well as on $\\lambda$.")
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


def results_values(summary: ResultsSummary, profile: str) -> dict[str, float | str]:
    """Outcome sentences of the results chapter: ``results_summary``, ``seeds_sentence``,
    ``recorded_sentence``, ``seed_reading_<system>`` (:func:`seed_sentence`), with every number taken from ``summary``."""
    table = summary.comparison.set_index(["system", "autoencoder"])
    systems = list(dict.fromkeys(summary.comparison["system"]))
    def measured(system: str, encoder: str, column: str = "measured VPT (%)") -> float:
        return float(table.loc[(system, encoder), column])
    ahead = [s for s in systems if measured(s, "CpAE") > measured(s, "standard AE")]
    behind = [s for s in systems if measured(s, "CpAE") < measured(s, "standard AE")]
    reconstructing = [s for s in systems if max(measured(s, e, "reconstruction error")
                                                 for e in ("CpAE", "standard AE")) <= 0.3]
    names = {s: s.replace("_", " ") for s in systems}
    summary_text = (
        f"In the {profile} profile the CpAE's Neural ODE VPT is higher than the standard AE's on "
        f"{len(ahead)} of {len(systems)} systems and lower on {len(behind)}: "
        + "; ".join(f"{names[s]} {measured(s, 'CpAE'):.1f} vs {measured(s, 'standard AE'):.1f} %" for s in systems)
        + f" (paper, where reported: CpAE ahead everywhere). Both autoencoders reconstruct within a relative "
        f"error of 0.3 on {len(reconstructing)} of {len(systems)} systems"
        + (f" ({', '.join(names[s] for s in reconstructing)})." if reconstructing else "."))
    seed_parts = []
    for system, rows in summary.seeds.groupby("system", sort=False):
        rel = rows[rows["definition"] == "relative error"]
        ahead, behind = int((rel["95% low"] > 0).sum()), int((rel["95% high"] < 0).sum())
        seed_parts.append(f"{names.get(system, system)}: CpAE ahead on {ahead}, behind on {behind}, tied on "
                          f"{len(rel) - ahead - behind} of {len(rel)} recorded seeds")
    seeds_sentence = ("Paired differences of the Neural ODE VPT (relative error) over recorded seeds, each on its own "
                      "test videos: " + "; ".join(seed_parts) + "." if seed_parts else
                      "No seed has been recorded for this profile with the current code.")
    recorded = summary.recorded
    if recorded.empty:
        recorded_sentence = "No run has been recorded yet."
    else:
        stale = recorded[recorded["stale"] != ""]
        recorded_sentence = (f"{recorded[['system', 'profile', 'seed']].drop_duplicates().shape[0]} recorded run(s). "
                             + (f"{stale[['system', 'profile', 'seed']].drop_duplicates().shape[0]} of them are stale "
                                "(their profile has changed since they ran) and are shown only with that flag."
                                if len(stale) else "None is stale: each ran with its profile's current settings."))
    summary_text += " " + seeds_sentence
    readings = {f"seed_reading_{system}": seed_sentence(rows)
                for system, rows in summary.seeds.groupby("system", sort=False)}
    return {**readings, "results_summary": summary_text, "seeds_sentence": seeds_sentence, "recorded_sentence": recorded_sentence,
            "num_systems": len(systems), "cpae_ahead": len(ahead)}


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
            parts.append(f"{setting}: VPT {by.loc['CpAE', 'VPT (%)']:.1f} vs {by.loc['standard AE', 'VPT (%)']:.1f} %, "
                         f"reconstruction {by.loc['CpAE', 'reconstruction error']:.2f} vs "
                         f"{by.loc['standard AE', 'reconstruction error']:.2f}")
        elif "CpAE" in by.index:
            parts.append(f"{setting}: CpAE only, VPT {by.loc['CpAE', 'VPT (%)']:.1f} %, reconstruction "
                         f"{by.loc['CpAE', 'reconstruction error']:.2f}")
    text = ("CpAE vs standard AE — " + "; ".join(parts) + "." if parts else "No diagnostic run is recorded.")
    return text + (f" ({stale} stale record(s) left out.)" if stale else "")


def budget_values(at_budget: pd.DataFrame, system: str = "damped_pendulum", profile: str = "book"
                  ) -> dict[str, float | str]:
    """The chapter budget quoted beside :func:`objective_at_chapter_budget`, and its outcome sentence."""
    settings = system_settings(profile, {}, system)
    parts = []
    for (kind, weight), rows in at_budget.groupby(["latent map", "weight"], sort=True):
        by = rows.set_index("autoencoder")
        label = "no map" if kind == "none" else kind.replace("_", "-")
        if {"CpAE", "standard AE"} <= set(by.index):
            parts.append(f"$\\lambda = {weight:g}$ ({label}): VPT {by.loc['CpAE', 'VPT (%)']:.1f} vs "
                         f"{by.loc['standard AE', 'VPT (%)']:.1f} %, reconstruction "
                         f"{by.loc['CpAE', 'reconstruction error']:.2f} vs {by.loc['standard AE', 'reconstruction error']:.2f}")
    sentence = ("CpAE vs standard AE — " + "; ".join(parts) + "." if parts else
                "Only the chapter's own run is available at this budget.")
    return {"chapter_trajectories": int(settings["num_trajectories"]), "chapter_epochs": int(settings["epochs"]),
            "chapter_weight": float(settings["prediction_weight"]), "budget_objective_sentence": sentence}


# what every correct training of a system chapter shows, on any machine (nbval checks these, not
# the trained numbers, which other floating-point kernels move)
AUTOENCODER_LOSS_DROP = 3.0  # last epoch's loss at most a third of the first epoch's
LATENT_LOSS_DROP = 10.0  # the best update's loss at most a tenth of the first update's
BETTER_THAN_MEAN_IMAGE = 0.9  # mean relative reconstruction error below 0.9 (the mean image scores 1)


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
            history[-1] * AUTOENCODER_LOSS_DROP <= history[0])
        error = float(result.continuity.loc[name, "reconstruction error"])
        properties[f"{name}: reconstructs better than the mean image (error < {BETTER_THAN_MEAN_IMAGE})"] = bool(
            error < BETTER_THAN_MEAN_IMAGE)
        spread = float(np.asarray(result.latents[variant]).reshape(-1, result.latents[variant].shape[-1]).std(0).max())
        properties[f"{name}: latent states spread (std > 1e-2)"] = bool(spread > 1e-2)
        for kind, curve in losses.items():
            if kind == "autoencoder" or len(curve) == 0:
                continue
            curve = np.asarray(curve, dtype=float)
            properties[f"{name} + {MODEL_LABELS[kind]}: loss fell {LATENT_LOSS_DROP:g}-fold"] = bool(
                curve.min() * LATENT_LOSS_DROP <= curve[0])
    return properties

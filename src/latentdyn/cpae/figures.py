"""Figures of the CpAE chapters, in the book's style (:mod:`latentdyn.plotting.style`).

Every function returns a closed ``matplotlib.figure.Figure``. :func:`system_figures` draws
every figure of a system chapter, so the four system chapters share one description.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from latentdyn.cpae.settings import RECONSTRUCTION_TARGET
from latentdyn.cpae.settings import VARIANT_LABELS as VARIANT_LABELS_BY_KEY
from latentdyn.plotting.style import finish, grid_shape, hide_unused, new_figure
from latentdyn.reporting import readable

VARIANT_COLOURS = {"standard AE": "C3", "AE + L2": "C1", "CpAE": "C0", "joint AE + NODE": "C4"}
# latent coordinates z_1, z_2, ...: colours of the colorblind palette that stay apart (its C1 orange and
# C3 vermilion look alike side by side)
COORDINATE_COLOURS = ("C0", "C1", "C2", "C4", "C5", "C9", "C7", "C8")


def label(variant: str) -> str:
    """Display name of an autoencoder variant key (``"cpae"`` -> ``"CpAE"``)."""
    return VARIANT_LABELS_BY_KEY.get(variant, variant)


def _image(frame: np.ndarray) -> np.ndarray:
    """``(C, H, W)`` -> what ``imshow`` takes."""
    frame = np.clip(np.asarray(frame), 0, 1)
    return frame[0] if frame.shape[0] == 1 else frame.transpose(1, 2, 0)


def _no_ticks(axes) -> None:
    for axis in np.ravel(axes):
        axis.set_xticks([])
        axis.set_yticks([])
        axis.grid(False)


def plot_image_rows(rows: dict[str, np.ndarray], columns: list[str] | None = None) -> Figure:
    """One row of images per entry, ``label -> (K, C, H, W)``, row labels on the left; optional
    column titles. Frames are drawn at most 8 to a row, so each stays large enough to read."""
    labels = list(rows)
    count = min(8, max(len(v) for v in rows.values()))
    label_width = 0.9 if len(labels) > 1 or labels[0] else 0.0
    panel = (7.0 - label_width) / count
    figure, axes = new_figure(len(labels), count, width=7.0, panel_aspect=1.0, extra_height=0.25 if columns else 0.0)
    for row, name in enumerate(labels):
        for column in range(count):
            axis = axes[row, column]
            if column < len(rows[name]):
                axis.imshow(_image(rows[name][column]), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            else:
                axis.axis("off")
            if columns is not None and row == 0:
                axis.set_title(columns[column], fontsize=8)
        axes[row, 0].set_ylabel(name, fontsize=8, rotation=0, ha="right", va="center", labelpad=4)
    _no_ticks(axes)
    figure.subplots_adjust(
        left=label_width / 7.0,
        right=0.995,
        wspace=0.04,
        hspace=0.08,
        top=1 - 0.25 / figure.get_figheight() if columns else 0.99,
        bottom=0.01,
    )
    del panel
    return finish(figure, tight=False)


def plot_latent_trajectories(
    latents: dict[str, np.ndarray],
    rollouts: dict[str, np.ndarray],
    time_step: float,
    max_coordinates: int = 4,
    trajectory: int = 0,
    split: int | None = None,
) -> Figure:
    """One panel per autoencoder: latent coordinates over time (solid: encoded frames; dashed:
    the Neural ODE rollout from the first state). ``latents[v]``: ``(n, T, d)``."""
    names = list(latents)
    rows, columns = grid_shape(len(names), max_columns=3)
    figure, axes = new_figure(rows, columns, panel_aspect=0.8 if columns == 3 else 0.7, extra_height=0.35)
    for axis, name in zip(axes.flat, names):
        encoded = latents[name][trajectory]
        times = np.arange(len(encoded)) * time_step
        for index in range(min(max_coordinates, encoded.shape[1])):
            colour = COORDINATE_COLOURS[index % len(COORDINATE_COLOURS)]
            (line,) = axis.plot(times, encoded[:, index], lw=1.4, label=f"$z_{index + 1}$", color=colour)
            if name in rollouts:
                rolled = rollouts[name][trajectory]
                axis.plot(np.arange(len(rolled)) * time_step, rolled[:, index], ls="--", lw=1.2, color=line.get_color())
        if split is not None:
            axis.axvline(split * time_step, color="grey", lw=0.8, ls=":")
        axis.set_title(name)
        axis.set_xlabel("time (s)" if time_step != 1 else "frame")
    hide_unused(axes, len(names))
    axes[0, 0].set_ylabel("latent coordinate")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    handles.append(axes[0, 0].plot([], [], "k--", lw=1.2)[0])
    labels.append("Neural ODE rollout")
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
    figure.tight_layout(rect=(0, 0.35 / figure.get_figheight(), 1, 1))
    return finish(figure, tight=False)


def plot_vpt(vpt: pd.DataFrame) -> Figure:
    """Grouped bars of mean VPT (%) with its standard error over the test videos; the value is
    written on every bar (so a bar of height 0 still reads as a measured 0). When every VPT is 0,
    the panel says so in words instead of drawing empty bars."""
    table = vpt.reset_index()
    figure, axes = new_figure(1, 1, panel_aspect=0.4)
    axis = axes[0, 0]
    means = pd.to_numeric(table["VPT mean (%)"], errors="coerce").to_numpy(dtype=float)
    if not np.any(np.isfinite(means) & (means != 0)):
        axis.axis("off")
        axis.text(
            0.5,
            0.5,
            "Every VPT by relative frame error is 0 %: no prediction stays within\n"
            "the threshold beyond the first frames, for any autoencoder or latent model.",
            ha="center",
            va="center",
            transform=axis.transAxes,
        )
        return finish(figure)
    models = list(dict.fromkeys(table["latent model"]))
    encoders = list(dict.fromkeys(table["autoencoder"]))
    width = 0.8 / len(encoders)
    for index, encoder in enumerate(encoders):
        part = table[table["autoencoder"] == encoder].set_index("latent model").loc[models]
        positions = np.arange(len(models)) + (index - (len(encoders) - 1) / 2) * width
        bars = axis.bar(
            positions,
            part["VPT mean (%)"],
            width,
            yerr=part["VPT SE (%)"],
            capsize=3,
            label=encoder,
            color=VARIANT_COLOURS.get(encoder),
        )
        axis.bar_label(bars, fmt="%.0f", padding=2, fontsize=7)
    axis.set_xticks(np.arange(len(models)), models)
    axis.set_ylabel("VPT (% of the test horizon)")
    axis.set_ylim(0, 110)
    axis.legend(loc="upper right")
    return finish(figure)


def plot_frame_errors(
    frame_errors: dict[tuple[str, str], np.ndarray], labels: dict[str, str], threshold: float, model: str = "neural_ode"
) -> Figure:
    """Median relative frame error of the decoded rollout against the prediction step, per
    autoencoder (shaded: 25-75 % of the test trajectories)."""
    figure, axes = new_figure(1, 1, panel_aspect=0.42)
    axis = axes[0, 0]
    for (variant, kind), errors in frame_errors.items():
        if kind != model:
            continue
        name = labels.get(variant, variant)
        steps = np.arange(1, errors.shape[1] + 1)
        colour = VARIANT_COLOURS.get(name)
        axis.plot(steps, np.median(errors, axis=0), label=name, color=colour)
        axis.fill_between(steps, *np.percentile(errors, [25, 75], axis=0), color=colour, alpha=0.15, lw=0)
    axis.axhline(threshold, color="grey", ls="--", lw=1, label=f"VPT threshold {threshold}")
    axis.set_xlabel("prediction step (frames)")
    axis.set_ylabel("relative frame error")
    axis.set_yscale("log")
    axis.legend()
    return finish(figure)


def plot_filters(filters: dict[str, np.ndarray], count: int = 6) -> Figure:
    """The first ``count`` first-layer filters (input channel 0) of each autoencoder, one row each."""
    names = list(filters)
    figure, axes = new_figure(len(names), count, width=5.5, panel_aspect=1.0)
    for row, name in enumerate(names):
        bank = filters[name]
        for column in range(count):
            values = bank[column % bank.shape[0], 0]
            limit = np.abs(values).max() or 1.0
            axes[row, column].imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        axes[row, 0].set_ylabel(name, fontsize=8, rotation=0, ha="right", va="center")
    _no_ticks(axes)
    figure.subplots_adjust(left=0.22, right=0.99, top=0.99, bottom=0.01, wspace=0.05, hspace=0.08)
    return finish(figure, tight=False)


def plot_sweep(table: pd.DataFrame, x: str, y_left: str, y_right: str, logx: bool = True) -> Figure:
    """Two quantities of a one-parameter sweep against the parameter, side by side."""
    figure, axes = new_figure(1, 2, panel_aspect=0.7)
    for axis, column, colour, marker in ((axes[0, 0], y_left, "C0", "o-"), (axes[0, 1], y_right, "C3", "s-")):
        axis.plot(table[x], table[column], marker, color=colour)
        axis.set(xlabel=x, ylabel=column, xscale="log" if logx else "linear")
    return finish(figure)


def plot_metric_panels(
    table: pd.DataFrame,
    x: str,
    metrics: tuple[str, ...],
    *,
    hue: str = "autoencoder",
    logx: bool = False,
    thresholds: dict[str, float] | None = None,
) -> Figure:
    """One panel per metric against ``x``, one line per ``hue`` value; with several rows per
    ``(hue, x)`` (seeds) the line is their mean and the bars their full range.

    Args:
        table: long table with columns ``x``, ``hue`` and every metric.
        thresholds: metric -> a horizontal reference line (e.g. the 0.3 reconstruction target).
    """
    if table.empty:
        figure, axes = new_figure(1, 1, panel_aspect=0.12)
        axes[0, 0].axis("off")
        axes[0, 0].text(0.5, 0.5, f"not run in this profile (no value of {x})", ha="center", va="center")
        return finish(figure)
    figure, axes = new_figure(1, len(metrics), panel_aspect=0.85, extra_height=0.3)
    for axis, metric in zip(axes[0], metrics):
        for index, (name, part) in enumerate(table.groupby(hue, sort=False)):
            summary = part.groupby(x)[metric].agg(["mean", "min", "max"]).sort_index()
            colour = VARIANT_COLOURS.get(name, f"C{index}")
            axis.errorbar(
                summary.index,
                summary["mean"],
                yerr=[summary["mean"] - summary["min"], summary["max"] - summary["mean"]],
                fmt="o-",
                color=colour,
                capsize=3,
                label=str(readable(name)),
                ms=4,
            )
        if thresholds and metric in thresholds:
            axis.axhline(thresholds[metric], color="grey", ls="--", lw=1)
        axis.set(xlabel=x, title=metric, xscale="symlog" if logx else "linear")
        if logx:
            axis.set_xscale("symlog", linthresh=min(v for v in table[x].unique() if v > 0))
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
    figure.tight_layout(rect=(0, 0.3 / figure.get_figheight(), 1, 1))
    return finish(figure, tight=False)


def plot_objective_sweep(table: pd.DataFrame, metrics: tuple[str, ...]) -> Figure:
    """:func:`plot_metric_panels` of the objective sweep against the weight: one line per step map
    (the point without latent-prediction terms, weight 0 and map ``none``, starts every line)."""
    plain = table[table["latent map"] == "none"]
    lines = [
        pd.concat([plain.assign(**{"latent map": kind}), part])
        for kind, part in table[table["latent map"] != "none"].groupby("latent map", sort=False)
    ]
    data = pd.concat(lines) if lines else table
    return plot_metric_panels(
        data, "weight", metrics, hue="latent map", logx=True, thresholds={"reconstruction error": RECONSTRUCTION_TARGET}
    )


def plot_results_comparison(
    table: pd.DataFrame, shipped: pd.DataFrame | None = None, authors: pd.DataFrame | None = None
) -> Figure:
    """VPT per system and autoencoder: this book (``book`` profile), the shipped 64 px models of
    the book's networks and of the authors' networks (each the mean over their seeds, the number
    the verdicts use), the paper; the value is written on every bar ("–" where there is none).

    ``table`` has columns system, autoencoder, 'measured VPT (%)', 'paper VPT (%)'; ``shipped``
    and ``authors`` (optional) system, autoencoder, 'VPT (%)' (one row each, a mean over seeds).
    """
    figure, axes = new_figure(1, 1, panel_aspect=0.45, extra_height=0.4)
    axis = axes[0, 0]
    systems = list(dict.fromkeys(table["system"]))
    encoders = list(dict.fromkeys(table["autoencoder"]))

    def means(frame: pd.DataFrame):
        return lambda encoder, part: (
            frame[frame["autoencoder"] == encoder].set_index("system")["VPT (%)"].reindex(systems)
        )

    sources = [("book profile", lambda encoder, part: part["measured VPT (%)"], {})]
    if shipped is not None and len(shipped):
        sources.append(("64 px shipped, mean over seeds", means(shipped), {"alpha": 0.7, "hatch": ".."}))
    if authors is not None and len(authors):
        sources.append(("authors' networks, 64 px, mean over seeds", means(authors), {"alpha": 0.55, "hatch": "xx"}))
    sources.append(("paper", lambda encoder, part: part["paper VPT (%)"], {"alpha": 0.35, "hatch": "//"}))
    width = 0.8 / (len(sources) * len(encoders))
    for e_index, encoder in enumerate(encoders):
        part = table[table["autoencoder"] == encoder].set_index("system").reindex(systems)
        colour = VARIANT_COLOURS.get(encoder)
        for s_index, (name, value, style) in enumerate(sources):
            offset = (e_index * len(sources) + s_index - (len(sources) * len(encoders) - 1) / 2) * width
            heights = value(encoder, part)
            bars = axis.bar(
                np.arange(len(systems)) + offset,
                heights.fillna(0),
                width,
                color=colour,
                label=f"{encoder}, {name}",
                **style,
            )
            # the value on every bar, so that a measured 0 reads as 0 and a missing one as a dash
            texts = [f"{value:.0f}" if np.isfinite(value) else "–" for value in heights.to_numpy(dtype=float)]
            axis.bar_label(bars, labels=texts, fontsize=6.5, padding=1)
    axis.set_xticks(np.arange(len(systems)), [s.replace("_", " ") for s in systems])
    axis.set_ylabel("VPT, Neural ODE (%)")
    axis.set_ylim(0, 105)
    _legend_below(figure, *axis.get_legend_handles_labels(), ncol=2)
    return finish(figure, tight=False)


def plot_vpt_curves(curves: pd.DataFrame, threshold: float) -> Figure:
    """Mean VPT (%) of the Neural ODE against the relative-error threshold, one line per
    autoencoder (``curves``: columns autoencoder, threshold, 'VPT (%)'); the book's threshold dashed."""
    figure, axes = new_figure(1, 1, panel_aspect=0.42)
    axis = axes[0, 0]
    for encoder, part in curves.groupby("autoencoder", sort=False):
        axis.plot(part["threshold"], part["VPT (%)"], "o-", ms=3, label=encoder, color=VARIANT_COLOURS.get(encoder))
    axis.axvline(threshold, color="grey", ls="--", lw=1, label=f"threshold of the tables ({threshold:g})")
    axis.set_xlabel("relative-error threshold")
    axis.set_ylabel("VPT, Neural ODE (%)")
    axis.set_ylim(0, 105)
    axis.legend()
    return finish(figure)


def plot_losses(losses: dict[str, dict[str, np.ndarray]]) -> Figure:
    """Training losses of a system chapter: each autoencoder's loss per epoch (left) and each
    Neural ODE's loss per update (right, every update; the marker shows the best one, whose
    parameters are kept), both on a log scale. ``losses``: variant -> {"autoencoder": ...,
    "neural_ode": ...}."""
    figure, axes = new_figure(1, 2, panel_aspect=0.75)
    left, right = axes[0, 0], axes[0, 1]
    for variant, curves in losses.items():
        name = label(variant)
        colour = VARIANT_COLOURS.get(name)
        history = np.asarray(curves["autoencoder"], dtype=float)
        left.plot(np.arange(1, len(history) + 1), history, color=colour, label=name)
        if "neural_ode" in curves and len(curves["neural_ode"]):
            curve = np.asarray(curves["neural_ode"], dtype=float)
            right.plot(np.arange(1, len(curve) + 1), curve, color=colour, lw=0.6, alpha=0.8, label=name)
            best = int(np.argmin(curve))
            right.plot(best + 1, curve[best], "o", color=colour, ms=4)
    left.set(xlabel="epoch", ylabel="autoencoder loss", yscale="log", title="autoencoder stage")
    right.set(xlabel="update", ylabel="one-step loss", yscale="log", title="Neural ODE (best: dot)")
    left.legend()
    return finish(figure)


# ----------------------------------------------------------------------------- system chapters


def system_figures(result) -> dict[str, Figure]:
    """Every figure of a system chapter (a ``SystemResult``): ``frames``, ``latents``, ``strips``,
    ``vpt``, ``errors``, ``curves`` (VPT against the threshold) and ``losses`` (training curves)."""
    rows = {"truth": result.truth_strip}
    rows.update({f"{label(v)}\n+ Neural ODE": strip for v, strip in result.strips.items()})
    return {
        "frames": plot_image_rows({"": result.example_frames}, [f"frame {k}" for k in result.strip_frames]),
        "latents": plot_latent_trajectories(
            {label(v): z for v, z in result.latents.items()},
            {label(v): z for v, z in result.rollouts.items()},
            result.time_step,
        ),
        "strips": plot_image_rows(rows, [f"step {k}" for k in result.strip_frames]),
        "vpt": plot_vpt(result.vpt),
        "errors": plot_frame_errors(result.frame_errors, VARIANT_LABELS_BY_KEY, result.settings["vpt_threshold"]),
        **(
            {"curves": plot_vpt_curves(result.curves, result.settings["vpt_threshold"])}
            if result.curves is not None and len(result.curves)
            else {}
        ),
        **({"losses": plot_losses(result.losses)} if result.losses else {}),
    }


def circle_figures(result) -> dict[str, Figure]:
    """The circle chapter's figures (a ``CircleResult``): ``latents`` (every frame, rollout from the
    last training frame), ``rollouts`` (decoded test frames) and ``filters``."""
    latents, rollouts = {}, {}
    for variant, states in result.latents.items():
        padded = np.full_like(states, np.nan)
        padded[result.num_train - 1 :] = result.rollouts[variant]
        latents[label(variant)], rollouts[label(variant)] = states[None], padded[None]
    rows = {"truth": result.frames[result.strip_frames]}
    rows.update({f"{label(v)}\n+ Neural ODE": decoded for v, decoded in result.decoded.items()})
    return {
        "latents": plot_latent_trajectories(latents, rollouts, 1.0, split=result.num_train),
        "rollouts": plot_image_rows(rows, [f"frame {k}" for k in result.strip_frames]),
        "filters": plot_filters({label(v): f for v, f in result.filters.items()}),
    }


# the circle measures the seeds figure shows, and which way is better
CIRCLE_SEED_PANELS = {
    "reconstruction error": "lower is better",
    "smoothness ratio": "lower is smoother",
    "VPT (%)": "higher is better",
    "frames within threshold (%)": "higher is better",
}


def plot_circle_seeds(table: pd.DataFrame, threshold: float) -> Figure:
    """One panel per measure of :data:`CIRCLE_SEED_PANELS`: each seed's value (a dot, the seed
    number beside it) per autoencoder, the mean over seeds a bar. ``table``: rows (seed,
    autoencoder) as :class:`~latentdyn.cpae.experiments.circle_shipped.CircleSeeds` holds them."""
    figure, axes = new_figure(2, 2, panel_aspect=0.55)
    encoders = list(dict.fromkeys(table.index.get_level_values("autoencoder")))
    for axis, (measure, reading) in zip(axes.ravel(), CIRCLE_SEED_PANELS.items(), strict=True):
        for index, encoder in enumerate(encoders):
            values = table.xs(encoder, level="autoencoder")[measure].astype(float)
            colour = VARIANT_COLOURS.get(encoder)
            axis.bar(index, values.mean(), 0.6, color=colour, alpha=0.35)
            axis.plot(np.full(len(values), index), values.to_numpy(), "o", color=colour, ms=4)
            for order, (seed, value) in enumerate(values.items()):  # side by side: equal values stay legible
                axis.annotate(
                    str(seed), (index, value), xytext=(5 + 6 * order, 0), textcoords="offset points", fontsize=6.5
                )
        if measure == "reconstruction error":
            axis.axhline(threshold, color="grey", ls="--", lw=1)
        axis.set_xticks(range(len(encoders)), encoders)
        axis.set_title(f"{measure} ({reading})")
        axis.set_ylim(bottom=0)
    return finish(figure)


def strip_errors(result) -> pd.DataFrame:
    """RMS pixel error of each decoded strip frame against the truth (rows: autoencoder)."""
    return pd.DataFrame(
        {
            label(v): {
                f"step {k}": float(np.sqrt(np.mean((strip[i] - result.truth_strip[i]) ** 2)))
                for i, k in enumerate(result.strip_frames)
            }
            for v, strip in result.strips.items()
        }
    ).T


def latent_samples(result, coordinates: int = 4) -> pd.DataFrame:
    """Encoded latent coordinates of the first test trajectory at the strip frames (rows: autoencoder, z_i)."""
    rows = {}
    for variant, latents in result.latents.items():
        for index in range(min(coordinates, latents.shape[-1])):
            rows[(label(variant), f"z{index + 1}")] = {
                f"step {k}": float(latents[0, k, index]) for k in result.strip_frames
            }
    return pd.DataFrame(rows).T


AUTHORS_BATCH = 512  # the authors' batch size (their recipe)


def plot_learning_curves(
    curves: pd.DataFrame, target: float = RECONSTRUCTION_TARGET, authors_epochs: int = 3
) -> Figure:
    """Reconstruction error (left) and how well the latent states determine the true state
    (right, R²) after every epoch of each recorded run of the authors' networks
    (:func:`latentdyn.cpae.experiments.learning_curve.recorded_curves`); the target error and the authors'
    3-epoch budget dashed. Runs at the authors' batch of 512 are solid, others dashed, and runs with
    another weight lambda than the authors' 1 dotted with triangles; runs of seeds other than 0 (the
    shipped models' runs) are lighter and named by their seed. An epoch is the same number of
    training inputs at any batch size. The legend sits below both panels."""
    figure, axes = new_figure(1, 2, panel_aspect=0.75)
    if curves.empty:
        axes[0, 0].text(0.5, 0.5, "no run recorded yet", ha="center", va="center", transform=axes[0, 0].transAxes)
    for _run, part in curves.groupby("run", sort=False) if not curves.empty else ():
        variant = str(part["variant"].iloc[0])
        name = {"cpae": "CpAE", "standard": "standard AE"}.get(variant, variant.replace("_", " "))
        colour = VARIANT_COLOURS.get(name)
        name += f", λ = {float(part['prediction_weight'].iloc[0]):g}"
        batch = (
            int(part["batch_size"].iloc[0]) if "batch_size" in part and pd.notna(part["batch_size"].iloc[0]) else 512
        )
        style = "o-" if batch == AUTHORS_BATCH else "s--"
        if float(part["prediction_weight"].iloc[0]) != 1.0:
            style = "^:"  # another objective: its own marker and line, whatever the batch
        name += f", batch {batch}"
        seed = int(part["seed"].iloc[0]) if "seed" in part and pd.notna(part["seed"].iloc[0]) else 0
        # seed 0 carries the diagnostics; the other seeds (the shipped models' runs) are drawn lighter
        line = {"ms": 3, "color": colour} if seed == 0 else {"ms": 2, "color": colour, "alpha": 0.5, "lw": 1}
        if seed != 0:
            name += f", seed {seed}"
        axes[0, 0].plot(part["epoch"], part["reconstruction_error"], style, label=name, **line)
        axes[0, 1].plot(part["epoch"], part["state_r2"], style, label=name, **line)
    for axis in axes[0]:
        axis.axvline(authors_epochs, color="grey", ls=":", lw=1, label=f"the authors' {authors_epochs} epochs")
        axis.set_xlabel("epoch (960 training videos)")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0, 0].axhline(target, color="grey", ls="--", lw=1, label=f"target {target:g}")
    axes[0, 0].set_ylabel("reconstruction error")
    axes[0, 0].set_ylim(bottom=0)
    axes[0, 1].set_ylabel("R², latent state → true state")
    axes[0, 1].set_ylim(top=1.0)  # 1: the latent state determines the true state exactly
    _legend_below(figure, *axes[0, 0].get_legend_handles_labels())
    return finish(figure, tight=False)


def _legend_below(figure: Figure, handles: list, labels: list[str], ncol: int = 3) -> None:
    """One legend below every panel, ``ncol`` entries a row; the figure grows by the legend's
    height (0.2 in of margin plus 0.19 in a row at the small font) so that it never overlaps the
    panels' axis labels."""
    if not handles:
        figure.tight_layout()
        return
    rows = -(-len(labels) // ncol)
    reserved = 0.2 + 0.19 * rows  # inches
    figure.set_figheight(figure.get_figheight() + reserved)
    figure.legend(handles, labels, loc="lower center", ncol=ncol, frameon=False, fontsize="small")
    figure.tight_layout(rect=(0, reserved / figure.get_figheight(), 1, 1))


# the ablation variants' colours (the CpAE and the standard AE keep theirs)
ABLATION_COLOURS = {
    "cpae": "C0",
    "cpae_l2": "C1",
    "cpae_no_penalty": "C2",
    "cpae_small_filters": "C4",
    "standard": "C3",
}


def plot_filter_shape(curves: pd.DataFrame, variants: dict[str, str], *, prediction_weight: float = 1.0) -> Figure:
    """What training does to the penalised filters, per epoch and relative to epoch 1: their mean
    norm (left) and J of the unit-norm filters, their shape alone (right), one line per recorded run
    of ``variants`` (keys of :data:`ABLATION_COLOURS`, values their legend names) with objective
    weight ``prediction_weight`` (``curves``:
    :func:`latentdyn.cpae.experiments.learning_curve.recorded_curves`). Batch normalisation
    follows every penalised filter, so only the shape changes what the network computes."""
    figure, axes = new_figure(1, 2, panel_aspect=0.75)
    chosen = curves[curves["variant"].isin(list(variants)) & (curves["prediction_weight"] == prediction_weight)]
    if chosen.empty:
        axes[0, 0].text(0.5, 0.5, "no run recorded yet", ha="center", va="center", transform=axes[0, 0].transAxes)
    named = set()
    for _run, part in chosen.groupby("run", sort=False):
        part = part.sort_values("epoch")
        variant = str(part["variant"].iloc[0])
        name = variants[variant]
        style = {"color": ABLATION_COLOURS.get(variant), "ms": 3, "lw": 1}
        for axis, column in zip(axes[0], ("filter_norm", "normalised_continuity"), strict=True):
            axis.plot(
                part["epoch"],
                part[column] / float(part[column].iloc[0]),
                "o-",
                label=None if name in named else name,
                **style,
            )
        named.add(name)
    for axis, title in zip(axes[0], ("filter norm", "shape J (J of the unit-norm filters)"), strict=True):
        axis.axhline(1.0, color="grey", ls=":", lw=1)
        axis.set_title(title, fontsize="medium")
        axis.set_xlabel("epoch (960 training videos)")
        axis.set_ylabel("relative to epoch 1")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    _legend_below(figure, *axes[0, 0].get_legend_handles_labels())
    return finish(figure, tight=False)

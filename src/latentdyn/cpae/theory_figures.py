"""Figures of the continuity-theory chapter (style: :mod:`latentdyn.plotting.style`).

Every figure is :data:`~latentdyn.plotting.style.CONTENT_WIDTH` wide; two-panel figures share
one legend below the panels so that each panel keeps its full width.
"""

from __future__ import annotations

import numpy as np
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, NullLocator

from latentdyn.cpae.experiments.continuity_theory import (
    DeltaContinuityResult,
    RegularizerBenchmarkResult,
)
from latentdyn.plotting.style import CONTENT_WIDTH, finish, new_figure

KIND_LABELS = {"white_noise": "white-noise filter (not Lipschitz)", "smooth": "smooth filter (Lipschitz)"}
METHOD_LABELS = {"direct": "direct form", "separable": "separable form"}


def _no_ticks(axes: np.ndarray) -> None:
    for axis in np.ravel(axes):
        axis.set_xticks([])
        axis.set_yticks([])
        axis.grid(False)


def _legend_below(figure: Figure, axis, title: str | None = None, columns: int = 6) -> None:
    """One legend for the whole figure, centred below the panels (taken from ``axis``)."""
    handles, labels = axis.get_legend_handles_labels()
    for panel in figure.axes:
        if panel.get_legend() is not None:
            panel.get_legend().remove()
    figure.legend(
        handles,
        labels,
        title=title,
        loc="lower center",
        ncol=min(columns, len(labels)),
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )


def _pixel_size_ticks(axis, resolutions) -> None:
    """Ticks of a log pixel-size axis at ``1/N`` for each grid (no overlapping minor labels)."""
    axis.set_xticks([1.0 / n for n in resolutions], [f"1/{n}" for n in resolutions])
    axis.xaxis.set_minor_locator(NullLocator())


def _plain_log_labels(axis) -> None:
    """Label a log y axis with plain numbers (no 1.7×10¹ clutter when it spans less than a decade)."""
    axis.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    axis.yaxis.set_minor_formatter(FormatStrFormatter("%g"))
    axis.tick_params(axis="y", which="minor", labelsize=7)


def plot_frames_and_filters(result: DeltaContinuityResult) -> Figure:
    """Rows: the first frame, the white-noise filter, the smooth filter; one column per resolution."""
    resolutions = sorted(result.frames)
    kinds = result.settings["filter_kinds"]
    figure, axes = new_figure(
        1 + len(kinds),
        len(resolutions),
        width=min(CONTENT_WIDTH, 1.75 * len(resolutions)),
        panel_aspect=1.0,
        extra_height=0.2,
    )
    for column, resolution in enumerate(resolutions):
        axes[0, column].imshow(
            result.frames[resolution], cmap="gray", origin="lower", extent=(0, 1, 0, 1), interpolation="nearest"
        )
        side = result.filters[(kinds[0], resolution)].shape[0]
        axes[0, column].set_title(f"N = {resolution}\nfilters {side}×{side}")
        for row, kind in enumerate(kinds, start=1):
            values = result.filters[(kind, resolution)]
            limit = np.abs(values).max()
            axes[row, column].imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    _no_ticks(axes)
    axes[0, 0].set_ylabel("first frame")
    for row, kind in enumerate(kinds, start=1):
        axes[row, 0].set_ylabel(kind.replace("_", " ") + " filter")
    return finish(figure)


def plot_probe_traces(result: DeltaContinuityResult) -> Figure:
    """One latent coordinate over time, per resolution; one panel per filter kind."""
    kinds = result.settings["filter_kinds"]
    figure, axes = new_figure(1, len(kinds), panel_aspect=0.8, extra_height=0.55)
    for axis, kind in zip(axes[0], kinds):
        data = result.probe_traces[result.probe_traces["kind"] == kind]
        sns.lineplot(
            data=data,
            x="time",
            y="value",
            hue="resolution",
            palette="viridis",
            drawstyle="steps-post",
            ax=axis,
            linewidth=1.2,
            legend="full",
        )
        axis.set_title(KIND_LABELS[kind])
        axis.set_xlabel("time t")
        axis.set_ylabel("latent coordinate z(t) / RMS")
    _legend_below(figure, axes[0, 0], title="grid side N")
    figure.tight_layout(rect=(0, 0.1, 1, 1))
    return finish(figure, tight=False)


def plot_increments(result: DeltaContinuityResult) -> Figure:
    """Largest latent increment over the trajectory against dt (log-log), per resolution."""
    kinds = result.settings["filter_kinds"]
    data = result.increments
    figure, axes = new_figure(1, len(kinds), panel_aspect=0.85, extra_height=0.55, sharey=True)
    for axis, kind in zip(axes[0], kinds):
        subset = data[data["kind"] == kind]
        sns.lineplot(
            data=subset,
            x="interval",
            y="max_increment",
            hue="resolution",
            palette="viridis",
            marker="o",
            markersize=3.5,
            ax=axis,
            legend="full",
        )
        slope_one = np.array([data["interval"].min(), data["interval"].max()])
        axis.plot(slope_one, slope_one * 10.0, "k--", linewidth=1, label="slope 1 (c = 10)")
        for resolution in sorted(subset["resolution"].unique()):
            axis.axvline(1.0 / (resolution * result.settings["speed"]), color="grey", linewidth=0.6, linestyle=":")
        axis.set(xscale="log", yscale="log", xlabel="time step Δt", title=KIND_LABELS[kind])
    axes[0, 0].set_ylabel("max ‖z(t+Δt) − z(t)‖")
    _legend_below(figure, axes[0, 0], title="grid side N")
    figure.tight_layout(rect=(0, 0.1, 1, 1))
    return finish(figure, tight=False)


def plot_continuity_constants(result: DeltaContinuityResult) -> Figure:
    """The measured continuity constant c against the pixel size delta (log-log)."""
    figure, axes = new_figure(1, 1, panel_aspect=0.45)
    axis = axes[0, 0]
    summary = result.summary.assign(label=result.summary["kind"].map(KIND_LABELS))
    sns.lineplot(data=summary, x="pixel_size", y="continuity_constant", hue="label", marker="o", ax=axis)
    axis.set(xscale="log", yscale="log", xlabel="pixel size δ", ylabel="c = max ‖Δz‖ / Δt  (Δt ≥ δ / speed)")
    _pixel_size_ticks(axis, sorted(result.summary["resolution"].unique()))
    _plain_log_labels(axis)
    axis.legend(title=None)
    return finish(figure)


def plot_regularizer_benchmark(result: RegularizerBenchmarkResult) -> Figure:
    """Time of one forward+backward pass of J, and the largest tensor built, direct against separable."""
    figure, axes = new_figure(1, 2, panel_aspect=0.8, extra_height=0.35)
    table = result.table.assign(form=result.table["method"].map(METHOD_LABELS))
    for axis, column, label in (
        (axes[0, 0], "seconds", "seconds (forward + backward)"),
        (axes[0, 1], "largest_tensor_mb", "largest tensor (MB)"),
    ):
        sns.barplot(data=table, x="bank", y=column, hue="form", ax=axis)
        axis.set(yscale="log", ylabel=label, xlabel="filter bank (C_out×C_in×K×K)")
        axis.tick_params(axis="x", labelsize=7.5)
    _legend_below(figure, axes[0, 0], columns=2)
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    return finish(figure, tight=False)

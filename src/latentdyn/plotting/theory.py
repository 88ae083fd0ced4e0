"""Figures of the continuity-theory chapter (style: :mod:`latentdyn.plotting.style`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.figure import Figure

from latentdyn.experiments.continuity_theory import (
    DeltaContinuityResult,
    RegularizerBenchmarkResult,
)
from latentdyn.plotting.style import finish as _finish

KIND_LABELS = {"white_noise": "white-noise filter (not Lipschitz)",
               "smooth": "smooth filter (Lipschitz)"}


def plot_frames_and_filters(result: DeltaContinuityResult) -> Figure:
    """Rows: the first frame, the white-noise filter, the smooth filter; one column per resolution."""
    resolutions = sorted(result.frames)
    kinds = result.settings["filter_kinds"]
    figure, axes = plt.subplots(1 + len(kinds), len(resolutions),
                                figsize=(2.4 * len(resolutions), 2.4 * (1 + len(kinds))),
                                squeeze=False)
    for column, resolution in enumerate(resolutions):
        axes[0, column].imshow(result.frames[resolution], cmap="gray", origin="lower",
                               extent=(0, 1, 0, 1), interpolation="nearest")
        axes[0, column].set_title(f"N = {resolution} (δ = 1/{resolution})", fontsize=10)
        for row, kind in enumerate(kinds, start=1):
            values = result.filters[(kind, resolution)]
            limit = np.abs(values).max()
            axes[row, column].imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit,
                                     interpolation="nearest")
            axes[row, column].set_title(f"{kind.replace('_', ' ')}, {values.shape[0]}×{values.shape[1]}",
                                        fontsize=9)
    for axis in axes.flat:
        axis.set_xticks([])
        axis.set_yticks([])
        axis.grid(False)
    axes[0, 0].set_ylabel("first frame")
    return _finish(figure)


def plot_probe_traces(result: DeltaContinuityResult) -> Figure:
    """One latent coordinate over time, per resolution; one panel per filter kind."""
    kinds = result.settings["filter_kinds"]
    figure, axes = plt.subplots(1, len(kinds), figsize=(5.5 * len(kinds), 3.6), squeeze=False)
    for axis, kind in zip(axes[0], kinds):
        data = result.probe_traces[result.probe_traces["kind"] == kind]
        sns.lineplot(data=data, x="time", y="value", hue="resolution", palette="viridis",
                     drawstyle="steps-post", ax=axis, linewidth=1.2, legend="full")
        axis.set_title(KIND_LABELS[kind], fontsize=11)
        axis.set_xlabel("time t")
        axis.set_ylabel("latent coordinate z(t) / RMS")
        axis.legend(title="N", fontsize=8, title_fontsize=8, ncol=4, loc="upper center",
                    bbox_to_anchor=(0.5, -0.2))
    return _finish(figure)


def plot_increments(result: DeltaContinuityResult) -> Figure:
    """Largest latent increment over the trajectory against dt (log-log), per resolution."""
    kinds = result.settings["filter_kinds"]
    data = result.increments
    figure, axes = plt.subplots(1, len(kinds), figsize=(5.5 * len(kinds), 4.0), squeeze=False,
                                sharey=True)
    for axis, kind in zip(axes[0], kinds):
        subset = data[data["kind"] == kind]
        sns.lineplot(data=subset, x="interval", y="max_increment", hue="resolution",
                     palette="viridis", marker="o", markersize=4, ax=axis, legend="full")
        slope_one = np.array([data["interval"].min(), data["interval"].max()])
        axis.plot(slope_one, slope_one * 10.0, "k--", linewidth=1, label="slope 1 (c = 10)")
        for resolution in sorted(subset["resolution"].unique()):
            axis.axvline(1.0 / (resolution * result.settings["speed"]), color="grey",
                         linewidth=0.6, linestyle=":")
        axis.set(xscale="log", yscale="log", xlabel="time step Δt",
                 ylabel="max ‖z(t+Δt) − z(t)‖", title=KIND_LABELS[kind])
        axis.legend(fontsize=8, title="N", title_fontsize=8)
    return _finish(figure)


def plot_continuity_constants(result: DeltaContinuityResult) -> Figure:
    """The measured continuity constant c against the pixel size delta (log-log)."""
    figure, axis = plt.subplots(figsize=(5.0, 3.8))
    summary = result.summary.assign(label=result.summary["kind"].map(KIND_LABELS))
    sns.lineplot(data=summary, x="pixel_size", y="continuity_constant", hue="label",
                 marker="o", ax=axis)
    axis.set(xscale="log", yscale="log", xlabel="pixel size δ",
             ylabel="c = max ‖Δz‖ / Δt  (Δt ≥ δ / speed)")
    axis.legend(title=None, fontsize=8)
    return _finish(figure)


def plot_regularizer_benchmark(result: RegularizerBenchmarkResult) -> Figure:
    """Time of one forward+backward pass of J, direct against separable (log scale)."""
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    sns.barplot(data=result.table, x="bank", y="seconds", hue="method", ax=axes[0])
    axes[0].set(yscale="log", ylabel="seconds (forward + backward)", xlabel="filter bank")
    sns.barplot(data=result.table, x="bank", y="largest_tensor_mb", hue="method", ax=axes[1])
    axes[1].set(yscale="log", ylabel="largest tensor (MB)", xlabel="filter bank")
    for axis in axes:
        low, high = axis.get_ylim()
        axis.set_ylim(low, high * 30)  # room for the legend above the bars
        axis.legend(title=None, loc="upper left", ncol=2, fontsize=9)
    return _finish(figure)

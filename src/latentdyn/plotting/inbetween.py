"""Figures of the in-between imagery chapters (the seaborn theme comes from :mod:`latentdyn.plotting`).

Every function returns a closed ``matplotlib.figure.Figure``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from latentdyn.experiments.inbetween import METHOD_LABELS
from latentdyn.plotting.style import finish as _finish

SCENARIO_LABELS = {"crack_formation": "crack formation", "crack_closing": "crack closing",
                   "rotation": "rotation", "combined": "combined"}


def _image(axis, image, title: str | None = None, *, vmin=0.0, vmax=1.0, cmap="gray") -> None:
    axis.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    if title:
        axis.set_title(title, fontsize=9)
    axis.set_xticks([])
    axis.set_yticks([])
    axis.grid(False)


def draw_velocity(axis, velocity: np.ndarray, *, arrows: int = 16, color: str = "tab:orange",
                  scale: float | None = None) -> None:
    """Arrows of a ``(2, H, W)`` velocity (pixels per unit time, x then y) on an image axis."""
    height, width = velocity.shape[-2:]
    step = max(1, max(height, width) // arrows)
    rows = np.arange(step // 2, height, step)
    cols = np.arange(step // 2, width, step)
    grid_c, grid_r = np.meshgrid(cols, rows)
    u = velocity[0][np.ix_(rows, cols)]
    v = velocity[1][np.ix_(rows, cols)]
    # angles="xy" with an inverted y axis (images): +v points down, as in row coordinates
    axis.quiver(grid_c, grid_r, u, v, color=color, angles="xy", scale_units="xy",
                scale=scale or 1.0, width=0.007, headwidth=3.5, headlength=4)


def plot_scenarios(sequences: dict, *, arrows: int = 10) -> Figure:
    """One row per scenario: every frame, then the true velocity as arrows over the first frame."""
    names = list(sequences)
    columns = len(next(iter(sequences.values())).times) + 1
    figure, axes = plt.subplots(len(names), columns, figsize=(2.0 * columns, 2.1 * len(names)),
                                squeeze=False)
    for row, name in enumerate(names):
        sequence = sequences[name]
        for k, t in enumerate(sequence.times):
            _image(axes[row, k], sequence.frames[k], f"t = {t:.2f}")
        _image(axes[row, -1], sequence.frames[0], "true velocity")
        draw_velocity(axes[row, -1], sequence.velocity[sequence.middle], arrows=arrows, scale=0.5)
        axes[row, 0].set_ylabel(SCENARIO_LABELS.get(name, name), fontsize=10)
    return _finish(figure)


def plot_real_imagery(real: dict[str, np.ndarray]) -> Figure:
    """The real Sentinel-1 pair and the floe-breakup sequence."""
    panels = [(f"Sentinel-1 HH, acquisition {k + 1}", frame) for k, frame in enumerate(real["sentinel1"])]
    panels += [(f"floe break-up, frame {k}", frame) for k, frame in enumerate(real["floe_breakup"])]
    figure, axes = plt.subplots(1, len(panels), figsize=(2.3 * len(panels), 2.6), squeeze=False)
    for axis, (title, image) in zip(axes[0], panels):
        _image(axis, image, title)
    return _finish(figure)


def plot_training(history: pd.DataFrame) -> Figure:
    """Each loss term against the iteration (log scale)."""
    terms = [c for c in ("total", "dynamics", "autoencoding", "magnitude", "smoothness")
             if c in history and (history[c] > 0).any()]
    long = history.melt(id_vars="iteration", value_vars=terms, var_name="term", value_name="value")
    figure, axis = plt.subplots(figsize=(6.5, 3.6))
    sns.lineplot(data=long, x="iteration", y="value", hue="term", ax=axis, linewidth=1.2)
    axis.set(yscale="log", xlabel="iteration", ylabel="loss term (unweighted)")
    axis.legend(title=None, fontsize=8, ncol=3)
    return _finish(figure)


def plot_method_steps(sequence, latent: dict[str, np.ndarray], *, arrows: int = 10) -> Figure:
    """First row: observed pair, reconstructions, learned and true velocity. Second row: the
    latent fields at t = 0, 0.5, 1 (one channel each) and the in-between frame with its truth."""
    figure, axes = plt.subplots(2, 4, figsize=(10.5, 5.6))
    middle = sequence.middle
    _image(axes[0, 0], sequence.frames[0], "I₀ (observed)")
    _image(axes[0, 1], sequence.frames[-1], "I₁ (observed)")
    _image(axes[0, 2], sequence.frames[0], "learned velocity")
    draw_velocity(axes[0, 2], latent["velocity"], arrows=arrows, scale=0.5)
    _image(axes[0, 3], sequence.frames[0], "true velocity")
    draw_velocity(axes[0, 3], sequence.velocity[middle], arrows=arrows, color="tab:green", scale=0.5)
    latents = latent["latents"]
    channel = 1 if latents.shape[1] > 1 else 0
    low, high = (float(np.percentile(latents[:, channel], q)) for q in (1, 99))
    for k, label in enumerate(("z(0)", "z(0.5)")):
        _image(axes[1, k], latents[k, channel], f"latent channel {channel}, {label}",
               vmin=low, vmax=high, cmap="viridis")
    position = int(np.argmin(np.abs(np.linspace(0, 1, len(sequence.times))[1:-1] - 0.5)))
    _image(axes[1, 2], latent["frames"][position], "latent advection, t = 0.5")
    _image(axes[1, 3], sequence.frames[middle], "truth, t = 0.5")
    return _finish(figure)


def plot_latent_channels(latent: dict[str, np.ndarray]) -> Figure:
    """Every latent channel (rows) at each latent time (columns)."""
    latents = latent["latents"]
    times, channels = latents.shape[:2]
    figure, axes = plt.subplots(channels, times, figsize=(2.3 * times, 2.3 * channels), squeeze=False)
    for c in range(channels):
        values = latents[:, c]
        low, high = float(np.percentile(values, 1)), float(np.percentile(values, 99))
        for k in range(times):
            _image(axes[c, k], values[k], f"channel {c}, t = {k / max(times - 1, 1):.1f}",
                   vmin=low, vmax=high, cmap="viridis")
    return _finish(figure)


def plot_method_comparison(sequence, outputs: dict[str, dict[str, np.ndarray]], *,
                           methods: tuple[str, ...] | None = None, arrows: int = 10,
                           title: str | None = None) -> Figure:
    """Rows: truth then each method; columns: the in-between frames, then the velocity."""
    methods = tuple(methods or outputs)
    inner = list(range(1, len(sequence.times) - 1))
    figure, axes = plt.subplots(1 + len(methods), len(inner) + 1,
                                figsize=(2.0 * (len(inner) + 1), 2.0 * (1 + len(methods))), squeeze=False)
    for k, index in enumerate(inner):
        _image(axes[0, k], sequence.frames[index], f"truth, t = {sequence.times[index]:.2f}")
    _image(axes[0, -1], sequence.frames[0], "true velocity")
    draw_velocity(axes[0, -1], sequence.velocity[sequence.middle], arrows=arrows, color="tab:green",
                  scale=0.5)
    for row, method in enumerate(methods, start=1):
        result = outputs[method]
        for k in range(len(inner)):
            _image(axes[row, k], result["frames"][k])
        axes[row, 0].set_ylabel(METHOD_LABELS[method].replace(" ", "\n", 1), fontsize=8)
        _image(axes[row, -1], sequence.frames[0])
        if "velocity" in result:
            draw_velocity(axes[row, -1], result["velocity"], arrows=arrows, scale=0.5)
        else:
            axes[row, -1].set_title("no velocity", fontsize=8)
    if title:
        figure.suptitle(title, fontsize=11)
    return _finish(figure)


def plot_scores(summary: pd.DataFrame, group: str = "scenario") -> Figure:
    """Middle-frame PSNR and SSIM per method, grouped by scenario (or case)."""
    data = summary.assign(label=summary["method"].map(METHOD_LABELS))
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.4))
    for axis, metric, name in ((axes[0], "psnr_mid", "PSNR at t = 0.5 (dB)"),
                               (axes[1], "ssim_mid", "SSIM at t = 0.5")):
        sns.barplot(data=data, x=group, y=metric, hue="label", ax=axis)
        axis.set(xlabel="", ylabel=name)
        axis.legend(title=None, fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.1))
    return _finish(figure)


def plot_real_pair(pair: np.ndarray, outputs: dict[str, dict[str, np.ndarray]], *,
                   methods: tuple[str, ...] | None = None, time_index: int = 1,
                   arrows: int = 20, crop: tuple[slice, slice] | None = None) -> Figure:
    """The pair, every method's frame at ``times[time_index]`` and, for the learned
    methods, the velocity over the first image; optionally cropped."""
    methods = tuple(methods or outputs)
    crop = crop or (slice(None), slice(None))
    panels = [("first image", pair[0][crop], None), ("second image", pair[1][crop], None)]
    for method in methods:
        velocity = outputs[method].get("velocity")
        panels.append((METHOD_LABELS[method], outputs[method]["frames"][time_index][crop],
                       None if velocity is None else velocity[(slice(None), *crop)]))
    columns = 4
    rows = int(np.ceil(len(panels) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(3.0 * columns, 3.1 * rows), squeeze=False)
    for axis, (title, image, velocity) in zip(axes.flat, panels):
        _image(axis, image, title)
        if velocity is not None:
            draw_velocity(axis, velocity, arrows=arrows, scale=0.5)
    for axis in axes.flat[len(panels):]:
        axis.set_visible(False)
    return _finish(figure)


def plot_message(text: str) -> Figure:
    """A small figure that only says ``text`` (stands in for a figure whose data is missing)."""
    figure, axis = plt.subplots(figsize=(7, 0.8))
    axis.axis("off")
    axis.text(0.5, 0.5, text, ha="center", va="center", fontsize=9, wrap=True)
    return _finish(figure)

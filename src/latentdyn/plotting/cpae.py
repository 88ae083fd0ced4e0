"""Figures of the CpAE chapters (same conventions as :mod:`latentdyn.plotting`: closed figures)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from latentdyn.experiments.cpae import VARIANT_LABELS as VARIANT_LABELS_BY_KEY
from latentdyn.plotting.style import finish as _finish

VARIANT_COLOURS = {"standard AE": "C3", "AE + L2": "C1", "CpAE": "C0", "joint AE + NODE": "C4"}


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
    """One row of images per entry: ``label -> (K, C, H, W)``; optional column titles."""
    labels = list(rows)
    count = max(len(v) for v in rows.values())
    figure, axes = plt.subplots(len(labels), count, figsize=(1.3 * count, 1.4 * len(labels)), squeeze=False)
    for row, label in enumerate(labels):
        for column in range(count):
            axis = axes[row, column]
            if column < len(rows[label]):
                axis.imshow(_image(rows[label][column]), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            else:
                axis.axis("off")
            if columns is not None and row == 0:
                axis.set_title(columns[column], fontsize=8)
        axes[row, 0].set_ylabel(label, fontsize=8, rotation=0, ha="right", va="center")
    _no_ticks(axes)
    figure.subplots_adjust(wspace=0.05, hspace=0.05)
    return _finish(figure)


def plot_latent_trajectories(latents: dict[str, np.ndarray], rollouts: dict[str, np.ndarray],
                             time_step: float, max_coordinates: int = 4, trajectory: int = 0,
                             split: int | None = None) -> Figure:
    """One panel per autoencoder: latent coordinates over time (solid: encoded frames; dashed:
    the Neural ODE rollout from the first state). ``latents[v]``: ``(n, T, d)``."""
    names = list(latents)
    figure, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.2), squeeze=False)
    for axis, name in zip(axes[0], names):
        encoded = latents[name][trajectory]
        times = np.arange(len(encoded)) * time_step
        for index in range(min(max_coordinates, encoded.shape[1])):
            line, = axis.plot(times, encoded[:, index], lw=1.4, label=f"z{index + 1}")
            if name in rollouts:
                rolled = rollouts[name][trajectory]
                axis.plot(np.arange(len(rolled)) * time_step, rolled[:, index], ls="--", lw=1.2,
                          color=line.get_color())
        if split is not None:
            axis.axvline(split * time_step, color="grey", lw=0.8, ls=":")
        axis.set_title(f"{name}: encoded (—), Neural ODE (--)", fontsize=9)
        axis.set_xlabel("time (s)" if time_step != 1 else "frame")
    axes[0, 0].set_ylabel("latent coordinate")
    axes[0, -1].legend(fontsize=7, loc="upper right")
    return _finish(figure)


def plot_vpt(vpt: pd.DataFrame) -> Figure:
    """Grouped bars of mean VPT (%) with the standard deviation over test trajectories."""
    table = vpt.reset_index()
    figure, axis = plt.subplots(figsize=(6.4, 3.2))
    models = list(dict.fromkeys(table["latent model"]))
    encoders = list(dict.fromkeys(table["autoencoder"]))
    width = 0.8 / len(encoders)
    for index, encoder in enumerate(encoders):
        part = table[table["autoencoder"] == encoder].set_index("latent model").loc[models]
        positions = np.arange(len(models)) + (index - (len(encoders) - 1) / 2) * width
        axis.bar(positions, part["VPT mean (%)"], width, yerr=part["VPT std (%)"], capsize=3,
                 label=encoder, color=VARIANT_COLOURS.get(encoder))
    axis.set_xticks(np.arange(len(models)), models)
    axis.set_ylabel("VPT (% of the test horizon)")
    axis.set_ylim(0, 105)
    axis.legend(fontsize=8)
    return _finish(figure)


def plot_frame_errors(frame_errors: dict[tuple[str, str], np.ndarray], labels: dict[str, str],
                      threshold: float, model: str = "neural_ode") -> Figure:
    """Mean relative frame error of the decoded rollout against the prediction step, per autoencoder."""
    figure, axis = plt.subplots(figsize=(6.0, 3.2))
    for (variant, kind), errors in frame_errors.items():
        if kind != model:
            continue
        label = labels.get(variant, variant)
        axis.plot(np.arange(1, errors.shape[1] + 1), np.median(errors, axis=0), label=label,
                  color=VARIANT_COLOURS.get(label))
    axis.axhline(threshold, color="grey", ls="--", lw=1, label=f"VPT threshold {threshold}")
    axis.set_xlabel("prediction step (frames)")
    axis.set_ylabel("relative frame error (median)")
    axis.set_yscale("log")
    axis.legend(fontsize=8)
    return _finish(figure)


def plot_filters(filters: dict[str, np.ndarray], count: int = 6) -> Figure:
    """The first ``count`` first-layer filters (channel 0) of each autoencoder, one row each."""
    names = list(filters)
    figure, axes = plt.subplots(len(names), count, figsize=(1.2 * count, 1.3 * len(names)), squeeze=False)
    for row, name in enumerate(names):
        bank = filters[name]
        for column in range(count):
            values = bank[column % bank.shape[0], 0]
            limit = np.abs(values).max() or 1.0
            axes[row, column].imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        axes[row, 0].set_ylabel(name, fontsize=8, rotation=0, ha="right", va="center")
    _no_ticks(axes)
    return _finish(figure)


def plot_sweep(table: pd.DataFrame, x: str, y_left: str, y_right: str, logx: bool = True) -> Figure:
    """Two quantities of a one-parameter sweep against the parameter (left and right axes)."""
    figure, left = plt.subplots(figsize=(6.0, 3.2))
    left.plot(table[x], table[y_left], "o-", color="C0", label=y_left)
    left.set_xlabel(x)
    left.set_ylabel(y_left, color="C0")
    right = left.twinx()
    right.plot(table[x], table[y_right], "s--", color="C3", label=y_right)
    right.set_ylabel(y_right, color="C3")
    right.grid(False)
    if logx:
        left.set_xscale("log")
    return _finish(figure)


def plot_results_comparison(table: pd.DataFrame) -> Figure:
    """Measured vs paper VPT per system and autoencoder (``table`` has columns system, autoencoder,
    'measured VPT (%)', 'paper VPT (%)')."""
    figure, axis = plt.subplots(figsize=(7.0, 3.4))
    systems = list(dict.fromkeys(table["system"]))
    encoders = list(dict.fromkeys(table["autoencoder"]))
    width = 0.8 / (2 * len(encoders))
    for index, encoder in enumerate(encoders):
        part = table[table["autoencoder"] == encoder].set_index("system").reindex(systems)
        base = np.arange(len(systems)) + (2 * index - len(encoders) + 0.5) * width
        colour = VARIANT_COLOURS.get(encoder)
        axis.bar(base, part["measured VPT (%)"], width, color=colour, label=f"{encoder} (this book)")
        axis.bar(base + width, part["paper VPT (%)"], width, color=colour, alpha=0.35, hatch="//",
                 label=f"{encoder} (paper)")
    axis.set_xticks(np.arange(len(systems)), [s.replace("_", " ") for s in systems], fontsize=8)
    axis.set_ylabel("VPT (%)")
    axis.set_ylim(0, 105)
    axis.legend(fontsize=7, ncol=2)
    return _finish(figure)


# labels and the numbers behind the system chapters' figures -----------------------------------


def label(variant: str) -> str:
    """Display name of an autoencoder variant key (``"cpae"`` -> ``"CpAE"``)."""
    return VARIANT_LABELS_BY_KEY.get(variant, variant)


def strip_errors(result) -> pd.DataFrame:
    """RMS pixel error of each decoded strip frame against the truth (rows: autoencoder)."""
    return pd.DataFrame({label(v): {f"step {k}": float(np.sqrt(np.mean((strip[i] - result.truth_strip[i]) ** 2)))
                                    for i, k in enumerate(result.strip_frames)}
                         for v, strip in result.strips.items()}).T


def latent_samples(result, coordinates: int = 4) -> pd.DataFrame:
    """Encoded latent coordinates of the first test trajectory at the strip frames (rows: autoencoder, z_i)."""
    rows = {}
    for variant, latents in result.latents.items():
        for index in range(min(coordinates, latents.shape[-1])):
            rows[(label(variant), f"z{index + 1}")] = {f"step {k}": float(latents[0, k, index])
                                                       for k in result.strip_frames}
    return pd.DataFrame(rows).T

"""One figure style for the whole book: sizes from the page's content column, dpi, fonts.

The book's theme shows a chapter in a content column about 700 CSS pixels wide. Every
figure is drawn :data:`CONTENT_WIDTH` inches wide at :data:`DPI` dots per inch (so about
1000 pixels, shown scaled down to the column: sharp on high-density screens, and fonts of
8-10 pt stay legible after the scaling). Multi-panel figures keep that width and wrap their
panels into rows of at most :data:`MAX_COLUMNS`.

Use :func:`new_figure` to create a figure and :func:`finish` to return it from a plotting
function (laid out, closed in pyplot so that a notebook shows it only where a chapter
displays or glues it). A figure that needs more room (many panels in a row) is drawn
``new_figure(..., width=FULL_WIDTH)`` and glued with ``:figclass: full-width``, which spans
the content column and the margin on wide screens (and is the column on narrow ones).
"""

from __future__ import annotations

import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from latentdyn.validation import check_positive_float, check_positive_int

CONTENT_WIDTH = 7.0  # inches: the content column of the book's theme at full size
FULL_WIDTH = 9.5  # inches: a figure shown with `:figclass: full-width` (content column + margin)
DPI = 150  # dots per inch of every saved or displayed figure (the build checks >= 150)
MAX_COLUMNS = 5  # panels per row before a multi-panel figure wraps into another row
FONT_SIZES = {
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "figure.titlesize": 10,
}


def apply_style() -> None:
    """Set the seaborn theme, fonts and dpi once for every figure of the book."""
    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette="colorblind",
        rc={
            **FONT_SIZES,
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "figure.figsize": (CONTENT_WIDTH, 0.45 * CONTENT_WIDTH),
        },
    )


def grid_shape(panels: int, max_columns: int = MAX_COLUMNS) -> tuple[int, int]:
    """``(rows, columns)`` that hold ``panels`` panels with at most ``max_columns`` per row."""
    panels = check_positive_int("panels", panels)
    columns = min(panels, check_positive_int("max_columns", max_columns))
    return math.ceil(panels / columns), columns


def new_figure(
    rows: int = 1,
    columns: int = 1,
    *,
    width: float = CONTENT_WIDTH,
    panel_aspect: float = 0.75,
    extra_height: float = 0.0,
    **subplot_keywords,
) -> tuple[Figure, np.ndarray]:
    """A figure ``width`` inches wide with a ``rows x columns`` grid of axes (always a 2-D array).

    Args:
        rows, columns: the grid.
        width: figure width in inches (default: the content column).
        panel_aspect: height / width of one panel.
        extra_height: inches added for titles or legends outside the panels.
        subplot_keywords: passed to ``plt.subplots`` (``sharex``, ``gridspec_kw`` ...).
    """
    rows, columns = check_positive_int("rows", rows), check_positive_int("columns", columns)
    width = check_positive_float("width", width)
    height = rows * (width / columns) * check_positive_float("panel_aspect", panel_aspect) + extra_height
    figure, axes = plt.subplots(rows, columns, figsize=(width, height), dpi=DPI, squeeze=False, **subplot_keywords)
    return figure, axes


class FigureDataWarning(UserWarning):
    """A figure shows no information: its bars are all zero, or its curves have no finite value.
    ``tools/build_report.py`` fails a page whose executed notebook carries one."""


def data_problem(figure: Figure) -> str | None:
    """Why ``figure`` shows no data, or ``None``: a panel whose bars are all zero or missing, or
    whose curves (and bars) hold no finite value at all. Reference lines drawn with
    ``axhline``/``axvline`` count as curves; a panel without bars or curves (an image, a text) is
    never a problem."""
    for number, axis in enumerate(figure.get_axes(), start=1):
        if not axis.get_visible() or not axis.axison:
            continue
        title = axis.get_title() or f"panel {number}"
        bars = [
            patch.get_height()
            for container in axis.containers
            if isinstance(container, BarContainer)
            for patch in container.patches
        ]
        if bars:
            heights = np.asarray(bars, dtype=float)
            if not np.any(np.isfinite(heights) & (heights != 0)):
                return f"{title}: every bar is zero or missing; say it in a sentence instead"
        curves = [np.asarray(line.get_ydata(), dtype=float) for line in axis.get_lines() if len(line.get_ydata())]
        if curves and not bars and not any(np.any(np.isfinite(values)) for values in curves):
            return f"{title}: no curve has a finite value"
    return None


def finish(figure: Figure, *, tight: bool = True) -> Figure:
    """Lay the figure out and detach it from pyplot (a closed figure still renders and saves).

    Warns with a :class:`FigureDataWarning` when the figure shows no data (:func:`data_problem`)."""
    problem = data_problem(figure)
    if problem:
        warnings.warn(problem, FigureDataWarning, stacklevel=2)
    if tight:
        figure.tight_layout()
    plt.close(figure)
    return figure


def hide_unused(axes: np.ndarray, used: int) -> None:
    """Switch off the axes after the first ``used`` ones of a wrapped grid."""
    for axis in np.ravel(axes)[used:]:
        axis.axis("off")


apply_style()

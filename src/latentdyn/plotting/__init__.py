"""Figures of the book, one module per part; the style (:mod:`.style`) is applied on import.

- :mod:`latentdyn.plotting.style`: figure size from the content column, dpi, fonts, layout.
- :mod:`latentdyn.plotting.theory`: the continuity-theory chapter.
- :mod:`latentdyn.plotting.cpae`: the CpAE chapters.
- :mod:`latentdyn.plotting.inbetween`: the in-between imagery chapters.

Every plotting function returns the ``matplotlib.figure.Figure`` it drew, already closed in
pyplot, so a chapter shows it exactly where it displays or glues it and a test can inspect
it; none calls ``plt.show()`` or changes the backend.
"""

from latentdyn.plotting import style
from latentdyn.plotting.style import finish, new_figure

__all__ = ["finish", "new_figure", "style"]

"""The figure style both papers share (:mod:`.style`, applied on import).

- :mod:`latentdyn.plotting.style`: figure size from the content column, dpi, fonts, layout.

The figures themselves live with their paper: :mod:`latentdyn.cpae.figures`,
:mod:`latentdyn.cpae.theory_figures`, :mod:`latentdyn.inbetween.figures`, and the landing page's
:mod:`latentdyn.headline`. Every plotting function returns the ``matplotlib.figure.Figure`` it
drew, already closed in pyplot, so a chapter shows it exactly where it displays or glues it and
a test can inspect it; none calls ``plt.show()`` or changes the backend.
"""

from latentdyn.plotting import style
from latentdyn.plotting.style import finish, new_figure

__all__ = ["finish", "new_figure", "style"]

"""latentdyn: learning dynamics from images, the library behind the companion book.

The book's chapters (``book/*.md``) import this package; it never imports them. Each paper's
path is one folder, :mod:`latentdyn.cpae` and :mod:`latentdyn.inbetween`, over shared ground
(cache, runtime, validation, statistics, verdicts, checks, reporting, plotting style, image
reading); neither imports the other. Every experiment has one entry function in :mod:`latentdyn.experiments`, whose
keyword defaults are chosen by a *profile* (``"smoke"``, ``"book"`` or ``"paper"``,
see :mod:`latentdyn.profiles`).
"""

from latentdyn.runtime import resolve_device, seed_everything

__all__ = ["resolve_device", "seed_everything", "__version__"]
__version__ = "0.1.0"

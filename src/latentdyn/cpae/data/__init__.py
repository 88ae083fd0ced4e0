"""Seeded data generators (rendered frames with their ground-truth states) and loaders."""

from latentdyn.cpae.data.rendering import disc_centres_on_line, render_discs

__all__ = ["disc_centres_on_line", "render_discs"]

"""Advection applied directly to the image (the paper's "direct PDE application").

The same advection solver, field-extraction U-Net, patches and loss as latent advection,
without encoder and decoder: :class:`~latentdyn.models.latent_advection.LatentAdvectionModel`
with ``image_space=True``. This module only names that choice.
"""

from __future__ import annotations

from latentdyn.models.latent_advection import LatentAdvectionModel


def image_advection_model(**options) -> LatentAdvectionModel:
    """A :class:`LatentAdvectionModel` that advects the image itself (``image_space=True``)."""
    options.pop("latent_channels", None)
    return LatentAdvectionModel(1, image_space=True, **options)

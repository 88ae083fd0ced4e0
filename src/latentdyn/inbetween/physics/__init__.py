"""PDE operators for (latent) fields: advection, advection–diffusion, the continuity equation.

:func:`evolve` is the one entry the models use: it carries a field for a time along a
stationary velocity with the chosen :data:`PDES` member.
"""

from __future__ import annotations

import torch

from latentdyn.inbetween.physics.advection import advect
from latentdyn.inbetween.physics.continuity import transport_mass
from latentdyn.inbetween.physics.diffusion import advect_diffuse
from latentdyn.validation import check_choice

PDES = ("advection", "advection_diffusion", "continuity")
PDE_EQUATIONS = {
    "advection": "∂u/∂t + v·∇u = 0",
    "advection_diffusion": "∂u/∂t + v·∇u = κΔu",
    "continuity": "∂u/∂t + ∇·(u v) = 0",
}


def evolve(
    field: torch.Tensor,
    velocity: torch.Tensor,
    time: float,
    *,
    pde: str = "advection",
    scheme: str = "characteristics",
    courant: float = 1.0,
    diffusivity=0.0,
) -> torch.Tensor:
    """``field`` ``(B, C, H, W)`` carried for ``time`` along ``velocity`` by ``pde``.

    Args:
        pde: one of :data:`PDES`.
        scheme: the advection scheme (advection and advection–diffusion).
        courant: largest displacement per sub-step, pixels (the continuity equation's finite
            volumes need at most one cell per sub-step: larger values are capped at 1).
        diffusivity: pixels squared per unit time, a number or one per channel
            (advection–diffusion only).
    """
    check_choice("pde", pde, PDES)
    if pde == "advection":
        return advect(field, velocity, time, scheme=scheme, courant=courant)
    if pde == "advection_diffusion":
        return advect_diffuse(field, velocity, time, diffusivity, scheme=scheme, courant=courant)
    return transport_mass(field, velocity, time, courant=min(courant, 1.0))

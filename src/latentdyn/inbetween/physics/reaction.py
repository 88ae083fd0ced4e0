"""Advection with a source term (advection–reaction), the operator that lets a field change in place.

Solves ``du/dt + v . grad u = s`` for a stationary velocity ``v(x)`` and a source ``s`` that
is carried with the flow (``ds/dt + v . grad s = 0``: the change belongs to the material, as
a floe that brightens while it drifts). Along a characteristic ``X(t)`` the solution is
``u(X(t), t) = u_0(X(0)) + t s(X(0))``, so

``u(., t) = A_t(u_0 + t s)``

where ``A_t`` is pure advection (:func:`latentdyn.inbetween.physics.advection.advect`) for a time ``t``:
exact for any scheme that is exact for advection. Two limits are exact by construction and
tested: with ``v = 0`` the field fades linearly, ``u_0 + t s``; with ``s = 0`` it is pure
transport. The paper (arXiv 2310.09495, section 5) leaves "other physical operators beyond
advection" open; this is the smallest one that can represent appearance.

:func:`minimal_source` gives the source that joins two observed states exactly: with
``u(., 1) = u_1``, ``s = A_{-1}(u_1) - u_0`` (the part of ``u_1`` that transport of ``u_0``
does not explain, pulled back to time 0). The state at ``t`` is then
``A_t((1 - t) u_0 + t A_{-1} u_1)``: motion-compensated blending.

Shapes: ``field`` and ``source`` ``(B, C, H, W)``; ``velocity`` ``(B, 2, H, W)`` or
``(2, H, W)`` in pixels per unit time (x then y); times in units of the interval.
"""

from __future__ import annotations

import torch

from latentdyn.inbetween.physics.advection import advect, check_field_and_velocity, trace_characteristics
from latentdyn.validation import check_tensor


def advect_react(
    field: torch.Tensor,
    velocity: torch.Tensor,
    source: torch.Tensor,
    time: float = 1.0,
    *,
    scheme: str = "characteristics",
    courant: float = 1.0,
) -> torch.Tensor:
    """``field`` carried for ``time`` along ``velocity`` while gaining ``source`` per unit time.

    Args:
        field: ``(B, C, H, W)`` state at time 0.
        velocity: ``(B, 2, H, W)`` or ``(2, H, W)``, pixels per unit time.
        source: ``(B, C, H, W)`` change per unit time, in the frame of time 0 (carried with
            the flow).
        time: how long (negative = backwards).
        scheme, courant: as for :func:`~latentdyn.inbetween.physics.advection.advect`.
    """
    check_field_and_velocity(field, velocity)
    check_tensor("source", source, shape=tuple(field.shape))
    return advect(field + float(time) * source, velocity, time, scheme=scheme, courant=courant)


def minimal_source(
    field0: torch.Tensor,
    field1: torch.Tensor,
    velocity: torch.Tensor,
    *,
    scheme: str = "characteristics",
    courant: float = 1.0,
) -> torch.Tensor:
    """``(B, C, H, W)`` source ``A_{-1}(field1) - field0`` that joins ``field0`` at ``t = 0``
    to ``field1`` at ``t = 1`` along ``velocity`` (exactly for an invertible transport)."""
    check_field_and_velocity(field0, velocity)
    check_tensor("field1", field1, shape=tuple(field0.shape))
    return advect(field1, velocity, -1.0, scheme=scheme, courant=courant) - field0


def react_between(
    field0: torch.Tensor,
    field1: torch.Tensor,
    velocity: torch.Tensor,
    time: float,
    *,
    scheme: str = "characteristics",
    courant: float = 1.0,
    visibility: bool = True,
) -> torch.Tensor:
    """State at ``time`` in [0, 1] of advection–reaction with the minimal source joining
    ``field0`` (t = 0) and ``field1`` (t = 1): ``(1 - t) A_t(field0) + t A_{t-1}(field1)``.

    With ``visibility`` (characteristics scheme), a pixel whose characteristic leaves the grid
    in one direction (content that enters or leaves the view, where the boundary value would be
    a guess) takes the other direction only: weights ``(1 - t) m_0`` and ``t m_1`` with ``m``
    the indicator that the departure point lies on the grid, renormalised (the visibility
    masks of occlusion-aware frame interpolation). Without motion both are 1 and the state is
    the linear cross-fade exactly.
    """
    velocity = check_field_and_velocity(field0, velocity)
    check_tensor("field1", field1, shape=tuple(field0.shape))
    time = float(time)
    forward = advect(field0, velocity, time, scheme=scheme, courant=courant)
    if time == 0.0:
        return forward
    backward = advect(field1, velocity, time - 1.0, scheme=scheme, courant=courant)
    if not visibility or scheme != "characteristics" or time == 1.0:
        return (1.0 - time) * forward + time * backward
    height, width = field0.shape[-2:]
    steady = velocity.detach().to(field0.dtype).expand(field0.shape[0], -1, -1, -1)

    def on_grid(points: torch.Tensor) -> torch.Tensor:
        x, y = points[:, :1], points[:, 1:]
        return ((x >= -1e-6) & (x <= width - 1 + 1e-6) & (y >= -1e-6) & (y <= height - 1 + 1e-6)).to(field0.dtype)

    weight0 = (1.0 - time) * on_grid(trace_characteristics(steady, -time, courant=courant))
    weight1 = time * on_grid(trace_characteristics(-steady, -(1.0 - time), courant=courant))
    total = weight0 + weight1
    neither = total == 0
    weight0 = torch.where(neither, torch.full_like(weight0, 1.0 - time), weight0)
    weight1 = torch.where(neither, torch.full_like(weight1, time), weight1)
    return (weight0 * forward + weight1 * backward) / (weight0 + weight1)

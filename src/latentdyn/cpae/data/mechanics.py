r"""Planar rigid-body mechanics for the CpAE data: one engine, every pendulum is a description.

A system is a set of rigid bars whose centres ``c_b(q)`` (m) and angles ``phi_b(q)`` (rad)
are functions of generalized coordinates ``q``; springs add ``V_s(q)``; gravity ``g`` acts
downwards (``-y``). With ``J_b = dc_b/dq`` and ``g_b = dphi_b/dq`` the equations of motion
(d'Alembert in generalized coordinates) are

.. math::

    M(q)\,\ddot q = -\sum_b \big(m_b J_b^\top \kappa_b + I_b g_b \kappa^\phi_b + m_b g J_b^\top e_y\big)
                    - \nabla V_s(q) - \gamma M(q) \dot q,

with ``M = sum_b m_b J_b^T J_b + I_b g_b g_b^T`` and ``kappa = qdot^T (d^2 c / dq^2) qdot``
(the velocity-dependent part of the acceleration). The pose functions are written once
with ``sympy`` functions; ``M``, the forces, the energy and the drawn segments are
differentiated symbolically when the system is built and compiled to vectorised NumPy
(``sympy.lambdify``), so a step costs a few array operations. ``gamma`` (1/s) is a damping rate:
for one coordinate it adds ``-gamma * qdot`` to ``qddot``.

Integration is classical RK4 with ``substeps`` steps per output interval, in float64.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy

from latentdyn.validation import check_positive_float, check_positive_int

GRAVITY = 9.81


@dataclass(frozen=True)
class Bar:
    """A rigid bar drawn as a rectangle; ``length`` and ``width`` in metres, ``colour`` RGB in [0, 1]."""

    length: float
    width: float
    mass: float
    colour: tuple[float, float, float]
    rotational_inertia: float | None = None  # about the centre; None = uniform rod m l^2 / 12

    @property
    def inertia(self) -> float:
        if self.rotational_inertia is not None:
            return self.rotational_inertia
        return self.mass * self.length**2 / 12.0


class MechanicalSystem:
    """A planar mechanism, built from a symbolic pose.

    Args:
        name: short identifier.
        bars: the bodies (drawn in this order).
        pose: ``q (list of n sympy symbols) -> (centres, angles, segments)``: per bar, the centre
            of mass ``(x, y)`` (m) and angle (rad, from the downward vertical, counter-clockwise)
            used by the dynamics, and the start and end points ``((x0, y0), (x1, y1))`` of the
            drawn bar (m).
        num_coordinates: ``n``.
        spring_energy: ``q -> V`` (J, a sympy expression) or ``None``.
        damping: rate ``gamma`` in 1/s.
        extent: half-width of the square field of view (m), centred on the pivot.
    """

    def __init__(
        self,
        name: str,
        bars: tuple[Bar, ...],
        pose: Callable,
        num_coordinates: int,
        *,
        spring_energy: Callable | None = None,
        damping: float = 0.0,
        extent: float = 0.55,
    ):
        self.name, self.bars, self.num_coordinates = name, tuple(bars), num_coordinates
        self.damping = check_positive_float("damping", damping, allow_zero=True)
        self.extent = check_positive_float("extent", extent)
        q = sympy.symbols(f"q0:{num_coordinates}", real=True)
        v = sympy.symbols(f"v0:{num_coordinates}", real=True)
        centres, angles, segments = pose(list(q))
        pose_vector = sympy.Matrix([c for centre in centres for c in centre] + list(angles))
        weights = sympy.diag(*[w for bar in bars for w in (bar.mass, bar.mass)], *[bar.inertia for bar in bars])
        jacobian = pose_vector.jacobian(q)
        velocity = sympy.Matrix(v)
        kappa = (jacobian * velocity).jacobian(q) * velocity
        mass_matrix = jacobian.T * weights * jacobian
        potential = GRAVITY * sum(bar.mass * centre[1] for bar, centre in zip(bars, centres))
        if spring_energy is not None:
            potential = potential + spring_energy(list(q))
        force = -jacobian.T * weights * kappa - sympy.Matrix([potential]).jacobian(q).T
        kinetic = (velocity.T * mass_matrix * velocity)[0] / 2
        flat_segments = [c for segment in segments for point in segment for c in point]
        self._mass_matrix = sympy.lambdify([q, v], list(mass_matrix), "numpy", cse=True)
        self._force = sympy.lambdify([q, v], list(force), "numpy", cse=True)
        self._energy = sympy.lambdify([q, v], [kinetic + potential], "numpy", cse=True)
        self._segments = sympy.lambdify([q], flat_segments, "numpy", cse=True)

    @staticmethod
    def _evaluate(function: Callable, *columns: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """Evaluate a lambdified matrix expression on ``(N,)`` columns -> ``(N, *shape)``."""
        size = columns[0][0].shape[0]
        entries = function(*columns)
        return np.stack([np.broadcast_to(np.asarray(e, dtype=np.float64), (size,)) for e in entries], axis=-1).reshape(
            size, *shape
        )

    def acceleration(self, q: np.ndarray, qdot: np.ndarray) -> np.ndarray:
        """``qddot`` (rad/s^2 or m/s^2) for ``q, qdot (N, n)`` -> ``(N, n)``."""
        n = self.num_coordinates
        args = (list(q.T), list(qdot.T))
        mass_matrix = self._evaluate(self._mass_matrix, *args, shape=(n, n))
        force = self._evaluate(self._force, *args, shape=(n,))
        force = force - self.damping * np.einsum("Nnm,Nm->Nn", mass_matrix, qdot)
        return np.linalg.solve(mass_matrix, force[..., None])[..., 0]

    def energy(self, q: np.ndarray, qdot: np.ndarray) -> np.ndarray:
        """Total mechanical energy (J) for ``q, qdot (N, n)`` -> ``(N,)``."""
        return self._evaluate(self._energy, list(q.T), list(qdot.T), shape=())

    def segments(self, states: np.ndarray) -> np.ndarray:
        """Drawn bars' start and end points ``(..., B, 2, 2)`` (m) for ``states (..., 2n)``."""
        states = np.asarray(states, dtype=np.float64)
        q = states[..., : self.num_coordinates].reshape(-1, self.num_coordinates)
        flat = self._evaluate(self._segments, list(q.T), shape=(len(self.bars), 2, 2))
        return flat.reshape(*states.shape[:-1], len(self.bars), 2, 2)

    def simulate(
        self, q0: np.ndarray, qdot0: np.ndarray, time_step: float, num_steps: int, substeps: int = 8
    ) -> np.ndarray:
        """Integrate from ``(q0, qdot0)``, both ``(N, n)``; return states ``(N, num_steps, 2n)``.

        ``states[:, k] = (q, qdot)`` at time ``k * time_step`` (s), classical RK4 with
        ``substeps`` steps per interval, float64.
        """
        time_step = check_positive_float("time_step", time_step)
        num_steps = check_positive_int("num_steps", num_steps)
        substeps = check_positive_int("substeps", substeps)
        q = np.array(q0, dtype=np.float64)
        v = np.array(qdot0, dtype=np.float64)
        if q.ndim != 2 or q.shape[1] != self.num_coordinates or v.shape != q.shape:
            raise ValueError(f"q0 and qdot0 must both be (N, {self.num_coordinates}), got {q.shape} and {v.shape}")
        h = time_step / substeps
        states = [np.concatenate([q, v], axis=1)]
        for _ in range(num_steps - 1):
            for _ in range(substeps):
                q, v = self._rk4_step(q, v, h)
            states.append(np.concatenate([q, v], axis=1))
        return np.stack(states, axis=1)

    def _rk4_step(self, q: np.ndarray, v: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
        a1 = self.acceleration(q, v)
        q2, v2 = q + 0.5 * h * v, v + 0.5 * h * a1
        a2 = self.acceleration(q2, v2)
        q3, v3 = q + 0.5 * h * v2, v + 0.5 * h * a2
        a3 = self.acceleration(q3, v3)
        q4, v4 = q + h * v3, v + h * a3
        a4 = self.acceleration(q4, v4)
        return q + h / 6 * (v + 2 * v2 + 2 * v3 + v4), v + h / 6 * (a1 + 2 * a2 + 2 * a3 + a4)


def _direction(angle):
    """Unit vector ``(sin a, -cos a)`` along a bar hanging at ``angle`` from the downward vertical."""
    return sympy.Matrix([sympy.sin(angle), -sympy.cos(angle)])


ORIGIN = sympy.Matrix([0, 0])


def damped_pendulum(length: float = 0.5, damping: float = 0.2) -> MechanicalSystem:
    """Uniform rod on a pivot: ``theta'' = -(3 g / 2 l) sin(theta) - damping * theta'`` (the paper's)."""
    bar = Bar(length=length, width=0.08 * length / 0.5, mass=1.0, colour=(0.12, 0.30, 0.85))

    def pose(q):
        tip = length * _direction(q[0])
        return [tip / 2], [q[0]], [(ORIGIN, tip)]

    return MechanicalSystem("damped_pendulum", (bar,), pose, 1, damping=damping, extent=1.1 * length)


def elastic_double_pendulum(
    rest_length: float = 0.205,
    length: float = 0.179,
    width: float = 0.038,
    mass: float = 0.110,
    stiffness: float = 40.0,
) -> MechanicalSystem:
    """Spring arm (rest length ``rest_length``, extension ``z``) with a mass at its end, then a rod.

    Coordinates ``q = (theta_1, z, theta_2)``; no damping. The first bar's mass sits at its tip
    (a point mass ``mass``), the second is a uniform rod of ``length`` and ``mass``.
    """
    arm = Bar(length=rest_length, width=width, mass=mass, colour=(63 / 255, 66 / 255, 85 / 255), rotational_inertia=0.0)
    rod = Bar(length=length, width=width, mass=mass, colour=(17 / 255, 93 / 255, 234 / 255))

    def pose(q):
        tip = (rest_length + q[1]) * _direction(q[0])
        rod = length * _direction(q[2])
        # the arm's mass is a point at its tip, so its "centre of mass" is the tip
        return [tip, tip + rod / 2], [q[0], q[2]], [(ORIGIN, tip), (tip, tip + rod)]

    def spring(q):
        return stiffness * q[1] ** 2 / 2

    return MechanicalSystem(
        "elastic_double_pendulum",
        (arm, rod),
        pose,
        3,
        spring_energy=spring,
        extent=1.15 * (rest_length + length + 0.06),
    )


def rigid_double_pendulum(
    lengths: tuple[float, float] = (0.22, 0.18),
    masses: tuple[float, float] = (0.2, 0.1),
    width: float = 0.05,
    damping: float = 0.1,
) -> MechanicalSystem:
    """Two uniform rods in a chain, lightly damped (a stand-in for the paper's real video)."""
    bars = (
        Bar(lengths[0], width, masses[0], (0.80, 0.25, 0.15)),
        Bar(lengths[1], width, masses[1], (0.95, 0.75, 0.10)),
    )

    def pose(q):
        elbow = lengths[0] * _direction(q[0])
        end = elbow + lengths[1] * _direction(q[1])
        return [elbow / 2, (elbow + end) / 2], q, [(ORIGIN, elbow), (elbow, end)]

    return MechanicalSystem("rigid_double_pendulum", bars, pose, 2, damping=damping, extent=1.1 * sum(lengths))


def swing_stick(
    string_length: float = 0.15,
    stick_length: float = 0.3,
    width: float = 0.05,
    mass: float = 0.15,
    damping: float = 0.05,
) -> MechanicalSystem:
    """A uniform stick hung from a pivot by a (massless, inextensible) string, swinging and rotating."""
    string = Bar(string_length, 0.4 * width, 0.0, (0.25, 0.25, 0.25), rotational_inertia=0.0)
    stick = Bar(stick_length, width, mass, (0.55, 0.35, 0.15))

    def pose(q):
        knot = string_length * _direction(q[0])
        end = knot + stick_length * _direction(q[1])
        return [knot / 2, (knot + end) / 2], q, [(ORIGIN, knot), (knot, end)]

    return MechanicalSystem(
        "swing_stick", (string, stick), pose, 2, damping=damping, extent=1.1 * (string_length + stick_length)
    )


def small_angle_solution(theta0: float, omega0: float, times: np.ndarray, length: float, damping: float) -> np.ndarray:
    """Exact solution of the linearised damped rod pendulum ``theta'' = -w^2 theta - gamma theta'``."""
    w0 = math.sqrt(1.5 * GRAVITY / length)
    half = 0.5 * damping
    wd = math.sqrt(w0**2 - half**2)
    decay = np.exp(-half * times)
    return decay * (theta0 * np.cos(wd * times) + (omega0 + half * theta0) / wd * np.sin(wd * times))

"""One function per kind of comparison the book states, each returning an outcome from a short
fixed set with the numbers it used. Pages and tables read these; none re-derives a verdict, and
sentences around them are written by people in the chapters.

Outcomes of a claim ("A is better than B"), judged from paired differences per seed
(:class:`latentdyn.statistics.Estimate`, ``A - B`` on the same test items):

- ``reproduced``: on every seed the interval lies on the claimed side of zero;
- ``reversed``: on every seed it lies on the other side;
- ``not reproduced``: on no seed does it lie on the claimed side (ties, or reversals on some seeds);
- ``not settled``: on some seeds but not all;
- ``not testable``: a precondition of the measure failed (say, the decoders cannot draw the
  system, so a VPT against true frames is 0 for both); the caller says why.

A goal ("event depth at least 0.8") is ``met`` or ``missed`` (:func:`goal`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from latentdyn.statistics import Estimate
from latentdyn.validation import check_choice

REPRODUCED, NOT_REPRODUCED, REVERSED, NOT_SETTLED, NOT_TESTABLE = (
    "reproduced",
    "not reproduced",
    "reversed",
    "not settled",
    "not testable",
)
OUTCOMES = (REPRODUCED, NOT_REPRODUCED, REVERSED, NOT_SETTLED, NOT_TESTABLE)
MET, MISSED = "met", "missed"
HIGHER, LOWER = "higher", "lower"


@dataclass(frozen=True)
class Verdict:
    """An outcome and the numbers behind it.

    Attributes:
        outcome: one of :data:`OUTCOMES` (or ``met`` / ``missed`` for a goal).
        supporting, opposing, undecided: seeds whose interval lies on the claimed side, on the
            other side, or contains zero.
        numbers: what the decision used (means and interval ends per seed, a goal's value and target).
        why: for ``not testable``, the precondition that failed (a short phrase, never a conclusion).
    """

    outcome: str
    supporting: int = 0
    opposing: int = 0
    undecided: int = 0
    numbers: dict[str, float] = field(default_factory=dict)
    why: str = ""


def claim(per_seed: Sequence[Estimate], better: str = HIGHER, *, testable: bool = True, why: str = "") -> Verdict:
    """The verdict on "A is better than B" from ``per_seed`` paired differences ``A - B``.

    Args:
        per_seed: one :class:`Estimate` of ``A - B`` per seed (at least one).
        better: ``"higher"`` when a larger score is better (VPT), ``"lower"`` when a smaller one is
            (an error).
        testable: ``False`` when a precondition failed (then ``why`` says which).
    """
    check_choice("better", better, (HIGHER, LOWER))
    if not per_seed:
        raise ValueError("per_seed must hold at least one paired difference")
    sign = 1.0 if better == HIGHER else -1.0
    supporting = sum(1 for e in per_seed if e.excludes_zero() and sign * e.mean > 0)
    opposing = sum(1 for e in per_seed if e.excludes_zero() and sign * e.mean < 0)
    undecided = len(per_seed) - supporting - opposing
    numbers = {}
    for index, estimate in enumerate(per_seed):
        numbers.update({f"mean_{index}": estimate.mean, f"low_{index}": estimate.low, f"high_{index}": estimate.high})
    counts = dict(supporting=supporting, opposing=opposing, undecided=undecided, numbers=numbers)
    if not testable:
        if not why:
            raise ValueError("an untestable claim needs why: the precondition that failed")
        return Verdict(NOT_TESTABLE, why=why, **counts)
    if supporting == len(per_seed):
        return Verdict(REPRODUCED, **counts)
    if opposing == len(per_seed):
        return Verdict(REVERSED, **counts)
    if supporting == 0:
        return Verdict(NOT_REPRODUCED, **counts)
    return Verdict(NOT_SETTLED, **counts)


def goal(value: float, target: float, better: str = HIGHER) -> Verdict:
    """``met`` when ``value`` reaches ``target`` (at least it for ``better="higher"``, at most it
    for ``"lower"``), else ``missed``."""
    check_choice("better", better, (HIGHER, LOWER))
    reached = value >= target if better == HIGHER else value <= target
    return Verdict(MET if reached else MISSED, numbers={"value": float(value), "target": float(target)})

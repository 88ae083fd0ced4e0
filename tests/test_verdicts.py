"""Verdict functions: outcomes on constructed inputs (never wording)."""

import pytest

from latentdyn import verdicts
from latentdyn.statistics import Estimate


def _estimate(low, high):
    return Estimate((low + high) / 2, (high - low) / 4, low, high, 120, 0.95)


AHEAD, TIE, BEHIND = _estimate(1.0, 3.0), _estimate(-1.0, 2.0), _estimate(-3.0, -0.5)


@pytest.mark.parametrize(
    "seeds, better, outcome",
    [
        ([AHEAD, AHEAD, AHEAD], "higher", "reproduced"),
        ([BEHIND, BEHIND, BEHIND], "higher", "reversed"),
        ([TIE, TIE, TIE], "higher", "not reproduced"),
        ([BEHIND, TIE, BEHIND], "higher", "not reproduced"),
        ([AHEAD, TIE, AHEAD], "higher", "not settled"),
        ([AHEAD, BEHIND, AHEAD], "higher", "not settled"),
        ([BEHIND, BEHIND, BEHIND], "lower", "reproduced"),  # an error: lower is better
        ([AHEAD, AHEAD, AHEAD], "lower", "reversed"),
    ],
)
def test_claim_outcomes(seeds, better, outcome):
    verdict = verdicts.claim(seeds, better)
    assert verdict.outcome == outcome
    assert verdict.supporting + verdict.opposing + verdict.undecided == len(seeds)
    assert verdict.numbers["low_0"] == seeds[0].low


def test_untestable_claims_say_why():
    verdict = verdicts.claim([AHEAD], testable=False, why="ceilings of 0 %")
    assert verdict.outcome == "not testable" and verdict.why == "ceilings of 0 %"
    with pytest.raises(ValueError, match="why"):
        verdicts.claim([AHEAD], testable=False)
    with pytest.raises(ValueError, match="at least one"):
        verdicts.claim([])
    with pytest.raises(ValueError, match="better"):
        verdicts.claim([AHEAD], better="bigger")


def test_goals():
    assert verdicts.goal(0.82, 0.8).outcome == "met"
    assert verdicts.goal(0.59, 0.8).outcome == "missed"
    assert verdicts.goal(0.25, 0.3, "lower").outcome == "met"
    assert verdicts.goal(0.6, 0.3, "lower").numbers == {"value": 0.6, "target": 0.3}

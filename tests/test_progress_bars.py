"""Progress bars: widgets only in an interactive session, plain text or nothing in builds."""

import pytest

from latentdyn.runtime import progress, progress_mode


@pytest.mark.parametrize(
    "value, mode",
    [
        ("auto", "auto"),
        ("", "auto"),
        ("1", "auto"),
        ("widget", "widget"),
        ("text", "text"),
        ("none", "none"),
        ("0", "none"),
        ("off", "none"),
        (" Text ", "text"),
    ],
)
def test_progress_mode_from_environment(monkeypatch, value, mode):
    monkeypatch.setenv("LATENTDYN_PROGRESS", value)
    assert progress_mode() == mode


def test_progress_mode_default_is_auto(monkeypatch):
    monkeypatch.delenv("LATENTDYN_PROGRESS", raising=False)
    assert progress_mode() == "auto"


def test_unknown_progress_mode_is_refused(monkeypatch):
    monkeypatch.setenv("LATENTDYN_PROGRESS", "fancy")
    with pytest.raises(ValueError, match="LATENTDYN_PROGRESS must be one of"):
        progress_mode()


def test_none_mode_prints_nothing(monkeypatch, capsys):
    monkeypatch.setenv("LATENTDYN_PROGRESS", "none")
    assert list(progress(range(5), "counting")) == [0, 1, 2, 3, 4]
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_text_mode_writes_a_plain_bar_to_stderr(monkeypatch, capsys):
    monkeypatch.setenv("LATENTDYN_PROGRESS", "text")
    assert list(progress(range(3), "counting", total=3)) == [0, 1, 2]
    captured = capsys.readouterr()
    assert "counting" in captured.err and captured.out == ""


def test_disabled_bar_ignores_the_mode(monkeypatch, capsys):
    monkeypatch.setenv("LATENTDYN_PROGRESS", "text")
    assert list(progress(range(2), "counting", enabled=False)) == [0, 1]
    assert capsys.readouterr().err == ""

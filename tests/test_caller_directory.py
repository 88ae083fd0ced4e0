"""make rerun passes the user's directory to the chapter, where relative paths resolve against it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import chapter_parameters
from latentdyn.image_files import caller_directory, resolve_user_path


def test_rerun_passes_the_callers_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("LATENTDYN_CALLER_CWD", raising=False)
    monkeypatch.setenv("PWD", str(tmp_path))
    seen = {}

    def fake_call(command):
        seen["cwd"] = os.environ.get("LATENTDYN_CALLER_CWD")
        seen["command"] = command
        return 0

    monkeypatch.setattr(chapter_parameters.subprocess, "call", fake_call)
    monkeypatch.setattr(chapter_parameters, "RUNS", tmp_path / "runs")
    assert (
        chapter_parameters.run(
            "inbetween_real", ["-p", "image_pair_paths", "a.png b.png", "-p", "patch_size", "32", "-p", "max_side", "0"]
        )
        == 0
    )
    assert seen["cwd"] == str(tmp_path.resolve())
    assert seen["command"][seen["command"].index("--cwd") + 1].endswith("book")


def test_relative_paths_resolve_against_the_caller(tmp_path, monkeypatch):
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "a.png")
    monkeypatch.setenv("LATENTDYN_CALLER_CWD", str(tmp_path))
    monkeypatch.chdir(Path(__file__).parent)
    assert caller_directory() == tmp_path
    assert resolve_user_path("image_pair_paths[0]", "a.png") == tmp_path / "a.png"
    with pytest.raises(FileNotFoundError, match="directory the command was run from"):
        resolve_user_path("image_pair_paths[0]", "b.png")

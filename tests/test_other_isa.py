"""tools/other_isa.py: each reference notebook is re-executed with CPU kernels other than those
that recorded it (the machine's own where they differ, else one step down)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import other_isa


def _notebook(folder: Path, name: str, capability: str | None) -> Path:
    notebook = nbformat.v4.new_notebook()
    if capability is not None:
        notebook.metadata["latentdyn"] = {"recorded_cpu_capability": capability}
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


def test_plan_keeps_own_kernels_for_other_recordings_and_steps_down_for_this_machines(tmp_path, monkeypatch):
    for name in other_isa.KERNEL_VARIABLES + ("NBVAL_ISA",):
        monkeypatch.delenv(name, raising=False)
    here = torch.backends.cpu.get_cpu_capability()
    elsewhere = "AVX2" if here.startswith("AVX512") else "AVX512"
    mine = _notebook(tmp_path, "a", here)
    theirs = _notebook(tmp_path, "b", elsewhere)
    plan = other_isa.plan(tmp_path)
    assert plan[""] == [theirs]  # already other kernels: run at full speed
    down = other_isa.step_down(here)
    assert plan[" ".join(f"{k}={v}" for k, v in down.items())] == [mine]
    assert down["ONEDNN_MAX_CPU_ISA"] == ("AVX2" if here.startswith("AVX512") else "AVX")
    monkeypatch.setenv("NBVAL_ISA", "native")
    assert other_isa.plan(tmp_path) == {"": [mine, theirs]}
    monkeypatch.setenv("NBVAL_ISA", "sse")
    with pytest.raises(SystemExit, match="NBVAL_ISA must be one of"):
        other_isa.plan(tmp_path)


def test_a_reference_without_its_capability_or_a_limited_recording_is_refused(tmp_path, monkeypatch):
    for name in other_isa.KERNEL_VARIABLES + ("NBVAL_ISA",):
        monkeypatch.delenv(name, raising=False)
    _notebook(tmp_path, "old", None)
    with pytest.raises(SystemExit, match="re-record it with make reference CHAPTERS=old"):
        other_isa.plan(tmp_path)
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    with pytest.raises(SystemExit, match="ONEDNN_MAX_CPU_ISA set"):
        other_isa.machine_capability()


def test_committed_references_say_which_kernels_recorded_them():
    folder = Path(__file__).resolve().parent / "notebooks"
    for path in sorted(folder.glob("*.ipynb")):
        assert other_isa.recorded_capability(path) in ("AVX512", "AVX2", "DEFAULT"), path.name

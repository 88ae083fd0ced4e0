"""Choose, for each reference notebook, CPU kernels other than those it was recorded with.

    python tools/other_isa.py plan tests/notebooks   # one line per group: SETTINGS|NOTEBOOKS
    python tools/other_isa.py                         # the settings alone (NBVAL_ISA, or one step down)

References are recorded with the recording machine's own kernels (``make reference``), and
``tools/notebooks.py record`` writes that machine's ATen CPU capability into each notebook's
metadata (``metadata.latentdyn.recorded_cpu_capability``: ``AVX512``, ``AVX2`` or ``DEFAULT``).
nbval re-executes a notebook with other kernels than its reference's, so a checked number that
depends on the floating-point kernels fails here, as it would on a reader's machine:

- recorded with another capability than this machine's best (say AVX-512 references on an
  AVX2 machine): this machine's own kernels already differ, and run at full speed;
- recorded with this machine's capability: one step down, limiting oneDNN, MKL and ATen to
  AVX2 on an AVX-512 machine, oneDNN and MKL to AVX (no FMA) on an AVX2 one.

``NBVAL_ISA=native`` (or an explicit ISA such as ``AVX2``) overrides the choice for every notebook.
A notebook without the metadata is refused (re-record it with ``make reference``).
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

import nbformat
import torch

from toc import in_book_order

ISA_SETTINGS = {
    "AVX2": {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    # oneDNN (convolutions) and MKL (matrix products) without FMA; ATen's element-wise kernels stay
    # at AVX2: its "default" kernels are unvectorised and make a chapter about three times slower
    "AVX": {"ONEDNN_MAX_CPU_ISA": "AVX", "MKL_ENABLE_INSTRUCTIONS": "AVX"},
}
# the environment variables that change torch's CPU kernels (make reference refuses them)
KERNEL_VARIABLES = ("ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "MKL_CBWR")


def machine_capability() -> str:
    """ATen's CPU capability here: ``AVX512``, ``AVX2`` or ``DEFAULT`` (refused while one of
    :data:`KERNEL_VARIABLES` is set, since the answer would then not be the machine's)."""
    limited = [name for name in KERNEL_VARIABLES if os.environ.get(name)]
    if limited:
        raise SystemExit(f"{', '.join(limited)} set: unset it to read this machine's own CPU capability")
    return torch.backends.cpu.get_cpu_capability()


def step_down(capability: str) -> dict[str, str]:
    """Settings one step below ``capability`` (AVX-512 -> AVX2, anything else -> AVX)."""
    return ISA_SETTINGS["AVX2"] if capability.startswith("AVX512") else ISA_SETTINGS["AVX"]


def override() -> dict[str, str] | None:
    """``NBVAL_ISA``'s settings (``{}`` for native), or ``None`` when it is not set."""
    choice = os.environ.get("NBVAL_ISA", "").strip().upper()
    if not choice:
        return None
    if choice == "NATIVE":
        return {}
    if choice not in ISA_SETTINGS:
        raise SystemExit(f"NBVAL_ISA must be one of native, {', '.join(ISA_SETTINGS)}; got {choice!r}")
    return ISA_SETTINGS[choice]


def recorded_capability(notebook: Path) -> str:
    """The CPU capability ``notebook`` was recorded with (its ``latentdyn`` metadata)."""
    metadata = nbformat.read(notebook, as_version=4).metadata.get("latentdyn", {})
    if "recorded_cpu_capability" not in metadata:
        raise SystemExit(
            f"{notebook} does not say which CPU kernels recorded it: re-record it with "
            f"make reference CHAPTERS={notebook.stem}"
        )
    return str(metadata["recorded_cpu_capability"])


def other_isa(recorded: str | None = None) -> dict[str, str]:
    """Settings for re-executing a notebook recorded with capability ``recorded`` (``None``: one
    recorded on this machine): NBVAL_ISA if set, else native where ``recorded`` differs from this
    machine's capability, else one step down."""
    chosen = override()
    if chosen is not None:
        return chosen
    best = machine_capability()
    return {} if recorded is not None and recorded != best else step_down(best)


def plan(folder: Path) -> dict[str, list[Path]]:
    """Group the notebooks of ``folder`` by the settings that re-execute them (a string
    ``NAME=VALUE ...``, empty for the machine's own kernels); each group in book order (``_toc.yml``),
    so that a chapter finds the models an earlier chapter of its group trained, as in a build."""
    notebooks = in_book_order(sorted(folder.glob("*.ipynb")))
    if not notebooks:
        raise SystemExit(f"no notebooks in {folder}")
    groups: dict[str, list[Path]] = defaultdict(list)
    for notebook in notebooks:
        settings = other_isa(recorded_capability(notebook))
        groups[" ".join(f"{key}={value}" for key, value in settings.items())].append(notebook)
    return dict(groups)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["plan"] and len(arguments) == 2:
        for settings, notebooks in plan(Path(arguments[1])).items():
            print(settings + "|" + " ".join(str(path) for path in notebooks))
    elif not arguments:
        print(" ".join(f"{key}={value}" for key, value in other_isa().items()))
    else:
        sys.exit(__doc__)

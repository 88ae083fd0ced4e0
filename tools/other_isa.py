"""Print environment settings that make torch use other CPU kernels than this machine's best.

    env $(python tools/other_isa.py) pytest --nbval-lax tests/notebooks

References are recorded with the machine's own kernels (make reference); nbval re-executes the
chapters with these settings, so a checked number that depends on the floating-point kernels
fails here, as it would on a reader's machine. On a CPU with AVX-512 the kernels are limited to
AVX2; on one with AVX2 at most, to AVX (ATen's "default" kernels, oneDNN and MKL at AVX).
``NBVAL_ISA=native`` (or an explicit ISA such as ``AVX2``) overrides the choice.
"""

from __future__ import annotations

import os

import torch

ISA_SETTINGS = {
    "AVX2": {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "AVX": {"ONEDNN_MAX_CPU_ISA": "AVX", "ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "AVX"},
}


def other_isa() -> dict[str, str]:
    choice = os.environ.get("NBVAL_ISA", "").strip().upper()
    if choice == "NATIVE":
        return {}
    if choice:
        if choice not in ISA_SETTINGS:
            raise SystemExit(f"NBVAL_ISA must be one of native, {', '.join(ISA_SETTINGS)}; got {choice!r}")
        return ISA_SETTINGS[choice]
    best = torch.backends.cpu.get_cpu_capability()  # e.g. "AVX512", "AVX2", "DEFAULT"
    return ISA_SETTINGS["AVX2"] if best.startswith("AVX512") else ISA_SETTINGS["AVX"]


if __name__ == "__main__":
    print(" ".join(f"{key}={value}" for key, value in other_isa().items()))

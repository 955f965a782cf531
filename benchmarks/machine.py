"""What a benchmark document says about the machine it ran on: CPU, memory, cores, load and package versions.

Timings depend on the load, and answers of the engine on the CPU too (BLAS picks its kernels per CPU, so sums
round differently and ties fall the other way: ``benchmarks/README.md``), so every document records them.
"""
from __future__ import annotations

import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Any


def _proc_field(path: str, key: str) -> str | None:
    """The value of the first ``key: value`` line of a /proc file (None where there is none)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def version_of(name: str) -> str | None:
    """The installed version of a distribution (``sqlalchemy``) or of a module that names its own (``sklearn``)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        return str(__import__(name).__version__)
    except Exception:  # noqa: BLE001 - not installed, or no version: recorded as unknown
        return None


def machine(*packages: str) -> dict[str, Any]:
    """The machine now: CPU model, memory, cores (and those this process may use), Python, platform, the load
    average at start, and the versions of ``packages``."""
    mem_kib = _proc_field("/proc/meminfo", "MemTotal")
    return {"nproc": os.cpu_count(), "nproc_available": len(os.sched_getaffinity(0)),
            "cpu": _proc_field("/proc/cpuinfo", "model name") or "",
            "mem_gib": round(int(mem_kib.split()[0]) / 2**20, 1) if mem_kib else None,
            "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
            "versions": {name: version_of(name) for name in packages}}

"""How well :func:`catalog.resolve.resolve_component` recovers the CAS number of a composition row.

Usage::

    python benchmarks/eval_resolution.py [FILE] [--limit N]

FILE is a ``wastematch.v1`` document (default: ``benchmarks/synergies/documented_synergies.json``).
Every composition, wanted and limit line that carries both a name and a CAS number is a case;
the CAS number is hidden and the resolver is given, in turn:

* ``names`` — the line's name as written ("sulfur trioxide (as SO3)");
* ``formulas`` — the formula ChEDL gives for the CAS number (``lookup_cas(cas).formula``, Hill
  order as ChEDL writes it: "O3S"); lines whose CAS has no formula in ChEDL are not counted.
  An isomer mismatch counts as a miss;
* ``chinese`` — the Chinese name of the CAS in ``ZH_NAMES`` (its first name); lines whose CAS has
  no Chinese name in the table are not counted.

Each measure is reported per line (how often the substance occurs) and per distinct substance,
with the misses. Prints exactly one JSON document.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from catalog.cas import normalize_cas
from catalog.chemistry import lookup_cas
from catalog.resolve import resolve_component
from catalog.substance_names import ZH_BY_CAS

DEFAULT_FILE = Path(__file__).resolve().parent / "synergies" / "documented_synergies.json"


def cases(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, CAS) of every composition / wanted / limit line with both, in document order."""
    out: list[tuple[str, str]] = []
    for listing in document.get("listings", []):
        for key in ("composition", "wanted", "limits"):
            for line in listing.get(key) or []:
                name, cas = line.get("name"), line.get("cas")
                if name and cas:
                    out.append((str(name), normalize_cas(cas)))
    return out


def _share(pairs: list[tuple[str, str]], query_of) -> dict[str, Any]:
    """Resolve ``query_of(name, cas)`` for each pair (skipping None) and count CAS agreement."""
    lines = hits = 0
    distinct: dict[tuple[str, str], bool] = {}
    misses: dict[str, dict[str, Any]] = {}
    for name, cas in pairs:
        query = query_of(name, cas)
        if query is None:
            continue
        found = resolve_component(query)
        ok = found is not None and found.cas == cas
        lines += 1
        hits += ok
        distinct[(query, cas)] = ok
        if not ok:
            miss = misses.setdefault(query, {"query": query, "expected": cas, "got": found.cas if found else None,
                                             "ambiguous": bool(found and found.ambiguous), "lines": 0})
            miss["lines"] += 1
    return {
        "lines": lines,
        "hits": hits,
        "share": round(hits / lines, 4) if lines else None,
        "distinct": len(distinct),
        "distinct_hits": sum(distinct.values()),
        "distinct_share": round(sum(distinct.values()) / len(distinct), 4) if distinct else None,
        "misses": sorted(misses.values(), key=lambda m: -m["lines"]),
    }


def _formula(_name: str, cas: str) -> str | None:
    identity = lookup_cas(cas)
    return identity.formula if identity is not None and identity.in_database else None


def evaluate(document: dict[str, Any], limit: int | None = None) -> dict[str, Any]:
    """The three measures over the document's lines (the first ``limit`` lines if given)."""
    pairs = cases(document)[:limit] if limit else cases(document)
    return {
        "cases": len(pairs),
        "names": _share(pairs, lambda name, _cas: name),
        "formulas": _share(pairs, _formula),
        "chinese": _share(pairs, lambda _name, cas: ZH_BY_CAS.get(cas)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--limit", type=int, default=None, help="only the first N lines")
    args = parser.parse_args(argv)
    document = json.loads(args.file.read_text(encoding="utf-8"))
    json.dump(evaluate(document, args.limit), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

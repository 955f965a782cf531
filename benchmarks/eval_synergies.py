"""How well one-click matching (一键资源匹配) finds the real receivers of documented symbioses.

Usage::

    python benchmarks/eval_synergies.py [FILE] [--top 5] [--today 2026-11-23] [--json]

FILE is a ``wastematch.v1`` document with one extra top-level key, ``expected``:
``{"<offer ref>": ["<need ref>", ...]}`` naming the real receiver(s) of each offer
(default: ``benchmarks/synergies/documented_synergies.json``). Engine records are
built directly from the JSON (no database), every expected offer is passed to
``Recommender.recommend`` and the rank of its first real receiver is read:

* ``hit@1``, ``hit@5`` (and ``hit@K`` for ``--top K``): share of offers with a real
  receiver among the first 1 / 5 / K recommendations;
* ``MRR``: mean reciprocal rank of the first real receiver within the top 10 (0 when
  absent);
* a per-case rank table, and for every case missed at ``--top`` the engine's reasons:
  which hard checks blocked the real receivers (``Recommender.blocked`` and the checks
  of the expected pair), or, when they were legal, the score terms that put other
  needs ahead.

``--json`` prints exactly one JSON document. ``records_from_document`` is the
conversion from a ``wastematch.v1`` dict to engine records, importable on its own.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from catalog.cas import normalize_cas
from catalog.resolve import resolve_component
from matching.pipeline import Proposal, Recommender
from matching.problem import LicenceRecord, NeedRecord, OfferRecord, Problem, Settings, Site, substance_key
from matching.quantities import annual_tonnes

DEFAULT_FILE = Path(__file__).resolve().parent / "synergies" / "documented_synergies.json"
DEFAULT_TODAY = dt.date(2026, 11, 23)
MRR_DEPTH = 10
FORMAT = "wastematch.v1"


class DocumentError(ValueError):
    """The document cannot be evaluated (not wastematch.v1, dangling refs, bad expected map)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:5]) + (f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""))
        self.errors = errors


# --------------------------------------------------------------------------------------
# wastematch.v1 -> engine records
# --------------------------------------------------------------------------------------

def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _components(lines: Iterable[dict] | None, amount: str,
                merge=lambda old, new: min(1.0, old + new)) -> tuple[dict[str, float], dict[str, str]]:
    """Substance key -> amount, and key -> display name, of composition/wanted/limits lines.

    A line with a name but no CAS number is resolved as the marketplace resolves it when the
    listing is saved (``catalog.resolve``): ``硫酸``, ``H2SO4`` and ``sulfuric acid`` all key 7664-93-9.
    Lines that land on one substance are combined as the marketplace combines them (``merge``):
    fractions of a composition add up; of two minima the larger holds, of two limits the smaller.
    """
    values: dict[str, float] = {}
    names: dict[str, str] = {}
    for line in lines or ():
        cas = None if _blank(line.get("cas")) else normalize_cas(str(line["cas"]))
        name = None if _blank(line.get("name")) else str(line["name"])
        if cas is None and name is not None:
            resolved = resolve_component(name)
            cas = resolved.cas if resolved is not None else None
        key = substance_key(cas, name)
        value = float(line[amount])
        values[key] = merge(values[key], value) if key in values else value
        names[key] = name or cas or key
    return values, names


def records_from_document(doc: dict, today: dt.date = DEFAULT_TODAY
                          ) -> tuple[list[OfferRecord], list[NeedRecord], list[LicenceRecord]]:
    """Engine records of a ``wastematch.v1`` document, as ``marketplace.services.matching.engine_input.build_problem``
    would build them from the same data imported into a fresh database on ``today``.

    * every listing is active; quantities are annualised (``period``: once, month, year);
    * a site carries its enterprise's coordinates, province (else its park's), park code,
      the park's HW haulage cap and the enterprise's industry;
    * substances are keyed by (normalised) CAS, else by the CAS a name resolves to, else by name
      (``substance_key``); an offer's ``composition_complete`` is read when present;
    * licences keep their full annual capacity (nothing approved yet in ``today``'s year);
      validity is left to the rules, which judge it on the problem's ``Settings.today``;
    * defaults as in the marketplace: an offer without ``form`` is solid, a need without
      ``purpose`` disposes.
    Keys other than ``parks``, ``enterprises`` and ``listings`` (such as ``expected``) are ignored.
    """
    del today  # capacities are whole-year: no approvals exist for a document
    parks = {p["code"]: p for p in doc.get("parks") or []}
    sites: dict[str, Site] = {}
    licences: list[LicenceRecord] = []
    for e in doc.get("enterprises") or []:
        park = parks.get(e.get("park") or "", {})
        sites[e["ref"]] = Site(enterprise=e["ref"], lat=float(e["lat"]), lon=float(e["lon"]),
                               province=e.get("province") or park.get("province"),
                               park=e.get("park"), park_hw_max_km=park.get("hw_max_distance_km"),
                               industry=e.get("industry"))
        for lic in e.get("licences") or []:
            licences.append(LicenceRecord(
                number=lic["number"], enterprise=e["ref"], kind=lic["kind"],
                categories=frozenset(lic.get("categories") or ()), codes=frozenset(lic.get("codes") or ()),
                activities=frozenset(lic["activities"]), valid_from=_date(lic["valid_from"]),
                valid_to=_date(lic.get("valid_to")), remaining_t=float(lic["annual_capacity_t"])))
    offers: list[OfferRecord] = []
    needs: list[NeedRecord] = []
    for x in doc.get("listings") or []:
        comp, names = _components(x.get("composition"), "fraction")
        common = dict(ref=x["ref"], site=sites[x["enterprise"]],
                      quantity_t=annual_tonnes(float(x["quantity_t"]), x.get("period") or "year"),
                      composition=comp, waste_code=None if _blank(x.get("waste_code")) else x["waste_code"],
                      title=x.get("title") or "", title_zh=x.get("title_zh") or "",
                      description=x.get("description") or "", available_from=_date(x.get("available_from")),
                      available_to=_date(x.get("available_to")), price_cny_per_t=x.get("price_cny_per_t"))
        if x["kind"] == "offer":
            offers.append(OfferRecord(form=x.get("form") or "solid", current_route=x.get("current_route"),
                                      names=names, composition_complete=bool(x.get("composition_complete")),
                                      **common))
        else:
            wanted, wanted_names = _components(x.get("wanted"), "min_fraction", max)
            limits, limit_names = _components(x.get("limits"), "max_fraction", min)
            needs.append(NeedRecord(forms=frozenset(x.get("forms") or ()), purpose=x.get("purpose") or "dispose",
                                    wanted=wanted, limits=limits,
                                    names={**limit_names, **wanted_names, **names},
                                    max_distance_km=x.get("max_distance_km"), **common))
    return offers, needs, licences


# --------------------------------------------------------------------------------------
# checking the document
# --------------------------------------------------------------------------------------

def document_errors(doc: Any, *, schema: bool = True) -> list[str]:
    """What keeps ``doc`` from being evaluated; empty when it is fine.

    Always: format, enterprise refs of listings, the ``expected`` map (offer keys, need
    values that exist). With ``schema``: the ``wastematch.v1`` import schema too (CAS check
    digits, enums, ranges), when the marketplace package is importable.
    """
    if not isinstance(doc, dict):
        return ["$: the document must be a JSON object"]
    errors: list[str] = []
    if doc.get("format") != FORMAT:
        errors.append(f"$.format: must be {FORMAT!r}, got {doc.get('format')!r}")
    ents = {e.get("ref") for e in doc.get("enterprises") or [] if isinstance(e, dict)}
    kinds: dict[str, str] = {}
    for i, x in enumerate(doc.get("listings") or []):
        if not isinstance(x, dict):
            errors.append(f"$.listings[{i}]: must be an object")
            continue
        kinds[x.get("ref")] = x.get("kind")
        if x.get("enterprise") not in ents:
            errors.append(f"$.listings[{i}].enterprise: unknown enterprise {x.get('enterprise')!r}")
    expected = doc.get("expected")
    if not isinstance(expected, dict) or not expected:
        errors.append("$.expected: must map offer refs to lists of need refs")
    else:
        for offer, needs in expected.items():
            if kinds.get(offer) != "offer":
                errors.append(f"$.expected[{offer!r}]: {offer!r} is not an offer of this document")
            if not isinstance(needs, list) or not needs:
                errors.append(f"$.expected[{offer!r}]: must be a non-empty list of need refs")
                continue
            for n in needs:
                if kinds.get(n) != "need":
                    errors.append(f"$.expected[{offer!r}]: {n!r} is not a need of this document")
    if schema:
        errors += _schema_errors(doc)
    return errors


def _schema_errors(doc: dict) -> list[str]:
    try:
        from marshmallow import ValidationError

        from marketplace.schemas.interchange import DocumentSchema, flatten_errors
    except ImportError:  # the engine alone is installed: the structural checks above still hold
        return []
    body = {k: v for k, v in doc.items() if k != "expected"}
    try:
        DocumentSchema().load(body)
    except ValidationError as exc:
        return [f"{path}: {msg}" for path, msgs in flatten_errors(exc.messages).items() for msg in msgs]
    return []


# --------------------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------------------

def _pair_diagnosis(rec: Recommender, offer: str, need: str) -> dict[str, Any]:
    """Checks and score of one (offer, need) pair, computed directly, whether or not retrieved."""
    from matching.arcs import Arcs
    from matching.rules import explain, evaluate_rules
    from matching.scoring import score, terms_for

    p = rec.problem
    o = np.array([p.o.ref_index[offer]], dtype=np.int64)
    n = np.array([p.n.ref_index[need]], dtype=np.int64)
    arcs = Arcs(offer=o, need=n, distance_km=p.distance_km(o, n), similarity=rec.model.pair_similarity(o, n))
    evaluate_rules(p, arcs)
    score(p, arcs)
    failed = [{"code": c.code, "detail": c.detail} for c in explain(p, arcs, 0) if c.hard and not c.passed]
    values, present = rec.model.pair_blocks(o, n)
    from matching.similarity import BLOCKS

    return {"need": need, "legal": not failed, "failed": failed, "weight": int(arcs.weight[0]),
            "similarity": round(float(arcs.similarity[0]), 4), "distance_km": round(float(arcs.distance_km[0]), 1),
            "blocks": {b: round(float(values[0, i]), 3) for i, b in enumerate(BLOCKS) if present[0, i]},
            "terms": terms_for(p, arcs, np.array([0]))[0].as_dict()}


def _rec_row(p: Proposal) -> dict[str, Any]:
    return {"need": p.need, "enterprise": p.need_enterprise, "weight": p.weight, "similarity": p.similarity,
            "distance_km": p.distance_km, "terms": p.terms}


def evaluate(doc: dict, *, top: int = 5, today: dt.date = DEFAULT_TODAY, settings: Settings | None = None,
             diagnose: bool = True) -> dict[str, Any]:
    """Run one-click recommendations for every expected offer and score them against ``expected``."""
    errors = document_errors(doc, schema=False)
    if errors:
        raise DocumentError(errors)
    offers, needs, licences = records_from_document(doc, today)
    settings = settings or Settings(today=today)
    problem = Problem(offers, needs, licences, settings=settings)
    rec = Recommender(problem)
    depth = max(MRR_DEPTH, top, 5)
    park_of = {e["ref"]: e.get("park") for e in doc.get("enterprises") or []}
    enterprise_of = {x["ref"]: x["enterprise"] for x in doc.get("listings") or []}
    cases = []
    for offer, expected in doc["expected"].items():
        want = set(expected)
        recs = rec.recommend(offer, top=depth)
        rank = next((i + 1 for i, p in enumerate(recs) if p.need in want), None)
        case = {"offer": offer, "park": park_of.get(enterprise_of.get(offer)), "expected": list(expected),
                "rank": rank, "top": [_rec_row(p) for p in recs[:top]]}
        if rank is None or rank > top:
            case["reasons"] = _reasons(rec, offer, expected, recs, top, diagnose)
        cases.append(case)
    n = len(cases)

    def hit(k: int) -> float:
        return sum(1 for c in cases if c["rank"] is not None and c["rank"] <= k) / n if n else 0.0

    mrr = sum(1.0 / c["rank"] for c in cases if c["rank"] is not None and c["rank"] <= MRR_DEPTH) / n if n else 0.0
    by_park: dict[str, list[dict]] = defaultdict(list)
    for c in cases:
        by_park[c["park"] or ""].append(c)
    parks = {code: {"cases": len(cs),
                    "hit@5": round(sum(1 for c in cs if c["rank"] and c["rank"] <= 5) / len(cs), 4),
                    "mrr": round(sum(1.0 / c["rank"] for c in cs if c["rank"] and c["rank"] <= MRR_DEPTH) / len(cs), 4)}
             for code, cs in sorted(by_park.items())}
    metrics = {"hit@1": round(hit(1), 4), "hit@5": round(hit(5), 4), f"hit@{top}": round(hit(top), 4),
               "mrr": round(mrr, 4)}
    return {"today": today.isoformat(), "top": top, "mrr_depth": MRR_DEPTH, "cases": n,
            "offers": len(offers), "needs": len(needs), "licences": len(licences), "metrics": metrics,
            "parks": parks, "per_case": cases, "misses": [c for c in cases if c["rank"] is None or c["rank"] > top]}


def _reasons(rec: Recommender, offer: str, expected: list[str], recs: list[Proposal], top: int,
             diagnose: bool) -> dict[str, Any]:
    """Why the real receivers are not in the top ``top``: hard checks, or the score gap."""
    want = set(expected)
    out: dict[str, Any] = {}
    blocked = [(need, checks) for need, checks in rec.blocked(offer, limit=max(20, 2 * top)) if need in want]
    out["blocked_near"] = [{"need": need, "failed": [{"code": c.code, "detail": c.detail} for c in checks]}
                           for need, checks in blocked]
    ranked = {p.need: i + 1 for i, p in enumerate(recs)}
    out["ranked_beyond_top"] = [{"need": n, "rank": ranked[n]} for n in expected if n in ranked]
    if diagnose:
        try:
            out["expected_pairs"] = [_pair_diagnosis(rec, offer, n) for n in expected]
        except Exception as exc:  # engine internals moved: the blocked() view above still answers
            out["expected_pairs_error"] = f"{type(exc).__name__}: {exc}"
    if recs:
        out["best"] = _rec_row(recs[0])
    return out


# --------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------

def _text_report(result: dict[str, Any], path: str) -> str:
    m = result["metrics"]
    top = result["top"]
    lines = [f"{path}: {result['cases']} expected offers, {result['offers']} offers, {result['needs']} needs, "
             f"{result['licences']} licences; today {result['today']}",
             "  ".join(f"{k} {v:.3f}" for k, v in m.items()) + f"  (MRR within top {result['mrr_depth']})", "",
             f"{'park':<6} {'cases':>5} {'hit@5':>6} {'MRR':>6}"]
    for code, s in result["parks"].items():
        lines.append(f"{code:<6} {s['cases']:>5} {s['hit@5']:>6.2f} {s['mrr']:>6.2f}")
    lines += ["", f"{'offer':<22} {'rank':>4}  {'expected':<36} top-1 recommendation (weight CNY/t)"]
    for c in result["per_case"]:
        rank = str(c["rank"]) if c["rank"] else "-"
        best = f"{c['top'][0]['need']} ({c['top'][0]['weight']})" if c["top"] else "(none)"
        lines.append(f"{c['offer']:<22} {rank:>4}  {','.join(c['expected']):<36} {best}")
    if result["misses"]:
        lines += ["", f"missed at top {top}:"]
    for c in result["misses"]:
        r = c["reasons"]
        lines.append(f"- {c['offer']} (expected {', '.join(c['expected'])}; rank {c['rank'] or 'none in top 10'})")
        for b in r.get("blocked_near", []):
            lines.append(f"    blocked {b['need']}: " + "; ".join(f"[{f['code']}] {f['detail']}" for f in b["failed"]))
        for d in r.get("expected_pairs", []):
            if d["legal"]:
                lines.append(f"    {d['need']} legal, weight {d['weight']} (sim {d['similarity']}, {d['distance_km']} km, "
                             f"blocks {d['blocks']}, terms {d['terms']})")
            elif not any(b["need"] == d["need"] for b in r.get("blocked_near", [])):
                lines.append(f"    {d['need']} fails: " + "; ".join(f"[{f['code']}] {f['detail']}" for f in d["failed"]))
        if "best" in r:
            b = r["best"]
            lines.append(f"    ranked first: {b['need']} weight {b['weight']} (sim {b['similarity']}, "
                         f"{b['distance_km']} km, terms {b['terms']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?", default=str(DEFAULT_FILE), help="wastematch.v1 document with 'expected'")
    ap.add_argument("--top", type=int, default=5, help="recommendations counted as hits (default 5)")
    ap.add_argument("--today", type=dt.date.fromisoformat, default=DEFAULT_TODAY,
                    help="the matching day: licence validity and periods (default 2026-11-23)")
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    ap.add_argument("--no-schema", action="store_true", help="skip the wastematch.v1 import-schema validation")
    args = ap.parse_args(argv)
    if args.top < 1:
        ap.error("--top must be at least 1")
    try:
        doc = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    errors = document_errors(doc, schema=not args.no_schema)
    if errors:
        if args.json:
            print(json.dumps({"file": args.file, "errors": errors}, ensure_ascii=False))
        else:
            print(f"{args.file}: {len(errors)} error(s)", *errors, sep="\n  ", file=sys.stderr)
        return 2
    result = evaluate(doc, top=args.top, today=args.today)
    if args.json:
        print(json.dumps({"file": args.file, **result}, ensure_ascii=False))
    else:
        print(_text_report(result, args.file))
    return 0


if __name__ == "__main__":
    sys.exit(main())

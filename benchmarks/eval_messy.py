"""One-click matching on input typed the way users type it: the documented synergies, made messy.

Usage::

    python benchmarks/eval_messy.py [FILE] [--seed 0] [--top 5] [--json] [--out PATH] [--write-messy PATH]

FILE is a ``wastematch.v1`` document with an ``expected`` map, as for ``eval_synergies.py``
(default: ``benchmarks/synergies/documented_synergies.json``). The script evaluates three
variants of it with ``eval_synergies.evaluate`` (the engine alone, no database):

* ``clean``: the document as written (English and Chinese titles, a CAS number on every row);
* ``clean+distractors``: the same with unrelated needs added nearby (below);
* ``messy``: typed as real users type it, with the distractors:

  - every offer is titled in Chinese only (its English title removed);
  - half of the needs (every other one) are titled in English only (their Chinese title removed);
  - half of each offer's composition rows (chosen at random) lose their CAS number and keep a
    name, one of those a user could type, chosen at random: the Chinese name where our table has
    one, the chemical formula (as the chemicals database writes it, e.g. ``H2O4S``), the
    abbreviation plants write (``DMF``, ``NMP``, ``PFOS``), the English name; the other half keep
    the CAS number and lose the name.

Distractors are needs that no offer of the set fits: electronic-grade chemicals, battery
materials, food and pharmaceutical ingredients, gases of a purity no waste reaches. Each
park gets ``--distractors`` of them (default 4, rotating through the list), placed within a
few kilometres of a random enterprise of the park, accepting the form the material comes in,
wanting it for reuse or recycling, paying a good price (so the price term tempts the ranking)
and setting no minimum purity on half of them (so no hard check removes them). They belong to
new enterprises of their own industry.

Reported per variant: ``hit@1``, ``hit@5``, ``MRR`` (within the top 10), and
``distractors_in_top5``: how many top-5 lists (one per expected offer) name a distractor,
and how many distractor entries they hold in all. ``--write-messy`` saves the messy document
(with its ``expected`` map) so it can be imported or evaluated on its own.

Composition rows are resolved as the marketplace resolves them (``catalog.resolve``) by
``eval_synergies.records_from_document``.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import math
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.eval_synergies import DEFAULT_FILE, DEFAULT_TODAY, evaluate
from catalog.chemistry import ZH_NAMES, lookup, lookup_cas
from catalog.control_lists import CONTROLLED_SUBSTANCES, abbreviations
from catalog.substance_names import EN_SYNONYMS

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "messy_eval.json"

# (ref stem, title, title_zh, form, CAS, purity, industry GB/T 4754, industry name): needs nothing in the set fits.
DISTRACTORS: tuple[tuple[str, str, str, str, str, float, str, str], ...] = (
    ("LI2CO3", "Battery-grade lithium carbonate", "电池级碳酸锂", "powder", "554-13-2", 0.995, "3841",
     "Lithium-ion battery manufacturing"),
    ("DIWATER", "Deionised water for rinsing wafers", "晶圆清洗用去离子水", "liquid", "7732-18-5", 0.9999, "3973",
     "Integrated circuit manufacturing"),
    ("LACTOSE", "Pharmaceutical lactose (tablet filler)", "药用乳糖（片剂填充剂）", "powder", "63-42-3", 0.99, "2710",
     "Chemical pharmaceutical raw materials"),
    ("IPA", "Electronic-grade isopropanol", "电子级异丙醇", "liquid", "67-63-0", 0.9999, "3985",
     "Electronic special materials"),
    ("O2", "Medical oxygen", "医用氧气", "gas", "7782-44-7", 0.995, "2720", "Chemical pharmaceutical preparations"),
    ("TISPONGE", "Titanium sponge", "海绵钛", "solid", "7440-32-6", 0.996, "3240",
     "Non-ferrous metal alloy manufacturing"),
    ("ND2O3", "Neodymium oxide for magnets", "磁材用氧化钕", "powder", "1313-97-9", 0.995, "3985",
     "Electronic special materials"),
    ("PARACETAMOL", "Paracetamol API", "对乙酰氨基酚原料药", "powder", "103-90-2", 0.99, "2710",
     "Chemical pharmaceutical raw materials"),
    ("VITC", "Vitamin C (ascorbic acid), food grade", "食品级维生素C（抗坏血酸）", "powder", "50-81-7", 0.99, "1495",
     "Food additive manufacturing"),
    ("POLYSI", "Solar-grade polysilicon", "太阳能级多晶硅", "solid", "7440-21-3", 0.99999, "3985",
     "Electronic special materials"),
    ("H2O2", "Electronic-grade hydrogen peroxide", "电子级双氧水", "liquid", "7722-84-1", 0.31, "2619",
     "Other basic chemical raw materials"),
    ("N2", "High-purity nitrogen", "高纯氮气", "gas", "7727-37-9", 0.99999, "3973",
     "Integrated circuit manufacturing"),
)
_ZH_OF_CAS: dict[str, str] = {}
for _name, _cas in ZH_NAMES.items():
    _ZH_OF_CAS.setdefault(_cas, _name)
# The abbreviation a plant writes for a substance (DMF, NMP, PFOS, PCBs): the short all-letter synonyms of our
# table and the control lists' bracketed abbreviations, in capitals as written.
_ABBREVIATION_OF_CAS: dict[str, str] = {}
for _name, _cas in EN_SYNONYMS.items():
    if _name.isalpha() and 2 <= len(_name) <= 4:  # longer ones are words (glass, chalk, oleum)
        _ABBREVIATION_OF_CAS.setdefault(_cas, _name.upper())
for _entry in CONTROLLED_SUBSTANCES:
    _short = next((a for a in abbreviations(_entry) if re.fullmatch(r"[A-Za-z]{2,6}", a)), None)
    if _entry.cas and _short:
        _ABBREVIATION_OF_CAS.setdefault(_entry.cas[0], _short)


def _formula(cas: str) -> str | None:
    """The formula a user could type for ``cas``: only one that names it in the chemicals database.

    Nobody types C6H10O5 for cellulose or C2H4 for polyethylene; a formula that the database
    reads as another substance (an isomer, the monomer) is not offered.
    """
    try:
        identity = lookup_cas(cas)
        formula = identity.formula if identity and identity.in_database else None
        back = lookup(formula) if formula else None
    except ValueError:
        return None
    return formula if back is not None and back.cas == cas else None


def _messy_row(row: dict[str, Any], rng: random.Random, drop_cas: bool) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in ("cas", "name")}
    cas = row.get("cas")
    if not drop_cas or not cas:
        if cas:
            out["cas"] = cas
        else:
            out["name"] = row["name"]
        return out
    choices = [x for x in (_ZH_OF_CAS.get(cas), _formula(cas), _ABBREVIATION_OF_CAS.get(cas), row.get("name")) if x]
    out["name"] = rng.choice(choices)
    return out


def make_messy(doc: dict[str, Any], *, seed: int = 0) -> dict[str, Any]:
    """The document as users type it (see the module docstring); ``expected`` is kept."""
    rng = random.Random(seed)
    out = copy.deepcopy(doc)
    need_no = 0
    for x in out["listings"]:
        if x["kind"] == "offer":
            if x.get("title_zh"):
                x["title"] = ""
            rows = x.get("composition") or []
            order = list(range(len(rows)))
            rng.shuffle(order)
            nameless = set(order[: (len(rows) + 1) // 2])
            x["composition"] = [_messy_row(r, rng, i in nameless) for i, r in enumerate(rows)]
        else:
            if need_no % 2 == 1 and x.get("title"):
                x["title_zh"] = ""
            need_no += 1
    return out


def add_distractors(doc: dict[str, Any], *, per_park: int = 4, seed: int = 0) -> tuple[dict[str, Any], set[str]]:
    """The document with ``per_park`` unrelated needs near each park's enterprises, and their refs."""
    rng = random.Random(seed + 1)
    out = copy.deepcopy(doc)
    refs: set[str] = set()
    by_park: dict[str, list[dict]] = {}
    for e in out["enterprises"]:
        by_park.setdefault(e.get("park") or "", []).append(e)
    k = 0
    for park, members in sorted(by_park.items()):
        for _ in range(per_park):
            stem, title, title_zh, form, cas, purity, industry, industry_name = DISTRACTORS[k % len(DISTRACTORS)]
            k += 1
            near = rng.choice(members)
            bearing = rng.uniform(0, 2 * math.pi)
            km = rng.uniform(0.5, 4.0)
            ent = f"X-{park}-{stem}"
            out["enterprises"].append({
                "ref": ent, "name": f"{title_zh}用户 {park}", "park": near.get("park"), "industry": industry,
                "industry_name": industry_name, "province": near.get("province"),
                "lat": round(near["lat"] + km / 111.0 * math.cos(bearing), 5),
                "lon": round(near["lon"] + km / (111.0 * max(0.2, math.cos(math.radians(near["lat"]))))
                             * math.sin(bearing), 5),
                "licences": []})
            need = {"ref": f"{ent}-N", "kind": "need", "enterprise": ent, "title": title, "title_zh": title_zh,
                    "description": "", "forms": [form], "purpose": rng.choice(["reuse", "recycle"]),
                    "composition": [{"cas": cas, "fraction": purity}],
                    "quantity_t": float(rng.choice([50, 200, 1000, 5000])), "period": "year",
                    "max_distance_km": 200, "price_cny_per_t": float(rng.choice([2000, 5000, 20000])),
                    "available_from": "2026-01-01"}
            if k % 2 == 0:
                need["wanted"] = [{"cas": cas, "min_fraction": purity}]
            out["listings"].append(need)
            refs.add(need["ref"])
    return out, refs


def _distractor_counts(result: dict[str, Any], refs: set[str], top: int) -> dict[str, int]:
    lists = entries = 0
    for case in result["per_case"]:
        hits = sum(1 for row in case["top"][:top] if row["need"] in refs)
        lists += hits > 0
        entries += hits
    return {"lists": lists, "entries": entries}


def run(doc: dict[str, Any], *, seed: int = 0, top: int = 5, per_park: int = 4,
        today: dt.date = DEFAULT_TODAY) -> dict[str, Any]:
    """Evaluate the clean, clean+distractors and messy variants of ``doc``."""
    with_distractors, refs = add_distractors(doc, per_park=per_park, seed=seed)
    messy = make_messy(with_distractors, seed=seed)
    variants = {"clean": (doc, set()), "clean+distractors": (with_distractors, refs), "messy": (messy, refs)}
    out: dict[str, Any] = {"benchmark": "messy_eval", "seed": seed, "top": top, "distractors": len(refs),
                           "today": today.isoformat(), "variants": {}}
    for name, (variant, distractors) in variants.items():
        t = time.perf_counter()
        result = evaluate(variant, top=top, today=today, diagnose=False)
        out["variants"][name] = {
            **result["metrics"], "cases": result["cases"], "offers": result["offers"], "needs": result["needs"],
            "distractors_in_top5": _distractor_counts(result, distractors, 5),
            "seconds": round(time.perf_counter() - t, 2),
            "misses": [{"offer": c["offer"], "rank": c["rank"], "expected": c["expected"],
                        "top": [r["need"] for r in c["top"]]} for c in result["per_case"]
                       if c["rank"] != 1],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--distractors", type=int, default=4, help="unrelated needs per park (default 4)")
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    ap.add_argument("--out", help="also write the JSON here (the recorded run: benchmarks/results/messy_eval.json)")
    ap.add_argument("--write-messy", help="save the messy document (with expected) here")
    ap.add_argument("--without-glossary", action="store_true",
                    help="ablation: titles as typed, no bilingual glossary words and no shared-material evidence")
    args = ap.parse_args(argv)
    if args.without_glossary:
        import matching.similarity as similarity

        similarity.expand = lambda text: ""
        similarity.concepts = lambda text: ()
    doc = json.loads(Path(args.file).read_text(encoding="utf-8"))
    if args.write_messy:
        with_distractors, _ = add_distractors(doc, per_park=args.distractors, seed=args.seed)
        Path(args.write_messy).write_text(json.dumps(make_messy(with_distractors, seed=args.seed),
                                                     ensure_ascii=False, indent=1), encoding="utf-8")
    result = {"file": args.file, "glossary": not args.without_glossary,
              **run(doc, seed=args.seed, top=args.top, per_park=args.distractors)}
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    if args.json:
        print(text)
    else:
        print(f"{'variant':<18} {'hit@1':>6} {'hit@5':>6} {'MRR':>6} {'distractor lists/entries':>26}")
        for name, v in result["variants"].items():
            d = v["distractors_in_top5"]
            print(f"{name:<18} {v['hit@1']:>6.3f} {v['hit@5']:>6.3f} {v['mrr']:>6.3f} {d['lists']:>13}/{d['entries']}")
        for name, v in result["variants"].items():
            for m in v["misses"]:
                print(f"  {name}: {m['offer']} rank {m['rank']} (expected {','.join(m['expected'])}) top {m['top']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

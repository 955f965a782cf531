"""Park reports at scale: build_report and its renderings on a 10,000-listing park with a season of history.

    .venv/bin/python benchmarks/bench_report.py --listings 10000 --shipments 3000 --out benchmarks/results/report.json

Builds a fresh SQLite database in a temporary directory (or ``--db URL``), then:

1. generates ``--listings`` listings (half offers, half needs) with ``benchmarks.generate.generate_park``
   and turns its records into one ``wastematch.v1`` document: the generator's parks are merged into
   ``--parks`` parks (the largest takes all but the ``--parks - 1`` smallest, enterprises keep their
   offsets from their park's centre), each general enterprise with several listings is split in two
   sites, licensed handlers keep their licences; imported with ``interchange.import_document``;
2. runs park-wide matching (``services.matching.run_matching``);
3. plays 120 days of history through the services users call: the parties accept and a coordinator
   approves ``--approve-share`` of the proposals (some are only accepted, half-accepted or declined),
   approvals spread over the first 90 days; ``--shipments`` shipments over the approved matches
   (plan → dispatch → receive → close; a few left on the road, open or refused at the gate);
   ``--product-flows`` product deliveries booked in both ledgers (``ledger.create_entry``: the
   receiver's ``out`` of what it made from a receipt, to the producer or another enterprise, and
   the buyer's ``in``; one in ten only declared by the sender); then ``alerts.scan`` and
   ``ledger_review.review``. Commits in batches; progress on stderr.
4. times, ``--repeats`` times each, in a fresh session: ``reports.document.build_report`` for all parks and for
   the largest park (with its ``stats.timings``), and on both documents ``reports.render.render_html``,
   ``csv_zip_bytes``, ``write_xlsx`` (to a BytesIO) and ``json.dumps``: median and max.

``--profile DIR`` also writes pyinstrument text reports of one build_report (largest park) and one of
each rendering. ``--db URL --reuse`` times an already built database again without rebuilding it.
Writes one JSON document (``--out``, default stdout) with the counts, the timings and the machine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import math
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from benchmarks.generate import PARK_ANCHORS, TODAY, generate_park  # noqa: E402
from benchmarks.machine import machine as machine_record
from catalog.industries import industry as industry_class  # noqa: E402
from marketplace.db import make_engine, upgrade_schema  # noqa: E402
from marketplace.models import (  # noqa: E402
    Alert,
    Enterprise,
    LedgerEntry,
    LedgerFinding,
    Licence,
    Listing,
    Match,
    Park,
    Shipment,
)
from marketplace.services.matching import workflow  # noqa: E402
from marketplace.services.reports import document as reports  # noqa: E402
from marketplace.services.reports import render as report_render  # noqa: E402
from marketplace.services.traceability import alerts, ledger, ledger_review, transfers  # noqa: E402
from marketplace.services.accounts.users import Principal, system_principal  # noqa: E402
from marketplace.services.catalog.reference import load_builtin_catalog  # noqa: E402
from marketplace.services.listings.interchange import import_document  # noqa: E402
from marketplace.services.matching.runs import run_matching  # noqa: E402

HISTORY_DAYS = 120
PACKAGINGS = ("drum", "ibc", "tank", "bag")
TRADE_NAMES = "华恒盛泰鑫源新达丰远海润瑞宏嘉联安利通德振兴隆昌宇科森凯邦"
REPORT_MODULES = (*(f"marketplace/services/reports/{m}.py" for m in ("document", "flows", "kpis", "ratings",
                                                                     "kpi_registry")),
                  *(f"marketplace/services/reports/render/{m}.py" for m in ("__init__", "common", "figures", "html",
                                                                            "tables", "csv", "xlsx")),
                  "matching/chains.py")


def info(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _party(ent: Enterprise) -> Principal:
    return Principal(user_id=None, email=f"bench-{ent.ref.lower()}", role="enterprise", enterprise_id=ent.id,
                     enterprise_ref=ent.ref)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> dict:
    """The machine record with the versions of what writes the report."""
    return machine_record("sqlalchemy", "openpyxl", "jinja2", "numpy", "networkx")


def code_fingerprint() -> dict:
    """sha1 (first 12 hex) of each report module measured: the code changes under the benchmark."""
    return {p: hashlib.sha1((REPO / p).read_bytes()).hexdigest()[:12] for p in REPORT_MODULES if (REPO / p).exists()}


# --- 1. the document ---------------------------------------------------------------------------------

def _industry_name(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return industry_class(code).name_zh
    except KeyError:
        return None


def _iso(day: dt.date | None, shift: dt.timedelta) -> str | None:
    return (day + shift).isoformat() if day else None


def _fractions(comp: dict[str, float], names: dict[str, str], amount: str) -> list[dict]:
    """Components in the interchange shape; fractions floored to 6 decimals so a full composition stays ≤ 1."""
    total = sum(comp.values())
    scale = (1 - 1e-5) / total if amount == "fraction" and total > 1 - 1e-5 else 1.0
    return [{"name": names.get(cas) or cas, "cas": cas, amount: math.floor(v * scale * 1e6) / 1e6}
            for cas, v in comp.items() if v > 0]


def build_document(listings: int, n_parks: int, seed: int) -> tuple[dict, dict]:
    """A ``wastematch.v1`` document of ``listings`` listings from the benchmark generator."""
    offers, needs, licences = generate_park(listings // 2, listings - listings // 2, seed)
    rng = random.Random(f"bench-report-{seed}")
    shift = dt.date.today() - TODAY  # the generator's dates are relative to its own "today"
    anchors = {a[0]: a for a in PARK_ANCHORS}

    # Generated parks, largest first (by listings); all but the n_parks-1 smallest merge into the first.
    sites: dict[str, object] = {}
    per_park: Counter = Counter()
    for rec in (*offers, *needs):
        sites.setdefault(rec.site.enterprise, rec.site)
        per_park[rec.site.park] += 1
    positions = defaultdict(list)
    for s in sites.values():
        positions[s.park].append((s.lat, s.lon))
    gen_parks = [code for code, _ in per_park.most_common()]
    keep = max(1, min(n_parks, len(gen_parks)))
    target = {code: gen_parks[0] if i < len(gen_parks) - (keep - 1) else code for i, code in enumerate(gen_parks)}
    centre = {code: (statistics.fmean(p[0] for p in pts), statistics.fmean(p[1] for p in pts))
              for code, pts in positions.items()}
    parks_doc = []
    for code in dict.fromkeys(target.values()):
        anchor = anchors.get(code) or anchors.get(code.rstrip("0123456789"))
        lat, lon = centre[code]
        hw_cap = next((s.park_hw_max_km for s in sites.values() if s.park == code), None)
        parks_doc.append({"code": code, "name": anchor[1] if anchor else f"{code} 工业园区",
                          "name_en": anchor[2] if anchor else f"{code} industrial park",
                          "province": anchor[3] if anchor else None, "lat": round(lat, 5), "lon": round(lon, 5),
                          "hw_max_distance_km": hw_cap})
    province = {p["code"]: p["province"] for p in parks_doc}

    # Enterprises: the licence holders stay whole; a general enterprise with several listings has two sites.
    holders = defaultdict(list)
    for lic in licences:
        holders[lic.enterprise].append(lic)
    listings_of = Counter(rec.site.enterprise for rec in (*offers, *needs))
    split_ref: dict[str, list[str]] = {}
    enterprises: dict[str, dict] = {}
    names_taken: set[tuple[str, str]] = set()

    def add_enterprise(ref: str, site, dlat: float = 0.0, dlon: float = 0.0, holder: str | None = None,
                       suffix: str = "") -> None:
        park = target[site.park]
        clat, clon = centre[site.park]
        plat, plon = centre[park]
        ind = site.industry
        name = f"{rng.choice(TRADE_NAMES)}{rng.choice(TRADE_NAMES)}{_industry_name(ind) or '化工'}有限公司"
        if (park, name) in names_taken:  # a park holds one enterprise of a name (the import refuses a second)
            name += ref
        names_taken.add((park, name))
        enterprises[ref] = {
            "ref": ref, "name": name, "park": park, "industry": ind, "industry_name": _industry_name(ind),
            "province": province[park], "lat": round(plat + site.lat - clat + dlat, 5),
            "lon": round(plon + site.lon - clon + dlon, 5),
            "licences": [{"number": lic.number + suffix, "kind": lic.kind, "categories": sorted(lic.categories),
                          "codes": sorted(lic.codes), "activities": sorted(lic.activities),
                          "annual_capacity_t": round(lic.remaining_t, 1),
                          "valid_from": _iso(lic.valid_from, shift), "valid_to": _iso(lic.valid_to, shift)}
                         for lic in holders.get(holder or ref, [])]}

    # A general enterprise with several listings becomes two sites; a licensed handler becomes up to
    # five handlers of the same profile (one per four listings), each holding its own copy of the licences.
    for ref, site in sites.items():
        add_enterprise(ref, site)
        if ref in holders:
            k = min(5, 1 + listings_of[ref] // 4)
        else:
            k = 2 if listings_of[ref] >= 2 else 1
        if k > 1:
            split_ref[ref] = [ref]
            for j in range(2, k + 1):
                twin = f"{ref}-{j}"
                add_enterprise(twin, site, rng.gauss(0, 0.01), rng.gauss(0, 0.012), holder=ref, suffix=f"-{j}")
                split_ref[ref].append(twin)

    def owner(rec) -> str:
        ref = rec.site.enterprise
        if ref in split_ref:
            ref = rng.choice(split_ref[ref])
            ent = enterprises[ref]
            if ent["industry"] is None and rec.site.industry:
                ent["industry"], ent["industry_name"] = rec.site.industry, _industry_name(rec.site.industry)
        return ref

    items = []
    for o in offers:
        items.append({"ref": o.ref, "kind": "offer", "enterprise": owner(o), "title": o.title, "title_zh": o.title_zh,
                      "description": o.description, "waste_code": o.waste_code, "form": o.form,
                      "composition": _fractions(o.composition, o.names, "fraction"), "quantity_t": o.quantity_t,
                      "period": "year", "available_from": _iso(o.available_from, shift),
                      "available_to": _iso(o.available_to, shift), "price_cny_per_t": o.price_cny_per_t,
                      "current_route": o.current_route})
    for n in needs:
        items.append({"ref": n.ref, "kind": "need", "enterprise": owner(n), "title": n.title, "title_zh": n.title_zh,
                      "description": n.description, "waste_code": n.waste_code, "forms": sorted(n.forms),
                      "purpose": n.purpose, "max_distance_km": n.max_distance_km,
                      "composition": _fractions(n.composition, n.names, "fraction"),
                      "wanted": _fractions(n.wanted, n.names, "min_fraction"),
                      "limits": _fractions(n.limits, n.names, "max_fraction"), "quantity_t": n.quantity_t,
                      "period": "year", "available_from": _iso(n.available_from, shift),
                      "available_to": _iso(n.available_to, shift), "price_cny_per_t": n.price_cny_per_t})
    doc = {"format": "wastematch.v1", "parks": parks_doc, "enterprises": list(enterprises.values()), "listings": items}
    meta = {"generated_parks": len(gen_parks), "parks": len(parks_doc), "enterprises": len(enterprises),
            "split_enterprises": len(split_ref), "generated_licences": len(licences),
            "licence_holders": sum(1 for e in enterprises.values() if e["licences"]),
            "licences": sum(len(e["licences"]) for e in enterprises.values()), "offers": len(offers),
            "needs": len(needs)}
    return doc, meta


# --- 2 and 3. matching and history ----------------------------------------------------------------------

def _commit_batches(engine, items, batch: int, work, label: str) -> Counter:
    """Run ``work(session, item, outcome)`` over ``items`` in transactions of ``batch`` items."""
    outcome: Counter = Counter()
    for i in range(0, len(items), batch):
        with Session(engine) as session, session.begin():
            for item in items[i:i + batch]:
                work(session, item, outcome)
        info(f"  {label}: {min(i + batch, len(items))}/{len(items)} {dict(outcome)}")
    return outcome


def build(url: str, args) -> dict:
    """The database: the park document, a matching run and ``HISTORY_DAYS`` days of history."""
    out: dict = {}
    rng = random.Random(args.seed)
    engine = make_engine(url)
    upgrade_schema(engine)
    now = dt.datetime.now(dt.timezone.utc)
    start = now - dt.timedelta(days=HISTORY_DAYS)
    admin = system_principal("bench")

    t0 = time.perf_counter()
    doc, meta = build_document(args.listings, args.parks, args.seed)
    out["generate_s"] = round(time.perf_counter() - t0, 2)
    out["document"] = meta
    info(f"document: {meta} ({out['generate_s']} s)")
    t0 = time.perf_counter()
    with Session(engine) as session, session.begin():
        load_builtin_catalog(session)
        report = import_document(session, doc, actor="bench",
                                 progress=lambda stage, done, total: info(f"  import {stage} {done}/{total}"))
    out["import_s"] = round(time.perf_counter() - t0, 2)
    out["imported"] = report.as_dict()["created"]
    info(f"imported in {out['import_s']} s: {out['imported']}")
    del doc

    t0 = time.perf_counter()
    with Session(engine) as session, session.begin():
        run, result = run_matching(session, park=None, actor="bench")
        out["matching"] = {"status": run.status, "proposals": len(result.proposals),
                           "counts": run.counts, "timings": run.timings}
    out["matching_s"] = round(time.perf_counter() - t0, 2)
    info(f"matching in {out['matching_s']} s: {out['matching']['counts']}")

    # Decisions: most proposals are accepted by both and approved, spread over the first 90 days.
    with Session(engine) as session:
        proposed = list(session.scalars(select(Match.id).where(Match.status == "proposed").order_by(Match.id)))
    rng.shuffle(proposed)
    plan = []
    for mid in proposed:
        r = rng.random()
        fate = ("approve" if r < args.approve_share else "accepted" if r < args.approve_share + 0.08 else
                "half" if r < args.approve_share + 0.14 else "decline" if r < args.approve_share + 0.18 else "open")
        plan.append((mid, fate, start + dt.timedelta(days=rng.uniform(0, 90))))
    plan.sort(key=lambda p: p[2])  # approvals in time order, as they would have happened
    approved_at: dict[int, dt.datetime] = {}

    def decide(session, item, outcome):
        mid, fate, when = item
        if fate == "open":
            outcome["left proposed"] += 1
            return
        m = session.get(Match, mid)
        offer_party, need_party = _party(m.offer.enterprise), _party(m.need.enterprise)
        try:
            with session.begin_nested():
                if fate == "decline":
                    workflow.decide(session, need_party, mid, "decline", reason="不符合工艺要求 not suitable",
                                    now=when)
                    outcome["declined"] += 1
                    return
                workflow.decide(session, offer_party, mid, "accept", now=when - dt.timedelta(hours=6))
                if fate == "half":
                    outcome["half accepted"] += 1
                    return
                workflow.decide(session, need_party, mid, "accept", now=when - dt.timedelta(hours=3))
                if fate == "accepted":
                    outcome["accepted"] += 1
                    return
                workflow.decide(session, admin, mid, "approve", reason="bench: routine approval", now=when)
            approved_at[mid] = when
            outcome["approved"] += 1
        except Exception as exc:  # noqa: BLE001 - a pair that no longer fits is simply not approved
            outcome[f"refused: {type(exc).__name__}"] += 1

    t0 = time.perf_counter()
    out["decisions"] = dict(_commit_batches(engine, plan, 500, decide, "decisions"))
    out["decide_s"] = round(time.perf_counter() - t0, 2)

    # Shipments round-robin over the approved matches, each after its match's approval.
    approved = sorted(approved_at)
    rng.shuffle(approved)
    per_match = -(-args.shipments // max(len(approved), 1))
    last_day = now - dt.timedelta(days=2)
    jobs = []
    for k in range(args.shipments if approved else 0):
        mid = approved[k % len(approved)]
        a = approved_at[mid] + dt.timedelta(days=1)
        when = a + (last_day - a) * rng.random()
        jobs.append((mid, when, rng.random(), rng.randint(1, 4), rng.uniform(0.93, 1.02)))
    jobs.sort(key=lambda j: j[1])

    def ship(session, job, outcome):
        mid, when, fate, n, factor = job
        match = session.get(Match, mid)
        load = math.floor(min(match.quantity_t / (per_match + 1), 30.0) * 1e4) / 1e4
        if load <= 0:
            outcome["too small"] += 1
            return
        per = round(load / n, 4)
        containers = [{"packaging": rng.choice(PACKAGINGS), "quantity_t": per} for _ in range(n - 1)]
        containers.append({"packaging": "drum", "quantity_t": round(load - per * (n - 1), 4)})
        try:
            with session.begin_nested():
                s = transfers.create_shipment(session, admin, mid, quantity_t=load, containers=containers,
                                              carrier="bench carrier", vehicle="苏E·B0001", now=when)
                transfers.dispatch(session, admin, s.id, now=when + dt.timedelta(hours=1))
                if fate < 0.02:
                    outcome["in transit"] += 1
                    return
                arrive = when + dt.timedelta(hours=2.5 + (match.distance_km or 0) / 45)
                if fate < 0.03:
                    transfers.reject(session, admin, s.id, reason="包装破损 damaged packaging, refused",
                                     now=arrive)
                    outcome["rejected"] += 1
                    return
                transfers.receive(session, admin, s.id, quantity_received_t=round(load * factor, 3), now=arrive)
                if fate < 0.06:
                    outcome["open manifest"] += 1
                    return
                transfers.close(session, admin, s.id, now=arrive + dt.timedelta(days=1))
                outcome["closed"] += 1
        except Exception as exc:  # noqa: BLE001 - e.g. the match ran out of quantity
            outcome[f"refused: {type(exc).__name__}"] += 1

    t0 = time.perf_counter()
    out["shipments"] = dict(_commit_batches(engine, jobs, 250, ship, "shipments"))
    out["record_s"] = round(time.perf_counter() - t0, 2)

    # Product deliveries booked in the ledgers: what receivers made of their receipts, sold on.
    today = now.date()
    with Session(engine) as session:
        receipts = [(e.id, e.enterprise_id, e.counterparty_id, e.entry_date, e.batch_code, e.cas, e.chemical_name,
                     e.quantity_t * e.content_ratio)
                    for e in session.scalars(select(LedgerEntry).where(LedgerEntry.shipment_id.is_not(None))
                                             .order_by(LedgerEntry.id))]
        refs = dict(session.execute(select(Enterprise.id, Enterprise.ref)).all())
        park_of = dict(session.execute(select(Enterprise.id, Enterprise.park_id)).all())
    by_park = defaultdict(list)
    for eid, pid in park_of.items():
        by_park[pid].append(eid)
    sample = rng.sample(receipts, min(args.product_flows, len(receipts)))
    deliveries = []
    for k, (rid, receiver, producer, day, batch, cas, name, qty) in enumerate(sample):
        if rng.random() < 0.4 and producer is not None:
            buyer = producer  # sold back to the producer: a closed loop
        else:
            buyer = rng.choice(by_park[park_of[receiver]])
            if buyer == receiver:
                continue
        when = min(day + dt.timedelta(days=rng.randint(2, 10)), today)
        deliveries.append((refs[receiver], refs[buyer], f"P-{rid}", batch, when, cas, name, round(qty * 0.9, 3),
                           rng.random() < 0.9))

    def book(session, item, outcome):
        seller, buyer, batch, source, when, cas, name, qty, both = item
        product = f"再生 recycled {name}"[:200]
        try:
            with session.begin_nested():
                ledger.create_entry(session, admin, {
                    "enterprise": seller, "batch_code": batch, "direction": "out", "entry_date": when,
                    "chemical_name": product, "cas": cas, "quantity_t": max(qty, 0.001), "product": product,
                    "counterparty": buyer, "source_batch": source, "note": "bench: recycled product sold"})
                if both:
                    ledger.create_entry(session, admin, {
                        "enterprise": buyer, "batch_code": batch, "direction": "in",
                        "entry_date": min(when + dt.timedelta(days=1), today), "chemical_name": product, "cas": cas,
                        "quantity_t": max(qty, 0.001), "counterparty": seller,
                        "note": "bench: recycled product bought"})
            outcome["confirmed" if both else "one-sided"] += 1
        except Exception as exc:  # noqa: BLE001
            outcome[f"refused: {type(exc).__name__}"] += 1

    t0 = time.perf_counter()
    out["product_deliveries"] = dict(_commit_batches(engine, deliveries, 500, book, "ledger"))
    out["ledger_s"] = round(time.perf_counter() - t0, 2)

    t0 = time.perf_counter()
    with Session(engine) as session, session.begin():
        scan = alerts.scan(session, now=now)
        out["alerts"] = scan.as_dict()
        review = ledger_review.review(session, admin, now=now)
        out["findings"] = dict(review.by_code)
    out["scan_review_s"] = round(time.perf_counter() - t0, 2)
    info(f"alerts {out['alerts']}, findings {out['findings']} ({out['scan_review_s']} s)")
    engine.dispose()
    return out


# --- 4. what is measured ---------------------------------------------------------------------------------

def counts(engine) -> dict:
    with Session(engine) as session:
        def grouped(col, *where):
            q = select(col, func.count()).group_by(col)
            for w in where:
                q = q.where(w)
            return {str(k): v for k, v in session.execute(q).all()}

        largest = session.execute(
            select(Park.code, func.count(Listing.id)).join(Enterprise, Enterprise.park_id == Park.id)
            .join(Listing, Listing.enterprise_id == Enterprise.id).group_by(Park.code)
            .order_by(func.count(Listing.id).desc())).all()
        return {
            "listings": grouped(Listing.kind),
            "listings_by_park": {code: n for code, n in largest},
            "enterprises": session.scalar(select(func.count()).select_from(Enterprise)),
            "enterprises_by_park": {code: n for code, n in session.execute(
                select(Park.code, func.count(Enterprise.id)).join(Enterprise, Enterprise.park_id == Park.id)
                .group_by(Park.code)).all()},
            "licences": session.scalar(select(func.count()).select_from(Licence)),
            "matches": grouped(Match.status),
            "shipments": grouped(Shipment.status),
            "ledger_entries": grouped(LedgerEntry.direction),
            "alerts_active": grouped(Alert.kind, Alert.status.in_(("open", "acknowledged"))),
            "findings": grouped(LedgerFinding.code),
            "largest_park": largest[0][0] if largest else None,
        }


def _summary(times: list[float]) -> dict:
    return {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
            "runs": [round(t, 3) for t in times]}


def _doc_counts(doc: dict) -> dict:
    return {
        "flows_by_basis": dict(Counter(f"{f['basis']}/{f['kind']}" for f in doc["flows"])),
        "flows": len(doc["flows"]), "enterprises": len(doc["kpis"]["enterprises"]),
        "chains": len(doc["chains"]), "loops": len(doc["loops"]),
        "chains_by_level": dict(Counter(f"{c['basis']}/{c['level']}" for c in doc["chains"])),
        "loops_by_level": dict(Counter(f"{c['basis']}/{c['level']}" for c in doc["loops"])),
        "chains_exhaustive": doc["stats"]["chains_exhaustive"], "loops_exhaustive": doc["stats"]["loops_exhaustive"],
        "ratings_by_grade": dict(Counter(str(r["grade"]) for r in doc["ratings"])),
        "months": len(doc["kpis"]["monthly"]),
    }


def measure(engine, park: str | None, repeats: int, now: dt.datetime, profile: Path | None) -> dict:
    """Time build_report (fresh session each time) and the renderings of its document."""
    admin = system_principal("bench")
    label = park or "all"
    times, timings, doc = [], [], None
    load_before = [round(x, 2) for x in os.getloadavg()]
    for i in range(repeats):
        with Session(engine) as session:
            t0 = time.perf_counter()
            doc = reports.build_report(session, admin, park=park, now=now)
            times.append(time.perf_counter() - t0)
        timings.append(doc["stats"]["timings"])
        info(f"  build_report[{label}] #{i + 1}: {times[-1]:.2f} s {doc['stats']['timings']}")
    out = {"park": park, "loadavg_before": load_before, "build_report": _summary(times),
           "timings_median": {k: round(statistics.median(t[k] for t in timings), 3) for k in timings[0]},
           "timings_runs": timings, "counts": _doc_counts(doc)}
    renders = {
        "render_html": lambda d: report_render.render_html(d).encode("utf-8"),
        "csv_zip_bytes": report_render.csv_zip_bytes,
        "write_xlsx": lambda d: (report_render.write_xlsx(d, buf := io.BytesIO()), buf.getvalue())[1],
        "json_dumps": lambda d: json.dumps(d, ensure_ascii=False).encode("utf-8"),
    }
    for name, fn in renders.items():
        rt, size = [], 0
        for _ in range(repeats):
            t0 = time.perf_counter()
            size = len(fn(doc))
            rt.append(time.perf_counter() - t0)
        out[name] = {**_summary(rt), "bytes": size}
        info(f"  {name}[{label}]: median {out[name]['median_s']} s, {size:,} bytes")
    if profile is not None:
        from pyinstrument import Profiler

        profile.mkdir(parents=True, exist_ok=True)
        jobs = [("build_report", None), *renders.items()]
        for name, fn in jobs:
            profiler = Profiler(interval=0.001)
            with Session(engine) as session:
                profiler.start()
                if fn is None:
                    reports.build_report(session, admin, park=park, now=now)
                else:
                    fn(doc)
                profiler.stop()
            path = profile / f"{label}_{name}.txt"
            path.write_text(profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")
            info(f"  profile written: {path}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=10000)
    parser.add_argument("--parks", type=int, default=2, help="parks the generated ones are merged into (default 2)")
    parser.add_argument("--shipments", type=int, default=3000)
    parser.add_argument("--product-flows", type=int, default=600, help="product deliveries booked in the ledgers")
    parser.add_argument("--approve-share", type=float, default=0.6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", default=None, help="SQLAlchemy URL of an empty database (default: a temp SQLite file)")
    parser.add_argument("--reuse", action="store_true", help="time the database at --db without building it")
    parser.add_argument("--profile", type=Path, default=None, help="directory for pyinstrument text reports")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    result: dict = {"benchmark": "report", "date": dt.date.today().isoformat(), "machine": machine(),
                    "code": code_fingerprint(),
                    "parameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}}
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        result["database"] = url.split(":")[0]
        if args.reuse:
            if not args.db:
                parser.error("--reuse needs --db")
        else:
            t0 = time.perf_counter()
            result["build"] = build(url, args)
            result["build"]["total_s"] = round(time.perf_counter() - t0, 1)
        engine = make_engine(url)
        result["counts"] = counts(engine)
        info(f"counts: {json.dumps(result['counts'], ensure_ascii=False)}")
        now = dt.datetime.now(dt.timezone.utc)
        result["all_parks"] = measure(engine, None, args.repeats, now, args.profile)
        if result["counts"]["largest_park"]:
            result["largest_park"] = measure(engine, result["counts"]["largest_park"], args.repeats, now,
                                             args.profile)
        engine.dispose()
    result["peak_rss_mb"] = peak_rss_mb()
    result["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(result, ensure_ascii=False, indent=2, default=str)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
        info(f"wrote {args.out}")
    else:
        print(text)
    for key in ("all_parks", "largest_park"):
        if key in result:
            r = result[key]
            info(f"{key}: build_report median {r['build_report']['median_s']} s (max {r['build_report']['max_s']}), "
                 f"html {r['render_html']['median_s']} s ({r['render_html']['bytes']:,} B), "
                 f"csv zip {r['csv_zip_bytes']['median_s']} s, xlsx {r['write_xlsx']['median_s']} s, "
                 f"json {r['json_dumps']['median_s']} s; {r['counts']['flows']} flows")


if __name__ == "__main__":
    main()

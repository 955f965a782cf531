"""Traceability at park scale: recording shipments, scanning alerts, tracing containers, exporting manifests.

    .venv/bin/python benchmarks/bench_traceability.py --shipments 3000 --out benchmarks/results/traceability.json

Builds a fresh SQLite database in a temporary directory (or ``--db URL``) with the demo park,
runs park-wide matching, approves every proposal both parties can take, then records
``--shipments`` shipments round-robin over the approved matches through the same services
the API calls (plan → dispatch → receive → close, with 1–4 containers each; the receipt
writes the receiver's ledger entry), dated over the last 120 days, committing in batches.
Then it times, each on the whole database:

* ``alerts_scan``: ``services.alerts.scan`` (all six kinds) — first scan (raises) and a re-scan;
* ``trace``: ``services.trace.trace`` for ``--traces`` random container codes (median, p95);
* ``export_csv`` / ``export_xlsx``: every shipment to the manifest export formats;
* ``manifest_html``: one printable manifest with its QR codes;
* ``realised_flows``: the realised flows of the period (what the symbiosis reports read);
* ``ledger_review``: ``services.ledger_review.review`` over every enterprise.

Prints a summary on stderr and writes one JSON document (``--out``, default stdout).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from marketplace.db import make_engine, upgrade_schema  # noqa: E402
from marketplace.models import Container, Match, Shipment  # noqa: E402
from marketplace.services.traceability import alerts, ledger_review, manifests, trace, transfers
from marketplace.services.matching import workflow  # noqa: E402
from marketplace.services.accounts.users import Principal, system_principal  # noqa: E402
from marketplace.services.catalog.reference import load_builtin_catalog  # noqa: E402
from marketplace.services.listings.interchange import import_document  # noqa: E402
from marketplace.services.matching.runs import run_matching  # noqa: E402

DEMO_PARK = REPO / "marketplace" / "demo" / "demo_park.json"
PACKAGINGS = ("drum", "ibc", "tank", "bag")


def info(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _party(ent) -> Principal:
    return Principal(user_id=None, email=f"bench-{ent.ref.lower()}", role="enterprise", enterprise_id=ent.id,
                     enterprise_ref=ent.ref)


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0


def build(url: str, shipments: int, seed: int) -> dict:
    """The database with the demo park, approved matches and ``shipments`` recorded shipments."""
    engine = make_engine(url)
    upgrade_schema(engine)
    rng = random.Random(seed)
    now = dt.datetime.now(dt.timezone.utc)
    start = now - dt.timedelta(days=120)
    admin = system_principal("bench")
    with Session(engine) as session, session.begin():
        load_builtin_catalog(session)
        import_document(session, json.loads(DEMO_PARK.read_text(encoding="utf-8")), actor="bench")
        run_matching(session, park=None, actor="bench")
    with Session(engine) as session, session.begin():
        approved = []
        for m in session.scalars(select(Match).where(Match.status == "proposed").order_by(Match.id)):
            try:
                workflow.decide(session, _party(m.offer.enterprise), m.id, "accept", now=start)
                workflow.decide(session, _party(m.need.enterprise), m.id, "accept", now=start)
                workflow.decide(session, admin, m.id, "approve", now=start)
                approved.append(m.id)
            except Exception as exc:  # noqa: BLE001 - a pair that no longer fits is simply not approved
                info(f"  match {m.id} not approved: {exc}")
    info(f"{len(approved)} matches approved")
    t0 = time.perf_counter()
    made = 0
    batch = 200
    per_match = -(-shipments // max(len(approved), 1))  # ceil: loads each match must carry
    while made < shipments:
        with Session(engine) as session, session.begin():
            for _ in range(min(batch, shipments - made)):
                match = session.get(Match, approved[made % len(approved)])
                # Never more than the match allows in all: its quantity split over its loads, rounded down.
                load = math.floor(min(match.quantity_t / (per_match + 1), 30.0) * 1e4) / 1e4
                n = rng.randint(1, 4)
                per = round(load / n, 4)
                containers = [{"packaging": rng.choice(PACKAGINGS), "quantity_t": per} for _ in range(n - 1)]
                containers.append({"packaging": "drum", "quantity_t": round(load - per * (n - 1), 4)})
                when = start + dt.timedelta(days=110 * made / shipments, hours=rng.random() * 8)
                s = transfers.create_shipment(session, admin, match.id, quantity_t=load, containers=containers,
                                              carrier="bench carrier", vehicle="苏E·B0001", now=when)
                transfers.dispatch(session, admin, s.id, now=when + dt.timedelta(hours=1))
                fate = rng.random()
                if fate < 0.03:
                    made += 1
                    continue  # still on the road
                got = round(load * rng.uniform(0.93, 1.02), 3)
                transfers.receive(session, admin, s.id, quantity_received_t=got, now=when + dt.timedelta(hours=5))
                if fate > 0.06:
                    transfers.close(session, admin, s.id, now=when + dt.timedelta(days=1))
                made += 1
        info(f"  {made}/{shipments} shipments recorded")
    record_s = time.perf_counter() - t0
    return {"engine": engine, "approved": len(approved), "record_s": record_s, "now": now, "start": start}


def measure(engine, now: dt.datetime, start: dt.datetime, traces: int, seed: int) -> dict:
    """Time each read and report path on the built database."""
    rng = random.Random(seed)
    admin = system_principal("bench")
    out: dict = {}
    with Session(engine) as session, session.begin():
        first, t = _timed(alerts.scan, session, now=now)
        out["alerts_scan_first_s"] = round(t, 3)
        out["alerts_raised"] = first.as_dict() if hasattr(first, "as_dict") else str(first)
        _, t = _timed(alerts.scan, session, now=now)
        out["alerts_rescan_s"] = round(t, 3)
    with Session(engine) as session:
        codes = list(session.scalars(select(Container.code)))
        sample = rng.sample(codes, min(traces, len(codes)))
        times = []
        for code in sample:
            _, t = _timed(trace.trace, session, admin, code)
            times.append(t * 1000)
        out["containers"] = len(codes)
        out["trace_ms"] = {"n": len(times), "median": round(statistics.median(times), 2),
                           "p95": round(sorted(times)[int(0.95 * (len(times) - 1))], 2), "max": round(max(times), 2)}
        rows = list(session.scalars(select(Shipment).order_by(Shipment.id)))
        data, t = _timed(manifests.to_csv, session, rows)
        out["export_csv_s"], out["export_csv_bytes"] = round(t, 3), len(data)
        data, t = _timed(manifests.to_xlsx, session, rows)
        out["export_xlsx_s"], out["export_xlsx_bytes"] = round(t, 3), len(data)
        _, t = _timed(manifests.manifest_html, session, rows[0])
        out["manifest_html_ms"] = round(t * 1000, 2)
        flows, t = _timed(transfers.realised_flows, session, start=start.date(), end=now.date())
        out["realised_flows_s"], out["realised_flows"] = round(t, 3), len(flows)
    with Session(engine) as session, session.begin():
        review, t = _timed(ledger_review.review, session, admin, now=now)
        out["ledger_review_s"] = round(t, 3)
        out["ledger_findings"] = dict(review.by_code)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shipments", type=int, default=3000)
    parser.add_argument("--traces", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", default=None, help="SQLAlchemy URL of an empty database (default: a temp SQLite file)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        built = build(url, args.shipments, args.seed)
        result = {"benchmark": "traceability", "shipments": args.shipments, "approved_matches": built["approved"],
                  "record_s": round(built["record_s"], 2),
                  "record_ms_per_shipment": round(built["record_s"] * 1000 / max(args.shipments, 1), 2),
                  "database": url.split(":")[0], "python": platform.python_version(),
                  "machine": platform.machine(), "date": dt.date.today().isoformat()}
        result.update(measure(built["engine"], built["now"], built["start"], args.traces, args.seed))
        built["engine"].dispose()
    doc = json.dumps(result, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(doc + "\n", encoding="utf-8")
        info(f"wrote {args.out}")
    else:
        print(doc)
    info(f"{args.shipments} shipments recorded in {result['record_s']} s "
         f"({result['record_ms_per_shipment']} ms each); alert scan {result['alerts_scan_first_s']} s, "
         f"trace median {result['trace_ms']['median']} ms, CSV {result['export_csv_s']} s, "
         f"XLSX {result['export_xlsx_s']} s, review {result['ledger_review_s']} s")


if __name__ == "__main__":
    main()

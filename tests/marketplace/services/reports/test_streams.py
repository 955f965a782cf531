"""Per-stream zero-waste KPIs (``kpis.streams``, contract of DESIGN.md) on the demo park, which holds every stream:
each stream's figures are recomputed here straight from the listings, matches and shipments of the database, and
add up to the park's; a stream with nothing offered shows zeros and null rates."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.waste_streams import STREAM_KEYS
from marketplace.models import Enterprise, Listing, Match, Park, Shipment
from marketplace.models.base import as_utc, park_date
from marketplace.services.accounts.users import system_principal
from marketplace.services.reports.document import build_report
from marketplace.services.reports.flows import PROPOSED_STATUSES, FlowData, Period, ReportFlow
from marketplace.services.reports.kpi_registry import STREAM_FIGURES
from marketplace.services.reports.kpis import stream_kpis
from matching.quantities import annual_tonnes
from tests.marketplace.services.reports.conftest import coordinator_of, demo_with_history

NOW = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)
TODAY = park_date(NOW)
ADMIN = system_principal("test")


@pytest.fixture(scope="module")
def demo(engine):
    """The demo park with its history, built once per module in a transaction rolled back after."""
    with demo_with_history(engine, NOW) as session:
        yield session


@pytest.fixture(scope="module")
def reports(demo):
    """The report over every park, and the two parks' own (as their coordinators see them)."""
    out = {None: build_report(demo, ADMIN, end=TODAY, now=NOW)}
    for code in ("CH", "JC"):
        out[code] = build_report(demo, coordinator_of(demo, code), park=code, end=TODAY, now=NOW)
    return out


def _expected(session: Session, park: str | None) -> dict[str, dict[str, float]]:
    """Each stream's figures from the database alone: open offers, matches by status and day, shipments received."""
    period = Period.ending(TODAY)
    ids = set(session.scalars(select(Enterprise.id).join(Park).where(Park.code == park))) if park else \
        set(session.scalars(select(Enterprise.id)))
    out: dict[str, dict[str, float]] = {s: defaultdict(float) for s in STREAM_KEYS}
    for o in session.scalars(select(Listing).where(Listing.kind == "offer", Listing.enterprise_id.in_(ids))):
        if (o.available_from or period.start) <= period.end and (o.available_to or period.end) >= period.start:
            out[o.stream]["offers"] += 1
            out[o.stream]["offered_t"] += annual_tonnes(o.quantity_t, o.period)
    for m in session.scalars(select(Match)):
        if m.offer.enterprise_id not in ids:
            continue
        row = out[m.offer.stream]
        if m.status in PROPOSED_STATUSES and period.holds(as_utc(m.created_at)):
            row["matched_t"] += m.quantity_t
        if m.status in ("approved", "in_transfer", "completed") and m.approved_at is not None:
            row["in_force_t"] += m.quantity_t  # every approval of the demo lies in the period, none finished before
    for s in session.scalars(select(Shipment).where(Shipment.status.in_(("received", "closed")))):
        match = session.get(Match, s.match_id)
        if match.offer.enterprise_id in ids and period.holds(as_utc(s.received_at)):
            out[match.offer.stream]["transferred_t"] += s.quantity_received_t
    return out


def test_every_stream_is_in_the_document_with_the_contract_keys(reports):
    for doc in reports.values():
        streams = doc["kpis"]["streams"]
        assert list(streams) == list(STREAM_KEYS)
        for figures in streams.values():
            assert {"offered_t", "matched_t"} <= set(figures)
            assert set(figures) == {k.key for k in STREAM_FIGURES}


@pytest.mark.parametrize("park", [None, "CH", "JC"])
def test_each_streams_figures_are_the_sums_of_its_listings_matches_and_shipments(demo, reports, park):
    streams = reports[park]["kpis"]["streams"]
    expected = _expected(demo, park)
    for key in STREAM_KEYS:
        got = streams[key]
        for figure in ("offers", "offered_t", "matched_t", "in_force_t", "transferred_t"):
            assert got[figure] == pytest.approx(expected[key][figure]), (park, key, figure)
        offered = expected[key]["offered_t"]
        if offered:
            assert got["match_rate"] == pytest.approx(expected[key]["matched_t"] / offered)
            assert got["utilisation_rate"] == pytest.approx(expected[key]["in_force_t"] / offered)


def test_the_demo_park_holds_every_stream_and_the_new_ones_moved(reports):
    streams = reports["CH"]["kpis"]["streams"]
    assert all(streams[key]["offers"] >= 1 and streams[key]["matched_t"] > 0 for key in STREAM_KEYS)
    # demolition concrete approved and delivered; kitchen waste approved; straw only proposed so far
    assert streams["construction"]["transferred_t"] > 0 and streams["construction"]["utilisation_rate"] > 0
    assert streams["household"]["in_force_t"] > 0 and streams["household"]["transferred_t"] == 0
    assert streams["agricultural"]["in_force_t"] == 0 and streams["agricultural"]["utilisation_rate"] == 0.0


@pytest.mark.parametrize("park", [None, "CH", "JC"])
def test_the_streams_add_up_to_the_parks_own_figures(reports, park):
    doc = reports[park]
    streams, block = doc["kpis"]["streams"], doc["kpis"]["park"]
    assert sum(s["offers"] for s in streams.values()) == block["offers"]
    assert sum(s["offered_t"] for s in streams.values()) == pytest.approx(block["offered_t"])
    assert sum(s["in_force_t"] for s in streams.values()) == pytest.approx(block["in_force_t"])
    # matched and transferred: the park's own offers' flows (every flow of the report over all parks)
    in_park = {e["ref"] for e in doc["kpis"]["enterprises"] if e["in_scope"]}
    for basis, figure in (("proposed", "matched_t"), ("realised", "transferred_t")):
        own = sum(f["tonnes"] for f in doc["flows"]
                  if f["basis"] == basis and f["kind"] == "waste" and f["source"] in in_park)
        assert sum(s[figure] for s in streams.values()) == pytest.approx(own), (park, figure)
    if park is None:
        assert sum(s["matched_t"] for s in streams.values()) == pytest.approx(block["proposed"]["tonnes"])
    # each flow row names its offer's stream
    assert {f["stream"] for f in doc["flows"] if f["kind"] == "waste"} <= set(STREAM_KEYS)


def test_a_park_without_a_stream_shows_zeros_and_no_rate(reports):
    streams = reports["JC"]["kpis"]["streams"]
    for key in ("household", "construction", "agricultural"):
        assert streams[key] == {"offers": 0, "offered_t": 0.0, "matched_t": 0.0, "in_force_t": 0.0,
                                "transferred_t": 0.0, "match_rate": None, "utilisation_rate": None}


def test_stream_kpis_of_offers_alone_and_of_nothing():
    """Without the database: an offered stream nobody matched has a 0 rate, an empty one none, and an offer without
    a stored stream falls back to its code."""
    period = Period.ending(TODAY)
    offers = [SimpleNamespace(stream="construction", waste_code=None, quantity_t=100.0, period="month"),
              SimpleNamespace(stream=None, waste_code="900-214-08", quantity_t=30.0, period="year")]
    flow = ReportFlow(id="match:1", basis="proposed", kind="waste", source_id=1, target_id=2, tonnes=20.0,
                      material="废机油", waste_code="900-214-08", stream="hazardous")
    outside = ReportFlow(id="match:2", basis="proposed", kind="waste", source_id=3, target_id=2, tonnes=99.0,
                         material="废机油", waste_code="900-214-08", stream="hazardous")
    data = FlowData(period=period, park=None, enterprises={}, in_scope={1, 2}, flows=[flow, outside], shipments=[],
                    ledger=[], offers=offers)
    out = stream_kpis(data)
    assert out["construction"]["offered_t"] == 1200.0 and out["construction"]["utilisation_rate"] == 0.0
    assert out["hazardous"]["offered_t"] == 30.0 and out["hazardous"]["matched_t"] == 20.0
    assert out["hazardous"]["match_rate"] == pytest.approx(20.0 / 30.0)
    assert out["household"]["match_rate"] is None and out["household"]["utilisation_rate"] is None
    empty = stream_kpis(FlowData(period=period, park=None, enterprises={}, in_scope=set(), flows=[], shipments=[],
                                 ledger=[], offers=[]))
    assert all(v["offered_t"] == 0 and v["utilisation_rate"] is None for v in empty.values())

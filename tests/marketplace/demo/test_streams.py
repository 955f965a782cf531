"""The demo park holds every waste stream of the zero-waste city (issue 20): an offer of each from the park CH, and
for construction, household and agricultural waste a receiver whose need the engine fills, holding the permit the
category's rules ask for (catalog.waste_streams)."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from benchmarks.eval_synergies import records_from_document
from catalog.waste_streams import STREAM_KEYS, infer_stream, stream_category
from marketplace.demo.history import FLOWS
from marketplace.models import Match
from marketplace.services.listings.interchange import import_document
from marketplace.services.matching.runs import run_matching
from matching.pipeline import run_park
from matching.problem import Problem, Settings
from tests.conftest import DEMO_PARK

TODAY = dt.date(2026, 11, 23)
# The pairs of the new streams the demo means to show (offer, need).
STREAM_PAIRS = {"construction": ("O-103", "N-055"), "household": ("O-104", "N-056"),
                "agricultural": ("O-105", "N-057")}


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(DEMO_PARK.read_text(encoding="utf-8"))


def _stream(listing: dict) -> str:
    return listing.get("stream") or infer_stream(listing.get("waste_code"), listing.get("category"))


def test_the_park_offers_every_stream(doc):
    park_of = {e["ref"]: e["park"] for e in doc["enterprises"]}
    offered = {_stream(x) for x in doc["listings"] if x["kind"] == "offer" and park_of[x["enterprise"]] == "CH"}
    assert offered == set(STREAM_KEYS)


def test_each_new_streams_pair_is_of_its_stream_and_the_receiver_holds_the_permit(doc):
    listings = {x["ref"]: x for x in doc["listings"]}
    licences = {e["ref"]: e["licences"] for e in doc["enterprises"]}
    for stream, (offer_ref, need_ref) in STREAM_PAIRS.items():
        offer, need = listings[offer_ref], listings[need_ref]
        assert _stream(offer) == _stream(need) == stream
        category = stream_category(offer["category"])
        assert category.stream == stream and need["category"] == offer["category"]
        if category.permit is None:  # agricultural residues: no permit for the receiver
            continue
        held = [lic for lic in licences[need["enterprise"]] if lic["kind"] == category.permit]
        assert held, (need_ref, category.permit)
        lic = held[0]
        assert category.code in lic["categories"]
        assert dt.date.fromisoformat(lic["valid_from"]) <= TODAY <= dt.date.fromisoformat(lic["valid_to"])


def test_the_engine_allocates_each_new_streams_pair_and_nothing_else_to_their_needs(doc):
    offers, needs, licences = records_from_document(doc, TODAY)
    proposals = run_park(Problem(offers, needs, licences, settings=Settings(today=TODAY))).proposals
    chosen = {(p.offer, p.need) for p in proposals}
    assert set(STREAM_PAIRS.values()) <= chosen
    new_needs = {n for _, n in STREAM_PAIRS.values()}
    assert {(o, n) for o, n in chosen if n in new_needs} == set(STREAM_PAIRS.values())


def test_the_history_approves_the_construction_and_household_pairs():
    played = {(f.offer, f.need): f for f in FLOWS}
    assert played[STREAM_PAIRS["construction"]].ship and played[STREAM_PAIRS["construction"]].loads > 0
    assert not played[STREAM_PAIRS["household"]].ship
    assert STREAM_PAIRS["agricultural"] not in played  # only proposed: the table shows each state


def _matched(session, document: dict) -> set[tuple[str, str]]:
    """The pairs a park-wide run makes on ``document`` imported into the test's database (the real path: the
    engine's input read back from the database, streams, categories and permits included)."""
    import_document(session, document, actor="test")
    run_matching(session, park=None, actor="test", settings=Settings(today=TODAY))
    return {(m.offer.ref, m.need.ref) for m in session.scalars(select(Match))}


def test_with_the_permits_the_run_makes_the_new_streams_pairs(session, doc):
    assert set(STREAM_PAIRS.values()) <= _matched(session, doc)


@pytest.mark.parametrize("stream", ["construction", "household"])
def test_without_the_receivers_permit_the_pair_is_not_made(session, doc, stream):
    offer_ref, need_ref = STREAM_PAIRS[stream]
    receiver = next(x["enterprise"] for x in doc["listings"] if x["ref"] == need_ref)
    permit = stream_category(next(x["category"] for x in doc["listings"] if x["ref"] == offer_ref)).permit
    stripped = json.loads(json.dumps(doc))
    for e in stripped["enterprises"]:
        if e["ref"] == receiver:
            e["licences"] = [lic for lic in e["licences"] if lic["kind"] != permit]
    chosen = _matched(session, stripped)
    assert (offer_ref, need_ref) not in chosen
    assert not any(o == offer_ref for o, _ in chosen)  # nobody else in the park holds the permit either

"""Trace (全程追溯): from producer to product via a container code, a manifest number and a product batch
upstream; the rule that follows a batch across enterprises; who sees which step."""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.errors import NotFound
from marketplace.models import LedgerEntry, Listing, Match, Shipment
from marketplace.models.base import park_date
from marketplace.services.traceability import ledger, trace, transfers
from marketplace.services.matching import workflow
from marketplace.services.accounts.users import Principal, resolve_token, system_principal
from tests.factories import load_api_park

PRODUCT = "再生润滑油 X re-refined lube X"
CLINKER = "水泥熟料燃料 kiln fuel"


@dataclass
class Chain:
    """Offer O-1 of E-2 → approved match with N-1 of E-1 → one shipment, two containers → E-1's receipt →
    E-1's out batch RB-001 (product X, ratio 0.3) sold to E-4 → E-4's in batch RB-001 → E-4's consumed batch."""

    match: Match
    shipment: Shipment
    receipt: LedgerEntry
    product: LedgerEntry
    bought: LedgerEntry
    used: LedgerEntry


def build_chain(session: Session, p: dict[str, Principal]) -> Chain:
    """The whole path, built through the services users call (workflow, transfers, ledger)."""
    ids = dict(session.execute(select(Listing.ref, Listing.id)).all())
    m = workflow.propose(session, p["coord"], ids["O-1"], ids["N-1"], 100.0)
    workflow.decide(session, p["e2"], m.id, "accept")
    workflow.decide(session, p["e1"], m.id, "accept")
    workflow.decide(session, p["coord"], m.id, "approve", "licence checked")
    s = transfers.create_shipment(session, p["e2"], m.id, quantity_t=40.0,
                                  containers=[{"packaging": "drum", "quantity_t": 15.0},
                                              {"packaging": "ibc", "quantity_t": 25.0}],
                                  carrier="滨海危运 Binhai HazTrans", vehicle="津A12345")
    transfers.dispatch(session, p["e2"], s.id)
    first, second = (c.code for c in s.containers)
    transfers.receive(session, p["e1"], s.id, quantity_received_t=39.6, containers={first: 15.0, second: 24.6})
    receipt = session.scalar(select(LedgerEntry).where(LedgerEntry.shipment_id == s.id))
    assert receipt is not None and receipt.direction == "in"
    today = park_date()
    product = ledger.create_entry(session, p["e1"], {
        "enterprise": "E-1", "batch_code": "RB-001", "direction": "out", "entry_date": today,
        "chemical_name": "再生基础油 re-refined base oil", "cas": "64742-54-7", "quantity_t": 10.0,
        "content_ratio": 0.3, "product": PRODUCT, "counterparty": "E-4", "source_batch": receipt.batch_code})
    bought = ledger.create_entry(session, p["e4"], {
        "enterprise": "E-4", "batch_code": "RB-001", "direction": "in", "entry_date": today,
        "chemical_name": "再生基础油 re-refined base oil", "cas": "64742-54-7", "quantity_t": 10.0,
        "content_ratio": 0.3, "counterparty": "E-1"})
    used = ledger.create_entry(session, p["e4"], {
        "enterprise": "E-4", "batch_code": "U-RB-001", "direction": "consumed", "entry_date": today,
        "chemical_name": "再生基础油 re-refined base oil", "cas": "64742-54-7", "quantity_t": 8.0,
        "content_ratio": 0.3, "product": CLINKER, "source_batch": "RB-001"})
    session.flush()
    return Chain(m, s, receipt, product, bought, used)


def principals(session: Session, tokens: dict[str, str]) -> dict[str, Principal]:
    return {k: resolve_token(session, t) for k, t in tokens.items()}


@pytest.fixture()
def world(session):
    p = principals(session, load_api_park(session))
    return session, p, build_chain(session, p)


def _types(doc):
    return [n["type"] for n in doc["nodes"]]


def _dump(doc) -> str:
    return json.dumps(doc, ensure_ascii=False)


FULL_PATH = ["producer", "offer", "match", "shipment", "container", "container", "receiver",
             "ledger_entry", "ledger_entry", "ledger_entry", "ledger_entry"]


def test_a_container_code_traces_from_producer_to_product(world):
    session, p, c = world
    code = c.shipment.containers[1].code
    doc = trace.trace(session, p["admin"], code)
    assert (doc["query"], doc["kind"], doc["hidden"], doc["truncated"]) == (code, "container", 0, False)
    assert _types(doc) == FULL_PATH
    nodes = doc["nodes"]
    assert [n["index"] for n in nodes] == list(range(len(nodes)))
    assert [n["queried"] for n in nodes].count(True) == 1 and nodes[5]["queried"] and nodes[5]["code"] == code
    producer, offer, match, ship, c1, c2, receiver, receipt, product, bought, used = nodes
    assert (producer["ref"], producer["name"], producer["parent"]) == ("E-2", "开发区汽车维修中心", None)
    assert (offer["ref"], offer["parent"], offer["relation"]) == ("O-1", 0, "listed")
    assert (match["id"], match["status"], match["quantity_t"]) == (c.match.id, "in_transfer", 100.0)
    assert match["label_en"] == f"Match #{c.match.id} in transfer, 100 t"  # the state in words, not its key
    assert ship["manifest_number"] == c.shipment.manifest_number and ship["status"] == "received"
    assert (ship["quantity_t"], ship["quantity_received_t"], ship["vehicle"]) == (40.0, 39.6, "津A12345")
    assert ship["dispatched_at"] and ship["received_at"] and ship["date"]
    assert [(x["packaging"], x["quantity_t"], x["quantity_received_t"], x["parent"]) for x in (c1, c2)] == \
        [("drum", 15.0, 15.0, 3), ("ibc", 25.0, 24.6, 3)]
    assert (receiver["ref"], receiver["licence"], receiver["parent"]) == ("E-1", "TJ-HW-0001", 3)
    assert (receipt["id"], receipt["direction"], receipt["parent"], receipt["relation"]) == \
        (c.receipt.id, "in", 6, "recorded")
    assert receipt["batch_code"] == c.shipment.manifest_number and receipt["quantity_t"] == 39.6
    assert (product["id"], product["product"], product["content_ratio"], product["counterparty"]) == \
        (c.product.id, PRODUCT, 0.3, "E-4")
    assert (product["parent"], product["relation"]) == (7, "drawn_on")
    assert (bought["owner"], bought["parent"], bought["relation"]) == ("E-4", 8, "transferred")
    assert (used["product"], used["parent"], used["relation"]) == (CLINKER, 9, "drawn_on")
    assert doc["edges"] == [{"from": n["parent"], "to": n["index"], "relation": n["relation"]}
                            for n in nodes if n["parent"] is not None]
    s = doc["summary"]
    assert (s["shipments"], s["containers"], s["dispatched_t"], s["received_t"]) == (1, 2, 40.0, 39.6)
    assert [(x["product"], x["quantity_t"], x["content_ratio"]) for x in s["products"]] == \
        [(PRODUCT, 10.0, 0.3), (CLINKER, 8.0, 0.3)]
    assert s["product_t"] == 18.0
    assert "发运 40 吨" in s["text_zh"] and "10 t of " + PRODUCT in s["text_en"]
    for n in nodes:  # every step is bilingual
        assert n["label_zh"] and n["label_en"]
    assert "容器" in c1["label_zh"] and "Container" in c1["label_en"] and "转移联单" in ship["label_zh"]


def test_the_manifest_number_traces_the_same_path(world):
    session, p, c = world
    doc = trace.trace(session, p["admin"], c.shipment.manifest_number)
    assert doc["kind"] == "manifest" and _types(doc) == FULL_PATH
    queried = [n for n in doc["nodes"] if n["queried"]]
    assert [n["type"] for n in queried] == ["shipment"]
    # Typed in lower case, a manifest number is still found.
    assert trace.trace(session, p["admin"], f"  {c.shipment.manifest_number.lower()} ")["kind"] == "manifest"


def test_a_product_batch_traces_upstream_to_the_producer(world):
    session, p, c = world
    doc = trace.trace(session, p["admin"], "E-1:RB-001")
    assert doc["kind"] == "batch" and _types(doc) == FULL_PATH
    by_id = {(n["type"], n["id"]): n for n in doc["nodes"]}
    assert by_id[("ledger_entry", c.product.id)]["queried"]
    assert by_id[("producer", c.shipment.producer_id)]["ref"] == "E-2"
    assert by_id[("ledger_entry", c.receipt.id)]["relation"] == "recorded"
    # Down from the queried batch only: E-4's purchase and use; up to the shipment and producer.
    assert doc == trace.trace(session, p["admin"], f"ledger:{c.product.id}") | {"query": "E-1:RB-001"}
    # The downstream buyer's own batch goes all the way up too.
    up = trace.trace(session, p["admin"], "E-4:U-RB-001")
    assert _types(up) == FULL_PATH and up["nodes"][-1]["queried"] and up["nodes"][0]["ref"] == "E-2"


def test_a_sibling_batch_is_not_on_the_path_of_another(world):
    session, p, c = world
    sibling = ledger.create_entry(session, p["e1"], {
        "enterprise": "E-1", "batch_code": "RB-002", "direction": "consumed", "entry_date": park_date(),
        "chemical_name": "再生基础油 re-refined base oil", "cas": "64742-54-7", "quantity_t": 5.0,
        "content_ratio": 0.3, "product": "脱模剂 release agent", "source_batch": c.receipt.batch_code})
    from_product = trace.trace(session, p["admin"], "E-1:RB-001")
    assert sibling.id not in {n["id"] for n in from_product["nodes"] if n["type"] == "ledger_entry"}
    # From the container, what the receipt became includes both batches.
    whole = trace.trace(session, p["admin"], c.shipment.containers[0].code)
    assert {c.product.id, sibling.id} <= {n["id"] for n in whole["nodes"] if n["type"] == "ledger_entry"}


def test_a_batch_is_followed_to_a_counterparty_only_when_both_sides_say_so(world):
    session, p, c = world
    # E-3 claims an RB-001 from E-1, but E-1 sold RB-001 to E-4: not followed.
    ledger.create_entry(session, p["e3"], {
        "enterprise": "E-3", "batch_code": "RB-001", "direction": "in", "entry_date": park_date(),
        "chemical_name": "再生基础油", "cas": "64742-54-7", "quantity_t": 10.0, "counterparty": "E-1"})
    # E-1 sells RB-009 to E-3, and E-3 books an RB-009 — from someone else: not followed either.
    ledger.create_entry(session, p["e1"], {
        "enterprise": "E-1", "batch_code": "RB-009", "direction": "out", "entry_date": park_date(),
        "chemical_name": "再生基础油", "cas": "64742-54-7", "quantity_t": 2.0, "product": "样品 sample",
        "counterparty": "E-3", "source_batch": c.receipt.batch_code})
    ledger.create_entry(session, p["e3"], {
        "enterprise": "E-3", "batch_code": "RB-009", "direction": "in", "entry_date": park_date(),
        "chemical_name": "再生基础油", "cas": "64742-54-7", "quantity_t": 2.0, "counterparty": "E-4"})
    doc = trace.trace(session, p["admin"], c.shipment.manifest_number)
    owners = [(n["owner"], n["batch_code"]) for n in doc["nodes"] if n["type"] == "ledger_entry"]
    assert ("E-4", "RB-001") in owners and ("E-1", "RB-009") in owners
    assert not [o for o in owners if o[0] == "E-3"]
    # Read backwards, E-3's claim leads nowhere either: E-1's RB-001 names E-4, so E-3's batch is its own origin.
    claim = trace.trace(session, p["admin"], "E-3:RB-001")
    assert [(n["owner"], n["queried"], n["parent"]) for n in claim["nodes"]] == [("E-3", True, None)]


def test_unknown_codes_are_not_found_naming_the_code(world):
    session, p, _ = world
    for code in ("CH-20990101-0001-01", "E-1:NOPE", "E-404:RB-001", "ledger:999999", "ledger:99999999999", "",
                 "x" * 500, "bad\x00code"):
        with pytest.raises(NotFound) as exc:
            trace.trace(session, p["admin"], code)
        assert "code" in exc.value.errors
    with pytest.raises(NotFound) as exc:
        trace.trace(session, p["admin"], "E-1:NOPE")
    assert "E-1:NOPE" in exc.value.message


def test_a_third_enterprise_and_another_parks_coordinator_see_nothing(world):
    session, p, c = world
    code = c.shipment.containers[0].code
    for who in ("e3", "e4", "coord_nk"):
        for query in (code, c.shipment.manifest_number, "E-1:RB-001", f"ledger:{c.receipt.id}"):
            with pytest.raises(NotFound):
                trace.trace(session, p[who], query)
    # The bystander's error says no more than an unknown code would.
    unknown = code[:-1] + "9"
    with pytest.raises(NotFound) as seen:
        trace.trace(session, p["e3"], code)
    with pytest.raises(NotFound) as missing:
        trace.trace(session, p["e3"], unknown)
    assert code in seen.value.message
    assert seen.value.message.replace(code, "?") == missing.value.message.replace(unknown, "?")


def test_coordinators_of_the_parks_and_admins_see_every_step(world):
    session, p, c = world
    for who in ("coord", "admin"):
        doc = trace.trace(session, p[who], c.shipment.containers[0].code)
        assert doc["hidden"] == 0 and _types(doc) == FULL_PATH
        assert "南港水泥有限公司" not in _dump(doc) and "E-4" in _dump(doc)  # refs, not other names, downstream
    # The CLI's operator (an admin principal without an account) too.
    assert trace.trace(session, system_principal("cli"), "E-4:RB-001")["hidden"] == 0
    # A coordinator of only the downstream buyer's park sees that buyer's batches, not the other park's steps.
    downstream = trace.trace(session, p["coord_nk"], "E-4:U-RB-001")
    assert [n["owner"] for n in downstream["nodes"]] == ["E-4", "E-4"] and downstream["hidden"] == len(FULL_PATH) - 2
    assert "E-2" not in _dump(downstream) and c.shipment.manifest_number not in _dump(downstream)


def test_the_producer_sees_the_product_but_not_its_buyer(world):
    session, p, c = world
    doc = trace.trace(session, p["e2"], c.shipment.containers[0].code)
    assert _types(doc) == FULL_PATH[:-2] and doc["hidden"] == 2
    receipt, product = doc["nodes"][7], doc["nodes"][8]
    assert receipt["limited"] and product["limited"] and not doc["nodes"][3]["limited"]
    assert (product["product"], product["quantity_t"], product["owner"]) == (PRODUCT, 10.0, "E-1")
    assert (product["id"], product["counterparty"], product["batch_code"], product["content_ratio"]) == \
        (None, None, None, None)
    text = _dump(doc)
    for secret in ("E-4", "南港水泥有限公司", "RB-001", CLINKER):
        assert secret not in text, secret
    assert not [n for n in doc["nodes"] if n["type"] == "ledger_entry" and n["id"] is not None]
    assert [x["product"] for x in doc["summary"]["products"]] == [PRODUCT]
    assert c.shipment.manifest_number in text and "滨海再生资源有限公司" in text  # the disclosed receiver


def test_the_receiver_sees_its_own_ledger_but_not_the_buyers(world):
    session, p, c = world
    doc = trace.trace(session, p["e1"], c.shipment.manifest_number)
    assert _types(doc) == FULL_PATH[:-2] and doc["hidden"] == 2
    product = doc["nodes"][8]
    assert not product["limited"] and (product["counterparty"], product["batch_code"]) == ("E-4", "RB-001")
    assert CLINKER not in _dump(doc)
    # A bare batch code is the caller's own batch.
    assert trace.trace(session, p["e1"], "RB-001")["kind"] == "batch"


def test_the_buyer_sees_its_own_batches_only(world):
    session, p, c = world
    doc = trace.trace(session, p["e4"], "E-4:U-RB-001")
    assert _types(doc) == ["ledger_entry", "ledger_entry"] and doc["hidden"] == len(FULL_PATH) - 2
    bought, used = doc["nodes"]
    assert (bought["parent"], used["parent"], used["relation"]) == (None, 0, "drawn_on")
    assert bought["counterparty"] == "E-1"  # its own record of where it bought
    text = _dump(doc)
    for secret in ("E-2", "开发区汽车维修中心", c.shipment.manifest_number, PRODUCT):
        assert secret not in text, secret
    assert doc["summary"]["shipments"] == 0 and doc["summary"]["products"][0]["product"] == CLINKER


def test_a_step_behind_a_withheld_one_hangs_from_the_nearest_visible_ancestor(world):
    session, p, c = world
    # E-4 sells part of its batch back to the producer E-2, which books it: a closed loop.
    ledger.create_entry(session, p["e4"], {
        "enterprise": "E-4", "batch_code": "RB-001-R", "direction": "out", "entry_date": park_date(),
        "chemical_name": "再生基础油", "cas": "64742-54-7", "quantity_t": 1.0, "counterparty": "E-2",
        "source_batch": "RB-001"})
    back = ledger.create_entry(session, p["e2"], {
        "enterprise": "E-2", "batch_code": "RB-001-R", "direction": "in", "entry_date": park_date(),
        "chemical_name": "再生基础油", "cas": "64742-54-7", "quantity_t": 1.0, "counterparty": "E-4"})
    doc = trace.trace(session, p["e2"], c.shipment.manifest_number)
    own = next(n for n in doc["nodes"] if n["id"] == back.id and n["type"] == "ledger_entry")
    assert own["relation"] == "via_withheld" and doc["nodes"][own["parent"]]["product"] == PRODUCT
    assert doc["hidden"] == 3 and own["counterparty"] == "E-4"  # its own record names its supplier

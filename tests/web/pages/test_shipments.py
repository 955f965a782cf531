"""Shipment pages: the producer plans and dispatches, the receiver weighs in, scopes, printouts, CSRF, English."""
from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.models import LedgerEntry, Listing, Shipment, User
from marketplace.services.traceability import transfers
from marketplace.services.matching import workflow
from marketplace.services.accounts.users import Principal, principal_of
from tests.factories import API_USERS

OWNER = {"O-1": "e2", "O-2": "e3", "N-1": "e1", "N-2": "e4"}


def principals(session) -> dict[str, Principal]:
    """The principal of each ``API_USERS`` key, as their signed-in pages act."""
    users = {u.email: u for u in session.scalars(select(User))}
    return {key: principal_of(users[email]) for key, (email, *_rest) in API_USERS.items()}


def approved_match(session, offer: str = "O-1", need: str = "N-1", quantity: float = 10) -> int:
    """A match proposed by the BH coordinator, accepted by both parties and approved (committed)."""
    p = principals(session)
    ids = dict(session.execute(select(Listing.ref, Listing.id)).all())
    match = workflow.propose(session, p["coord"], ids[offer], ids[need], quantity)
    workflow.decide(session, p[OWNER[offer]], match.id, "accept")
    workflow.decide(session, p[OWNER[need]], match.id, "accept")
    workflow.decide(session, p["coord"], match.id, "approve")
    session.commit()
    return match.id


def shipment_in(session, status: str = "planned", quantity: float = 1.0) -> Shipment:
    """A shipment of a new approved O-1 → N-1 match (E-2 produces, E-1 receives), brought to ``status``."""
    p = principals(session)
    match_id = approved_match(session)
    s = transfers.create_shipment(session, p["e2"], match_id, quantity_t=quantity,
                                  containers=[{"packaging": "drum", "quantity_t": quantity}])
    if status in ("dispatched", "received"):
        transfers.dispatch(session, p["e2"], s.id)
    if status == "received":
        transfers.receive(session, p["e1"], s.id, quantity_received_t=quantity * 0.8)
    session.commit()
    return s


def status_of(pages, shipment_id: int) -> str:
    pages.session.expire_all()
    return pages.session.get(Shipment, shipment_id).status


def test_the_producer_plans_and_dispatches(pages):
    match_id = approved_match(pages.session)
    pages.sign_in("e2")
    form = pages.text(f"/matches/{match_id}/ship")
    assert 'name="quantity_t"' in form and "rows.0.count" in form
    res = pages.post(f"/matches/{match_id}/ship", {"quantity_t": "1.5", "rows.0.packaging": "drum",
                                                  "rows.0.count": "3", "carrier": "津运危化", "vehicle": "津A12345",
                                                  "planned_on": "2026-12-03"})
    assert res.status_code == 302, res.get_data(as_text=True)[:1500]
    shipment = pages.session.scalars(select(Shipment).where(Shipment.match_id == match_id)).one()
    assert res.headers["Location"].endswith(f"/shipments/{shipment.id}")
    assert [c.quantity_t for c in shipment.containers] == [0.5, 0.5, 0.5]
    page = pages.text(f"/shipments/{shipment.id}")
    assert shipment.manifest_number in page and f"{shipment.manifest_number}-03" in page
    assert 'value="dispatch"' in page and 'value="cancel"' in page and 'value="receive"' not in page
    res = pages.post(f"/shipments/{shipment.id}/events", {"action": "dispatch"})
    assert res.status_code == 302
    assert status_of(pages, shipment.id) == "dispatched"
    page = pages.text(f"/shipments/{shipment.id}")
    assert 'value="dispatch"' not in page and "津运危化" in page


def test_a_bad_plan_keeps_the_input_and_writes_nothing(pages):
    match_id = approved_match(pages.session)
    pages.sign_in("e2")
    res = pages.post(f"/matches/{match_id}/ship", {"quantity_t": "lots", "rows.0.packaging": "drum",
                                                  "rows.0.count": "2", "driver": "王师傅"})
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and 'value="lots"' in page and 'value="王师傅"' in page
    # more than the match holds: the service refuses (409), the form comes back
    res = pages.post(f"/matches/{match_id}/ship", {"quantity_t": "50", "rows.0.packaging": "ibc", "rows.0.count": "1"})
    assert res.status_code == 409 and 'value="50"' in res.get_data(as_text=True)
    assert pages.session.scalars(select(Shipment).where(Shipment.match_id == match_id)).first() is None


def test_either_party_or_a_coordinator_plans_and_others_get_404(pages):
    # The page refused the receiver (403) while the API let either party or a coordinator plan: one rule now,
    # the service's (transfers.plannable), so the receiver and the park's coordinator get the form.
    match_id = approved_match(pages.session)
    for key in ("e1", "coord"):  # the receiver; the coordinator of the parks
        pages.sign_in(key)
        assert pages.get(f"/matches/{match_id}/ship").status_code == 200, key
    for key in ("e1", "e2"):  # both parties see the way to the form on the match
        pages.sign_in(key)
        assert 'id="plan-shipment"' in pages.text(f"/matches/{match_id}"), key
    pages.sign_in("e3")  # not a party
    assert pages.get(f"/matches/{match_id}/ship").status_code == 404


def test_the_receiver_receives_with_a_weight(pages):
    s = shipment_in(pages.session, "dispatched", quantity=2.0)
    pages.sign_in("e1")
    page = pages.text(f"/shipments/{s.id}")
    assert 'value="receive"' in page and 'value="reject"' in page and 'value="dispatch"' not in page
    res = pages.post(f"/shipments/{s.id}/events", {"action": "receive", "quantity_received_t": "-3",
                                                   "remark": "地磅复核"})
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and 'value="-3"' in page and "地磅复核" in page
    assert status_of(pages, s.id) == "dispatched"
    res = pages.post(f"/shipments/{s.id}/events", {"action": "receive", "quantity_received_t": "abc"})
    assert res.status_code == 422 and 'value="abc"' in res.get_data(as_text=True)
    assert status_of(pages, s.id) == "dispatched"
    res = pages.post(f"/shipments/{s.id}/events", {"action": "receive", "quantity_received_t": "1.96",
                                                   "remark": "地磅复核"})
    assert res.status_code == 302 and status_of(pages, s.id) == "received"
    shipment = pages.session.get(Shipment, s.id)
    assert (shipment.status, shipment.quantity_received_t) == ("received", 1.96)
    assert pages.session.scalar(select(LedgerEntry).where(LedgerEntry.shipment_id == s.id)) is not None
    assert 'value="close"' in pages.text(f"/shipments/{s.id}")


def test_rejecting_needs_a_reason(pages):
    s = shipment_in(pages.session, "dispatched")
    pages.sign_in("e1")
    res = pages.post(f"/shipments/{s.id}/events", {"action": "reject", "reason": "  "})
    assert res.status_code == 422 and status_of(pages, s.id) == "dispatched"
    res = pages.post(f"/shipments/{s.id}/events", {"action": "dispatch"})  # the producer's step: refused
    assert res.status_code == 403 and status_of(pages, s.id) == "dispatched"


def test_another_enterprise_gets_404(pages):
    s = shipment_in(pages.session, "dispatched")
    pages.sign_in("e3")
    for path in (f"/shipments/{s.id}", f"/shipments/{s.id}/manifest", f"/shipments/{s.id}/labels"):
        assert pages.get(path).status_code == 404, path
    assert pages.post(f"/shipments/{s.id}/events", {"action": "receive", "quantity_received_t": "1"}).status_code \
        == 404
    assert s.manifest_number not in pages.text("/shipments")
    assert status_of(pages, s.id) == "dispatched"


def test_lists_filters_and_printouts(pages):
    s = shipment_in(pages.session, "planned")
    pages.sign_in("e1")
    assert s.manifest_number in pages.text("/shipments")
    assert s.manifest_number in pages.text("/shipments?role=receiver&status=planned")
    assert s.manifest_number not in pages.text("/shipments?role=producer")
    assert s.manifest_number not in pages.text("/shipments?status=closed")
    res = pages.get(f"/shipments/{s.id}/manifest")
    assert res.status_code == 200 and res.mimetype == "text/html" and s.manifest_number in res.get_data(as_text=True)
    res = pages.get(f"/shipments/{s.id}/labels")
    assert res.status_code == 200 and f"{s.manifest_number}-01" in res.get_data(as_text=True)
    pages.sign_in("coord")
    page = pages.text(f"/shipments/{s.id}")
    assert 'value="dispatch"' in page and 'value="cancel"' in page  # a coordinator may act for either side


def test_a_post_without_the_csrf_token_is_400(pages):
    s = shipment_in(pages.session, "planned")
    pages.sign_in("e2")
    res = pages.client.post(f"/shipments/{s.id}/events", data={"action": "cancel", "reason": "no truck"})
    assert res.status_code == 400 and status_of(pages, s.id) == "planned"


def test_signed_out_goes_to_sign_in_and_pages_speak_english(pages):
    s = shipment_in(pages.session, "received")
    assert pages.get("/shipments").status_code == 302
    pages.sign_in("e1")
    assert "转移联单" in pages.text(f"/shipments/{s.id}")
    pages.language("en")
    page = pages.text(f"/shipments/{s.id}")
    assert "Close the manifest" in page and "History" in page and "Planned the shipment" in page
    assert not re.search(r"[\u4e00-\u9fff]{2,}", re.sub(r"<[^>]+>", " ", pages.text("/shipments?status=received"))
                         .replace(s.material, "").replace("滨海再生资源有限公司", "").replace("开发区汽车维修中心", "")
                         .replace("中文", ""))

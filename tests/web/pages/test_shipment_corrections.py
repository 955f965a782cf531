"""The shipment page's corrections and returns: a party asks (a refused value comes back with the input), the
producer's park coordinator approves or rejects, the requester sees no buttons; a rejected load's return manifest
planned from the page and linked both ways; English and Chinese."""
from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.models import ManifestCorrection, Shipment
from marketplace.services.traceability import transfers
from tests.web.pages.test_shipments import principals, shipment_in


def test_ask_then_the_coordinator_approves(pages):
    s = shipment_in(pages.session, "received", quantity=2.0)
    pages.sign_in("e1")
    page = pages.text(f"/shipments/{s.id}")
    assert 'name="fix.quantity_received_t"' in page and 'name="fix.reason"' in page
    res = pages.post(f"/shipments/{s.id}/corrections", {"fix.quantity_received_t": "abc", "fix.reason": "磅单"})
    assert res.status_code == 422 and 'value="abc"' in res.get_data(as_text=True)
    res = pages.post(f"/shipments/{s.id}/corrections", {"fix.waste_code": "HW08", "fix.reason": "代码错误"})
    assert res.status_code == 422 and 'value="HW08"' in res.get_data(as_text=True)
    res = pages.post(f"/shipments/{s.id}/corrections", {"fix.quantity_received_t": "1.7", "fix.reason": "磅单复核"})
    assert res.status_code == 302, res.get_data(as_text=True)[:2000]
    c = pages.session.scalar(select(ManifestCorrection))
    page = pages.text(f"/shipments/{s.id}")
    assert "磅单复核" in page and 'value="approve"' not in page  # the requester never decides
    assert 'name="fix.vehicle"' not in page  # one open request: no second form
    pages.sign_in("coord")
    assert 'value="approve"' in pages.text(f"/shipments/{s.id}")
    res = pages.post(f"/shipments/{s.id}/corrections/{c.id}/decision", {"decision": "approve", "note": ""})
    assert res.status_code == 302
    pages.session.expire_all()
    assert pages.session.get(Shipment, s.id).quantity_received_t == 1.7


def test_a_rejection_needs_a_note_and_others_get_404(pages):
    s = shipment_in(pages.session, "planned")
    pages.sign_in("e2")
    assert pages.post(f"/shipments/{s.id}/corrections", {"fix.driver": "李师傅", "fix.reason": "名字"}).status_code == 302
    c = pages.session.scalar(select(ManifestCorrection))
    pages.sign_in("coord")
    res = pages.post(f"/shipments/{s.id}/corrections/{c.id}/decision", {"decision": "reject", "note": ""})
    assert res.status_code == 422
    res = pages.post(f"/shipments/{s.id}/corrections/{c.id}/decision", {"decision": "reject", "note": "无依据"})
    assert res.status_code == 302
    pages.session.expire_all()
    assert pages.session.get(Shipment, s.id).driver is None
    pages.sign_in("e3")
    assert pages.post(f"/shipments/{s.id}/corrections", {"fix.driver": "x", "fix.reason": "y"}).status_code == 404


def test_a_rejected_load_returns_from_the_page_linked_both_ways(pages):
    s = shipment_in(pages.session, "dispatched")
    transfers.reject(pages.session, principals(pages.session)["e1"], s.id, reason="桶漏")
    pages.session.commit()
    pages.sign_in("e1")
    assert "pages.shipment_return" not in pages.text(f"/shipments/{s.id}")
    assert pages.post(f"/shipments/{s.id}/return", {}).status_code == 403
    pages.sign_in("e2")
    page = pages.text(f"/shipments/{s.id}")
    assert f"/shipments/{s.id}/return" in page
    res = pages.post(f"/shipments/{s.id}/return", {"return.vehicle": "津A99999"})
    assert res.status_code == 302
    pages.session.expire_all()
    back = pages.session.scalar(select(Shipment).where(Shipment.returned_from_id == s.id))
    assert res.headers["Location"].endswith(f"/shipments/{back.id}")
    assert s.manifest_number in pages.text(f"/shipments/{back.id}")
    page = pages.text(f"/shipments/{s.id}")
    assert back.manifest_number in page and f"/shipments/{s.id}/return" not in page
    assert "退运" in page  # Chinese by default
    pages.language("en")
    page = pages.text(f"/shipments/{s.id}")
    assert "This rejected load goes back under" in page and "Corrections" in page


def test_a_draft_saved_from_the_planning_form_then_planned(pages):
    from tests.web.pages.test_shipments import approved_match
    match_id = approved_match(pages.session)
    pages.sign_in("e2")
    res = pages.post(f"/matches/{match_id}/ship", {"quantity_t": "1.5", "driver": "王师傅", "save": "draft"})
    assert res.status_code == 302, res.get_data(as_text=True)[:1500]
    draft = pages.session.scalars(select(Shipment).where(Shipment.match_id == match_id)).one()
    assert (draft.status, draft.manifest_number, draft.containers) == ("draft", None, [])
    form = pages.text(f"/matches/{match_id}/ship?draft={draft.id}")
    assert 'value="王师傅"' in form and f'name="draft_id" value="{draft.id}"' in form and "草稿" in form
    assert draft.id not in [int(x) for x in re.findall(r"/shipments/(\d+)\"", pages.text("/shipments"))]
    pages.sign_in("e1")  # the other party: not its draft
    assert pages.get(f"/matches/{match_id}/ship?draft={draft.id}").status_code == 404
    assert pages.post(f"/shipments/drafts/{draft.id}/delete", {}).status_code == 404
    pages.sign_in("e2")
    res = pages.post(f"/matches/{match_id}/ship", {"draft_id": str(draft.id), "quantity_t": "1.5",
                                                  "rows.0.packaging": "drum", "rows.0.count": "3", "driver": "王师傅"})
    assert res.status_code == 302, res.get_data(as_text=True)[:1500]
    pages.session.expire_all()
    planned = pages.session.scalars(select(Shipment).where(Shipment.match_id == match_id)).one()
    assert planned.status == "planned" and planned.manifest_number and len(planned.containers) == 3
    assert res.headers["Location"].endswith(f"/shipments/{planned.id}")

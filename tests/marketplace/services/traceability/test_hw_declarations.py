"""The annual hazardous waste declaration: drafted from the manifests, reconciled on submission (a mismatch is a
ledger finding, kept and resolved by reviews), returned and accepted; every refusal named."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.models import AuditEvent, LedgerFinding, Match, Notification
from marketplace.models.base import CHINA_TZ
from marketplace.services.traceability import hw_declarations as hw
from marketplace.services.traceability import ledger_review, transfers
from tests.marketplace.services.matching.test_workflow import World

CODE = "900-214-08"  # O-1, E-2's used engine oil, goes to E-1 (licensed) under match O-1 → N-1


def _shipped(w: World) -> tuple[Match, int]:
    """E-2's year: 1.0 t closed, 2.5 t received, 0.75 t dispatched (4.25 t under 3 manifests); one planned and one
    cancelled shipment move nothing. Returns the match and the year (China time) of the dispatches."""
    m = w.accepted("O-1", "N-1", 10)
    w.act("coord", m, "approve")
    shipments = []
    for quantity, status in ((1.0, "closed"), (2.5, "received"), (0.75, "dispatched"), (0.5, "planned"),
                             (0.25, "cancelled")):
        s = transfers.create_shipment(w.session, w.p["e2"], m.id, quantity_t=quantity,
                                      containers=[{"packaging": "drum", "quantity_t": quantity}])
        if status == "cancelled":
            transfers.cancel(w.session, w.p["e2"], s.id, reason="truck unavailable")
        if status in ("dispatched", "received", "closed"):
            transfers.dispatch(w.session, w.p["e2"], s.id)
        if status in ("received", "closed"):
            transfers.receive(w.session, w.p["e1"], s.id, quantity_received_t=quantity)
        if status == "closed":
            transfers.close(w.session, w.p["e1"], s.id)
        shipments.append(s)
    return m, shipments[0].dispatched_at.astimezone(CHINA_TZ).year


def _findings(w: World, status: str = "open") -> list[LedgerFinding]:
    return list(w.session.scalars(select(LedgerFinding).where(LedgerFinding.code == "declaration_mismatch",
                                                              LedgerFinding.status == status)))


def test_a_small_producers_declaration_equals_the_sum_of_its_manifests(w):
    _, year = _shipped(w)
    decl = hw.draft(w.session, w.p["e2"], None, year)
    assert decl.status == "draft"
    [line] = decl.lines
    assert (line.waste_code, line.generated_t, line.transferred_t, line.manifests_t, line.manifest_count) == (
        CODE, pytest.approx(4.25), pytest.approx(4.25), pytest.approx(4.25), 3)
    assert (line.stock_start_t, line.utilised_own_t, line.disposed_own_t, line.stock_end_t) == (0, 0, 0, 0)
    hw.submit(w.session, w.p["e2"], decl.id)
    assert decl.status == "submitted" and decl.checks == [] and _findings(w) == []
    # The coordinators are told; the enterprise that submitted is not.
    told = list(w.session.scalars(select(Notification).where(Notification.kind == "hw_declaration")))
    assert told and all(n.user_id is not None for n in told) and "4.25" not in told[0].data["message"]
    assert hw.draft(w.session, w.p["e2"], None, year) is decl  # submitted: returned as it is


def test_a_mismatch_is_a_finding_kept_by_reviews_until_corrected(w):
    _, year = _shipped(w)
    decl = hw.draft(w.session, w.p["e2"], None, year)
    hw.save_lines(w.session, w.p["e2"], decl.id, [{"waste_code": CODE, "generated_t": 3.0, "transferred_t": 3.0}])
    hw.submit(w.session, w.p["e2"], decl.id)
    [check] = decl.checks
    assert (check["code"], check["severity"], check["field"], check["declared_t"], check["manifests_t"]) == (
        "manifest_mismatch", "error", "lines.0.transferred_t", 3.0, pytest.approx(4.25))
    assert "联单合计 4.25 吨" in check["message"] and "4.25 t under 3 manifest(s)" in check["message"]
    [finding] = _findings(w)
    assert (finding.key, finding.severity, finding.details["declared_t"]) == (f"declaration_mismatch:{year}:{CODE}",
                                                                            "error", 3.0)
    assert finding.enterprise.ref == "E-2" and finding.sent_at is not None
    notice = w.session.scalar(select(Notification).where(Notification.kind == "ledger_findings",
                                                         Notification.enterprise_id == finding.enterprise_id))
    assert notice is not None
    # A coordinator's review keeps it open while the figures differ.
    result = ledger_review.review(w.session, w.p["coord"])
    assert result.by_code.get("declaration_mismatch") == 1 and len(_findings(w)) == 1
    # Returned with a reason; corrected; resubmitted: the finding is resolved, the declaration accepted.
    hw.return_declaration(w.session, w.p["coord"], decl.id, "转移量与联单不符，请核对")
    assert decl.status == "returned" and decl.returned_reason == "转移量与联单不符，请核对"
    told = w.session.scalar(select(Notification).where(Notification.kind == "hw_declaration",
                                                       Notification.enterprise_id == finding.enterprise_id))
    assert "转移量与联单不符" in told.data["message"] and "returned" in told.data["message"]
    hw.save_lines(w.session, w.p["e2"], decl.id, [{"waste_code": CODE, "generated_t": 4.25, "transferred_t": 4.25}])
    hw.submit(w.session, w.p["e2"], decl.id)
    assert decl.status == "resubmitted" and decl.checks == []
    assert _findings(w) == [] and len(_findings(w, "resolved")) == 1
    hw.accept(w.session, w.p["coord"], decl.id)
    assert decl.status == "accepted"
    actions = [e.action for e in w.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "hw_declaration", AuditEvent.entity_key == str(decl.id)).order_by(AuditEvent.id))]
    assert actions == ["hw_declaration.draft", "hw_declaration.save", "hw_declaration.submit",
                       "hw_declaration.return", "hw_declaration.save", "hw_declaration.submit",
                       "hw_declaration.accept"]


def test_a_code_shipped_under_manifests_but_not_declared_is_a_mismatch(w):
    _, year = _shipped(w)
    decl = hw.draft(w.session, w.p["e2"], None, year)
    hw.save_lines(w.session, w.p["e2"], decl.id, [{"waste_code": "900-249-08", "generated_t": 1.0,
                                                   "disposed_own_t": 1.0}])
    hw.submit(w.session, w.p["e2"], decl.id)
    # Submitting refreshes the manifests' codes: the shipped code comes back as a line of its own, so the
    # declaration shows it; the enterprise's own figures for it are the manifests' (nothing to reconcile).
    assert [x.waste_code for x in decl.lines] == ["900-249-08", CODE] and decl.checks == []


def test_a_declaration_that_does_not_balance_is_warned(w):
    _, year = _shipped(w)
    decl = hw.draft(w.session, w.p["e2"], None, year)
    hw.save_lines(w.session, w.p["e2"], decl.id, [{"waste_code": CODE, "generated_t": 6.0, "transferred_t": 4.25,
                                                   "stock_end_t": 1.0}])
    hw.submit(w.session, w.p["e2"], decl.id)
    [check] = decl.checks
    assert (check["code"], check["severity"], check["in_t"], check["out_t"]) == ("unbalanced", "warning", 6.0, 5.25)
    assert _findings(w) == []  # a balance warning is for the reviewer, not a manifest finding


def test_bad_lines_are_refused_whole_naming_every_field(w):
    _, year = _shipped(w)
    decl = hw.draft(w.session, w.p["e2"], None, year)
    before = [(x.waste_code, x.generated_t) for x in decl.lines]
    with pytest.raises(ValidationFailed) as exc:
        hw.save_lines(w.session, w.p["e2"], decl.id, [
            {"waste_code": "900-214-8", "generated_t": 1.0},
            {"waste_code": CODE, "generated_t": -1.0, "transferred_t": 1e20},
            {"waste_code": CODE, "stock_end_t": "2", "colour": "red"},
            {"waste_code": "900-249-08", "utilised_own_t": float("nan")}])
    assert set(exc.value.errors) == {"lines.0.waste_code", "lines.1.generated_t", "lines.1.transferred_t",
                                     "lines.2.waste_code", "lines.2.stock_end_t", "lines.2.colour",
                                     "lines.3.utilised_own_t"}
    assert "≥ 0" in exc.value.errors["lines.1.generated_t"][0]
    assert "already line 1" in exc.value.errors["lines.2.waste_code"][0]
    assert [(x.waste_code, x.generated_t) for x in decl.lines] == before
    with pytest.raises(ValidationFailed) as exc:
        hw.save_lines(w.session, w.p["e2"], decl.id, [])
    assert "lines" in exc.value.errors
    with pytest.raises(ValidationFailed):
        hw.draft(w.session, w.p["e2"], None, 1900)


def test_who_may_do_what(w):
    _, year = _shipped(w)
    decl = hw.draft(w.session, w.p["e2"], None, year)
    with pytest.raises(NotFound):
        hw.get_declaration(w.session, w.p["e3"], decl.id)  # another enterprise: it does not exist for them
    with pytest.raises(Forbidden):
        hw.draft(w.session, w.p["e3"], "E-2", year)
    with pytest.raises(NotFound):
        hw.draft(w.session, w.p["coord_nk"], "E-2", year)  # not in the coordinator's parks
    with pytest.raises(Forbidden):
        hw.submit(w.session, w.p["coord"], decl.id)  # the enterprise submits, not its coordinator
    with pytest.raises(Conflict):
        hw.accept(w.session, w.p["coord"], decl.id)  # a draft is not under review
    hw.submit(w.session, w.p["e2"], decl.id)
    with pytest.raises(Forbidden):
        hw.accept(w.session, w.p["e2"], decl.id)
    with pytest.raises(NotFound):
        hw.accept(w.session, w.p["coord_nk"], decl.id)  # another park's declaration: unknown to them
    with pytest.raises(ValidationFailed) as exc:
        hw.return_declaration(w.session, w.p["coord"], decl.id, "  ")
    assert "reason" in exc.value.errors
    with pytest.raises(Conflict):
        hw.save_lines(w.session, w.p["e2"], decl.id, [{"waste_code": CODE}])  # under review: not editable
    assert [d.id for d in hw.list_declarations(w.session, w.p["coord"], year=year)] == [decl.id]
    assert hw.list_declarations(w.session, w.p["e3"]) == []
    view = hw.declaration_view(decl)
    assert (view["status"], view["status_zh"], view["lines"][0]["manifests"]) == ("submitted", "已提交", 3)


def test_a_rejected_load_and_its_return_manifest_are_not_transfers_of_either_side(w):
    m, year = _shipped(w)
    refused = transfers.create_shipment(w.session, w.p["e2"], m.id, quantity_t=0.6,
                                        containers=[{"packaging": "drum", "quantity_t": 0.6}])
    transfers.dispatch(w.session, w.p["e2"], refused.id)
    transfers.reject(w.session, w.p["e1"], refused.id, reason="drums leaking")
    back = transfers.create_return(w.session, w.p["e2"], refused.id)
    transfers.dispatch(w.session, w.p["e1"], back.id)  # the receiver sends it back to the producer
    assert back.direction == "return" and back.producer.ref == "E-1"
    # E-2's year is still its three forward manifests; E-1 (the sender of the return) transferred nothing of its own.
    [line] = hw.draft(w.session, w.p["e2"], None, year).lines
    assert (line.manifests_t, line.manifest_count) == (pytest.approx(4.25), 3)
    assert hw.draft(w.session, w.p["e1"], None, year).lines == []

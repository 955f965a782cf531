"""The approval queue: accepted matches with their checks, approve / reject with a reason, refusals shown
on the match with the typed reason kept, the latest decisions, scopes and the role guard."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from marketplace.models import Licence, Listing, Match, User
from marketplace.services.accounts.users import principal_of
from tests.factories import API_USERS
from tests.marketplace.services.matching.test_workflow import World


def world(pages) -> World:
    """The workflow helpers of the service tests, acting as the fixture's users."""
    users = {u.email: u for u in pages.session.scalars(select(User))}
    principals = {key: principal_of(users[email]) for key, (email, *_rest) in API_USERS.items()}
    ids = dict(pages.session.execute(select(Listing.ref, Listing.id)).all())
    return World(pages.session, principals, ids)


def accepted(pages, offer: str = "O-1", need: str = "N-1") -> Match:
    """A match the BH coordinator proposed and both parties accepted (committed)."""
    match = world(pages).accepted(offer, need)
    pages.session.commit()
    return match


def status_of(pages, match_id: int) -> str:
    pages.session.expire_all()
    return pages.session.get(Match, match_id).status


def test_the_queue_shows_what_the_coordinator_decides_on(pages):
    m = accepted(pages)
    pages.sign_in("coord")
    page = pages.text("/approvals")
    assert f'id="match-{m.id}"' in page and "双方已接受" in page
    assert "开发区汽车维修中心" in page and "滨海再生资源有限公司" in page  # coordinators see both identities
    assert "900-214-08" in page and "TJ-HW-0001" in page and "危险废物经营许可证" in page
    assert f'action="/approvals/{m.id}"' in page and 'name="reason"' in page
    assert "尚无审批记录" in page
    assert f'id="match-{m.id}"' not in pages.text("/approvals?status=approved")


def test_approve_then_it_is_among_the_recent_decisions(pages):
    m = accepted(pages)
    pages.sign_in("coord")
    res = pages.post(f"/approvals/{m.id}?park=BH", {"action": "approve", "reason": "许可证与数量已核实"})
    assert res.status_code == 302 and res.headers["Location"] == "/approvals?park=BH"
    assert status_of(pages, m.id) == "approved"
    page = pages.text("/approvals?park=BH")
    assert f"匹配 #{m.id} 已批准" in page and "许可证与数量已核实" in page and "最近审批" in page


def test_a_rejection_needs_a_reason(pages):
    m = accepted(pages)
    pages.sign_in("coord")
    res = pages.post(f"/approvals/{m.id}", {"action": "reject", "reason": "  "})
    page = res.get_data(as_text=True)
    assert res.status_code == 422 and "请填写原因" in page and 'aria-invalid="true"' in page
    assert status_of(pages, m.id) == "accepted"
    res = pages.post(f"/approvals/{m.id}", {"action": "reject", "reason": "接收方近期停产检修"})
    assert res.status_code == 302 and status_of(pages, m.id) == "rejected"
    assert "接收方近期停产检修" in pages.text("/approvals?status=rejected")


def test_a_hard_check_failing_at_approval_is_shown_with_the_typed_reason_kept(pages):
    m = accepted(pages)
    licence = pages.session.scalar(select(Licence).where(Licence.number == "TJ-HW-0001"))
    licence.valid_to = dt.date(2025, 6, 30)  # the receiver's licence has lapsed since the parties accepted
    pages.session.commit()
    pages.sign_in("coord")
    res = pages.post(f"/approvals/{m.id}", {"action": "approve", "reason": "已现场核查"})
    page = res.get_data(as_text=True)
    assert res.status_code == 409
    assert "不再满足法规硬性要求" in page and "危险废物经营许可证" in page and "hw_licence" not in page and f"匹配 #{m.id}：审批未完成" in page
    assert ">已现场核查</textarea>" in page
    assert status_of(pages, m.id) == "accepted"


def test_scopes_bad_input_csrf_and_the_role_guard(pages):
    m = accepted(pages)
    pages.sign_in("coord_nk")  # the match is BH's alone
    assert f'id="match-{m.id}"' not in pages.text("/approvals")
    res = pages.post(f"/approvals/{m.id}", {"action": "approve", "reason": ""})
    assert res.status_code == 404 and "无此匹配" in res.get_data(as_text=True)
    assert pages.get("/approvals?park=BH").status_code == 422  # not one of their parks
    pages.sign_in("coord")
    assert pages.post(f"/approvals/{m.id}", {"action": "start_transfer"}).status_code == 422
    assert pages.client.post(f"/approvals/{m.id}", data={"action": "approve"}).status_code == 400  # no CSRF
    assert pages.get("/approvals?status=nonsense").status_code == 422
    assert status_of(pages, m.id) == "accepted"
    pages.sign_in("e2")
    assert pages.get("/approvals").status_code == 403
    assert pages.post(f"/approvals/{m.id}", {"action": "approve"}).status_code == 403
    assert status_of(pages, m.id) == "accepted"


def test_the_queue_in_english(pages):
    m = accepted(pages)
    pages.sign_in("admin")
    pages.language("en")
    page = pages.text("/approvals")
    assert "Approve the match" in page and "Reject the match" in page and "HW business licence" in page
    assert f'id="match-{m.id}"' in page and "Recently decided" in page

"""Notifications: newest first, unread highlighted, the filter, mark read, links, the bilingual split."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.models import Notification, User
from tests.web.pages.test_shipments import shipment_in
from web.i18n import split_bilingual


def notices_of(pages, key_email: str) -> list[Notification]:
    user = pages.session.scalar(select(User).where(User.email == key_email))
    pages.session.expire_all()
    return list(pages.session.scalars(select(Notification).where(Notification.enterprise_id == user.enterprise_id)))


def test_notices_link_to_their_shipment_and_are_marked_read(pages):
    s = shipment_in(pages.session, "dispatched")  # E-1 (the receiver) is told of the plan and the dispatch
    pages.sign_in("e1")
    page = pages.text("/notifications")
    assert s.manifest_number in page and 'class="unread"' in page
    assert f'value="/shipments/{s.id}"' in page
    first = [n for n in notices_of(pages, "handler@e1.test") if n.kind == "shipment_event"][0]
    res = pages.post(f"/notifications/{first.id}/read", {"next": f"/shipments/{s.id}"})
    assert res.status_code == 302 and res.headers["Location"] == f"/shipments/{s.id}"
    read = pages.text("/notifications?read=read")
    assert f'href="/shipments/{s.id}"' in read and 'class="unread"' not in read
    assert 'class="unread"' in pages.text("/notifications?read=unread")
    res = pages.post("/notifications/read-all", {"next": "/notifications"}, follow_redirects=True)
    assert "标为已读" in res.get_data(as_text=True)
    assert all(n.read_at is not None for n in notices_of(pages, "handler@e1.test"))
    assert 'class="unread"' not in pages.text("/notifications")


def test_another_users_notice_is_404_and_csrf_is_checked(pages):
    shipment_in(pages.session, "dispatched")
    theirs = notices_of(pages, "handler@e1.test")[0]
    pages.sign_in("e3")
    assert pages.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert pages.client.post("/notifications/read-all").status_code == 400
    assert notices_of(pages, "handler@e1.test")[0].read_at is None
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/notifications")})
    assert pages.get("/notifications").status_code == 302


def test_each_language_shows_its_half(pages):
    s = shipment_in(pages.session, "dispatched")
    pages.sign_in("e1")
    assert f"转移联单 {s.manifest_number}" in pages.text("/notifications")
    pages.language("en")
    page = pages.text("/notifications")
    assert f"Manifest {s.manifest_number}" in page and f"转移联单 {s.manifest_number}" not in page


def test_the_split_respects_slashes_inside_titles():
    assert split_bilingual("匹配 #3（您的「酸 / 碱」↔「废液」）：已批准 / Match #3 (your \"acid / alkali\"): approved") \
        == ("匹配 #3（您的「酸 / 碱」↔「废液」）：已批准", "Match #3 (your \"acid / alkali\"): approved")
    assert split_bilingual("转移联单 X（废酸 / waste acid，1 吨）：已发运 / Manifest X (废酸 / waste acid, 1 t): dispatched") \
        == ("转移联单 X（废酸 / waste acid，1 吨）：已发运", "Manifest X (废酸 / waste acid, 1 t): dispatched")
    assert split_bilingual("only English / here") is None
    assert split_bilingual("") is None


def test_survey_notices_link_to_the_declaration_for_each_side(pages):
    from tests.web.pages.test_surveys import ETHANOL_ROW, _as_coordinator, _submitted

    decl = _submitted(pages, ETHANOL_ROW)  # the park's coordinator is told, and links to the review page
    _as_coordinator(pages)
    # an unread notice links through its "mark read and open" form
    assert f'value="/surveys/{decl.id}"' in pages.text("/notifications")
    res = pages.post(f"/surveys/{decl.id}/return", {"reason.general": "请补充用途说明"})
    assert res.status_code == 302, res.get_data(as_text=True)[:800]
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/surveys")})
    pages.sign_in("e1")  # the enterprise is told of the return, and links to its own declaration
    page = pages.text("/notifications")
    assert f'value="/survey/declarations/{decl.id}"' in page and "请补充用途说明" in page


def test_hw_plan_notices_link_to_the_plan_for_each_side(pages):
    from tests.web.pages.test_hw_plans import _open, _save

    plan_id, _year = _open(pages)
    assert _save(pages, plan_id, action="submit").status_code == 302  # the park's coordinator is told
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/hw-plans")})
    pages.sign_in("coord")
    assert f'value="/hw-plans/{plan_id}"' in pages.text("/notifications")
    res = pages.post(f"/hw-plans/{plan_id}/return", {"reason": "请核对委托量"}, csrf_from=f"/hw-plans/{plan_id}")
    assert res.status_code == 302
    pages.client.post("/signout", data={"csrf_token": pages.csrf("/hw-plans")})
    pages.sign_in("e2")  # the enterprise is told of the return, and links to its plan
    page = pages.text("/notifications")
    assert f'value="/hw-plans/{plan_id}"' in page and "请核对委托量" in page

"""Moderation pages: the park's coordinator opens a listing in full, holds, flags, notes and resumes it; others
get the service's reason (403) in the page's language; the owner sees the hold and the flag on its listing;
over-commitment asks to confirm on the match page and shows on the approval page; the history says which
side accepted."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.models import Listing, Notification
from marketplace.services.listings import moderation
from tests.web.pages.test_approvals import world


def lid(pages, ref: str) -> int:
    return pages.session.scalar(select(Listing.id).where(Listing.ref == ref))


def status_of(pages, ref: str) -> tuple[str, str | None]:
    pages.session.expire_all()
    x = pages.session.get(Listing, lid(pages, ref))
    return x.status, x.held_by


def test_the_coordinator_opens_holds_flags_notes_and_resumes_a_listing(pages):
    o1 = lid(pages, "O-1")
    pages.sign_in("coord")
    listed = pages.text("/park/listings")
    assert f'id="listing-{o1}"' in listed and "开发区汽车维修中心" in listed
    page = pages.text(f"/park/listings/{o1}")
    assert 'id="moderate"' in page and "开发区汽车维修中心" in page and "废机油" in page
    res = pages.post(f"/park/listings/{o1}/hold", {"reason": "1e9 吨不合理"})
    assert res.status_code == 302 and status_of(pages, "O-1") == ("paused", "coordinator:coord-bh@wm.test")
    res = pages.post(f"/park/listings/{o1}/flag", {"reason": "implausible_quantity", "text": "每年 1e9 吨"})
    assert res.status_code == 302
    pages.post(f"/park/listings/{o1}/note", {"text": "已电话联系"})
    page = pages.text(f"/park/listings/{o1}")
    assert 'id="held"' in page and "数量不合理" in page and "每年 1e9 吨" in page and "已电话联系" in page
    flagged = pages.text("/park/listings?flagged=1")
    assert f'id="listing-{o1}"' in flagged and 'id="flagged-count"' in flagged
    pages.post(f"/park/listings/{o1}/release", {"reason": ""})
    assert status_of(pages, "O-1") == ("active", None)


def test_a_missing_reason_is_said_and_nothing_changes(pages):
    o1 = lid(pages, "O-1")
    pages.sign_in("coord")
    res = pages.post(f"/park/listings/{o1}/hold", {"reason": "  "}, follow_redirects=True)
    assert res.status_code == 200 and "请填写原因" in res.get_data(as_text=True)
    assert status_of(pages, "O-1") == ("active", None)


@pytest.mark.parametrize("who", ["coord_nk", "e2"])
def test_others_get_the_services_reason_in_the_pages_language(pages, who):
    o1 = lid(pages, "O-1")
    pages.sign_in(who)
    page = pages.text(f"/park/listings/{o1}", status=403)
    assert "仅该信息所在园区的管理者可审核" in page
    assert pages.post(f"/park/listings/{o1}/hold", {"reason": "x"}).status_code == 403
    assert pages.post(f"/park/listings/{o1}/flag", {"reason": "duplicate"}).status_code == 403
    assert status_of(pages, "O-1") == ("active", None)
    pages.language("en")
    page = pages.text(f"/park/listings/{o1}", status=403)
    assert "park may moderate it" in page and "仅该信息" not in page


def test_the_owner_sees_the_hold_and_the_flag_but_not_the_notes_and_is_notified(pages):
    o1 = lid(pages, "O-1")
    w = world(pages)
    moderation.hold(pages.session, w.p["coord"], o1, "数量待核实")
    moderation.flag(pages.session, w.p["coord"], o1, "implausible_quantity", "1e9 t")
    moderation.annotate(pages.session, w.p["coord"], o1, "内部备注")
    pages.session.commit()
    pages.sign_in("e2")
    page = pages.text(f"/listings/{o1}")
    assert 'id="held"' in page and "数量待核实" in page and 'id="flags"' in page and "数量不合理" in page
    assert "内部备注" not in page and 'id="moderate"' not in page and "coord-bh" not in page
    res = pages.post(f"/listings/{o1}/resume", csrf_from=f"/listings/{o1}", follow_redirects=True)
    assert "仅其可恢复" in res.get_data(as_text=True) and status_of(pages, "O-1")[0] == "paused"
    notices = pages.text("/notifications")
    assert "园区管理者标记了问题" in notices and "信息审核" in notices
    pages.language("en")
    notices = pages.text("/notifications")
    assert "the park coordinator flagged a problem" in notices and "Listing moderation" in notices
    en = pages.text(f"/listings/{o1}")
    assert "Flagged by the park coordinator" in en and "Implausible quantity" in en


def test_accepting_past_the_listing_asks_to_confirm_with_the_tonnes_committed(pages):
    w = world(pages)
    w.listing("O-1").quantity_t = 7
    first = w.propose("e2", "O-1", "N-1", 7)
    second = w.propose("e2", "O-1", "N-2", 7)
    w.act("e2", first, "accept")
    pages.session.commit()
    pages.sign_in("e2")
    page = pages.text(f"/matches/{second.id}")
    assert 'id="over-commitment"' in page and 'name="confirm" value="1"' in page and "仍然接受" in page
    assert f"/matches/{first.id}" in page
    res = pages.post(f"/matches/{second.id}/accept", {"confirm": "1"}, csrf_from=f"/matches/{second.id}")
    assert res.status_code == 302
    pages.session.expire_all()
    assert pages.session.get(type(second), second.id).offer_accepted_at is not None
    page = pages.text(f"/matches/{first.id}")
    assert "供给方已接受，等待需求方" in page and "双方已接受" not in page


def test_an_unconfirmed_over_commitment_is_refused_with_the_figure(pages):
    w = world(pages)
    w.listing("O-1").quantity_t = 7
    first = w.propose("e2", "O-1", "N-1", 7)
    second = w.propose("e2", "O-1", "N-2", 7)
    w.act("e2", first, "accept")
    pages.session.commit()
    pages.sign_in("e2")
    res = pages.post(f"/matches/{second.id}/accept", {}, csrf_from=f"/matches/{second.id}", follow_redirects=True)
    assert "已有 7 吨与其他 1 个伙伴确认" in res.get_data(as_text=True)
    pages.session.expire_all()
    assert pages.session.get(type(second), second.id).offer_accepted_at is None


def test_the_approval_page_shows_what_each_listing_has_committed(pages):
    w = world(pages)
    w.listing("O-1").quantity_t = 250
    w.accepted("O-1", "N-1", 200)
    second = w.accepted("O-1", "N-2", 200)
    pages.session.commit()
    pages.sign_in("coord")
    page = pages.text("/approvals")
    assert f'id="committed-{second.id}-offer"' in page
    i = page.index(f'id="committed-{second.id}-offer"')
    assert "超额承诺" in page[i:i + 400] and "200.0" in page[i:i + 400]


def test_history_says_which_side_accepted_in_both_languages(pages):
    w = world(pages)
    m = w.propose("coord", "O-1", "N-1")
    w.act("e1", m, "accept")
    pages.session.commit()
    pages.sign_in("e1")
    zh = pages.text(f"/matches/{m.id}")
    assert "需求方已接受，等待供给方" in zh
    pages.language("en")
    assert "The need's holder accepted; waiting for the offer's" in pages.text(f"/matches/{m.id}")


def test_the_notice_of_a_flag_goes_to_the_owner_only(pages):
    o1 = lid(pages, "O-1")
    pages.sign_in("coord")
    pages.post(f"/park/listings/{o1}/flag", {"reason": "duplicate"})
    rows = pages.session.scalars(select(Notification).where(Notification.kind == "listing_moderation")).all()
    assert [n.enterprise_id for n in rows] == [pages.session.get(Listing, o1).enterprise_id]
    assert all(n.user_id is None for n in rows)


def test_one_click_accept_past_the_listing_proposes_and_asks_to_confirm_on_the_match(pages):
    w = world(pages)
    w.listing("O-1").quantity_t = 7
    first = w.propose("e2", "O-1", "N-1", 7)
    w.act("e2", first, "accept")
    pages.session.commit()
    o1, n2 = lid(pages, "O-1"), lid(pages, "N-2")
    pages.sign_in("e2")
    res = pages.post(f"/listings/{o1}/matches", {"partner": str(n2)}, csrf_from=f"/listings/{o1}")
    assert res.status_code == 302 and "/matches/" in res.headers["Location"]
    match_id = int(res.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    pages.session.expire_all()
    m = pages.session.get(type(first), match_id)
    assert (m.status, m.offer_accepted_at) == ("proposed", None)  # proposed, not accepted: confirm first
    assert 'id="over-commitment"' in pages.text(f"/matches/{match_id}")


def test_a_coordinator_opens_a_matchs_listings_from_the_match(pages):
    m = world(pages).propose("coord", "O-1", "N-1")
    pages.session.commit()
    pages.sign_in("coord")
    page = pages.text(f"/matches/{m.id}")
    assert f"/park/listings/{m.offer_id}" in page and f"/park/listings/{m.need_id}" in page


def test_the_park_overview_counts_the_flagged_listings_waiting(pages):
    moderation.flag(pages.session, world(pages).p["coord"], lid(pages, "O-1"), "duplicate")
    pages.session.commit()
    pages.sign_in("coord")
    page = pages.text("/park?park=BH")
    i = page.index('id="waiting-flagged"')
    assert ">1</a>" in page[i:i + 300] and "flagged=1" in page[i:i + 300] and "被标记的信息" in page[i:i + 400]


def test_the_owner_is_not_offered_a_resume_it_may_not_take(pages):
    o1 = lid(pages, "O-1")
    moderation.hold(pages.session, world(pages).p["coord"], o1, "check the quantity")
    pages.session.commit()
    pages.sign_in("e2")
    assert f"/listings/{o1}/resume" not in pages.text(f"/listings/{o1}")
    moderation.release(pages.session, world(pages).p["coord"], o1)
    pages.session.commit()
    pages.post(f"/listings/{o1}/pause", csrf_from=f"/listings/{o1}")  # its own pause: its own resume
    assert f"/listings/{o1}/resume" in pages.text(f"/listings/{o1}")

"""The notifications page's section "notices outside the platform": the user's webhook and each kind's channels."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.models import NoticeChannel, NoticePreference, User

ROBOT = "https://oapi.dingtalk.com/robot/send?access_token=abc"


def _user_id(pages, email: str) -> int:
    return pages.session.scalar(select(User.id).where(User.email == email))


def test_the_section_shows_the_defaults_and_saves_a_choice(pages):
    pages.sign_in("e1")
    page = pages.text("/notifications")
    assert "站外通知" in page and "handler@e1.test" in page
    assert 'name="email-match_proposed" aria-label="邮件: 新的匹配建议，等待您的答复" checked' in page
    assert 'name="email-listing_fit" aria-label="邮件: 新的匹配推荐">' in page

    res = pages.post("/notifications/preferences", {"webhook_url": ROBOT, "email-listing_fit": "on",
                                                    "webhook-listing_fit": "on"}, follow_redirects=True)
    assert res.status_code == 200 and "通知偏好已保存" in res.get_data(as_text=True)
    pages.session.expire_all()
    uid = _user_id(pages, "handler@e1.test")
    assert pages.session.get(NoticeChannel, uid).webhook_url == ROBOT
    chosen = {p.kind: (p.email, p.webhook) for p in
              pages.session.scalars(select(NoticePreference).where(NoticePreference.user_id == uid))}
    # The form sends every kind: those left unticked are now off, match proposals included.
    assert chosen["listing_fit"] == (True, True) and chosen["match_proposed"] == (False, False)


def test_a_refused_webhook_is_said_and_nothing_is_kept(pages):
    pages.sign_in("e1")
    pages.language("en")
    res = pages.post("/notifications/preferences", {"webhook_url": "http://169.254.169.254/latest"},
                     follow_redirects=True)
    text = res.get_data(as_text=True)
    assert res.status_code == 200 and "webhooks may only point at" in text
    pages.session.expire_all()
    assert pages.session.get(NoticeChannel, _user_id(pages, "handler@e1.test")) is None
    assert "Notices outside the platform" in text and "Chat robot webhook" in text


def test_saving_needs_a_signed_in_user_and_csrf(pages):
    assert pages.client.post("/notifications/preferences").status_code in (302, 400, 401)
    pages.sign_in("e1")
    assert pages.client.post("/notifications/preferences").status_code == 400

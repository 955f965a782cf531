"""``/notifications/preferences``: each user sets where their notices go outside the app (e-mail, a chat robot)."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.models import NoticeDelivery, Notification, User
from marketplace.services.delivery.settings import ENV_WEBHOOK_HOSTS

ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"


def test_defaults_then_a_change_is_kept_and_applied_to_new_notices(api):
    res = api.get("notifications/preferences", as_="e1")
    assert res.status_code == 200, res.json
    kinds = {k["kind"]: k for k in res.json["kinds"]}
    assert res.json["email"] == "handler@e1.test" and res.json["webhook_url"] is None
    assert kinds["match_proposed"] == {"kind": "match_proposed", "label": kinds["match_proposed"]["label"],
                                       "email": True, "webhook": True, "default": True}
    assert kinds["listing_fit"]["email"] is False

    res = api.patch("notifications/preferences", as_="e1",
                    json={"webhook_url": ROBOT, "kinds": {"listing_fit": {"webhook": True}}})
    assert res.status_code == 200, res.json
    kinds = {k["kind"]: k for k in res.json["kinds"]}
    assert res.json["webhook_url"] == ROBOT
    assert kinds["listing_fit"] == {**kinds["listing_fit"], "email": False, "webhook": True, "default": False}

    user = api.session.scalar(select(User).where(User.email == "handler@e1.test"))
    notice = Notification(enterprise_id=user.enterprise_id, kind="listing_fit", data={"message": "新 / new"})
    api.session.add(notice)
    api.session.flush()
    planned = api.session.scalars(select(NoticeDelivery).where(NoticeDelivery.notification_id == notice.id)).all()
    assert [(d.channel, d.address) for d in planned] == [("webhook", ROBOT)]
    # Another user's preferences are not the caller's: E-2's listing_fit is still off.
    assert api.get("notifications/preferences", as_="e2").json["webhook_url"] is None


def test_the_webhook_is_cleared_with_null(api):
    api.patch("notifications/preferences", as_="coord", json={"webhook_url": ROBOT})
    res = api.patch("notifications/preferences", as_="coord", json={"webhook_url": None})
    assert res.status_code == 200 and res.json["webhook_url"] is None


def test_refusals_are_422_in_the_error_shape(api, monkeypatch):
    res = api.patch("notifications/preferences", as_="e1", json={"webhook_url": "http://127.0.0.1:5432/"})
    assert res.status_code == 422 and "webhook_url" in res.json["errors"]
    res = api.patch("notifications/preferences", as_="e1", json={"kinds": {"nonsense": {"email": True}}})
    assert res.status_code == 422 and "kinds" in res.json["errors"]
    monkeypatch.setenv(ENV_WEBHOOK_HOSTS, "127.0.0.1")  # an operator allows a robot inside the park's network
    res = api.patch("notifications/preferences", as_="e1", json={"webhook_url": "http://127.0.0.1:8080/robot"})
    assert res.status_code == 200, res.json


def test_signed_out_is_401(api):
    assert api.get("notifications/preferences").status_code == 401

"""Notices leave the app: planned with the notice, sent by the delivery job to a local SMTP server and a
local webhook, once; retried with backoff after a failure; given up after N attempts with the reason kept;
each user's preferences respected. SQLite and PostgreSQL (committed databases)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from marketplace.db import transaction
from marketplace.errors import ValidationFailed
from marketplace.models import Listing, NoticeDelivery, Notification, User
from marketplace.models.base import utcnow
from marketplace.services.accounts.users import principal_of
from marketplace.services.delivery import outbox, preferences
from marketplace.services.delivery.settings import DeliverySettings, SmtpServer
from marketplace.services.governance import surveys
from marketplace.services.matching import reminders, workflow

HBCDD = {"cas": "25637-99-4", "name": "HBCDD", "role": "use", "quantity_t": 1.5, "use": "EPS flame retardant",
         "stock_t": 0.2, "released_t": 0.0}


def _settings(mailbox=None, **overrides) -> DeliverySettings:
    smtp = SmtpServer(mailbox.host, mailbox.port) if mailbox is not None else None
    return DeliverySettings(smtp=smtp, webhook_hosts=("127.0.0.1",), max_attempts=3, backoff_s=60, timeout_s=5,
                            **overrides)


def _who(session, email: str):
    return principal_of(session.scalar(select(User).where(User.email == email)))


def _return_survey(sessions) -> None:
    """E-2 submits its 2025 survey; the park's coordinator returns it (committed)."""
    with transaction(sessions) as session:
        e2, coord = _who(session, "garage@e2.test"), _who(session, "coord-bh@wm.test")
        decl = surveys.get_or_create_draft(session, e2, None, 2025)
        surveys.save_substances(session, e2, decl.id, [dict(HBCDD)])
        surveys.submit(session, e2, decl.id)
        surveys.return_declaration(session, coord, decl.id, {"general": ["请盖章 sign the form"]})


def _propose_match(sessions) -> int:
    """The coordinator proposes the garage's waste oil to the handler: a match waiting for both answers."""
    with transaction(sessions) as session:
        coord = _who(session, "coord-bh@wm.test")
        listings = {x.ref: x for x in session.scalars(select(Listing))}
        return workflow.propose(session, coord, listings["O-1"].id, listings["N-1"].id).id


def _deliveries(sessions, **where) -> list[NoticeDelivery]:
    with transaction(sessions, writer=False) as session:
        stmt = select(NoticeDelivery).order_by(NoticeDelivery.id)
        for column, value in where.items():
            stmt = stmt.where(getattr(NoticeDelivery, column) == value)
        return list(session.scalars(stmt))


def test_a_returned_survey_reaches_the_enterprise_by_email_once(sessions, mailbox):
    _return_survey(sessions)
    returned = [d for d in _deliveries(sessions, address="garage@e2.test") if "退回" in d.body]
    assert len(returned) == 1 and returned[0].status == "pending"

    run = outbox.deliver_due(sessions, utcnow(), _settings(mailbox))
    assert run.given_up == 0 and run.retrying == 0
    to_e2 = [m for m in mailbox.messages if m["To"] == "garage@e2.test"]
    assert len(to_e2) == 1
    text = mailbox.text(to_e2[0])
    # Chinese first, English alongside; the coordinator's reason is in the mail.
    assert text.index("退回") < text.index("returned") and "请盖章 sign the form" in text
    assert mailbox.subject(to_e2[0]).startswith("[园区固废匹配 wastematch] 化学物质调查申报更新 / ")
    assert all(d.status == "sent" and d.attempts == 1 for d in _deliveries(sessions))

    again = outbox.deliver_due(sessions, utcnow() + dt.timedelta(days=1), _settings(mailbox))
    assert again.sent == 0 and len([m for m in mailbox.messages if m["To"] == "garage@e2.test"]) == 1


def test_a_match_waiting_for_an_answer_reaches_both_parties_by_email_and_webhook(sessions, mailbox, webhook):
    with transaction(sessions) as session:
        preferences.update_preferences(session, _who(session, "handler@e1.test"), webhook_url=webhook.url,
                                       settings=_settings())
    match_id = _propose_match(sessions)
    run = outbox.deliver_due(sessions, utcnow(), _settings(mailbox))
    assert run.sent == 3 and run.errors == []
    assert sorted(m["To"] for m in mailbox.messages) == ["garage@e2.test", "handler@e1.test"]
    assert "新的匹配建议" in mailbox.text(mailbox.messages[0])
    [post] = webhook.posts
    assert post["msgtype"] == "text" and post["text"]["content"].startswith("[园区固废匹配 wastematch] 新的匹配建议")
    with transaction(sessions, writer=False) as session:
        notice_ids = set(session.scalars(select(Notification.id).where(Notification.match_id == match_id)))
    assert {d.notification_id for d in _deliveries(sessions)} <= notice_ids


def test_a_match_still_unanswered_after_three_days_is_reminded_once_to_the_side_that_has_not_answered(
        sessions, mailbox):
    match_id = _propose_match(sessions)
    with transaction(sessions) as session:
        workflow.decide(session, _who(session, "garage@e2.test"), match_id, "accept", confirm=True)
    outbox.deliver_due(sessions, utcnow(), _settings(mailbox))
    mailbox.messages.clear()
    later = utcnow() + reminders.REMIND_AFTER + dt.timedelta(minutes=1)
    with transaction(sessions) as session:
        assert reminders.remind_unanswered(session, utcnow()) == 0  # not three days old yet
        assert reminders.remind_unanswered(session, later) == 1  # the handler (the need) has not answered
        assert reminders.remind_unanswered(session, later + dt.timedelta(days=1)) == 0  # once only
    outbox.deliver_due(sessions, later, _settings(mailbox))
    [mail] = mailbox.messages
    assert mail["To"] == "handler@e1.test" and "仍在等待您的答复" in mailbox.text(mail)
    assert "still waiting for your answer" in mailbox.text(mail)


def test_a_failed_webhook_is_retried_after_its_backoff(sessions, webhook):
    with transaction(sessions) as session:
        preferences.update_preferences(session, _who(session, "garage@e2.test"), webhook_url=webhook.url,
                                       kinds={"match_proposed": {"email": False}}, settings=_settings())
    _propose_match(sessions)
    webhook.answers = [(500, {"errmsg": "down"}), (200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    T0 = utcnow() + dt.timedelta(seconds=1)
    first = outbox.deliver_due(sessions, T0, _settings())
    [row] = _deliveries(sessions, address=webhook.url)
    assert first.retrying >= 1 and row.status == "pending" and row.attempts == 1
    assert row.last_error == "webhook answered HTTP 500"

    outbox.deliver_due(sessions, T0 + dt.timedelta(seconds=59), _settings())
    assert _deliveries(sessions, address=webhook.url)[0].attempts == 1  # not yet due
    second = outbox.deliver_due(sessions, T0 + dt.timedelta(seconds=61), _settings())  # after 60 s: attempt 2
    [row] = _deliveries(sessions, address=webhook.url)
    assert second.retrying >= 1 and row.attempts == 2 and row.last_error == "webhook answered errcode 93000"

    outbox.deliver_due(sessions, T0 + dt.timedelta(seconds=61 + 119), _settings())  # the backoff is 120 s now
    assert _deliveries(sessions, address=webhook.url)[0].attempts == 2
    third = outbox.deliver_due(sessions, T0 + dt.timedelta(seconds=61 + 121), _settings())
    [row] = _deliveries(sessions, address=webhook.url)
    assert third.sent == 1 and row.status == "sent" and row.attempts == 3 and row.last_error is None
    assert len(webhook.posts) == 1


def test_a_refused_email_is_retried_then_given_up_with_its_reason(sessions, mailbox):
    _return_survey(sessions)
    mailbox.refuse = 100
    now = utcnow() + dt.timedelta(seconds=1)
    for _ in range(3):
        outbox.deliver_due(sessions, now, _settings(mailbox))
        now += dt.timedelta(hours=1)
    rows = _deliveries(sessions, address="garage@e2.test")
    assert rows and all(r.status == "failed" and r.attempts == 3 for r in rows)
    assert "451" in rows[0].last_error and "mailbox busy" in rows[0].last_error
    assert outbox.deliver_due(sessions, now + dt.timedelta(days=1), _settings(mailbox)).sent == 0
    assert mailbox.messages == []


def test_no_smtp_server_configured_skips_email_with_the_reason_stored(sessions):
    _return_survey(sessions)
    run = outbox.deliver_due(sessions, utcnow() + dt.timedelta(seconds=1), _settings(None))
    rows = _deliveries(sessions, channel="email")
    assert run.sent == 0 and run.retrying == 0 and run.skipped == len(rows) > 0
    assert all(r.status == "skipped" and r.attempts == 1 and "no SMTP server configured" in r.last_error for r in rows)


def test_preferences_are_respected(sessions, mailbox):
    with transaction(sessions) as session:
        e2 = _who(session, "garage@e2.test")
        view = preferences.update_preferences(session, e2, kinds={"survey_transition": {"email": False},
                                                                  "listing_fit": {"email": True}},
                                              settings=_settings())
        kinds = {k["kind"]: k for k in view["kinds"]}
        assert kinds["survey_transition"]["email"] is False and kinds["survey_transition"]["default"] is False
        assert kinds["listing_fit"]["email"] is True and kinds["match_proposed"]["default"] is True
    _return_survey(sessions)
    _propose_match(sessions)
    outbox.deliver_due(sessions, utcnow(), _settings(mailbox))
    to_e2 = [mailbox.subject(m) for m in mailbox.messages if m["To"] == "garage@e2.test"]
    # The survey's return stays in the app (turned off); the match proposal still goes out (its default).
    assert len(to_e2) == 1 and "新的匹配建议" in to_e2[0]


def test_a_webhook_host_not_allowed_or_an_unknown_kind_is_refused(sessions):
    with transaction(sessions) as session:
        e2 = _who(session, "garage@e2.test")
        with pytest.raises(ValidationFailed) as exc:
            preferences.update_preferences(session, e2, webhook_url="http://10.0.0.5:5432/", settings=_settings())
        assert "webhook_url" in exc.value.errors
        for bad in ("file:///etc/passwd", "http://[::1/robot", "https://", "https://qyapi.weixin.qq.com/\x00",
                    "https://qyapi.weixin.qq.com/" + "k" * 500):
            with pytest.raises(ValidationFailed):
                preferences.update_preferences(session, e2, webhook_url=bad, settings=_settings())
        with pytest.raises(ValidationFailed) as exc:
            preferences.update_preferences(session, e2, kinds={"nonsense": {"email": True}}, settings=_settings())
        assert "kinds" in exc.value.errors

"""The delivery job: send what is due in the outbox, retry failures with backoff, give up after N attempts."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ...db import transaction
from ...models import NoticeDelivery
from ...models.base import as_utc
from .senders import DeliveryFailed, NotConfigured, Sender, smtp_sender, webhook_sender
from .settings import DeliverySettings

# At most this many deliveries per run: a backlog drains over several runs rather than holding one for long.
BATCH = 200
# A claimed delivery is not due again for this long: a worker that died mid-send leaves it to a later run.
LEASE_S = 600


@dataclass
class DeliveryRun:
    """What one run of the delivery job did."""

    sent: int = 0
    retrying: int = 0
    given_up: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"sent": self.sent, "retrying": self.retrying, "given_up": self.given_up, "skipped": self.skipped}


def default_senders(settings: DeliverySettings) -> dict[str, Sender]:
    """The sender of each channel."""
    return {"email": smtp_sender(settings), "webhook": webhook_sender(settings)}


def _due(now: dt.datetime):
    return (select(NoticeDelivery).where(NoticeDelivery.status == "pending", NoticeDelivery.next_attempt_at <= now)
            .order_by(NoticeDelivery.next_attempt_at, NoticeDelivery.id))


def deliver_due(sessions: sessionmaker[Session], now: dt.datetime, settings: DeliverySettings | None = None,
                senders: Mapping[str, Sender] | None = None) -> DeliveryRun:
    """Send each pending delivery whose time has come.

    Each is first claimed in a short transaction (locked with ``SKIP LOCKED`` on PostgreSQL, so two
    workers never claim the same one; its next attempt moved a lease ahead, so a worker that dies
    mid-send leaves it to be retried), then sent with no transaction open (a slow SMTP server holds
    no lock), then its outcome recorded. A failure stores its reason and schedules the next attempt
    ``settings.backoff(attempts)`` later; after ``settings.max_attempts`` it is ``failed``. A channel
    that cannot be used at all (no SMTP server configured, a webhook host no longer allowed) makes it
    ``skipped`` at once, with the reason.
    """
    settings = settings or DeliverySettings.from_env()
    senders = senders or default_senders(settings)
    now = as_utc(now)
    with transaction(sessions, writer=False) as session:
        ids = list(session.scalars(_due(now).with_only_columns(NoticeDelivery.id).limit(BATCH)))
    run = DeliveryRun()
    for delivery_id in ids:
        with transaction(sessions) as session:
            row = session.scalar(_due(now).where(NoticeDelivery.id == delivery_id)
                                 .with_for_update(skip_locked=True))
            if row is None:  # another worker claimed it, or it was sent meanwhile
                continue
            row.attempts += 1
            row.next_attempt_at = now + dt.timedelta(seconds=LEASE_S)
            attempt = (row.id, row.channel, row.address, row.subject, row.body, row.attempts)
        outcome = _send(attempt, settings, senders)
        with transaction(sessions) as session:
            row = session.get(NoticeDelivery, delivery_id)
            if row is not None:
                _record(row, outcome, now, settings, run)
    return run


def _send(attempt: tuple, settings: DeliverySettings, senders: Mapping[str, Sender]) -> tuple[str, bool] | None:
    """None when sent, else the reason and whether it is final (the channel cannot be used: no retry)."""
    _id, channel, address, subject, body, _n = attempt
    body += f"\n\n{settings.base_url}/notifications" if settings.base_url else ""
    try:
        senders[channel](address, subject, body)
    except (DeliveryFailed, OSError, KeyError) as exc:
        return (str(exc) or type(exc).__name__)[:2000], isinstance(exc, NotConfigured | KeyError)
    return None


def _record(row: NoticeDelivery, outcome: tuple[str, bool] | None, now: dt.datetime, settings: DeliverySettings,
            run: DeliveryRun) -> None:
    if outcome is None:
        row.status, row.sent_at, row.last_error = "sent", now, None
        run.sent += 1
        return
    row.last_error, final = outcome
    run.errors.append(f"#{row.id} {row.channel}: {row.last_error}")
    if final:
        row.status = "skipped"
        run.skipped += 1
    elif row.attempts >= settings.max_attempts:
        row.status = "failed"
        run.given_up += 1
    else:
        row.next_attempt_at = now + dt.timedelta(seconds=settings.backoff(row.attempts))
        run.retrying += 1

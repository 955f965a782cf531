"""Hand one notice to the outside: an SMTP server, or a chat robot's webhook (WeCom / DingTalk text message)."""
from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import urlsplit

from .settings import DeliverySettings


class DeliveryFailed(Exception):
    """The channel refused or could not be reached; the message is the reason stored on the delivery."""


class NotConfigured(DeliveryFailed):
    """The channel cannot be used at all (no SMTP server, a webhook host no longer allowed): no retry."""


class Sender(Protocol):
    """Sends one message; raises ``DeliveryFailed`` (or an ``OSError``) when it did not go out."""

    def __call__(self, address: str, subject: str, body: str) -> None: ...


def smtp_sender(settings: DeliverySettings) -> Sender:
    """E-mail through the configured SMTP server (``DeliveryFailed`` when none is configured)."""

    def send(address: str, subject: str, body: str) -> None:
        server = settings.smtp
        if server is None:
            raise NotConfigured("no SMTP server configured (WASTEMATCH_SMTP_URL)")
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = settings.sender, address, subject
        msg.set_content(body)
        factory = smtplib.SMTP_SSL if server.ssl else smtplib.SMTP
        try:
            with factory(server.host, server.port, timeout=settings.timeout_s) as smtp:
                if server.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if server.username:
                    smtp.login(server.username, server.password or "")
                smtp.send_message(msg)
        except smtplib.SMTPException as exc:
            raise DeliveryFailed(f"SMTP: {exc}") from exc

    return send


def webhook_sender(settings: DeliverySettings) -> Sender:
    """A text message to a chat robot: ``{"msgtype": "text", "text": {"content": …}}`` POSTed as JSON.

    WeCom and DingTalk answer 200 with ``errcode`` 0 on success; another ``errcode`` is a failure.
    The host is checked against the allowed ones again at sending (the setting may have changed).
    """

    def send(address: str, subject: str, body: str) -> None:
        try:
            host = (urlsplit(address).hostname or "").lower()
        except ValueError:
            host = ""
        if host not in settings.webhook_hosts:
            raise NotConfigured(f"webhook host {host or '?'} is not allowed (WASTEMATCH_WEBHOOK_HOSTS)")
        payload = json.dumps({"msgtype": "text", "text": {"content": f"{subject}\n{body}"}},
                             ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(address, data=payload, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=settings.timeout_s) as response:
                answer = response.read(65536)
        except urllib.error.HTTPError as exc:
            raise DeliveryFailed(f"webhook answered HTTP {exc.code}") from exc
        except urllib.error.URLError as exc:
            raise DeliveryFailed(f"webhook unreachable: {exc.reason}") from exc
        try:
            code = json.loads(answer or b"{}").get("errcode", 0)
        except (ValueError, AttributeError):
            code = 0  # a plain 200 without JSON counts as accepted
        if code not in (0, None):
            raise DeliveryFailed(f"webhook answered errcode {code}")

    return send

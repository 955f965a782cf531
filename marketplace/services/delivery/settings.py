"""Delivery settings from the environment (``WASTEMATCH_SMTP_URL`` …); read by the scheduler and the services."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

ENV_SMTP_URL = "WASTEMATCH_SMTP_URL"          # smtp://user:password@host:587?starttls=1 or smtps://host:465
ENV_SMTP_FROM = "WASTEMATCH_SMTP_FROM"        # the From: address
ENV_WEBHOOK_HOSTS = "WASTEMATCH_WEBHOOK_HOSTS"  # comma-separated hosts a webhook may point at
ENV_BASE_URL = "WASTEMATCH_BASE_URL"          # the site's address, for the link in each notice
ENV_MAX_ATTEMPTS = "WASTEMATCH_DELIVERY_ATTEMPTS"
# The public chat robots' hosts; anything else (an address inside the park's network) must be allowed by name,
# so a user cannot make the server post to internal services.
DEFAULT_WEBHOOK_HOSTS = ("qyapi.weixin.qq.com", "oapi.dingtalk.com")


@dataclass(frozen=True)
class SmtpServer:
    """Where e-mail is handed over: host, port, TLS mode and optional login."""

    host: str
    port: int
    ssl: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Parse ``smtp://[user:pass@]host[:port][?starttls=1]`` or ``smtps://…`` (implicit TLS)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"{ENV_SMTP_URL} must look like smtp://host:port or smtps://host:port, not {url!r}")
        ssl = parts.scheme == "smtps"
        return cls(host=parts.hostname, port=parts.port or (465 if ssl else 25), ssl=ssl,
                   starttls="starttls=1" in parts.query or "starttls=true" in parts.query,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)


@dataclass(frozen=True)
class DeliverySettings:
    """How notices leave: the SMTP server (None: e-mail is not configured), the sender, retries and backoff."""

    smtp: SmtpServer | None = None
    sender: str = "wastematch <noreply@wastematch.example>"
    webhook_hosts: tuple[str, ...] = DEFAULT_WEBHOOK_HOSTS
    base_url: str = ""
    max_attempts: int = 5
    backoff_s: float = 60.0        # after the n-th failure, wait backoff_s * 2**(n-1), at most max_backoff_s
    max_backoff_s: float = 6 * 3600.0
    timeout_s: float = 10.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeliverySettings:
        """The settings the environment gives (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        smtp_url = env.get(ENV_SMTP_URL, "").strip()
        hosts = env.get(ENV_WEBHOOK_HOSTS)
        return cls(smtp=SmtpServer.from_url(smtp_url) if smtp_url else None,
                   sender=env.get(ENV_SMTP_FROM) or cls.sender,
                   webhook_hosts=(tuple(h.strip().lower() for h in hosts.split(",") if h.strip())
                                  if hosts is not None else DEFAULT_WEBHOOK_HOSTS),
                   base_url=env.get(ENV_BASE_URL, "").rstrip("/"),
                   max_attempts=max(1, int(env.get(ENV_MAX_ATTEMPTS) or cls.max_attempts)))

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt."""
        return min(self.max_backoff_s, self.backoff_s * 2 ** max(0, attempts - 1))

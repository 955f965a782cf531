"""Per user and per notice kind: which channels (e-mail, chat robot) a notice goes out on.

Without a stored choice, the kinds that must not go unnoticed (a match waiting for an answer, a
survey returned or awaiting review) go out by e-mail, and by webhook once the user set one;
the other kinds stay in the app until the user asks for them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import ValidationFailed
from ...models import NOTIFICATION_KINDS, NoticeChannel, NoticePreference
from ..accounts.users import Principal
from .settings import DeliverySettings

DEFAULT_ON_KINDS = ("match_proposed", "survey_transition")
KIND_TEXT = {
    "listing_fit": ("新的匹配推荐", "A listing fits yours"),
    "match_proposed": ("新的匹配建议，等待您的答复", "A match is waiting for your answer"),
    "match_transition": ("匹配状态更新", "A match changed"),
    "shipment_event": ("转移联单更新", "A shipment changed"),
    "ledger_findings": ("台账核查发现", "Ledger findings"),
    "survey_transition": ("化学物质调查申报更新", "Chemical survey declaration update"),
    "roster_decision": ("名录决定", "Roster decision"),
    "disclosure_transition": ("信息公开更新", "Disclosure update"),
    "eecm_transition": ("环境管理评估更新", "EECM assessment update"),
    "account_locked": ("登录失败过多，账户已临时锁定", "Account locked after failed sign-ins"),
    "hw_declaration": ("危险废物年度申报更新", "Hazardous waste declaration update"),
    "hw_plan": ("危险废物管理计划更新", "Hazardous waste management plan update"),
}


@dataclass(frozen=True)
class Choice:
    """The channels one kind goes out on for one user, and whether that is the default."""

    kind: str
    email: bool
    webhook: bool
    default: bool

    def as_dict(self) -> dict[str, Any]:
        zh, en = KIND_TEXT.get(self.kind, (self.kind, self.kind))
        return {"kind": self.kind, "label": f"{zh} / {en}", "email": self.email, "webhook": self.webhook,
                "default": self.default}


def default_choice(kind: str) -> Choice:
    """The channels of ``kind`` for a user who chose nothing."""
    on = kind in DEFAULT_ON_KINDS
    return Choice(kind=kind, email=on, webhook=on, default=True)


def choices_of(session: Session, user_id: int) -> dict[str, Choice]:
    """Every notice kind's channels for one user (stored choice, else the default)."""
    stored = {p.kind: p for p in session.scalars(select(NoticePreference).where(NoticePreference.user_id == user_id))}
    return {k: (Choice(k, stored[k].email, stored[k].webhook, False) if k in stored else default_choice(k))
            for k in NOTIFICATION_KINDS}


def _require_user(principal: Principal) -> int:
    if principal.user_id is None:
        raise ValidationFailed("only a signed-in user has notice preferences (仅登录用户可设置通知偏好)",
                               {"user": ["no user account (无用户账户)"]})
    return principal.user_id


def preferences_view(session: Session, principal: Principal) -> dict[str, Any]:
    """The caller's channels: the e-mail address, the webhook (if any) and each kind's choice."""
    user_id = _require_user(principal)
    channel = session.get(NoticeChannel, user_id)
    return {"email": principal.email, "webhook_url": channel.webhook_url if channel else None,
            "kinds": [c.as_dict() for c in choices_of(session, user_id).values()]}


def check_webhook_url(url: str, settings: DeliverySettings) -> str:
    """A webhook address the server may post to: http(s) on an allowed host; 422 otherwise."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts, host = None, None
    controls = any(ord(c) < 32 or ord(c) == 127 for c in url)  # NUL cannot even be stored on PostgreSQL
    if parts is None or controls or parts.scheme not in ("http", "https") or not host or len(url) > 500:
        raise ValidationFailed("the webhook must be an http(s) address (机器人地址须为 http 或 https 网址)",
                               {"webhook_url": [("not an http(s) URL of at most 500 characters "
                                                  "(须为不超过 500 个字符的 http 或 https 网址)")]})
    if host.lower() not in settings.webhook_hosts:
        raise ValidationFailed(f"webhooks may only point at {', '.join(settings.webhook_hosts)} "
                               f"(机器人地址只能指向 {', '.join(settings.webhook_hosts)})",
                               {"webhook_url": [f"host {host} is not allowed (不允许的主机 {host})"]})
    return url


def update_preferences(session: Session, principal: Principal, *, webhook_url: str | None = None,
                       clear_webhook: bool = False, kinds: dict[str, dict[str, bool]] | None = None,
                       settings: DeliverySettings | None = None) -> dict[str, Any]:
    """Set the caller's webhook (or clear it) and the channels of the kinds named; returns the new view.

    ``kinds`` maps a notice kind to ``{"email": bool, "webhook": bool}`` (a missing channel keeps
    its current value). Unknown kinds and webhook hosts not allowed are refused (422). Never commits.
    """
    user_id = _require_user(principal)
    settings = settings or DeliverySettings.from_env()
    unknown = sorted(set(kinds or {}) - set(NOTIFICATION_KINDS))
    if unknown:
        raise ValidationFailed(f"unknown notice kind(s): {', '.join(unknown)} (未知的通知类型)",
                               {"kinds": [f"unknown: {', '.join(unknown)} (未知的通知类型：{'、'.join(unknown)})"]})
    if webhook_url is not None or clear_webhook:
        channel = session.get(NoticeChannel, user_id) or NoticeChannel(user_id=user_id)
        channel.webhook_url = None if clear_webhook or not webhook_url.strip() else check_webhook_url(
            webhook_url, settings)
        session.add(channel)
    current = choices_of(session, user_id)
    for kind, channels in (kinds or {}).items():
        row = session.get(NoticePreference, (user_id, kind)) or NoticePreference(user_id=user_id, kind=kind)
        row.email = bool(channels.get("email", current[kind].email))
        row.webhook = bool(channels.get("webhook", current[kind].webhook))
        session.add(row)
    session.flush()
    return preferences_view(session, principal)

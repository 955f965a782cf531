"""What the yearly hazardous waste filings of an enterprise share: the annual declaration (``hw_declarations``) and
the management plan (``hw_plans``).

Both are drafted for one enterprise and one year, by its own users or by a coordinator of its park; both take
tonnages typed by people; both tell the park's coordinators when they are submitted.
"""
from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import Forbidden, NotFound, ValidationFailed
from ...models import Enterprise, Notification, User, user_parks
from ..accounts.users import Principal

MAX_TONNES = 1e7
MIN_YEAR, MAX_YEAR = 1990, 2100


def filing_enterprise(session: Session, principal: Principal, ref: str | None, *, own_only: str) -> Enterprise:
    """The enterprise a filing is for: an enterprise user's own; one a coordinator (their parks) or admin names.

    ``own_only`` is the refusal an enterprise user naming another enterprise gets (``english (中文)``).
    """
    if principal.role == "enterprise":
        own = session.get(Enterprise, principal.enterprise_id) if principal.enterprise_id is not None else None
        if own is None or (ref is not None and ref != own.ref):
            raise Forbidden(own_only, {"enterprise": ["must be your own enterprise (须为本企业)"]})
        return own
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden("this needs an enterprise, coordinator or admin account (权限不足)",
                        {"role": ["not allowed (无权操作)"]})
    ent = session.scalar(select(Enterprise).where(Enterprise.ref == ref)) if isinstance(ref, str) else None
    if ent is None or not principal.coordinates(ent.park_id):
        raise NotFound(f"no enterprise {ref!r} in your parks (无此企业)",
                       {"enterprise": [f"unknown enterprise {ref!r} (您所辖园区中无此企业)"]})
    return ent


def validate_year(year: Any) -> int:
    """A filing year (1990–2100), or ``ValidationFailed`` naming ``year``."""
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(f"year must be between {MIN_YEAR} and {MAX_YEAR} (年份无效)",
                               {"year": [(f"must be a year between {MIN_YEAR} and {MAX_YEAR}, got {year!r} "
                                          f"(须为 {MIN_YEAR} 至 {MAX_YEAR} 之间的年份)")]})
    return year


def tonnes_or_reason(value: Any) -> float | str:
    """A tonnage typed into a filing, or the reason it is not one (``english (中文)``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "must be a number of tonnes (须为吨数)"
    if not math.isfinite(value):
        return "must be a finite number (须为有限数值)"
    if value < 0:
        return f"must be ≥ 0, got {value:g} (吨数不得为负)"
    if value > MAX_TONNES:
        return f"implausibly large: {value:g} t > {MAX_TONNES:g} t; are these kg? (数量不合理)"
    return float(value)


def notify_park_coordinators(session: Session, enterprise: Enterprise, kind: str, data: dict[str, Any], *,
                             exclude_actor: str) -> int:
    """Tell the active coordinators of the enterprise's park (not the one who acted); returns how many."""
    park_id = enterprise.park_id
    users = [] if park_id is None else list(session.scalars(
        select(User).join(user_parks, user_parks.c.user_id == User.id)
        .where(User.role == "coordinator", User.active.is_(True), user_parks.c.park_id == park_id)
        .distinct().order_by(User.id)))
    users = [u for u in users if f"coordinator:{u.email}" != exclude_actor]
    session.add_all([Notification(user_id=u.id, kind=kind, data=data) for u in users])
    return len(users)

"""Reading the audit trail: admins all of it, coordinators the events of their parks."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, String, and_, cast, or_, select

from ...errors import Forbidden
from ...models import AuditEvent, Match
from .disclosure import visible_matches
from .users import Principal


def audit_trail(principal: Principal, *, entity_type: str | None = None, entity_key: str | None = None,
                action: str | None = None, since: dt.datetime | None = None) -> Select:
    """``SELECT`` of the audit events ``principal`` may read, newest first, with the filters given."""
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden("the audit trail is for coordinators and administrators (仅园区管理者与管理员可查看操作记录)",
                        {"role": ["requires admin or coordinator (须为管理员或园区管理者)"]})
    stmt = select(AuditEvent)
    if not principal.is_admin:
        # A match's events are filed under the offer's park; a cross-park match's need-side
        # coordinator decides on it too, so sees its trail as well.
        theirs = visible_matches(principal).with_only_columns(cast(Match.id, String))
        stmt = stmt.where(or_(AuditEvent.park_id.in_(list(principal.park_ids)),
                              and_(AuditEvent.entity_type == "match", AuditEvent.entity_key.in_(theirs))))
    for column, value in ((AuditEvent.entity_type, entity_type), (AuditEvent.entity_key, entity_key),
                          (AuditEvent.action, action)):
        if value:
            stmt = stmt.where(column == value)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())

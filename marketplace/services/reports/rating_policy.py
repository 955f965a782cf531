"""A park's own rating policy: its overrides of the rating thresholds and weights, validated and audited."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..accounts import audit
from ..accounts.parks import coordinated_park
from ..accounts.users import Principal
from .ratings import policy_from


def rating_policy_view(session: Session, principal: Principal, code: str) -> dict[str, Any]:
    """The park's stored overrides of the rating thresholds and the policy in effect (its coordinators, admins)."""
    park = coordinated_park(session, principal, code)
    return {"park": park.code, "overrides": park.rating_policy or {},
            "effective": policy_from(park.rating_policy).as_dict()}


def set_rating_policy(session: Session, principal: Principal, code: str,
                      overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Store the park's overrides of the rating thresholds (validated; empty: back to the defaults), audited."""
    park = coordinated_park(session, principal, code)
    policy_from(overrides)  # a bad setting is a 422 naming it, and nothing is stored
    old, new = park.rating_policy, dict(overrides) or None
    if old != new:
        park.rating_policy = new
        audit.record(session, actor=principal.actor, action="update", entity_type="park", entity_key=code,
                     changes={"rating_policy": [old, new]}, park_id=park.id)
        session.flush()
    return rating_policy_view(session, principal, code)

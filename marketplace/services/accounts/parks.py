"""Parks: created and edited by admins; coordinators may adjust the parks they answer for."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ...errors import Conflict, Forbidden, NotFound
from ...models import Park
from . import audit
from .users import Principal

PARK_FIELDS = ("name", "name_en", "province", "lat", "lon", "hw_max_distance_km")

__all__ = ["Park", "create_park", "get_park", "coordinated_park", "coordinated_parks", "park_dict", "update_park"]


def park_dict(park: Park) -> dict[str, Any]:
    return {"code": park.code, **{k: getattr(park, k) for k in PARK_FIELDS}}


def get_park(session: Session, code: str, *, field: str = "code") -> Park:
    """The park with ``code`` or ``NotFound`` (its errors under ``field``, the argument that named it)."""
    park = session.scalar(select(Park).where(Park.code == code))
    if park is None:
        raise NotFound(f"unknown park {code!r} (无此园区)",
                       {field: [f"no park with code {code!r} (园区代码 {code!r} 不存在)"]})
    return park


def create_park(session: Session, principal: Principal, values: dict[str, Any]) -> Park:
    """Add a park (admins); its code must be new."""
    if not principal.is_admin:
        raise Forbidden("only administrators add parks (仅管理员可新增园区)", {"role": ["requires admin (须为管理员)"]})
    if session.scalar(select(Park.id).where(Park.code == values["code"])) is not None:
        raise Conflict(f"park {values['code']!r} already exists (园区 {values['code']!r} 已存在)",
                       {"code": ["already exists (园区代码已存在)"]})
    park = Park(code=values["code"], **{k: values.get(k) for k in PARK_FIELDS})
    session.add(park)
    session.flush()
    audit.record(session, actor=principal.actor, action="create", entity_type="park", entity_key=park.code,
                 changes={k: [None, values.get(k)] for k in PARK_FIELDS}, park_id=park.id)
    return park


def update_park(session: Session, principal: Principal, code: str, values: dict[str, Any]) -> Park:
    """Change the given fields of a park (admins, or a coordinator of that park)."""
    park = get_park(session, code)
    if not principal.coordinates(park.id):
        raise Forbidden(f"you do not coordinate park {code!r} (非您管理的园区 {code!r})",
                        {"code": ["not one of your parks (非您管理的园区)"]})
    changes = {}
    for k in PARK_FIELDS:
        if k in values and values[k] != getattr(park, k):
            changes[k] = [getattr(park, k), values[k]]
            setattr(park, k, values[k])
    if changes:
        audit.record(session, actor=principal.actor, action="update", entity_type="park", entity_key=code,
                     changes=changes, park_id=park.id)
    session.flush()
    return park


def coordinated_park(session: Session, principal: Principal, code: str, *, field: str = "code") -> Park:
    """The park with ``code`` if the principal coordinates it (admins: any park); else ``Forbidden`` (403).

    An unknown code is ``NotFound`` (404); either error names ``field``, the argument that named the park."""
    park = get_park(session, code, field=field)
    if not principal.coordinates(park.id):
        raise Forbidden(f"you do not coordinate park {code!r} (非所辖园区)",
                        {field: ["not one of your parks (非您管理的园区)"]})
    return park


def coordinated_parks(session: Session, principal: Principal) -> list[Park]:
    """The parks the principal answers for, by code: admins every park, coordinators theirs, others none."""
    stmt = select(Park).order_by(Park.code)
    if not principal.is_admin:
        stmt = stmt.where(Park.id.in_(sorted(principal.park_ids)))
    return list(session.scalars(stmt))


def all_parks() -> Select:
    """``SELECT`` of every park by code (the public list of parks)."""
    return select(Park).order_by(Park.code)

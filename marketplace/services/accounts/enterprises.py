"""Enterprises and their HW business licences (危险废物经营许可证), scoped by role.

Admins see and change everything; coordinators the enterprises of their parks; an
enterprise user only their own enterprise, whose descriptive fields they may edit
(not its park, not its site coordinates, not its licences: licences are issued by the authority). An
enterprise the caller may not see is reported as unknown, never as forbidden, so
that its existence is not revealed. Licences are validated by the interchange
``LicenceSchema`` (one definition of a valid licence) and every change is audited
with the enterprise's park. Names are unique within a park (case and spacing aside), checked on
create, rename, move and import: an enterprise named as another could pass as it once disclosed.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ...errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...models import RESERVING_STATUSES, Enterprise, Licence, Match, Park
from ...schemas.interchange import LicenceSchema, flatten_errors
from . import audit
from .disclosure import sees_enterprise
from .users import Principal

ENTERPRISE_FIELDS = ("name", "industry", "industry_name", "province", "district", "lat", "lon")
SITE_FIELDS = ("lat", "lon")
LICENCE_FIELDS = ("kind", "categories", "codes", "activities", "annual_capacity_t", "valid_from", "valid_to")

__all__ = ["add_licence", "check_name_free", "create_enterprise", "enterprise_dict", "get_enterprise",
           "import_name_clashes", "licence_dict", "licence_used_t", "list_enterprises", "list_licences",
           "update_enterprise", "update_licence", "visible_enterprises"]



def enterprise_rows_visible(stmt: Select, principal: Principal, enterprise_id: Any) -> Select:
    """``stmt`` (joined to ``Enterprise``) narrowed to the rows of enterprises the principal may see: an admin every
    one, a coordinator its parks', an enterprise user its own (``enterprise_id``: the rows' enterprise column),
    anyone else none."""
    if principal.is_admin:
        return stmt
    if principal.is_coordinator:
        return stmt.where(Enterprise.park_id.in_(sorted(principal.park_ids)))
    if principal.role == "enterprise" and principal.enterprise_id is not None:
        return stmt.where(enterprise_id == principal.enterprise_id)
    return stmt.where(false())

def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def licence_dict(lic: Licence) -> dict[str, Any]:
    """A licence as the API shows it (to those who see its enterprise)."""
    return {"number": lic.number, **{k: _iso(getattr(lic, k)) for k in LICENCE_FIELDS}}


def enterprise_dict(ent: Enterprise) -> dict[str, Any]:
    """An enterprise with its licences (to those who see it)."""
    return {"ref": ent.ref, "name": ent.name, "park": ent.park.code if ent.park else None,
            **{k: getattr(ent, k) for k in ENTERPRISE_FIELDS if k != "name"},
            "licences": [licence_dict(lic) for lic in ent.licences]}


def _loaded() -> Any:
    return (selectinload(Enterprise.licences), selectinload(Enterprise.park))


def visible_enterprises(principal: Principal, *, park_id: int | None = None, search: str | None = None) -> Select:
    """The enterprises ``principal`` may see, by ref (optionally of one park, or matching a text)."""
    stmt = select(Enterprise).options(*_loaded()).order_by(Enterprise.ref)
    if principal.is_coordinator:
        stmt = stmt.where(Enterprise.park_id.in_(sorted(principal.park_ids)))
    elif not principal.is_admin:
        stmt = stmt.where(Enterprise.id == principal.enterprise_id)
    if park_id is not None:
        stmt = stmt.where(Enterprise.park_id == park_id)
    if search:
        like = f"%{search.lower()}%"
        stmt = stmt.where(or_(func.lower(Enterprise.name).like(like), func.lower(Enterprise.ref).like(like),
                              func.lower(Enterprise.industry_name).like(like)))
    return stmt


def list_enterprises(session: Session, principal: Principal) -> list[Enterprise]:
    """The enterprises ``principal`` may see, by ref (a coordinator's choice of whom to act for)."""
    return list(session.scalars(visible_enterprises(principal)))


def _unknown(ref: str) -> NotFound:
    # The ref is not echoed: the answer is the same for every enterprise the caller may not see.
    return NotFound("no such enterprise (企业不存在)", {"ref": ["unknown enterprise (企业不存在)"]})


def get_enterprise(session: Session, principal: Principal, ref: str, *, for_update: bool = False) -> Enterprise:
    """The enterprise ``ref`` if the principal may see it; ``NotFound`` otherwise (whether or not it exists)."""
    if "\x00" in ref:  # no ref holds NUL, and PostgreSQL would refuse to compare it (a 500)
        raise _unknown(ref)
    stmt = select(Enterprise).where(Enterprise.ref == ref).options(*_loaded())
    if for_update:  # NO KEY UPDATE: new listings of this enterprise (a key-share check) are not held up
        stmt = stmt.with_for_update(key_share=True).execution_options(populate_existing=True)
    ent = session.scalar(stmt)
    if ent is None or not sees_enterprise(principal, ent):
        raise _unknown(ref)
    return ent


def own_enterprise(session: Session, principal: Principal) -> Enterprise:
    """The enterprise an enterprise user acts for (``Forbidden`` for other roles)."""
    if principal.enterprise_id is None:
        raise Forbidden("this is for enterprise users (仅限企业用户)", {"role": ["requires enterprise (须为企业用户)"]})
    return session.get(Enterprise, principal.enterprise_id)


def _park(session: Session, code: str | None, field: str = "park") -> Park | None:
    if code is None:
        return None
    park = session.scalar(select(Park).where(Park.code == code))
    if park is None:
        raise ValidationFailed(f"unknown park {code!r} (园区不存在)",
                               {field: [f"no park with code {code!r} (园区代码 {code!r} 不存在)"]})
    return park


def _check_placement(principal: Principal, park: Park | None) -> None:
    """Admins place an enterprise anywhere; coordinators only in one of their parks."""
    if principal.is_admin:
        return
    if park is None:
        raise ValidationFailed("a coordinator must place the enterprise in one of their parks (请选择您管理的园区)",
                               {"park": ["required: the code of one of your parks (请选择您管理的园区)"]})
    if not principal.coordinates(park.id):
        raise Forbidden(f"you do not coordinate park {park.code!r} (非您管理的园区)",
                        {"park": ["not one of your parks (非您管理的园区)"]})


def _check_lengths(values: dict[str, Any]) -> None:
    """Text longer than its column is a 422 naming the field (PostgreSQL would refuse it with a 500)."""
    errors = {}
    for k in ENTERPRISE_FIELDS:
        limit = getattr(Enterprise.__table__.c[k].type, "length", None)
        if limit and isinstance(values.get(k), str) and len(values[k]) > limit:
            errors[k] = [f"at most {limit} characters (不超过 {limit} 个字符)"]
    if errors:
        raise ValidationFailed("a field is too long (字段过长)", errors)


def _licence_conflicts(session: Session, numbers: list[str]) -> None:
    taken = list(session.scalars(select(Licence.number).where(Licence.number.in_(numbers))))
    if taken:
        # The owner is not named: the caller may not see that enterprise.
        raise Conflict(f"licence numbers already registered: {sorted(taken)} (许可证编号已登记)",
                       {"licences": [f"licence {n!r} is already registered (许可证编号 {n!r} 已登记)"
                                     for n in sorted(taken)]})


def _name_key(name: str) -> str:
    """A name as uniqueness compares it: spacing collapsed, case folded ("Acme  chem" is "ACME Chem")."""
    return " ".join(name.split()).casefold()


def _names_in_park(session: Session, park_id: int | None) -> list[tuple[str, str]]:
    """(ref, name) of the enterprises of a park (of those in no park for ``None``)."""
    where = Enterprise.park_id.is_(None) if park_id is None else Enterprise.park_id == park_id
    return [(ref, name) for ref, name in session.execute(select(Enterprise.ref, Enterprise.name).where(where)) if name]


def check_name_free(session: Session, name: str | None, park_id: int | None, *, ref: str | None = None) -> None:
    """``Conflict`` if another enterprise than ``ref`` of the park already has ``name`` (the other is not named:
    the caller may not see it)."""
    if not name:
        return
    key = _name_key(name)
    if any(_name_key(other) == key and other_ref != ref for other_ref, other in _names_in_park(session, park_id)):
        raise Conflict("another enterprise of this park already has this name (园区内已有同名企业)",
                       {"name": ["already the name of another enterprise of this park (园区内已有同名企业)"]})


def import_name_clashes(session: Session, items: list[tuple[int, dict[str, Any]]],
                        park_ids: dict[str, int]) -> list[tuple[str, str]]:
    """(path, message) for each enterprise of an import file (``(index, item)``) whose name another enterprise
    of its park has, in the file or in the database (``park_ids``: park code → id of the parks known)."""
    out: list[tuple[str, str]] = []
    file_refs = {item.get("ref") for _, item in items}
    taken: dict[tuple[Any, str], str] = {}
    for park_code in {item.get("park") for _, item in items}:
        park_id = park_ids.get(park_code) if isinstance(park_code, str) else None
        if isinstance(park_code, str) and park_id is None:
            continue  # a new park: nothing stored in it yet
        for ref, name in _names_in_park(session, park_id):
            if ref not in file_refs:  # an enterprise of the file is judged by its new name
                taken[(park_code, _name_key(name))] = "another enterprise of this park"
    for i, item in items:
        name, park_code = item.get("name"), item.get("park")
        if not isinstance(name, str) or not name.strip():
            continue
        key = (park_code if isinstance(park_code, str) else None, _name_key(name))
        if key in taken:
            out.append((f"$.enterprises[{i}].name",
                        f"{name!r} is already the name of {taken[key]} (园区内已有同名企业)"))
        else:
            taken[key] = f"$.enterprises[{i}]"
    return out


def create_enterprise(session: Session, principal: Principal, values: dict[str, Any]) -> Enterprise:
    """Add an enterprise (``EnterpriseSchema`` values, licences included): admins, or a coordinator in their park."""
    if not (principal.is_admin or principal.is_coordinator):
        raise Forbidden("only admins and coordinators add enterprises (权限不足)",
                        {"role": ["admin or coordinator (须为管理员或园区管理者)"]})
    park = _park(session, values.get("park"))
    _check_placement(principal, park)
    _check_lengths(values)
    if session.scalar(select(Enterprise.id).where(Enterprise.ref == values["ref"])) is not None:
        raise Conflict(f"enterprise ref {values['ref']!r} is already used (企业编号已存在)",
                       {"ref": ["already used (企业编号已存在)"]})
    numbers = [lic["number"] for lic in values.get("licences") or []]
    if len(set(numbers)) != len(numbers):
        raise ValidationFailed("a licence number is listed twice (许可证编号重复)",
                               {"licences": ["licence numbers must differ (许可证编号不能重复)"]})
    _licence_conflicts(session, numbers)
    check_name_free(session, values.get("name"), park.id if park else None)
    ent = Enterprise(ref=values["ref"], park=park, **{k: values.get(k) for k in ENTERPRISE_FIELDS})
    session.add(ent)
    session.flush()
    audit.record(session, actor=principal.actor, action="create", entity_type="enterprise", entity_key=ent.ref,
                 changes={"park": [None, park.code if park else None],
                          **{k: [None, values.get(k)] for k in ENTERPRISE_FIELDS}},
                 park_id=ent.park_id)
    for item in values.get("licences") or []:
        _new_licence(session, principal, ent, item)
    session.flush()
    return ent


def update_enterprise(session: Session, principal: Principal, ref: str, values: dict[str, Any]) -> Enterprise:
    """Change the given fields of an enterprise.

    Admins and coordinators of its park may change anything, moving it only into a
    park they coordinate; its own enterprise user may change the descriptive fields,
    not its park nor its site (lat, lon).
    """
    ent = get_enterprise(session, principal, ref, for_update=True)
    moved = [k for k in SITE_FIELDS if k in values and values[k] != getattr(ent, k)]
    if moved and not (principal.is_admin or principal.coordinates(ent.park_id)):
        # Distances to anonymised sites are shown exactly from one's own site: moving it at will would
        # triangulate them (and the site decides the hard distance check).
        raise Forbidden("an enterprise cannot move its own site; ask the park coordinator (企业不能自行变更厂址坐标)",
                        {k: ["only a coordinator or an admin may change it (仅园区管理者或管理员可修改)"]
                         for k in moved})
    _check_lengths(values)
    old_park = ent.park
    changes: dict[str, list[Any]] = {}
    if "park" in values and values["park"] != (old_park.code if old_park else None):
        if not (principal.is_admin or principal.coordinates(ent.park_id)):
            raise Forbidden("an enterprise cannot move itself to another park; ask the park coordinator "
                            "(企业不能自行变更所属园区)",
                            {"park": ["only a coordinator or an admin may change it (仅园区管理者或管理员可修改)"]})
        new_park = _park(session, values["park"])
        _check_placement(principal, new_park)
        # Checked before anything changes: a refused move leaves the enterprise as it was.
        check_name_free(session, values.get("name", ent.name), new_park.id if new_park else None, ref=ent.ref)
        changes["park"] = [old_park.code if old_park else None, new_park.code if new_park else None]
        ent.park = new_park
    elif "name" in values and values["name"] != ent.name:
        check_name_free(session, values["name"], ent.park_id, ref=ent.ref)
    for k in ENTERPRISE_FIELDS:
        if k in values and values[k] != getattr(ent, k):
            if k in ("name", "lat", "lon") and values[k] is None:
                raise ValidationFailed(f"{k} cannot be removed (不能为空)", {k: ["required"]})
            changes[k] = [getattr(ent, k), values[k]]
            setattr(ent, k, values[k])
    if changes:
        audit.record(session, actor=principal.actor, action="update", entity_type="enterprise", entity_key=ent.ref,
                     changes=changes, park_id=old_park.id if old_park else None)
        if "park" in changes and ent.park is not None:
            # The receiving park's coordinators see the move in their trail too.
            audit.record(session, actor=principal.actor, action="move-in", entity_type="enterprise",
                         entity_key=ent.ref, changes=changes, park_id=ent.park.id)
    session.flush()
    return ent


def list_licences(session: Session, principal: Principal, ref: str) -> list[Licence]:
    """The licences of an enterprise the principal may see."""
    return list(get_enterprise(session, principal, ref).licences)


def _check_licensing(principal: Principal, ent: Enterprise) -> None:
    if not principal.coordinates(ent.park_id):
        raise Forbidden("licences are maintained by the park coordinator or an admin (许可证由园区管理者维护)",
                        {"role": ["admin or coordinator of the enterprise's park (须为管理员或企业所在园区的管理者)"]})


def _validated_licence(values: dict[str, Any]) -> dict[str, Any]:
    """Run a whole licence through ``LicenceSchema``, the one definition of a valid licence."""
    doc = {k: _iso(v) for k, v in values.items()}
    try:
        return LicenceSchema().load(doc)
    except ValidationError as exc:
        errors = {path.removeprefix("$."): msgs for path, msgs in flatten_errors(exc.messages).items()}
        raise ValidationFailed("the licence is not valid (许可证信息有误)", errors) from None


def _new_licence(session: Session, principal: Principal, ent: Enterprise, data: dict[str, Any]) -> Licence:
    lic = Licence(number=data["number"], **{k: data[k] for k in LICENCE_FIELDS})
    ent.licences.append(lic)
    session.flush()
    audit.record(session, actor=principal.actor, action="create", entity_type="licence", entity_key=lic.number,
                 changes={k: [None, _iso(data[k])] for k in LICENCE_FIELDS},
                 context={"enterprise": ent.ref}, park_id=ent.park_id)
    return lic


def add_licence(session: Session, principal: Principal, ref: str, values: dict[str, Any]) -> Licence:
    """Register a licence of enterprise ``ref`` (admins, coordinators of its park)."""
    ent = get_enterprise(session, principal, ref, for_update=True)
    _check_licensing(principal, ent)
    data = _validated_licence(values)
    if session.scalar(select(Licence.id).where(Licence.number == data["number"])) is not None:
        raise Conflict(f"licence {data['number']!r} is already registered (许可证编号已登记)",
                       {"number": ["already registered (许可证编号已登记)"]})
    return _new_licence(session, principal, ent, data)


def licence_used_t(session: Session, number: str, year: int) -> float:
    """Tonnes that matches approved in ``year`` hold on licence ``number``."""
    start = dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.timezone.utc)
    when = func.coalesce(Match.approved_at, Match.updated_at)
    return float(session.scalar(select(func.coalesce(func.sum(Match.quantity_t), 0.0)).where(
        Match.licence_number == number, Match.status.in_(RESERVING_STATUSES), when >= start, when < end)) or 0.0)


def update_licence(session: Session, principal: Principal, ref: str, number: str, values: dict[str, Any]) -> Licence:
    """Change a licence; the result must still be a valid licence and hold what is already approved this year."""
    ent = get_enterprise(session, principal, ref, for_update=True)
    lic = next((x for x in ent.licences if x.number == number), None)
    if lic is None:
        raise NotFound("the enterprise has no such licence (许可证不存在)",
                       {"number": ["unknown licence (许可证不存在)"]})
    _check_licensing(principal, ent)
    # Locked as approvals lock it, so that the capacity check below cannot race an approval.
    lic = session.scalar(select(Licence).where(Licence.id == lic.id).with_for_update()
                         .execution_options(populate_existing=True))
    merged = {"number": lic.number, **{k: getattr(lic, k) for k in LICENCE_FIELDS}, **values}
    data = _validated_licence(merged)
    used = licence_used_t(session, number, dt.date.today().year)
    if data["annual_capacity_t"] + 1e-9 < used:
        raise Conflict(f"approved matches already hold {used:g} t on this licence this year "
                       f"(本年度已批准 {used:g} 吨)",
                       {"annual_capacity_t": [f"must be at least {used:g} (不得少于本年度已批准的 {used:g} 吨)"]})
    changes = {}
    for k in LICENCE_FIELDS:
        if data[k] != getattr(lic, k):
            changes[k] = [_iso(getattr(lic, k)), _iso(data[k])]
            setattr(lic, k, data[k])
    if changes:
        audit.record(session, actor=principal.actor, action="update", entity_type="licence", entity_key=number,
                     changes=changes, context={"enterprise": ent.ref}, park_id=ent.park_id)
    session.flush()
    return lic

"""Import and export of ``wastematch.v1`` documents: all-or-nothing, refs idempotent.

``import_document`` validates the whole document first (schema, then references
inside the file and to the database) and raises ``ValidationFailed`` listing every
error by JSON path; only a clean document is written. Re-importing a ref updates the
row in place and records what changed in the audit trail.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...errors import NotFound, ValidationFailed
from ...models import Component, Enterprise, HwCodeRow, Licence, Listing, Park
from ...schemas.interchange import FORMAT, DocumentSchema, flatten_errors
from ..accounts import audit
from ..accounts.enterprises import import_name_clashes
from .resolution import resolve_rows

ENTITY_TYPES = ("parks", "enterprises", "licences", "listings")
# listing document key -> (component role, amount key)
COMPONENT_KEYS = {"composition": ("composition", "fraction"), "wanted": ("wanted", "min_fraction"),
                  "limits": ("limit", "max_fraction")}
PARK_FIELDS = ("name", "name_en", "province", "lat", "lon", "hw_max_distance_km")
ENTERPRISE_FIELDS = ("name", "industry", "industry_name", "province", "district", "lat", "lon")
LICENCE_FIELDS = ("kind", "categories", "codes", "activities", "annual_capacity_t", "valid_from", "valid_to")
LISTING_FIELDS = ("kind", "title", "title_zh", "description", "waste_code", "ewc_code", "category", "stream", "form",
                  "quantity_t",
                  "period", "available_from", "available_to", "price_cny_per_t", "current_route", "forms",
                  "purpose", "max_distance_km", "composition_complete")


@dataclass
class ImportReport:
    """What an import did, per entity type."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {name: {t: getattr(self, name)[t] for t in ENTITY_TYPES}
                for name in ("created", "updated", "unchanged", "deleted")}


def validate_document(session: Session, doc: Any) -> dict[str, Any]:
    """Validate a whole document; return the loaded data or raise ``ValidationFailed`` with every error."""
    if not isinstance(doc, dict):
        raise ValidationFailed("the document must be a JSON object (文件须为 JSON 对象)",
                               {"$": ["must be a JSON object (须为 JSON 对象)"]})
    errors: dict[str, list[str]] = {}
    try:
        data = DocumentSchema().load(doc)
    except ValidationError as exc:
        errors.update(flatten_errors(exc.messages))
        data = None
    for path, msg in _reference_errors(session, doc):
        errors.setdefault(path, []).append(msg)
    if errors:
        n = sum(len(v) for v in errors.values())
        raise ValidationFailed(f"the {FORMAT} document has {n} error(s); nothing was imported "
                               f"({FORMAT} 文件有 {n} 处错误，未导入任何内容)", errors)
    assert data is not None
    return data


def _items(doc: dict, key: str) -> list[tuple[int, dict]]:
    value = doc.get(key)
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _reference_errors(session: Session, doc: dict) -> list[tuple[str, str]]:
    """Checks that need the whole file or the database: duplicates and dangling refs."""
    out: list[tuple[str, str]] = []

    def dupes(key: str, ident: str) -> set[str]:
        seen: dict[str, int] = {}
        for i, item in _items(doc, key):
            value = item.get(ident)
            if isinstance(value, str):
                if value in seen:
                    first = f"$.{key}[{seen[value]}]"
                    out.append((f"$.{key}[{i}].{ident}",
                                f"{value!r} appears twice (first at {first}) ({value} 重复出现，首次在 {first})"))
                else:
                    seen[value] = i
        return set(seen)

    park_codes = dupes("parks", "code")
    enterprise_refs = dupes("enterprises", "ref")
    dupes("listings", "ref")

    wanted_parks = {e.get("park") for _, e in _items(doc, "enterprises") if isinstance(e.get("park"), str)}
    known_parks = park_codes | set(session.scalars(select(Park.code).where(Park.code.in_(wanted_parks - park_codes))))
    wanted_ents = {x.get("enterprise") for _, x in _items(doc, "listings") if isinstance(x.get("enterprise"), str)}
    known_ents = enterprise_refs | set(
        session.scalars(select(Enterprise.ref).where(Enterprise.ref.in_(wanted_ents - enterprise_refs))))

    # Names are unique within a park (accounts.enterprises): a clash with the file or the database is refused.
    park_ids = dict(session.execute(select(Park.code, Park.id).where(Park.code.in_(wanted_parks))).all())
    out.extend(import_name_clashes(session, _items(doc, "enterprises"), park_ids))

    licence_seen: dict[str, str] = {}
    numbers = [lic.get("number") for _, e in _items(doc, "enterprises") for lic in e.get("licences") or []
               if isinstance(lic, dict) and isinstance(lic.get("number"), str)]
    owners = dict(session.execute(select(Licence.number, Enterprise.ref).join(Licence.enterprise)
                                  .where(Licence.number.in_(numbers))).all())
    for i, ent in _items(doc, "enterprises"):
        park = ent.get("park")
        if isinstance(park, str) and park not in known_parks:
            out.append((f"$.enterprises[{i}].park", (f"unknown park {park!r}: not in this file nor in the database "
                                                     f"(本文件和数据库中都没有园区 {park})")))
        for j, lic in enumerate(ent.get("licences") or []):
            if not isinstance(lic, dict) or not isinstance(lic.get("number"), str):
                continue
            number, path = lic["number"], f"$.enterprises[{i}].licences[{j}].number"
            if number in licence_seen:
                out.append((path, (f"licence {number!r} appears twice (also under {licence_seen[number]}) "
                                   f"(许可证 {number} 重复出现，另见企业 {licence_seen[number]})")))
            licence_seen[number] = str(ent.get("ref"))
            if owners.get(number) not in (None, ent.get("ref")):
                out.append((path, (f"licence {number!r} already belongs to enterprise {owners[number]!r} "
                                   f"(许可证 {number} 已属于企业 {owners[number]})")))

    full_list = _full_hw_list_loaded(session)
    codes = {x.get("waste_code") for _, x in _items(doc, "listings") if isinstance(x.get("waste_code"), str)}
    known_codes = set(session.scalars(select(HwCodeRow.code).where(HwCodeRow.code.in_(codes)))) if full_list else codes
    for i, listing in _items(doc, "listings"):
        ent = listing.get("enterprise")
        if isinstance(ent, str) and ent not in known_ents:
            out.append((f"$.listings[{i}].enterprise",
                        (f"unknown enterprise ref {ent!r}: not in this file nor in the database "
                         f"(本文件和数据库中都没有企业编号 {ent})")))
        code = listing.get("waste_code")
        if isinstance(code, str) and code not in known_codes:
            out.append((f"$.listings[{i}].waste_code",
                        (f"{code!r} is not a code of the loaded 国家危险废物名录 edition "
                         f"(已加载的《国家危险废物名录》中没有代码 {code})")))
    return out


def _full_hw_list_loaded(session: Session) -> bool:
    """Only once an official edition is imported can we say a well-formed code does not exist."""
    return session.scalar(select(HwCodeRow.code).where(HwCodeRow.source == "hw-list-pdf").limit(1)) is not None


Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 500


def import_document(session: Session, doc: Any, *, actor: str, source: str = "",
                    progress: Progress | None = None) -> ImportReport:
    """Validate and apply a ``wastematch.v1`` document. Never commits; raises before writing anything.

    ``progress(stage, done, total)`` is called per stage and every few hundred rows of a large file.
    """
    tell = progress or (lambda _stage, _done, _total: None)
    data = validate_document(session, doc)
    rows = sum(len(data[k]) for k in ("parks", "enterprises", "listings"))
    tell("validated rows", rows, rows)
    report = ImportReport()
    ctx = {"import": source} if source else {}

    parks = {p.code: p for p in session.scalars(select(Park))}
    for item in data["parks"]:
        park = parks.get(item["code"])
        if park is None:
            park = parks[item["code"]] = Park(code=item["code"])
            session.add(park)
        _apply(session, report, "parks", park, item["code"], {k: item[k] for k in PARK_FIELDS}, actor, ctx,
               created=park.id is None)
    session.flush()

    refs = {e["ref"] for e in data["enterprises"]}
    enterprises = {e.ref: e for e in session.scalars(
        select(Enterprise).where(Enterprise.ref.in_(refs)).options(selectinload(Enterprise.licences)))}
    for n, item in enumerate(data["enterprises"], start=1):
        if n % PROGRESS_EVERY == 0:
            tell("enterprises", n, len(data["enterprises"]))
        ent = enterprises.get(item["ref"])
        is_new = ent is None
        if is_new:
            ent = enterprises[item["ref"]] = Enterprise(ref=item["ref"])
            session.add(ent)
        values = {k: item[k] for k in ENTERPRISE_FIELDS}
        values["park_id"] = parks[item["park"]].id if item["park"] else None
        _apply(session, report, "enterprises", ent, item["ref"], values, actor, ctx, created=is_new,
               shown={"park_id": item["park"]})
        _sync_licences(session, report, ent, item["licences"], actor, ctx)
    session.flush()

    listing_refs = {x["ref"] for x in data["listings"]}
    ent_refs = {x["enterprise"] for x in data["listings"]}
    enterprises.update({e.ref: e for e in session.scalars(select(Enterprise).where(Enterprise.ref.in_(ent_refs)))})
    listings = {x.ref: x for x in session.scalars(
        select(Listing).where(Listing.ref.in_(listing_refs)).options(selectinload(Listing.components)))}
    for n, item in enumerate(data["listings"], start=1):
        if n % PROGRESS_EVERY == 0:
            tell("listings", n, len(data["listings"]))
        listing = listings.get(item["ref"])
        is_new = listing is None
        if is_new:
            listing = Listing(ref=item["ref"], status="active")
            session.add(listing)
        values = {k: item[k] for k in LISTING_FIELDS}
        values["enterprise_id"] = enterprises[item["enterprise"]].id
        values["components"] = _component_tuples(item)
        _apply(session, report, "listings", listing, item["ref"], values, actor, ctx, created=is_new,
               shown={"enterprise_id": item["enterprise"]})
    session.flush()
    tell("listings", len(data["listings"]), len(data["listings"]))
    return report


def _component_tuples(item: dict) -> list[tuple[str, int, str | None, str | None, float]]:
    return sorted((role, pos, c.get("name"), c.get("cas"), float(c[amount]))
                  for key, (role, amount) in COMPONENT_KEYS.items() for pos, c in enumerate(item[key]))


def _current(obj: Any, name: str) -> Any:
    if name == "components":
        return sorted((c.role, c.position, c.name, c.cas, c.fraction) for c in obj.components)
    return getattr(obj, name)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _apply(session: Session, report: ImportReport, entity_type: str, obj: Any, key: str,
           values: dict[str, Any], actor: str, ctx: dict, *, created: bool,
           shown: dict[str, Any] | None = None) -> None:
    """Set changed attributes, count the outcome and audit the differences."""
    changes: dict[str, Any] = {}
    for name, new in values.items():
        old = None if created else _current(obj, name)
        if not created and old == new:
            continue
        if name == "components":
            previous = list(obj.components)
            obj.components = [Component(role=r, position=p, name=n, cas=c, fraction=f) for r, p, n, c, f in new]
            resolve_rows(obj.components, previous=previous)
        else:
            setattr(obj, name, new)
        label = name.removesuffix("_id") if shown and name in shown else name
        changes[label] = [None if created else _jsonable(old), _jsonable(shown[name] if shown and name in shown
                                                                         else new)]
    if created:
        report.created[entity_type] += 1
        audit.record(session, actor=actor, action="create", entity_type=entity_type[:-1], entity_key=key,
                     changes=changes, context=ctx)
    elif changes:
        report.updated[entity_type] += 1
        audit.record(session, actor=actor, action="update", entity_type=entity_type[:-1], entity_key=key,
                     changes=changes, context=ctx)
    else:
        report.unchanged[entity_type] += 1


def _sync_licences(session: Session, report: ImportReport, ent: Enterprise, items: list[dict], actor: str,
                   ctx: dict) -> None:
    """The file's licence list is the enterprise's whole list: update, add, and drop the rest."""
    existing = {lic.number: lic for lic in ent.licences}
    for item in items:
        lic = existing.pop(item["number"], None)
        is_new = lic is None
        if is_new:
            lic = Licence(number=item["number"])
            ent.licences.append(lic)
        _apply(session, report, "licences", lic, item["number"], {k: item[k] for k in LICENCE_FIELDS}, actor, ctx,
               created=is_new)
    for number, lic in existing.items():
        ent.licences.remove(lic)
        report.deleted["licences"] += 1
        audit.record(session, actor=actor, action="delete", entity_type="licence", entity_key=number,
                     changes={}, context=ctx)


def export_document(session: Session, *, park: str | None = None) -> dict[str, Any]:
    """The database (or one park of it) as a ``wastematch.v1`` document that re-imports losslessly."""
    park_q = select(Park).order_by(Park.id)
    ent_q = select(Enterprise).options(selectinload(Enterprise.licences), selectinload(Enterprise.park)) \
        .order_by(Enterprise.id)
    if park is not None:
        the_park = session.scalar(select(Park).where(Park.code == park))
        if the_park is None:
            raise NotFound(f"unknown park {park!r} (无此园区 {park})",
                           {"park": [f"no park with code {park!r} (没有代码为 {park} 的园区)"]})
        park_q = park_q.where(Park.id == the_park.id)
        ent_q = ent_q.where(Enterprise.park_id == the_park.id)
    enterprises = list(session.scalars(ent_q))
    listing_q = select(Listing).options(selectinload(Listing.components), selectinload(Listing.enterprise)) \
        .order_by(Listing.id)
    if park is not None:
        listing_q = listing_q.where(Listing.enterprise_id.in_([e.id for e in enterprises]))
    return {
        "format": FORMAT,
        "parks": [dict(code=p.code, **{k: getattr(p, k) for k in PARK_FIELDS}) for p in session.scalars(park_q)],
        "enterprises": [_export_enterprise(e) for e in enterprises],
        "listings": [_export_listing(x) for x in session.scalars(listing_q)],
    }


def _export_enterprise(e: Enterprise) -> dict[str, Any]:
    out: dict[str, Any] = {"ref": e.ref, "name": e.name, "park": e.park.code if e.park else None}
    out.update({k: getattr(e, k) for k in ENTERPRISE_FIELDS if k != "name"})
    out["licences"] = [dict(number=lic.number, **{k: _jsonable(getattr(lic, k)) for k in LICENCE_FIELDS})
                       for lic in e.licences]
    return out


def _export_listing(x: Listing) -> dict[str, Any]:
    out: dict[str, Any] = {"ref": x.ref, "kind": x.kind, "enterprise": x.enterprise.ref}
    out.update({k: _jsonable(getattr(x, k)) for k in LISTING_FIELDS
                if k not in ("kind", "composition_complete", "category")})
    if x.category:  # optional, like composition_complete: absent when the listing has none
        out["category"] = x.category
    if x.composition_complete:  # an optional key: absent means false, so documents without it stay as they were
        out["composition_complete"] = True
    for key, (role, amount) in COMPONENT_KEYS.items():
        out[key] = [{**({"name": c.name} if c.name is not None else {}),
                     **({"cas": c.cas} if c.cas is not None else {}), amount: c.fraction}
                    for c in x.components_in(role)]
    return out

"""The chemical flow ledger (化学物质流向台账): each enterprise's batches of chemicals in and out.

An enterprise user records and corrects their own enterprise's entries; a coordinator
reads the entries of the enterprises in their parks and may record on behalf of one;
an admin everything. An entry somebody may not see is "not found" to them.

Every entry is validated field by field (errors name the field; an import names the
row too): a CAS number must carry the right check digit and is stored normalised, a
controlled CAS fills ``catalogue_id`` from the control lists, a waste code has the
national list's ``NNN-NNN-NN`` form, a counterparty is either a registered enterprise
(``counterparty``, its ref) or a name for one outside the platform (``counterparty_name``),
and an ``out`` / ``consumed`` batch may name the ``in`` / ``produced`` batch it drew from.
An entry booked from a received shipment is the manifest's record: its owner may only
change its note.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased, object_session

from catalog.cas import cas_check_error, normalize_cas
from catalog.control_lists import CONTROLLED_SUBSTANCES, controlled_by_cas
from catalog.waste_codes import is_hw_code, normalize_hw_code

from ...errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from ...models import Enterprise, LedgerEntry, Listing, Match, Park
from ...models.base import MAX_ID, iso_utc, park_date, utcnow
from ...models.ledger import LEDGER_DIRECTIONS, LEDGER_SINKS, LEDGER_SOURCES
from ...schemas.dates import DATE_EXAMPLES, read_date
from ...schemas.json_text import read_json
from ...schemas.numbers import read_number
from ..accounts import audit
from ..accounts.disclosure import DISCLOSING_STATUSES, sees_enterprise
from ..accounts.parks import get_park
from ..accounts.users import Principal
from ..tabular import TableLimits, csv_rows, open_workbook, sheet_rows

# The fields a caller may give; ``enterprise``, ``counterparty`` and ``source_batch`` are references.
FIELDS = ("enterprise", "batch_code", "direction", "entry_date", "chemical_name", "cas", "catalogue_id",
          "waste_code", "quantity_t", "content_ratio", "product", "counterparty", "counterparty_name",
          "source_batch", "permit_number", "note")
TEXT_LIMITS = {"batch_code": 64, "chemical_name": 200, "product": 200, "counterparty_name": 200,
               "permit_number": 64, "note": 2000, "enterprise": 64, "counterparty": 64, "source_batch": 64,
               "catalogue_id": 64}
REQUIRED = ("batch_code", "direction", "entry_date", "quantity_t")
# Fields the owner of an entry booked from a shipment may still change.
SHIPMENT_EDITABLE = ("note",)
MAX_QUANTITY_T = 1e9
MAX_IMPORT_ROWS = 5000
# An import file is read only this far (rows as above; columns: the fields twice over, for unknown ones that
# are reported, not dropped unseen; cells: every row's fields and a few more); a 4.9 KB workbook declaring
# A1:XFD60000 stops at row 5,002.
IMPORT_LIMITS = TableLimits(max_rows=MAX_IMPORT_ROWS, max_columns=2 * len(FIELDS), max_cells=100_000,
                            max_unpacked_bytes=32 * 1024 * 1024)
CONTROL_KEYS = frozenset(s.key for s in CONTROLLED_SUBSTANCES)
DIRECTION_ZH = {"in": "购入/接收", "out": "销售/转出", "produced": "生产", "consumed": "使用消耗"}


# --- who sees what -------------------------------------------------------------------------------

def visible_entries(principal: Principal) -> Select:
    """``SELECT`` of the entries ``principal`` may see (own enterprise; coordinators: their parks; admin all)."""
    stmt = select(LedgerEntry).join(Enterprise, LedgerEntry.enterprise_id == Enterprise.id)
    if principal.is_admin:
        return stmt
    if principal.is_coordinator:
        return stmt.where(Enterprise.park_id.in_(list(principal.park_ids)))
    if principal.enterprise_id is not None:
        return stmt.where(LedgerEntry.enterprise_id == principal.enterprise_id)
    return stmt.where(LedgerEntry.id.is_(None))


def sees_entry(principal: Principal, entry: LedgerEntry) -> bool:
    """Whether ``principal`` may read ``entry``."""
    return principal.acts_for(entry.enterprise_id) or principal.coordinates(entry.enterprise.park_id)


def filtered_entries(session: Session, principal: Principal, *, enterprise: str | None = None,
                     direction: str | None = None, cas: str | None = None, since: dt.date | None = None,
                     until: dt.date | None = None, batch: str | None = None) -> Select:
    """The visible entries with the list filters applied, newest day first."""
    stmt = visible_entries(principal)
    if enterprise is not None:
        stmt = stmt.where(Enterprise.ref == enterprise)
    if direction is not None:
        if direction not in LEDGER_DIRECTIONS:
            raise ValidationFailed(f"unknown direction {direction!r} (方向无效)",
                                   {"direction": [(f"must be one of: {', '.join(LEDGER_DIRECTIONS)} "
                                                  f"(须为以下之一：{'、'.join(LEDGER_DIRECTIONS)})")]})
        stmt = stmt.where(LedgerEntry.direction == direction)
    if cas is not None:
        stmt = stmt.where(LedgerEntry.cas == normalize_cas(cas))
    if since is not None:
        stmt = stmt.where(LedgerEntry.entry_date >= since)
    if until is not None:
        stmt = stmt.where(LedgerEntry.entry_date <= until)
    if batch is not None:
        stmt = stmt.where(LedgerEntry.batch_code == batch.strip())
    return stmt.order_by(LedgerEntry.entry_date.desc(), LedgerEntry.id.desc())


def _not_found(entry_id: Any) -> NotFound:
    return NotFound(f"no ledger entry {entry_id} (无此台账记录)",
                    {"entry_id": [f"not found (无此台账记录 {entry_id})"]})


def get_entry(session: Session, principal: Principal, entry_id: int) -> LedgerEntry:
    """One entry the caller may see (``NotFound`` otherwise, also when it exists but is not theirs)."""
    entry = session.get(LedgerEntry, entry_id) if isinstance(entry_id, int) and 0 < entry_id <= MAX_ID else None
    if entry is None or not sees_entry(principal, entry):
        raise _not_found(entry_id)
    return entry


def _name_disclosed(principal: Principal, entry: LedgerEntry, cp: Enterprise) -> bool:
    """Whether ``principal`` may see the name of ``cp``: admins, coordinators of its park or of the entry's
    owner's park, its own users, and an enterprise that has a disclosed match with it."""
    if sees_enterprise(principal, cp) or principal.coordinates(entry.enterprise.park_id):
        return True
    if principal.enterprise_id is None:
        return False
    session = object_session(entry)
    offer, need = aliased(Listing), aliased(Listing)
    pair = ((offer.enterprise_id == principal.enterprise_id) & (need.enterprise_id == cp.id)) | \
        ((need.enterprise_id == principal.enterprise_id) & (offer.enterprise_id == cp.id))
    return session.scalar(select(Match.id).join(offer, Match.offer_id == offer.id).join(need, Match.need_id == need.id)
                          .where(Match.status.in_(DISCLOSING_STATUSES), pair).limit(1)) is not None


def entry_view(principal: Principal, entry: LedgerEntry) -> dict[str, Any]:
    """An entry as the API and CLI show it.

    Only its owner and the coordinators (admins) can see an entry at all; the
    counterparty is shown to exactly those, and withheld from anybody else.
    """
    shows_counterparty = principal.acts_for(entry.enterprise_id) or principal.coordinates(entry.enterprise.park_id)
    cp = entry.counterparty if shows_counterparty else None
    # An enterprise may name any registered enterprise by ref; it learns the name only once disclosed to it.
    cp_name = cp.name if cp is not None and _name_disclosed(principal, entry, cp) else None
    source = entry.source_entry
    return {
        "id": entry.id, "enterprise": entry.enterprise.ref, "enterprise_name": entry.enterprise.name,
        "batch_code": entry.batch_code, "direction": entry.direction,
        "direction_zh": DIRECTION_ZH.get(entry.direction, entry.direction),
        "entry_date": entry.entry_date.isoformat(), "chemical_name": entry.chemical_name, "cas": entry.cas,
        "catalogue_id": entry.catalogue_id, "waste_code": entry.waste_code, "quantity_t": entry.quantity_t,
        "content_ratio": entry.content_ratio, "chemical_t": round(entry.quantity_t * entry.content_ratio, 9),
        "product": entry.product,
        "counterparty": cp.ref if cp is not None else None,
        "counterparty_name": (cp_name if cp is not None else entry.counterparty_name) if shows_counterparty else None,
        "source_entry_id": entry.source_entry_id, "source_batch": source.batch_code if source is not None else None,
        "shipment_id": entry.shipment_id, "permit_number": entry.permit_number, "note": entry.note or "",
        "created_at": iso_utc(entry.created_at), "created_by": entry.created_by,
        "updated_at": iso_utc(entry.updated_at), "updated_by": entry.updated_by,
    }


# --- validation ----------------------------------------------------------------------------------

def _enterprise_by_ref(session: Session, ref: str) -> Enterprise | None:
    return session.scalar(select(Enterprise).where(Enterprise.ref == ref))


def target_enterprise(session: Session, principal: Principal, ref: str | None) -> Enterprise:
    """The enterprise whose ledger ``principal`` writes: their own (the default for enterprise users), or
    for a coordinator one of their parks' (named), for an admin any (named)."""
    if ref is not None and not isinstance(ref, str):
        raise ValidationFailed("enterprise is a ref (企业编号)", {"enterprise": ["must be text"]})
    if isinstance(ref, str):
        ref = ref.strip() or None
    if principal.role == "enterprise":
        if principal.enterprise_id is None:
            raise Forbidden("this account belongs to no enterprise (账号未关联企业)", {"role": ["no enterprise (未关联企业)"]})
        own = session.get(Enterprise, principal.enterprise_id)
        if ref is not None and ref != own.ref:
            raise Forbidden("enterprise users record only their own enterprise's ledger (只能填报本企业台账)",
                            {"enterprise": ["must be your own enterprise (须为本企业)"]})
        return own
    if principal.role not in ("coordinator", "admin"):
        raise Forbidden("this needs an enterprise, coordinator or admin account (权限不足)",
                        {"role": ["not allowed (须为企业用户、园区管理者或管理员)"]})
    if ref is None:
        raise ValidationFailed("enterprise is required (须指明企业)", {"enterprise": ["required"]})
    ent = _enterprise_by_ref(session, ref)
    if ent is None or not principal.coordinates(ent.park_id):
        raise NotFound(f"no enterprise {ref!r} in your parks (无此企业)",
                       {"enterprise": [f"unknown enterprise {ref!r} (所辖园区中无企业 {ref!r})"]})
    return ent


def _text(values: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> str | None:
    """A trimmed text field (None when absent or blank)."""
    raw = values.get(name)
    if raw is None:
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and name in ("batch_code", "permit_number"):
        raw = str(raw)  # spreadsheets turn numeric batch numbers into numbers
    if not isinstance(raw, str):
        errors.setdefault(name, []).append("must be text")
        return None
    text = raw.strip()
    if "\x00" in text:
        errors.setdefault(name, []).append("must not contain NUL characters (不得包含空字符)")
        return None
    if len(text) > TEXT_LIMITS.get(name, 200):
        errors.setdefault(name, []).append(f"at most {TEXT_LIMITS.get(name, 200)} characters")
        return None
    return text or None


def _number(values: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> float | None:
    raw = values.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        errors.setdefault(name, []).append("must be a number")
        return None
    try:
        num = float(raw.strip()) if isinstance(raw, str) else float(raw)  # what Excel writes: 1234.5, 1.5E-05
    except (TypeError, ValueError, OverflowError):
        # A number formatted by a person or by Excel's display ("1,234.5", "20,5", full-width digits).
        reading = read_number(raw) if isinstance(raw, str) else None
        if reading is None or not reading.ok:
            if reading is not None and reading.problem == "ambiguous_comma":
                a, b = reading.readings
                errors.setdefault(name, []).append(f"{raw[:40]!r} could be {a} or {b}: write it without the comma "
                                                   f"(无法确定是 {a} 还是 {b}，请去掉逗号)")
            else:
                errors.setdefault(name, []).append(f"must be a number, got {str(raw)[:40]!r}")
            return None
        num = reading.value
    if not math.isfinite(num):
        errors.setdefault(name, []).append("must be a finite number")
        return None
    return num


def _date(values: Mapping[str, Any], name: str, errors: dict[str, list[str]], today: dt.date) -> dt.date | None:
    raw = values.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dt.datetime):
        day = raw.date()
    elif isinstance(raw, dt.date):
        day = raw
    elif isinstance(raw, str):
        day = read_date(raw)  # 2026-01-05, and Excel's 2026/1/5 in a Chinese CSV, 2026年1月5日
        if day is None:
            errors.setdefault(name, []).append(f"must be a date such as {DATE_EXAMPLES}, got {raw[:40]!r} "
                                               f"(日期格式应为 {DATE_EXAMPLES.replace(', ', '、')})")
            return None
    else:
        errors.setdefault(name, []).append("must be a date YYYY-MM-DD")
        return None
    if day > today:
        errors.setdefault(name, []).append(f"must not be in the future (不得晚于今天 {today.isoformat()})")
        return None
    return day


@dataclass
class _Prepared:
    """A validated entry not yet written: its columns and the batch it draws from."""

    enterprise: Enterprise
    columns: dict[str, Any]
    source_batch: str | None = None
    source_id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def _source_entry(session: Session, enterprise_id: int, batch: str) -> LedgerEntry | None:
    return session.scalar(select(LedgerEntry).where(LedgerEntry.enterprise_id == enterprise_id,
                                                    LedgerEntry.batch_code == batch))


def _validate(session: Session, ent: Enterprise, values: Mapping[str, Any], *, base: dict[str, Any] | None = None,
              pending: Mapping[str, str] | None = None, today: dt.date | None = None) -> _Prepared:
    """Check ``values`` (over the current columns ``base`` when updating) field by field.

    ``pending`` maps batch codes of the same import (not yet written) to their direction,
    so that a later row may name an earlier one as its source. Errors are collected, not raised.
    """
    errors: dict[str, list[str]] = {}
    today = today or park_date()
    unknown = sorted(str(k) for k in values if k not in FIELDS)
    for k in unknown:
        errors[k] = ["unknown field (未知字段)"]
    base = dict(base or {})
    cols: dict[str, Any] = {}
    for name in ("batch_code", "chemical_name", "product", "counterparty_name", "permit_number", "catalogue_id"):
        if name in values:
            cols[name] = _text(values, name, errors)
    if "note" in values:
        cols["note"] = _text(values, "note", errors) or ""
    if "direction" in values:
        d = values.get("direction")
        d = d.strip().lower() if isinstance(d, str) else d
        if d not in LEDGER_DIRECTIONS:
            errors["direction"] = [(f"must be one of: {', '.join(LEDGER_DIRECTIONS)}; got {d!r} "
                                   f"(须为以下之一：{'、'.join(LEDGER_DIRECTIONS)})")]
        cols["direction"] = d if d in LEDGER_DIRECTIONS else None
    if "entry_date" in values:
        cols["entry_date"] = _date(values, "entry_date", errors, today)
    if "cas" in values:
        raw = _text(values, "cas", errors)
        if raw is None:
            cols["cas"] = None
        else:
            problem = cas_check_error(raw)
            if problem:
                errors.setdefault("cas", []).append(f"{problem} (CAS号无效)")
            cols["cas"] = normalize_cas(raw) if not problem else None
    if "waste_code" in values:
        code = _text(values, "waste_code", errors)
        code = normalize_hw_code(code) if code is not None else None  # "９００－２１４－０８", "900 214 08"
        if code is not None and not is_hw_code(code):
            errors.setdefault("waste_code", []).append(
                f"must be a waste code NNN-NNN-NN, got {code!r} (废物代码须为 NNN-NNN-NN 格式)")
            code = None
        cols["waste_code"] = code
    if "quantity_t" in values:
        q = _number(values, "quantity_t", errors)
        if q is not None and not 0 < q <= MAX_QUANTITY_T:
            errors.setdefault("quantity_t", []).append("must be > 0 tonnes (数量须大于0)")
        cols["quantity_t"] = q
    if "content_ratio" in values:
        r = _number(values, "content_ratio", errors)
        if r is not None and not 0 < r <= 1:
            errors.setdefault("content_ratio", []).append("must be in (0, 1] (含量须在0到1之间)")
        cols["content_ratio"] = 1.0 if r is None else r
    merged = {**base, **cols}
    for name in REQUIRED:
        if merged.get(name) is None and name not in errors:
            errors[name] = ["required (必填)"]
    if merged.get("content_ratio") is None:
        cols["content_ratio"] = merged["content_ratio"] = 1.0
    if merged.get("cas") is None and merged.get("chemical_name") is None and "cas" not in errors:
        errors.setdefault("chemical_name", []).append("a chemical needs a CAS number or a name (须填写CAS号或名称)")
    # The control-list key follows the CAS when the CAS is controlled; otherwise it is what was given.
    if merged.get("cas") and ("cas" in cols or "catalogue_id" in cols):
        listed = controlled_by_cas(merged["cas"])
        if listed:
            cols["catalogue_id"] = merged["catalogue_id"] = listed[0].key
    key = cols.get("catalogue_id")
    if key is not None and key not in CONTROL_KEYS:
        errors.setdefault("catalogue_id", []).append(f"not a control-list key: {key!r} (不是管控清单中的物质编号：{key!r})")
    # Counterparty: a registered enterprise (by ref) or a free-text name, not both.
    if "counterparty" in values:
        ref = _text(values, "counterparty", errors)
        if ref is None:
            cols["counterparty_id"] = None
        else:
            cp = _enterprise_by_ref(session, ref)
            if cp is None:
                errors.setdefault("counterparty", []).append(
                    f"no registered enterprise {ref!r}; give counterparty_name for one outside the platform "
                    f"(平台上无企业 {ref!r}；非平台企业请填写 counterparty_name)")
            elif cp.id == ent.id:
                errors.setdefault("counterparty", []).append("an enterprise is not its own counterparty (交易对方不能是本企业)")
            else:
                cols["counterparty_id"] = cp.id
                if "counterparty_name" not in values:
                    cols["counterparty_name"] = None
        if ref is not None and values.get("counterparty_name") not in (None, ""):
            errors.setdefault("counterparty_name", []).append(
                "give counterparty or counterparty_name, not both (counterparty 与 counterparty_name 只能填写一项)")
    elif cols.get("counterparty_name"):
        cols["counterparty_id"] = None  # a named outsider replaces a registered counterparty
    prepared = _Prepared(ent, cols, errors=errors)
    # Source batch: out / consumed only, one of the same enterprise's in / produced batches.
    direction = merged.get("direction")
    if "source_batch" in values:
        batch = _text(values, "source_batch", errors)
        if batch is None:
            cols["source_entry_id"] = None
        elif direction not in LEDGER_SINKS:
            errors.setdefault("source_batch", []).append(
                "only an out or consumed batch draws on a source batch (只有销售/转出或使用消耗批次可指定来源批次)")
        else:
            src = _source_entry(session, ent.id, batch)
            if src is not None:
                if src.direction not in LEDGER_SOURCES:
                    errors.setdefault("source_batch", []).append(
                        f"batch {batch!r} is {src.direction}, not an in or produced batch "
                        f"(批次 {batch!r} 为{DIRECTION_ZH.get(src.direction, src.direction)}批次，"
                        "不是购入/接收或生产批次)")
                else:
                    prepared.source_id = src.id
                    cols["source_entry_id"] = src.id
            elif pending and batch in pending:
                if pending[batch] not in LEDGER_SOURCES:
                    errors.setdefault("source_batch", []).append(
                        f"batch {batch!r} is {pending[batch]}, not an in or produced batch "
                        f"(批次 {batch!r} 为{DIRECTION_ZH.get(pending[batch], pending[batch])}批次，"
                        "不是购入/接收或生产批次)")
                else:
                    prepared.source_batch = batch
            else:
                errors.setdefault("source_batch", []).append(
                    f"no batch {batch!r} in this enterprise's ledger (本企业台账中无批次 {batch!r})")
    elif "direction" in cols and direction not in LEDGER_SINKS and base.get("source_entry_id") is not None:
        cols["source_entry_id"] = None  # an in / produced batch draws on nothing
    return prepared


def _duplicate(batch: str) -> Conflict:
    return Conflict(f"batch {batch!r} is already in this enterprise's ledger (批号重复)",
                    {"batch_code": [f"duplicate batch code {batch!r} (批号 {batch!r} 重复)"]})


def _columns_of(entry: LedgerEntry) -> dict[str, Any]:
    return {c: getattr(entry, c) for c in ("batch_code", "direction", "entry_date", "chemical_name", "cas",
                                           "catalogue_id", "waste_code", "quantity_t", "content_ratio", "product",
                                           "counterparty_id", "counterparty_name", "source_entry_id", "shipment_id",
                                           "permit_number", "note")}


def _audit_value(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def _write(session: Session, prepared: _Prepared, *, actor: str, action: str = "create",
           context: dict[str, Any] | None = None) -> LedgerEntry:
    cols = dict(prepared.columns)
    cols.setdefault("note", "")
    cols.setdefault("content_ratio", 1.0)
    entry = LedgerEntry(enterprise_id=prepared.enterprise.id, created_by=actor, **cols)
    session.add(entry)
    session.flush()
    audit.record(session, actor=actor, action=f"ledger.{action}", entity_type="ledger_entry",
                 entity_key=str(entry.id),
                 changes={k: [None, _audit_value(v)] for k, v in _columns_of(entry).items() if v not in (None, "")},
                 context={"enterprise": prepared.enterprise.ref, **(context or {})},
                 park_id=prepared.enterprise.park_id)
    return entry


def create_entry(session: Session, principal: Principal, values: Mapping[str, Any], *,
                 today: dt.date | None = None) -> LedgerEntry:
    """Record one entry (validated; 409 when the enterprise already has the batch code); audited."""
    if not isinstance(values, Mapping):
        raise ValidationFailed("an entry is an object of fields (台账记录格式有误)",
                               {"$": ["must be an object (须为由字段组成的对象)"]})
    ent = target_enterprise(session, principal, values.get("enterprise"))
    prepared = _validate(session, ent, values, today=today)
    if prepared.errors:
        raise ValidationFailed("the ledger entry is not valid (台账记录有误): " + ", ".join(sorted(prepared.errors)),
                               prepared.errors)
    if _source_entry(session, ent.id, prepared.columns["batch_code"]) is not None:
        raise _duplicate(prepared.columns["batch_code"])
    return _write(session, prepared, actor=principal.actor)


def update_entry(session: Session, principal: Principal, entry_id: int, values: Mapping[str, Any], *,
                 today: dt.date | None = None) -> LedgerEntry:
    """Correct an entry (e.g. after a finding); only the given fields change; audited with before/after.

    An entry booked from a shipment is the manifest's record: enterprise users may change its note only.
    """
    entry = get_entry(session, principal, entry_id)
    if not isinstance(values, Mapping):
        raise ValidationFailed("an update is an object of fields (格式有误)",
                               {"$": ["must be an object (须为由字段组成的对象)"]})
    if principal.role == "enterprise" and not principal.acts_for(entry.enterprise_id):
        raise _not_found(entry_id)
    if principal.role not in ("enterprise", "coordinator", "admin"):
        raise Forbidden("not allowed (权限不足)", {"role": ["not allowed (须为企业用户、园区管理者或管理员)"]})
    if "enterprise" in values and values["enterprise"] != entry.enterprise.ref:
        raise ValidationFailed("an entry cannot move to another enterprise (不能更改所属企业)",
                               {"enterprise": ["cannot be changed (不可更改)"]})
    if entry.shipment_id is not None and principal.role == "enterprise":
        locked = sorted(k for k in values if k not in SHIPMENT_EDITABLE and k != "enterprise")
        if locked:
            raise ValidationFailed("an entry booked from a shipment's manifest may only get a note "
                                   "(联单接收记录仅可修改备注)", {k: ["recorded from the shipment; read-only (取自转移联单，只读)"]
                                                                 for k in locked})
    changes = {k: v for k, v in values.items() if k != "enterprise"}
    prepared = _validate(session, entry.enterprise, changes, base=_columns_of(entry), today=today)
    if prepared.errors:
        raise ValidationFailed("the ledger entry is not valid (台账记录有误): " + ", ".join(sorted(prepared.errors)),
                               prepared.errors)
    new_batch = prepared.columns.get("batch_code")
    if new_batch is not None and new_batch != entry.batch_code and \
            _source_entry(session, entry.enterprise_id, new_batch) is not None:
        raise _duplicate(new_batch)
    if prepared.columns.get("source_entry_id") == entry.id:
        raise ValidationFailed("a batch cannot draw on itself (批次不能取用自身)",
                               {"source_batch": ["is this entry (不能是本条记录)"]})
    before = _columns_of(entry)
    for k, v in prepared.columns.items():
        setattr(entry, k, v)
    entry.updated_by = principal.actor
    entry.updated_at = utcnow()
    session.flush()
    after = _columns_of(entry)
    diff = {k: [_audit_value(before[k]), _audit_value(after[k])] for k in after if before[k] != after[k]}
    audit.record(session, actor=principal.actor, action="ledger.update", entity_type="ledger_entry",
                 entity_key=str(entry.id), changes=diff, context={"enterprise": entry.enterprise.ref},
                 park_id=entry.enterprise.park_id)
    return entry


# --- bulk import ---------------------------------------------------------------------------------

@dataclass
class ImportResult:
    """What an import wrote: entries per enterprise and direction."""

    created: int
    by_enterprise: dict[str, int]
    by_direction: dict[str, int]
    entry_ids: list[int]

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "by_enterprise": self.by_enterprise, "by_direction": self.by_direction,
                "entry_ids": self.entry_ids}


def import_entries(session: Session, principal: Principal, rows: Iterable[Any], *,
                   today: dt.date | None = None) -> ImportResult:
    """Record many entries at once, all or nothing.

    Every row is validated before anything is written; any problem raises one
    ``ValidationFailed`` whose errors name each row and field (``$.entries[3].cas``,
    rows counted from 0). A row may name an earlier row's batch as its source.
    """
    rows = list(rows)
    if not rows:
        raise ValidationFailed("nothing to import (无数据)", {"entries": ["no rows (没有数据行)"]})
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationFailed(f"at most {MAX_IMPORT_ROWS} rows per import (每次最多导入 {MAX_IMPORT_ROWS} 行)",
                               {"entries": [(f"{len(rows)} rows; at most {MAX_IMPORT_ROWS} "
                                             f"(共 {len(rows)} 行，最多 {MAX_IMPORT_ROWS} 行)")]})
    errors: dict[str, list[str]] = {}
    prepared: list[_Prepared] = []
    pending: dict[int, dict[str, str]] = {}  # enterprise id -> batch -> direction, of this import
    today = today or park_date()
    for i, row in enumerate(rows):
        where = f"$.entries[{i}]"
        if not isinstance(row, Mapping):
            errors[where] = ["must be an object of fields (须为由字段组成的对象)"]
            continue
        row = {k: v for k, v in row.items() if not (isinstance(v, str) and not v.strip()) or k == "note"}
        try:
            ent = target_enterprise(session, principal, row.get("enterprise"))
        except DomainError as exc:
            for k, v in (exc.errors or {"enterprise": [exc.message]}).items():
                errors[f"{where}.{k}"] = list(v)
            continue
        p = _validate(session, ent, row, pending=pending.get(ent.id), today=today)
        batch = p.columns.get("batch_code")
        if batch is not None:
            if batch in pending.get(ent.id, {}):
                p.errors.setdefault("batch_code", []).append(
                    f"batch {batch!r} appears twice in this import (批号 {batch!r} 在本次导入中重复出现)")
            elif _source_entry(session, ent.id, batch) is not None:
                p.errors.setdefault("batch_code", []).append(f"batch {batch!r} is already in the ledger (批号重复)")
            else:
                pending.setdefault(ent.id, {})[batch] = p.columns.get("direction") or ""
        for k, v in p.errors.items():
            errors[f"{where}.{k}"] = v
        prepared.append(p)
    if errors:
        rows_bad = len({k.split("]")[0] for k in errors})
        raise ValidationFailed(f"{rows_bad} of {len(rows)} rows are not valid; nothing was imported "
                               f"({rows_bad} 行有误，未导入任何记录)", errors)
    written: dict[tuple[int, str], int] = {}
    result = ImportResult(0, {}, {}, [])
    for p in prepared:
        if p.source_batch is not None:
            p.columns["source_entry_id"] = written[(p.enterprise.id, p.source_batch)]
        entry = _write(session, p, actor=principal.actor, action="import")
        written[(p.enterprise.id, entry.batch_code)] = entry.id
        result.created += 1
        result.by_enterprise[p.enterprise.ref] = result.by_enterprise.get(p.enterprise.ref, 0) + 1
        result.by_direction[entry.direction] = result.by_direction.get(entry.direction, 0) + 1
        result.entry_ids.append(entry.id)
    return result


def parse_rows(data: bytes | str, fmt: str) -> list[dict[str, Any]]:
    """Rows of an import file: ``csv`` (a header row of field names), ``json`` (a list, or
    ``{"entries": [...]}``) or ``xlsx`` (first sheet, header row of field names)."""
    if fmt == "json":
        try:
            doc = read_json(data)  # deep nesting, huge integers, lone surrogates: refused, not a 500
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationFailed(f"not valid JSON: {exc} (JSON格式有误)", {"file": [str(exc)]}) from None
        if isinstance(doc, Mapping) and "entries" in doc:
            doc = doc["entries"]
        if not isinstance(doc, list):
            raise ValidationFailed("a JSON import is a list of entries (JSON导入须为记录列表)",
                                   {"file": ["must be a list (须为列表)"]})
        return doc
    if fmt == "csv":
        records = csv_rows(data, IMPORT_LIMITS)
        header = next(records, None)
        if header is None or not any(h.strip() for h in header[1]):
            raise ValidationFailed("the CSV file has no header row (CSV文件缺少表头)", {"file": ["no header row (缺少表头)"]})
        names = [h.strip() for h in header[1]]
        return [{k: v for k, v in zip(names, fields) if k} for _line, fields in records if fields]
    if fmt == "xlsx":
        wb = open_workbook(data if isinstance(data, bytes) else data.encode(), IMPORT_LIMITS,
                           what="the file")
        try:
            if not wb.worksheets:
                raise ValidationFailed("the workbook has no sheet (工作簿没有工作表)", {"file": ["no sheet (没有工作表)"]})
            rows = sheet_rows(wb.worksheets[0], IMPORT_LIMITS)
            first = next(rows, None)
            if first is None:
                raise ValidationFailed("the workbook's first sheet is empty (工作簿第一张表为空)",
                                       {"file": ["no header row (缺少表头)"]})
            header = [str(h).strip() if h is not None else "" for h in first[1]]
            out = []
            for _number, r in rows:
                if all(v is None for v in r):
                    continue
                out.append({h: v for h, v in zip(header, r) if h and v is not None})
            return out
        finally:
            wb.close()
    raise ValidationFailed(f"unknown import format {fmt!r} (不支持的导入格式)",
                           {"file": ["use .csv, .json or .xlsx (请使用 .csv、.json 或 .xlsx 文件)"]})


# --- receipts from shipments ---------------------------------------------------------------------

# A carrier dilutes the waste and is never what a receipt books: a sludge of 70 % water is booked as its metal.
CARRIERS = frozenset({"7732-18-5"})
# The inorganic elements of GB 5085.3 (leaching toxicity): a component holding one is a hazardous component.
TOXIC_ELEMENTS = frozenset({"Cu", "Zn", "Cd", "Pb", "Cr", "Hg", "Be", "Ba", "Ni", "Ag", "As", "Se"})


def _is_hazardous(cas: str) -> bool:
    """True for a controlled substance, a listed carcinogen (not IARC group 3) or a GB 5085.3 toxic element's compound."""
    from catalog.chemistry import element_mass_fractions, lookup_cas

    if controlled_by_cas(cas):
        return True
    if TOXIC_ELEMENTS & set(element_mass_fractions(cas) or {}):
        return True
    identity = lookup_cas(cas)
    return identity is not None and any("(3)" not in label and "not classifiable" not in label.casefold()
                                        for _source, label in identity.carcinogen)


def _dominant_component(offer: Listing | None) -> tuple[str | None, str | None, float]:
    """(CAS, name, fraction) of the substance a receipt of ``offer`` books.

    The principal hazardous component (largest fraction among controlled, carcinogenic or
    toxic-metal components), else the largest other component; water is a carrier and never
    chosen. Only components identified by a CAS number (typed or resolved from the name)
    count; with none, (None, None, 1.0): the caller books the waste itself.
    """
    comps = [(normalize_cas(c.substance_cas), c) for c in (offer.components if offer is not None else [])
             if c.role == "composition" and c.substance_cas]
    comps = [(cas, c) for cas, c in comps if cas not in CARRIERS]
    if not comps:
        return None, None, 1.0
    hazardous = [(cas, c) for cas, c in comps if _is_hazardous(cas)]
    cas, best = max(hazardous or comps, key=lambda pair: pair[1].fraction)
    return cas, best.name, best.fraction


def record_receipt(session: Session, shipment: Any, *, actor: str) -> LedgerEntry | None:
    """The receiver's ``in`` entry for a received shipment (the manifest's record), audited.

    Batch code = the manifest number, counterparty = the producer, the chemical = the
    offer's principal hazardous component (``_dominant_component``; its fraction is the
    content ratio), never a water carrier; without one, the waste itself: the material's
    name, no CAS, ratio 1 (the entry's waste code is the shipment's HW code either way). A shipment received
    with nothing (0 t) books nothing and returns None.
    """
    if not shipment.quantity_received_t or shipment.quantity_received_t <= 0:
        return None
    receiver = session.get(Enterprise, shipment.receiver_id)
    if _source_entry(session, receiver.id, shipment.manifest_number) is not None:
        raise _duplicate(shipment.manifest_number)
    offer = shipment.match.offer if shipment.match is not None else None
    cas, name, fraction = _dominant_component(offer)
    if cas is None:
        name, fraction = shipment.material, 1.0
    fraction = fraction if 0 < fraction <= 1 else 1.0
    listed = controlled_by_cas(cas) if cas else []
    received_on = park_date(shipment.received_at) if shipment.received_at else park_date()
    cols = {"batch_code": shipment.manifest_number, "direction": "in", "entry_date": received_on,
            "chemical_name": (name or shipment.material)[:200], "cas": cas,
            "catalogue_id": listed[0].key if listed else None, "waste_code": shipment.waste_code,
            "quantity_t": float(shipment.quantity_received_t), "content_ratio": float(fraction),
            "counterparty_id": shipment.producer_id, "shipment_id": shipment.id,
            "permit_number": shipment.licence_number,  # the receiver's licence the transfer ran under
            "note": f"转移联单 {shipment.manifest_number} 接收 received on manifest {shipment.manifest_number}"}
    return _write(session, _Prepared(receiver, cols), actor=actor, action="receipt",
                  context={"shipment_id": shipment.id, "manifest_number": shipment.manifest_number})


def park_of_code(session: Session, code: str | None) -> Park | None:
    """The park with ``code`` (``NotFound`` when there is none); None for None."""
    return get_park(session, code, field="park") if code is not None else None


__all__ = ["FIELDS", "ImportResult", "create_entry", "entry_view", "filtered_entries", "get_entry",
           "import_entries", "parse_rows", "record_receipt", "target_enterprise", "update_entry",
           "visible_entries"]


def list_entries(session: Session, principal: Principal, **filters: Any) -> list[LedgerEntry]:
    """The entries ``principal`` may see, filtered as ``filtered_entries`` filters them, newest day first."""
    return list(session.scalars(filtered_entries(session, principal, **filters)))

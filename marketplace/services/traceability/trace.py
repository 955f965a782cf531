"""Trace (全程追溯): the whole path of a container, a manifest or a ledger batch.

``trace(session, principal, code)`` resolves ``code``, in this order, as

1. a container code (``Container.code``, 一物一码)              → kind ``"container"``;
2. a manifest number (``Shipment.manifest_number``, 联单编号)   → kind ``"manifest"``;
3. a ledger batch: ``"ledger:<id>"`` or ``"<ENTERPRISE_REF>:<BATCH_CODE>"`` (split at the first
   colon); an enterprise user may also give a bare batch code of their own enterprise → kind ``"batch"``.

Codes are matched exactly after trimming blanks (then upper-cased, for a container code or
manifest number typed in lower case). The first of these the caller may see is traced (a code
they may not see never hides their own batch of that name). Unknown and invisible codes are the
same ``NotFound`` naming the code, so existence does not leak.

The path
--------
The trace is the queried thing, everything it came from (ancestors) and everything it
became (descendants) — never its siblings:

* ancestors of a container: its shipment, the match, the offer, the producer;
* a shipment: its containers, the receiver (with the licence of the match), and the receiver's
  ledger ``in`` entry recorded on receipt (``LedgerEntry.shipment_id``);
* an entry's descendants (what it became): every entry drawing on it (``source_entry_id``,
  whatever the direction: out, consumed, produced), and — the rule for following a batch
  across enterprises — for an ``out`` entry of enterprise A naming a registered
  counterparty B (``counterparty_id``), B's ``in`` entry with the **same batch code** that
  names A as its counterparty. Both sides must say so: A that it went to B as batch X, B
  that it got X from A (batch codes are unique per enterprise, so this is at most one entry);
* an entry's ancestor (where it came from): its ``source_entry``; else the shipment it was
  received from; else, for an ``in`` entry naming a registered counterparty, that
  counterparty's mirrored ``out`` entry (the same rule read backwards). A batch is traced up
  to its origin, then down from the queried batch only.

At most ``MAX_NODES`` steps are collected (``truncated`` says when more existed).

The document (stable; ``web/api/trace.py`` documents it as the schema)
---------------------------------------------------------------------
``{"query", "kind", "nodes", "edges", "summary", "hidden", "truncated"}``

* ``nodes``: the visible steps in path order (origin first, then downstream breadth-first,
  siblings by date). Each has ``index`` (its position), ``type`` (producer | offer | match |
  shipment | container | receiver | ledger_entry), ``id`` (null when withheld), ``label_zh``,
  ``label_en``, ``date`` (the park's local day, ISO), ``at`` (ISO date-time or null),
  ``quantity_t``, ``owner`` (enterprise ref or null), ``parent`` (index or null) and
  ``relation`` (how it follows its parent: listed, matched, shipped, contains, delivered,
  recorded, drawn_on, transferred, via_withheld; ``relation_zh`` in Chinese), ``queried`` (the step the code named),
  ``limited`` (shown only as product and tonnes), and the fields of its type (all present,
  null when not applicable): ``ref``, ``name``, ``park``, ``licence``, ``title``, ``status``,
  ``waste_code``, ``material``, ``manifest_number``, ``code``, ``packaging``,
  ``quantity_received_t``, ``carrier``, ``vehicle``, ``dispatched_at``, ``received_at``,
  ``closed_at``, ``direction``, ``batch_code``, ``chemical_name``, ``cas``, ``product``,
  ``content_ratio``, ``counterparty``.
* ``edges``: ``[{"from", "to", "relation"}]`` by node index — the same tree as ``parent``.
* ``summary``: ``shipments``, ``containers``, ``dispatched_t`` (Σ dispatched shipments),
  ``received_t`` (Σ received), ``products`` (``[{"product", "quantity_t", "content_ratio",
  "owner", "index"}]`` of the visible entries naming a product), ``product_t`` and one line
  each in ``text_zh`` / ``text_en`` ("dispatched 12 t, received 11.8 t, became 3.5 t of X").
* ``hidden``: how many steps were withheld from the caller.

Who sees what
-------------
* Admins, and coordinators of the park of a producer or receiver of a shipment on the path,
  see every step. A coordinator of only the queried batch owner's park (a downstream buyer's
  regulator) sees the trace with the ledger entries of enterprises in their parks; the other
  steps are withheld, as for an enterprise user.
* An enterprise user sees a trace only if their enterprise is the producer or the receiver of
  a shipment on the path, or owns the queried batch; anyone else gets ``NotFound``. Within it:
  the shipment's steps (producer, offer, match, shipment, containers, receiver) are shown to
  that shipment's two parties (an approved match has disclosed them to each other); the
  caller's own ledger entries in full; the ledger entries of the receiver of a shipment the
  caller produced only as product, direction, date and tonnes (``limited``: no id, batch
  code, chemical, ratio or counterparty); every other step (another enterprise's ledger) is
  withheld and counted in ``hidden``. A visible step whose parent is withheld hangs from its
  nearest visible ancestor with relation ``via_withheld``. The summary counts visible steps only.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import NotFound
from ...models import Container, Enterprise, LedgerEntry, Listing, Match, Shipment
from ...models.base import MAX_ID, as_utc, iso_utc, park_date
from ..accounts.users import Principal
from ..matching.workflow import STATUS_ZH as MATCH_STATUS_ZH
from .transfers import STATUS_ZH as SHIPMENT_STATUS_ZH

KINDS = ("container", "manifest", "batch")
NODE_TYPES = ("producer", "offer", "match", "shipment", "container", "receiver", "ledger_entry")
RELATIONS = ("listed", "matched", "shipped", "contains", "delivered", "recorded", "drawn_on", "transferred",
             "via_withheld")
MAX_NODES = 500
MAX_CODE_LENGTH = 200
LEDGER_ID = re.compile(r"^ledger:(\d{1,12})$", re.IGNORECASE)

RELATION_ZH = {"listed": "挂牌", "matched": "匹配", "shipped": "转移", "contains": "装载", "delivered": "交付",
               "recorded": "入账", "drawn_on": "取用", "transferred": "流转", "via_withheld": "经未公开环节"}
DIRECTION_ZH = {"in": "入库", "out": "出库", "produced": "产出", "consumed": "消耗"}
PACKAGING_ZH = {"drum": "桶", "ibc": "吨桶", "bag": "袋", "box": "箱", "tank": "罐", "bulk": "散装", "cylinder": "钢瓶"}
PERIOD_ZH = {"once": "次", "month": "月", "year": "年"}
# Every node carries these keys (null when not applicable), so the document has one shape.
NODE_FIELDS = ("ref", "name", "park", "licence", "title", "status", "waste_code", "material", "manifest_number",
               "code", "packaging", "quantity_received_t", "carrier", "vehicle", "dispatched_at", "received_at",
               "closed_at", "direction", "batch_code", "chemical_name", "cas", "product", "content_ratio",
               "counterparty", "returned_from", "returned_by")


def _not_found(code: str) -> NotFound:
    return NotFound(f"nothing to trace for {code!r}: no container, manifest or ledger batch you can see "
                    f"(无可追溯的容器、联单或批次)",
                    {"code": [(f"no container code, manifest number or ledger batch {code!r} "
                               "(无此容器编码、联单编号或台账批次)")]})


def _t(value: float | None) -> str:
    """Tonnes without trailing zeros: 12.5, 0.375."""
    if value is None:
        return "—"
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _day(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return park_date(as_utc(value)).isoformat()
    return value.isoformat()


# --- the graph ------------------------------------------------------------------------------------

@dataclass
class _Step:
    """One step of the path before visibility is applied."""

    key: tuple[str, int]
    type: str
    obj: Any
    parent: tuple[str, int] | None
    relation: str | None
    shipment: Shipment | None = None  # for the steps of a shipment: whose parties see them
    queried: bool = False


@dataclass
class _Graph:
    steps: dict[tuple[str, int], _Step] = field(default_factory=dict)
    truncated: bool = False

    def add(self, key: tuple[str, int], type_: str, obj: Any, parent: tuple[str, int] | None,
            relation: str | None, shipment: Shipment | None = None) -> bool:
        """Add a step unless it is there already (the first path to it wins); False when not added."""
        if key in self.steps:
            return False
        if len(self.steps) >= MAX_NODES:
            self.truncated = True
            return False
        self.steps[key] = _Step(key, type_, obj, parent, relation, shipment)
        return True

    @property
    def shipments(self) -> list[Shipment]:
        return [s.obj for s in self.steps.values() if s.type == "shipment"]


def _entry_key(entry: LedgerEntry) -> tuple[str, int]:
    return ("ledger_entry", entry.id)


def _add_shipment(graph: _Graph, shipment: Shipment, parent: tuple[str, int] | None = None) -> None:
    """The shipment's steps: producer → offer → match → shipment → containers, receiver."""
    match: Match = shipment.match
    offer: Listing = match.offer
    prod_key, offer_key = ("producer", shipment.producer_id), ("offer", offer.id)
    match_key, ship_key = ("match", match.id), ("shipment", shipment.id)
    graph.add(prod_key, "producer", shipment.producer, parent, None, shipment)
    graph.add(offer_key, "offer", offer, prod_key, "listed", shipment)
    graph.add(match_key, "match", match, offer_key, "matched", shipment)
    graph.add(ship_key, "shipment", shipment, match_key, "shipped", shipment)
    for c in shipment.containers:
        graph.add(("container", c.id), "container", c, ship_key, "contains", shipment)
    graph.add(("receiver", shipment.id), "receiver", shipment.receiver, ship_key, "delivered", shipment)


def _receipts(session: Session, shipment: Shipment) -> list[LedgerEntry]:
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.shipment_id == shipment.id)
                                .order_by(LedgerEntry.entry_date, LedgerEntry.id)))


def _children(session: Session, entry: LedgerEntry) -> list[tuple[LedgerEntry, str]]:
    """What an entry became: entries drawing on it, and the counterparty's mirrored ``in`` entry."""
    out = [(e, "drawn_on") for e in session.scalars(
        select(LedgerEntry).where(LedgerEntry.source_entry_id == entry.id)
        .order_by(LedgerEntry.entry_date, LedgerEntry.id))]
    if entry.direction == "out" and entry.counterparty_id is not None:
        mirrored = session.scalar(select(LedgerEntry).where(
            LedgerEntry.enterprise_id == entry.counterparty_id, LedgerEntry.direction == "in",
            LedgerEntry.batch_code == entry.batch_code, LedgerEntry.counterparty_id == entry.enterprise_id))
        if mirrored is not None and mirrored.id != entry.id:
            out.append((mirrored, "transferred"))
    return out


def _upstream(session: Session, entry: LedgerEntry) -> tuple[LedgerEntry | Shipment | None, str | None]:
    """Where an entry came from: its source entry, its shipment, or the counterparty's mirrored ``out`` entry."""
    if entry.source_entry_id is not None and entry.source_entry is not None:
        return entry.source_entry, "drawn_on"
    if entry.shipment_id is not None and entry.shipment is not None:
        return entry.shipment, "recorded"
    if entry.direction == "in" and entry.counterparty_id is not None:
        mirrored = session.scalar(select(LedgerEntry).where(
            LedgerEntry.enterprise_id == entry.counterparty_id, LedgerEntry.direction == "out",
            LedgerEntry.batch_code == entry.batch_code, LedgerEntry.counterparty_id == entry.enterprise_id))
        if mirrored is not None:
            return mirrored, "transferred"
    return None, None


def _descend(session: Session, graph: _Graph, roots: list[LedgerEntry]) -> None:
    """Breadth-first from ``roots`` (already in the graph) through what each entry became."""
    queue = list(roots)
    while queue:
        entry = queue.pop(0)
        for child, relation in _children(session, entry):
            if graph.add(_entry_key(child), "ledger_entry", child, _entry_key(entry), relation):
                queue.append(child)


def _from_shipment(session: Session, graph: _Graph, shipment: Shipment) -> None:
    _add_shipment(graph, shipment)
    receipts = [e for e in _receipts(session, shipment)
                if graph.add(_entry_key(e), "ledger_entry", e, ("receiver", shipment.id), "recorded")]
    _descend(session, graph, receipts)


def _from_entry(session: Session, graph: _Graph, entry: LedgerEntry) -> None:
    """Up to the batch's origin, the chain down to it, then what the batch became."""
    chain: list[tuple[LedgerEntry, str | None]] = []  # queried first, origin last
    shipment: Shipment | None = None
    seen: set[int] = set()
    current: LedgerEntry | None = entry
    while current is not None and current.id not in seen and len(chain) < MAX_NODES:
        seen.add(current.id)
        up, relation = _upstream(session, current)
        chain.append((current, relation))
        if isinstance(up, Shipment):
            shipment = up
            break
        current = up
    if shipment is not None:
        _add_shipment(graph, shipment)
    parent = ("receiver", shipment.id) if shipment is not None else None
    for e, relation in reversed(chain):
        graph.add(_entry_key(e), "ledger_entry", e, parent, relation if parent is not None else None)
        parent = _entry_key(e)
    _descend(session, graph, [entry])


# --- resolving the code ---------------------------------------------------------------------------

def _candidates(session: Session, principal: Principal, code: str) -> list[tuple[str, Any]]:
    """Everything ``code`` may name, in resolution order (at most one of each kind).

    All are returned, not just the first: a code the caller may not see must not hide a
    later one they may (their own batch named like another's manifest), or the answer
    would tell whether the invisible one exists.
    """
    found: list[tuple[str, Any]] = []
    variants = [code] + ([code.upper()] if code.upper() != code else [])
    for value in variants:
        container = session.scalar(select(Container).where(Container.code == value))
        if container is not None and container.shipment.status != "draft":  # a draft is nobody's trace yet
            found.append(("container", container))
            break
    for value in variants:
        shipment = session.scalar(select(Shipment).where(Shipment.manifest_number == value))
        if shipment is not None:
            found.append(("manifest", shipment))
            break
    m = LEDGER_ID.match(code)
    if m:
        entry_id = int(m.group(1))
        entry = session.get(LedgerEntry, entry_id) if 0 < entry_id <= MAX_ID else None
        if entry is not None:
            found.append(("batch", entry))
        return found
    ref, sep, batch = code.partition(":")
    if sep and ref.strip() and batch.strip():
        ent_id = session.scalar(select(Enterprise.id).where(Enterprise.ref == ref.strip()))
        if ent_id is not None:
            entry = session.scalar(select(LedgerEntry).where(LedgerEntry.enterprise_id == ent_id,
                                                             LedgerEntry.batch_code == batch.strip()))
            if entry is not None:
                found.append(("batch", entry))
    if principal.enterprise_id is not None:
        entry = session.scalar(select(LedgerEntry).where(LedgerEntry.enterprise_id == principal.enterprise_id,
                                                         LedgerEntry.batch_code == code))
        if entry is not None and all(obj is not entry for _, obj in found):
            found.append(("batch", entry))
    return found


# --- visibility -----------------------------------------------------------------------------------

def _sees_all(principal: Principal, graph: _Graph) -> bool:
    """Admins, and coordinators of a park of a producer or receiver of a shipment on the path."""
    if principal.is_admin:
        return True
    parks = {e.park_id for s in graph.shipments for e in (s.producer, s.receiver)}
    return any(principal.coordinates(p) for p in parks if p is not None)


def _is_party(principal: Principal, graph: _Graph, queried_entry: LedgerEntry | None) -> bool:
    """A producer or receiver of a shipment on the path, the queried batch's owner, or its park's coordinator."""
    if queried_entry is not None and (principal.acts_for(queried_entry.enterprise_id)
                                      or principal.coordinates(queried_entry.enterprise.park_id)):
        return True
    return any(principal.acts_for(s.producer_id) or principal.acts_for(s.receiver_id) for s in graph.shipments)


def _visibility(principal: Principal, graph: _Graph, step: _Step, full: bool) -> str:
    """``full``, ``limited`` or ``hidden`` for one step."""
    if full:
        return "full"
    if step.shipment is not None:
        s = step.shipment
        return "full" if principal.acts_for(s.producer_id) or principal.acts_for(s.receiver_id) else "hidden"
    entry: LedgerEntry = step.obj
    if principal.acts_for(entry.enterprise_id) or principal.coordinates(entry.enterprise.park_id):
        return "full"
    if any(s.receiver_id == entry.enterprise_id and principal.acts_for(s.producer_id) for s in graph.shipments):
        return "limited"
    return "hidden"


# --- the document ---------------------------------------------------------------------------------

def _blank() -> dict[str, Any]:
    return {k: None for k in NODE_FIELDS}


def _enterprise_node(step: _Step) -> dict[str, Any]:
    ent: Enterprise = step.obj
    s: Shipment = step.shipment
    producer = step.type == "producer"
    doc = {**_blank(), "ref": ent.ref, "name": ent.name, "park": ent.park.code if ent.park else None}
    if producer:
        doc.update(label_zh=f"产生单位 {ent.name}（{ent.ref}）", label_en=f"Producer {ent.name} ({ent.ref})",
                   date=None, at=None, quantity_t=None)
    else:
        doc["licence"] = s.licence_number
        lic_zh = f"，许可证 {s.licence_number}" if s.licence_number else ""
        lic_en = f", licence {s.licence_number}" if s.licence_number else ""
        doc.update(label_zh=f"接收单位 {ent.name}（{ent.ref}）{lic_zh}",
                   label_en=f"Receiver {ent.name} ({ent.ref}){lic_en}",
                   date=_day(s.received_at), at=iso_utc(s.received_at), quantity_t=s.quantity_received_t)
    return doc


def _offer_node(step: _Step) -> dict[str, Any]:
    offer: Listing = step.obj
    zh, en = offer.title_zh or offer.title or offer.ref, offer.title or offer.title_zh or offer.ref
    code = f"，{offer.waste_code}" if offer.waste_code else ""
    code_en = f", {offer.waste_code}" if offer.waste_code else ""
    return {**_blank(), "ref": offer.ref, "title": zh, "waste_code": offer.waste_code, "status": offer.status,
            "label_zh": f"供给挂牌 {zh}（{offer.ref}{code}）{_t(offer.quantity_t)} 吨/"
                        f"{PERIOD_ZH.get(offer.period, offer.period)}",
            "label_en": f"Offer {en} ({offer.ref}{code_en}), {_t(offer.quantity_t)} t/{offer.period}",
            "date": _day(offer.created_at), "at": iso_utc(offer.created_at), "quantity_t": offer.quantity_t}


def _words(state: str) -> str:
    """A stored state as English words for a label (``in_transfer`` → ``in transfer``): a label shows no key."""
    return state.replace("_", " ")


def _match_node(step: _Step) -> dict[str, Any]:
    m: Match = step.obj
    return {**_blank(), "status": m.status, "licence": m.licence_number,
            "label_zh": f"匹配 #{m.id} {MATCH_STATUS_ZH.get(m.status, m.status)}，{_t(m.quantity_t)} 吨",
            "label_en": f"Match #{m.id} {_words(m.status)}, {_t(m.quantity_t)} t",
            "date": _day(m.approved_at), "at": iso_utc(m.approved_at), "quantity_t": m.quantity_t}


def _shipment_node(step: _Step) -> dict[str, Any]:
    s: Shipment = step.obj
    received_zh = f"，接收 {_t(s.quantity_received_t)} 吨" if s.quantity_received_t is not None else ""
    received_en = f", received {_t(s.quantity_received_t)} t" if s.quantity_received_t is not None else ""
    when = s.dispatched_at
    return {**_blank(), "manifest_number": s.manifest_number, "status": s.status, "waste_code": s.waste_code,
            "material": s.material, "quantity_received_t": s.quantity_received_t, "carrier": s.carrier,
            "vehicle": s.vehicle, "dispatched_at": iso_utc(s.dispatched_at), "received_at": iso_utc(s.received_at),
            "closed_at": iso_utc(s.closed_at), "licence": s.licence_number,
            # a rejected load's return manifest and the original it returns, both ways (manifest numbers)
            "returned_from": s.returned_from.manifest_number if s.returned_from is not None else None,
            "returned_by": s.returned_by.manifest_number if s.returned_by is not None else None,
            "label_zh": f"转移联单 {s.manifest_number}（{SHIPMENT_STATUS_ZH.get(s.status, s.status)}）："
                        f"{s.material}，发运 {_t(s.quantity_t)} 吨{received_zh}",
            "label_en": f"Manifest {s.manifest_number} ({_words(s.status)}): {s.material}, "
                        f"dispatched {_t(s.quantity_t)} t{received_en}",
            "date": _day(when) or _day(s.planned_on), "at": iso_utc(when), "quantity_t": s.quantity_t}


def _container_node(step: _Step) -> dict[str, Any]:
    c: Container = step.obj
    received_zh = f"，接收 {_t(c.quantity_received_t)} 吨" if c.quantity_received_t is not None else ""
    received_en = f", received {_t(c.quantity_received_t)} t" if c.quantity_received_t is not None else ""
    s = step.shipment
    return {**_blank(), "code": c.code, "packaging": c.packaging, "quantity_received_t": c.quantity_received_t,
            "manifest_number": s.manifest_number,
            "label_zh": f"容器 {c.code}（{PACKAGING_ZH.get(c.packaging, c.packaging)}）{_t(c.quantity_t)} 吨"
                        f"{received_zh}",
            "label_en": f"Container {c.code} ({c.packaging}), {_t(c.quantity_t)} t{received_en}",
            "date": _day(s.dispatched_at), "at": iso_utc(s.dispatched_at), "quantity_t": c.quantity_t}


def _entry_node(step: _Step, limited: bool) -> dict[str, Any]:
    e: LedgerEntry = step.obj
    direction_zh = DIRECTION_ZH.get(e.direction, e.direction)
    doc = {**_blank(), "direction": e.direction, "product": e.product, "date": _day(e.entry_date), "at": None,
           "quantity_t": e.quantity_t}
    if limited:
        what_zh = f"产品 {e.product}" if e.product else "批次"
        what_en = f"product {e.product}" if e.product else "a batch"
        doc.update(label_zh=f"台账{direction_zh}：{what_zh} {_t(e.quantity_t)} 吨",
                   label_en=f"Ledger {e.direction}: {what_en}, {_t(e.quantity_t)} t")
        return doc
    counterparty = e.counterparty.ref if e.counterparty is not None else e.counterparty_name
    chem = e.chemical_name or e.cas or e.waste_code or "—"
    product_zh = f" → 产品 {e.product}" if e.product else ""
    product_en = f" → product {e.product}" if e.product else ""
    ratio = f"，含量 {e.content_ratio:g}" if e.product and e.content_ratio is not None else ""
    ratio_en = f", content ratio {e.content_ratio:g}" if e.product and e.content_ratio is not None else ""
    party_zh = f"，对方 {counterparty}" if counterparty else ""
    party_en = f", counterparty {counterparty}" if counterparty else ""
    doc.update(batch_code=e.batch_code, chemical_name=e.chemical_name, cas=e.cas, waste_code=e.waste_code,
               content_ratio=e.content_ratio, counterparty=counterparty,
               manifest_number=e.shipment.manifest_number if e.shipment is not None else None,
               label_zh=f"台账{direction_zh} {e.batch_code}：{chem} {_t(e.quantity_t)} 吨{product_zh}{ratio}{party_zh}",
               label_en=f"Ledger {e.direction} {e.batch_code}: {chem}, {_t(e.quantity_t)} t{product_en}{ratio_en}"
                        f"{party_en}")
    return doc


_BUILDERS = {"producer": _enterprise_node, "receiver": _enterprise_node, "offer": _offer_node,
             "match": _match_node, "shipment": _shipment_node, "container": _container_node}


def _summary(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    shipments = [n for n in nodes if n["type"] == "shipment"]
    dispatched = sum(n["quantity_t"] for n in shipments if n["dispatched_at"] is not None)
    received = sum(n["quantity_received_t"] or 0.0 for n in shipments)
    products = [{"product": n["product"], "quantity_t": n["quantity_t"], "content_ratio": n["content_ratio"],
                 "owner": n["owner"], "index": n["index"]}
                for n in nodes if n["type"] == "ledger_entry" and n["product"] and n["direction"] != "in"]
    product_t = round(sum(p["quantity_t"] for p in products), 6)
    zh = [f"发运 {_t(dispatched)} 吨", f"接收 {_t(received)} 吨"] if shipments else []
    en = [f"dispatched {_t(dispatched)} t", f"received {_t(received)} t"] if shipments else []
    if products:
        zh.append("成为 " + "、".join(f"{_t(p['quantity_t'])} 吨 {p['product']}" for p in products))
        en.append("became " + ", ".join(f"{_t(p['quantity_t'])} t of {p['product']}" for p in products))
    return {"shipments": len(shipments), "containers": sum(1 for n in nodes if n["type"] == "container"),
            "dispatched_t": round(dispatched, 6), "received_t": round(received, 6), "products": products,
            "product_t": product_t, "text_zh": "，".join(zh) or "无转移或产品记录",
            "text_en": ", ".join(en) or "no transfer or product recorded"}


def trace(session: Session, principal: Principal, code: str) -> dict[str, Any]:
    """The whole path of a container code, manifest number or ledger batch, as ``principal`` may see it.

    See the module docstring for the resolution order, the path, the document and the visibility
    rules. ``NotFound`` (naming the code) when nothing matches or the caller may not see it.
    """
    query = (code or "").strip()
    if not query or len(query) > MAX_CODE_LENGTH or "\x00" in query:
        raise _not_found(query[:MAX_CODE_LENGTH].replace("\x00", ""))
    # The first thing the code names that the caller may see; none: the same NotFound as an unknown code.
    for kind, obj in _candidates(session, principal, query):
        graph = _Graph()
        queried_entry: LedgerEntry | None = None
        if kind == "container":
            _from_shipment(session, graph, obj.shipment)
            queried_key = ("container", obj.id)
        elif kind == "manifest":
            _from_shipment(session, graph, obj)
            queried_key = ("shipment", obj.id)
        else:
            queried_entry = obj
            _from_entry(session, graph, obj)
            queried_key = _entry_key(obj)
        full = _sees_all(principal, graph)
        if full or _is_party(principal, graph, queried_entry):
            break
    else:
        raise _not_found(query)

    visibility = {key: _visibility(principal, graph, step, full) for key, step in graph.steps.items()}
    index: dict[tuple[str, int], int] = {}
    nodes: list[dict[str, Any]] = []
    for key, step in graph.steps.items():
        seen = visibility[key]
        if seen == "hidden":
            continue
        doc = _entry_node(step, seen == "limited") if step.type == "ledger_entry" else _BUILDERS[step.type](step)
        # The nearest visible ancestor: a withheld step between them is not shown, only counted.
        parent, relation = step.parent, step.relation
        while parent is not None and parent not in index:
            relation = "via_withheld"
            parent = graph.steps[parent].parent if parent in graph.steps else None
        owner = _owner(step)
        index[key] = len(nodes)
        nodes.append({"index": len(nodes), "type": step.type, "id": None if seen == "limited" else step.obj.id,
                      **doc, "owner": owner, "parent": index.get(parent) if parent is not None else None,
                      "relation": relation if parent is not None else None,
                      "relation_zh": RELATION_ZH.get(relation) if parent is not None else None,
                      "queried": key == queried_key, "limited": seen == "limited"})
    edges = [{"from": n["parent"], "to": n["index"], "relation": n["relation"]} for n in nodes
             if n["parent"] is not None]
    hidden = sum(1 for v in visibility.values() if v == "hidden")
    return {"query": query, "kind": kind, "nodes": nodes, "edges": edges, "summary": _summary(nodes),
            "hidden": hidden, "truncated": graph.truncated}


def _owner(step: _Step) -> str | None:
    """The ref of the enterprise a step belongs to (the producer for the shipment's own steps)."""
    if step.type == "ledger_entry":
        return step.obj.enterprise.ref
    if step.type == "receiver":
        return step.obj.ref
    return step.shipment.producer.ref if step.shipment is not None else None

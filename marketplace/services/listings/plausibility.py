"""Plausible but unusual listings: the questions a user must confirm before such a listing is stored.

The schema refuses what cannot be right (a quantity below 1 kg or above 100 million t a year:
``marketplace.schemas.interchange``). Between those bounds a value may still be a slip — "2000"
typed for "20", kilograms read as tonnes — and one such offer distorts the park's supply figures,
match rates and the enterprise's rating. So a value far from what is usual is not refused but
asked about, and stored only once confirmed:

- ``quantity``: the annual tonnes are more than :data:`HISTORY_FACTOR` times the largest comparable
  listing the enterprise has posted before (same kind; same HW code, or without codes a material the
  glossary recognises in both titles), or more than :data:`HISTORY_FACTOR` times the largest listing
  of the same HW code anyone has posted (when at least :data:`MIN_PEERS` exist: the material's
  typical range), or above :data:`LARGE_ANNUAL_T` whatever the history.
- ``duplicate``: an active listing of the same enterprise, posted in the last :data:`DUPLICATE_DAYS`
  days, says the same (kind, HW code, quantity, period and title): most likely the same form sent
  twice.

The listing service calls :func:`questions` on create and on update, so the API and the pages ask
the same questions. A caller confirms with ``confirm: ["quantity", "duplicate"]``.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.material_terms import concepts
from matching.quantities import annual_tonnes

from ...errors import ValidationFailed
from ...models import Listing

__all__ = ["CONFIRM_KEYS", "DUPLICATE_DAYS", "HISTORY_FACTOR", "LARGE_ANNUAL_T", "MIN_PEERS", "Question",
           "Unconfirmed", "check", "questions"]

CONFIRM_KEYS = ("quantity", "duplicate")
HISTORY_FACTOR = 20.0
MIN_PEERS = 3
# Above a million tonnes a year only the largest slag and gypsum streams of a park: worth a second look.
LARGE_ANNUAL_T = 1_000_000.0
DUPLICATE_DAYS = 30
QUANTITY_EPS_T = 1e-9
_LAST_BRACKETS = re.compile(r"^(?P<en>.*?)\s*[(（](?P<zh>[^()（）]*)[)）]\s*$", re.DOTALL)


@dataclass(frozen=True)
class Question:
    """One thing to confirm: its ``key`` (what ``confirm`` must list), the ``field`` it concerns, and why.

    ``message`` is bilingual (``english (中文)``) for the API; ``reason`` and ``values`` let a page say the
    same in its own language.
    """

    key: str
    field: str
    reason: str
    values: dict[str, Any]
    message: str


class Unconfirmed(ValidationFailed):
    """A plausible but unusual listing that was not confirmed (422): ``errors`` names each field with its
    question, and ``errors["confirm"]`` the keys to send back in ``confirm`` to store it anyway."""

    def __init__(self, found: list[Question]) -> None:
        keys = [q.key for q in found]
        errors: dict[str, list[str]] = {}
        for q in found:
            en, zh = _halves(q.message)
            # One ``english (中文)``: the question and how to confirm it, in each language.
            errors.setdefault(q.field, []).append(
                f"{en}; if it is right, send it again with \"confirm\": [\"{q.key}\"] "
                f"({zh}{'' if zh.endswith(('？', '。')) else '；'}如确认无误，请在 confirm 中加入 \"{q.key}\" 后重新提交)")
        errors["confirm"] = keys
        super().__init__("please confirm the unusual values (请确认异常数值)", errors)
        self.questions = found


def _halves(message: str) -> tuple[str, str]:
    """A question's ``english (中文)`` message as (english, 中文): the Chinese is its last bracketed part."""
    m = _LAST_BRACKETS.match(message)
    return (m.group("en"), m.group("zh")) if m else (message, "")


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _norm(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def _comparable(listing: Listing, kind: str, code: str | None, materials: set[str]) -> bool:
    if listing.kind != kind:
        return False
    if code or listing.waste_code:
        return listing.waste_code == code
    return bool(materials & set(concepts(f"{listing.title_zh or ''} {listing.title or ''}")))


def _quantity_questions(session: Session, enterprise_id: int, data: dict[str, Any],
                        exclude: int | None) -> list[Question]:
    annual = annual_tonnes(data["quantity_t"], data.get("period") or "year")
    kind, code = data["kind"], data.get("waste_code")
    materials = set(concepts(f"{data.get('title_zh') or ''} {data.get('title') or ''}"))
    own = [x for x in session.scalars(select(Listing).where(Listing.enterprise_id == enterprise_id))
           if x.id != exclude and _comparable(x, kind, code, materials)]
    if own:
        largest = max(annual_tonnes(x.quantity_t, x.period) for x in own)
        if annual > HISTORY_FACTOR * largest:
            return [Question("quantity", "quantity_t", "history", {"annual": annual, "largest": largest}, (
                f"{annual:,.6g} t a year is more than {HISTORY_FACTOR:g} times your largest comparable listing "
                f"({largest:,.6g} t a year): check the number and the unit "
                f"(每年 {annual:,.6g} 吨，超过本企业同类信息最大量 {largest:,.6g} 吨的 {HISTORY_FACTOR:g} 倍，请核对数字和单位)"))]
    if code:
        peers = [annual_tonnes(q, p) for i, q, p in session.execute(
            select(Listing.id, Listing.quantity_t, Listing.period).where(
                Listing.waste_code == code, Listing.kind == kind)) if i != exclude]
        if len(peers) >= MIN_PEERS and annual > HISTORY_FACTOR * max(peers):
            largest = max(peers)
            return [Question("quantity", "quantity_t", "material", {"annual": annual, "largest": largest,
                                                                     "code": code}, (
                f"{annual:,.6g} t a year is more than {HISTORY_FACTOR:g} times the largest listing of {code} "
                f"({largest:,.6g} t a year): check the number and the unit "
                f"(每年 {annual:,.6g} 吨，超过 {code} 已有信息最大量 {largest:,.6g} 吨的 {HISTORY_FACTOR:g} 倍，请核对数字和单位)"))]
    if annual > LARGE_ANNUAL_T:
        return [Question("quantity", "quantity_t", "large", {"annual": annual, "large": LARGE_ANNUAL_T}, (
            f"{annual:,.6g} t a year is more than {LARGE_ANNUAL_T:,.0f} t, as much as the largest streams of a park: "
            f"check the number and the unit (每年 {annual:,.6g} 吨，超过 {LARGE_ANNUAL_T:,.0f} 吨，请核对数字和单位)"))]
    return []


def _duplicate(session: Session, enterprise_id: int, data: dict[str, Any], now: dt.datetime) -> list[Question]:
    since = now - dt.timedelta(days=DUPLICATE_DAYS)
    titles = (_norm(data.get("title")), _norm(data.get("title_zh")))
    for x in session.scalars(select(Listing).where(
            Listing.enterprise_id == enterprise_id, Listing.kind == data["kind"], Listing.status == "active")
            .order_by(Listing.id.desc())):
        if (x.waste_code == data.get("waste_code") and x.period == (data.get("period") or "year")
                and abs(x.quantity_t - data["quantity_t"]) <= QUANTITY_EPS_T
                and (_norm(x.title), _norm(x.title_zh)) == titles and _aware(x.created_at) >= since):
            return [Question("duplicate", "title", "duplicate", {"ref": x.ref, "id": x.id}, (
                f"your listing {x.ref} posted on {_aware(x.created_at):%Y-%m-%d} says the same (kind, code, "
                f"quantity and title): is this a second one? (本企业 {_aware(x.created_at):%Y-%m-%d} 发布的 "
                f"{x.ref} 与此内容相同，是否确实再发布一条？)"))]
    return []


def questions(session: Session, enterprise_id: int, data: dict[str, Any], *, exclude: int | None = None,
              now: dt.datetime | None = None) -> list[Question]:
    """What to ask about the listing ``data`` (validated values incl. ``kind``) of ``enterprise_id``.

    ``exclude`` is the listing being edited (it is not its own history, nor its own duplicate:
    an edit asks about the quantity only).
    """
    found = _quantity_questions(session, enterprise_id, data, exclude)
    if exclude is None:
        found += _duplicate(session, enterprise_id, data, now or dt.datetime.now(dt.UTC))
    return found


def check(session: Session, enterprise_id: int, data: dict[str, Any], confirmed: list[str] | tuple[str, ...],
          *, exclude: int | None = None) -> None:
    """Raise :class:`Unconfirmed` for the questions about ``data`` that ``confirmed`` does not answer."""
    open_ = [q for q in questions(session, enterprise_id, data, exclude=exclude) if q.key not in set(confirmed)]
    if open_:
        raise Unconfirmed(open_)

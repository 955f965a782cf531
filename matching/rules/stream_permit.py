"""Rule ``stream_permit``: the receiver of construction or household waste holds the permit its stream requires.

The rules (issue 20; the categories and permits are ``catalog.waste_streams``):

* construction waste (建筑垃圾) goes only to a receiver holding a valid 城市建筑垃圾处置核准
  (建设部令第139号《城市建筑垃圾管理规定》: whoever disposes of construction waste needs the
  approval), kind ``construction_waste_disposal``;
* household waste (生活垃圾) goes only to a receiver holding a valid licence for commercial household
  waste services (建设部令第157号《城市生活垃圾管理办法》: collection, transport and disposal are
  licensed), kind ``household_waste_service``: kitchen waste to digestion or composting, recyclables to
  sorting, bulky waste to dismantling;
* household hazardous waste (有害垃圾, HH02) is exempt from HW management only while it is collected
  (国家危险废物名录 2021, exemption list): its treatment needs a valid comprehensive HW business
  licence with the activity the need's purpose requires (dispose for disposal, utilise otherwise), as
  does an offer of the hazardous stream that states no HW code (``hw_licence`` cannot see it);
* pesticide packaging (农药包装废弃物, AG04) going to disposal is hazardous waste (900-041-49, HW49): a
  comprehensive licence covering it with the dispose activity. Utilised, it is exempt under
  《农药包装废弃物回收处理管理办法》(2020); the detail names the conditions;
* other agricultural residues (straw, manure, film) and the industrial and hazardous streams ask
  nothing of this rule (``hw_licence`` and the others keep HW).

The licence must be valid on the run's day; a stream licence limited to some categories covers an
offer only if the offer names one of them; one whose activities are only collection does not let the
receiver treat the waste. When the data cannot show the receiver may take it, the arc is blocked and the
detail says why.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from catalog.waste_streams import (
    CONSTRUCTION_PERMIT,
    HOUSEHOLD_PERMIT,
    HW_PERMIT,
    HW_PERMIT_FOR_DISPOSAL,
    PERMITS,
    STREAMS_BY_KEY,
    is_stream_category,
    stream_category,
)

from ..problem import DAY_MAX, Problem
from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .text import bilingual, purpose_zh

SPEC = RuleSpec(
    "stream_permit", True, "建筑垃圾、生活垃圾接收许可", "Receiver's permit for construction and household waste",
    "Construction waste goes only to a receiver with a valid 城市建筑垃圾处置核准 (Order 139); household waste "
    "only to one with a valid household-waste service licence (Order 157); household hazardous waste, "
    "hazardous-stream offers without an HW code and pesticide packaging to disposal only under a valid HW "
    "business licence with the activity the purpose needs.")

PESTICIDE_PACKAGING_CODE = "900-041-49"  # 含有或沾染毒性危险废物的废弃包装物、容器 (HW49)
# What an offer asks of its receiver (index into REQUIREMENTS; 0 nothing).
NONE, CONSTRUCTION, HOUSEHOLD, HW_ANY, HW_DISPOSE = range(5)
_PERMIT_OF = {CONSTRUCTION: CONSTRUCTION_PERMIT, HOUSEHOLD: HOUSEHOLD_PERMIT}
TREAT = frozenset({"utilise", "dispose"})  # what receiving the waste to treat it means (not collection alone)


def requirement(offer) -> int:
    """What the offer's stream and category ask of the receiver (one of NONE … HW_DISPOSE)."""
    stream, category = offer.stream, offer.category
    if stream == "industrial" or (stream == "hazardous" and offer.waste_code):
        return NONE  # most offers of a park: asked nothing, answered without a look at the category
    permit = stream_category(category).permit if is_stream_category(category) else None
    if stream == "construction":
        return CONSTRUCTION
    if stream == "household":
        return HW_ANY if permit == HW_PERMIT else HOUSEHOLD
    if stream == "agricultural":
        return HW_DISPOSE if permit == HW_PERMIT_FOR_DISPOSAL else NONE
    if stream == "hazardous" and not offer.waste_code:
        return HW_ANY  # hazardous by the holder's word, with no code for hw_licence to check
    return NONE


@dataclass(frozen=True)
class Holding:
    """The receiver's licence that answers a requirement (``licence`` -1: none) or why none does."""

    licence: int
    why_zh: str = ""
    why_en: str = ""


def _valid_today(problem: Problem, li: int) -> bool:
    lic = problem.licences[li]
    end = lic.valid_to.toordinal() if lic.valid_to else DAY_MAX
    return lic.valid_from.toordinal() <= problem.today <= end


def holding(problem: Problem, enterprise: int, req: int, category: str | None, dispose: bool) -> Holding:
    """The first licence of ``enterprise`` (index) meeting requirement ``req`` for an offer of ``category``."""
    licences = problem.licences_of_enterprise.get(enterprise, [])
    reasons_zh, reasons_en = [], []
    for li in licences:
        lic = problem.licences[li]
        if req in _PERMIT_OF:
            if lic.kind != _PERMIT_OF[req]:
                continue
            if not _valid_today(problem, li):
                reasons_zh.append(f"{lic.number} 不在有效期内")
                reasons_en.append(f"{lic.number} not valid today")
            elif not lic.activities & TREAT:
                reasons_zh.append(f"{lic.number} 仅许可收集、贮存")
                reasons_en.append(f"{lic.number} allows collection or storage only")
            elif lic.stream_categories and category not in lic.stream_categories:
                scope = ", ".join(sorted(lic.stream_categories))
                reasons_zh.append(f"{lic.number} 范围 {scope}，不含{category or '未注明类别的废物'}")
                reasons_en.append(f"{lic.number} covers {scope}, not {category or 'waste of no stated category'}")
            else:
                return Holding(li)
            continue
        # The HW business licence (comprehensive: a collection licence never covers these).
        if lic.kind != "hw_comprehensive":
            continue
        needed = "dispose" if dispose else "utilise"
        if not _valid_today(problem, li):
            reasons_zh.append(f"{lic.number} 不在有效期内")
            reasons_en.append(f"{lic.number} not valid today")
        elif needed not in lic.activities:
            reasons_zh.append(f"{lic.number} 经营方式不含{'处置' if dispose else '利用'}")
            reasons_en.append(f"{lic.number} does not allow {needed}")
        elif req == HW_DISPOSE and not ({"HW49"} & lic.categories or PESTICIDE_PACKAGING_CODE in lic.codes):
            reasons_zh.append(f"{lic.number} 不含 HW49（{PESTICIDE_PACKAGING_CODE}）")
            reasons_en.append(f"{lic.number} does not cover HW49 ({PESTICIDE_PACKAGING_CODE})")
        else:
            return Holding(li)
    return Holding(-1, "；".join(reasons_zh), "; ".join(reasons_en))


_CACHE_ATTR = "_wastematch_stream_requirements"


@dataclass(frozen=True)
class _Offers:
    """Per offer: its requirement and its category's index in ``categories`` (0: none)."""

    req: np.ndarray  # int64
    category: np.ndarray  # int64
    categories: tuple[str | None, ...]


def _offers(problem: Problem) -> _Offers:
    """What each offer asks; kept on the problem (its offers do not change during a run)."""
    cached = problem.__dict__.get(_CACHE_ATTR)
    if cached is None:
        names: dict[str | None, int] = {None: 0}
        cat = [names.setdefault(o.category, len(names)) for o in problem.offers]
        cached = problem.__dict__[_CACHE_ATTR] = _Offers(
            req=np.array([requirement(o) for o in problem.offers], dtype=np.int64),
            category=np.array(cat, dtype=np.int64), categories=tuple(names))
    return cached


def check(b: ArcBatch) -> np.ndarray:
    """Arcs whose offer asks nothing, or whose receiver holds a licence answering it: decided once per distinct
    (requirement, category, receiving enterprise, disposal or not), never per arc."""
    o = _offers(b.problem)
    arc_req = o.req[b.o]
    asks = (arc_req != NONE) & ~((arc_req == HW_DISPOSE) & ~b.dispose)
    out = np.ones(b.size, dtype=bool)
    idx = np.nonzero(asks)[0]
    if idx.size == 0:
        return out
    n_cat, n_ent = len(o.categories), max(len(b.problem.enterprise_index), 1)
    keys = ((arc_req[idx] * n_cat + o.category[b.o[idx]]) * n_ent + b.ne[idx]) * 2 + b.dispose[idx]
    distinct, inverse = np.unique(keys, return_inverse=True)
    held = np.empty(distinct.size, dtype=bool)
    for j, key in enumerate(distinct.tolist()):
        rest, dispose = divmod(key, 2)
        rest, ent = divmod(rest, n_ent)
        req, cat = divmod(rest, n_cat)
        held[j] = holding(b.problem, ent, req, o.categories[cat], bool(dispose)).licence >= 0
    out[idx] = held[inverse]
    return out


def _what(offer) -> tuple[str, str]:
    """The offer's stream and category in words (中文, English)."""
    stream = STREAMS_BY_KEY.get(offer.stream)
    zh, en = (stream.name_zh, stream.name_en.lower()) if stream else (offer.stream, offer.stream)
    if is_stream_category(offer.category):
        cat = stream_category(offer.category)
        return f"{zh}（{cat.code} {cat.name_zh}）", f"{en} ({cat.code} {cat.name_en.lower()})"
    return zh, en


def explain(c: ArcCase) -> Verdict:
    """The licence the receiver holds for the offer's stream, or why it may not take it."""
    offer, need = c.offer, c.need
    req = requirement(offer)
    dispose = need.purpose == "dispose"
    what_zh, what_en = _what(offer)
    if req == NONE or (req == HW_DISPOSE and not dispose):
        if req == HW_DISPOSE:
            return True, bilingual(
                f"{what_zh}用于{purpose_zh(need.purpose)}：依《农药包装废弃物回收处理管理办法》利用环节豁免危险废物管理，"
                "不得用于食品、饮用水、饲料、玩具等包装",
                f"{what_en} for {need.purpose}: exempt from HW management when utilised under the 2020 measures on "
                "pesticide packaging; never for packaging food, drinking water, feed or toys")
        if offer.stream == "agricultural":
            return True, bilingual(f"{what_zh}：接收方无需专门许可", f"{what_en}: the receiver needs no permit")
        return True, bilingual("无需建筑垃圾或生活垃圾接收许可", "no construction or household waste permit needed")
    found = holding(c.problem, c.problem.enterprise_index[need.site.enterprise], req, offer.category, dispose)
    if req in _PERMIT_OF:
        permit = PERMITS[_PERMIT_OF[req]]
        name_zh, name_en, source, source_en = permit.name_zh, permit.name_en.lower(), permit.source, permit.source_en
    else:
        name_zh, name_en = "危险废物经营许可证", "HW business licence"
        source, source_en = "《危险废物经营许可证管理办法》", "Measures on HW Business Licences"
        if req == HW_DISPOSE:
            name_zh, name_en = f"含处置且覆盖 HW49 的{name_zh}", f"{name_en} covering HW49 with disposal"
        elif req == HW_ANY:
            act_zh, act_en = ("处置", "disposal") if dispose else ("利用", "utilisation")
            name_zh, name_en = f"含{act_zh}的{name_zh}", f"{name_en} allowing {act_en}"
    if found.licence >= 0:
        number = c.problem.licences[found.licence].number
        return True, bilingual(f"{what_zh}：接收方持有效的{name_zh}（{number}）",
                               f"{what_en}: the receiver holds a valid {name_en} ({number})")
    why_zh = f"：{found.why_zh}" if found.why_zh else ""
    why_en = f": {found.why_en}" if found.why_en else ""
    return False, bilingual(f"{what_zh}仅可交由持有效{name_zh}的单位（{source}）；接收方没有{why_zh}",
                            f"{what_en} only to a receiver with a valid {name_en} ({source_en}); the receiver "
                            f"has none{why_en}")


RULE = Rule(SPEC, check, explain, pool_viability=True)

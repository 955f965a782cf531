"""The score of a pair: what one tonne moved along it is worth to the park, in yuan.

    weight (CNY/t, integer) = quality + hierarchy + diversion + price − transport

* quality   = QUALITY_CNY_PER_T × similarity (0…400): a perfect fit saves virgin feedstock;
* hierarchy = similarity × the waste-hierarchy value of the need's purpose: reuse 300 >
  recycle 200 > co-processing / energy recovery 100 > disposal 0 (固体废物污染环境防治法:
  reduce, reuse, recycle before disposal). Scaled by the fit because a reuse that the
  material does not suit is not a reuse; halved through a collection-only licence,
  which only passes the waste on;
* diversion = similarity × what leaving the offer's current route is worth when the need
  does not merely dispose: landfill 80, incineration 40 (无废城市: less landfill, less burning);
* price     = PRICE_SHARE × (taker's price − holder's ask), clipped to ±PRICE_CAP_CNY,
  when both listings state prices: a pair both sides gain from ranks higher;
* transport = distance (road km) × rate: 0.6 CNY/t·km for general goods, 1.5 for HW
  (dangerous-goods haulage, manifests, escorts).

The park-wide objective is Σ weight × tonnes over the chosen pairs, maximised. Weights
are rounded to whole yuan so the solvers work in integers and the objective is exact.

What users see (``explain_value``, ``docs/scores.md``): the weight is the *value created per
tonne* (每吨创造价值, CNY/t), each term with its sign and a sentence of meaning, and the score
is that value times the proposed tonnes (CNY a year for a yearly listing).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .arcs import Arcs
from .problem import PURPOSES, Problem

QUALITY_CNY_PER_T = 400.0
HIERARCHY_CNY_PER_T = {"reuse": 300.0, "recycle": 200.0, "co_process": 100.0, "recover_energy": 100.0,
                       "dispose": 0.0}
DIVERSION_CNY_PER_T = {"landfill": 80.0, "incineration": 40.0}
TRANSPORT_CNY_PER_T_KM = 0.6
HW_TRANSPORT_CNY_PER_T_KM = 1.5
PRICE_SHARE = 0.2
COLLECTION_SHARE = 0.5
PRICE_CAP_CNY = 1000.0


@dataclass(frozen=True)
class ScoreTerms:
    """The terms of one arc's weight, in CNY per tonne."""

    quality: float
    hierarchy: float
    diversion: float
    price: float
    transport: float
    weight: int

    def as_dict(self) -> dict[str, float]:
        return {"quality": round(self.quality, 1), "hierarchy": round(self.hierarchy, 1),
                "diversion": round(self.diversion, 1),
                "price": round(self.price, 1), "transport": round(-self.transport, 1), "weight": self.weight}


def score_terms(problem: Problem, arcs: Arcs) -> dict[str, np.ndarray]:
    """Each term for every arc (vectorised); ``transport`` is the (positive) cost."""
    p = problem
    assert arcs.similarity is not None, "similarity comes before scoring"
    purpose = p.n.purpose[arcs.need]
    hierarchy = np.array([HIERARCHY_CNY_PER_T[x] for x in PURPOSES])[purpose]
    diversion = np.where(purpose != PURPOSES.index("dispose"), _route_values(p)[arcs.offer], 0.0)
    spread = p.n.price[arcs.need] - p.o.price[arcs.offer]
    price = np.where(np.isnan(spread), 0.0, PRICE_SHARE * np.clip(np.nan_to_num(spread), -PRICE_CAP_CNY,
                                                                    PRICE_CAP_CNY))
    rate = np.where(p.o.is_hw[arcs.offer], HW_TRANSPORT_CNY_PER_T_KM, TRANSPORT_CNY_PER_T_KM)
    fit = arcs.similarity
    if arcs.licence is not None and problem.licences:
        # A collection-only licence is a transfer step: the material is not yet recycled.
        via_collector = (arcs.licence >= 0) & problem.lic_collection[np.maximum(arcs.licence, 0)]
        hierarchy = np.where(via_collector, COLLECTION_SHARE * hierarchy, hierarchy)
    return {"quality": QUALITY_CNY_PER_T * fit, "hierarchy": fit * hierarchy, "diversion": fit * diversion,
            "price": price, "transport": arcs.distance_km * rate}


def _route_values(p: Problem) -> np.ndarray:
    """Diversion value of each offer's current route, computed once per problem."""
    cached = p.__dict__.get("_route_values")
    if cached is None:
        cached = np.array([DIVERSION_CNY_PER_T.get(o.current_route or "", 0.0) for o in p.offers],
                          dtype=np.float64)
        p.__dict__["_route_values"] = cached
    return cached


def score(problem: Problem, arcs: Arcs) -> None:
    """Set ``arcs.weight`` (integer CNY/t) and ``arcs.max_t`` (the most an arc could carry)."""
    t = score_terms(problem, arcs)
    total = t["quality"] + t["hierarchy"] + t["diversion"] + t["price"] - t["transport"]
    arcs.weight = np.rint(total).astype(np.int64)
    cap = np.minimum(problem.o.quantity[arcs.offer], problem.n.quantity[arcs.need])
    if arcs.licence is not None and problem.licences:
        has = arcs.licence >= 0
        cap = np.where(has, np.minimum(cap, problem.lic_remaining[np.maximum(arcs.licence, 0)]), cap)
    arcs.max_t = cap


def terms_for(problem: Problem, arcs: Arcs, ks: np.ndarray) -> list[ScoreTerms]:
    """The score terms of the arcs ``ks``, for their explanations (one vectorised pass)."""
    t = score_terms(problem, arcs.subset(ks))
    total = t["quality"] + t["hierarchy"] + t["diversion"] + t["price"] - t["transport"]
    weights = np.rint(total).astype(np.int64)
    # Plain Python values read once, not one NumPy scalar at a time.
    columns = [np.asarray(t[k], dtype=np.float64).tolist() for k in ("quality", "hierarchy", "diversion", "price",
                                                                      "transport")]
    return [ScoreTerms(quality=q, hierarchy=h, diversion=d, price=pr, transport=tr, weight=w)
            for q, h, d, pr, tr, w in zip(*columns, weights.tolist(), strict=True)]


# One sentence per term, both languages: what the term stands for (shown beside its CNY/t).
TERM_MEANINGS: dict[str, tuple[str, str, str, str]] = {
    # term: (中文名, English name, 中文说明, English meaning)
    "quality": ("物料吻合", "Material fit",
                "替代原生原料的价值：吻合度 × 每吨 400 元",
                "virgin feedstock it replaces: fit × 400 CNY per tonne"),
    "hierarchy": ("资源化层级", "Waste hierarchy",
                  "用途越靠前价值越高：再使用 300、再生利用 200、协同处置或能量回收 100、处置 0（元/吨，乘以吻合度）",
                  ("higher uses are worth more: reuse 300, recycle 200, co-processing or energy recovery 100, "
                   "disposal 0 (CNY per tonne, times the fit)")),
    "diversion": ("避免填埋焚烧", "Diverted from landfill or incineration",
                  "不再填埋（80 元/吨）或焚烧（40 元/吨）的价值，乘以吻合度",
                  "no longer landfilled (80 CNY/t) or incinerated (40 CNY/t), times the fit"),
    "price": ("价格差", "Price spread",
              "需求方出价减供给方要价的 20 %（上下限 ±200 元/吨）：双方都得利时为正",
              ("20 % of what the taker pays minus what the holder asks (capped at ±200 CNY/t): "
               "positive when both sides gain")),
    "transport": ("运输成本", "Transport",
                  "道路距离 × 每吨公里费率（危险废物 1.5 元，其他 0.6 元），总是减项",
                  "road distance × rate per tonne-km (1.5 CNY for hazardous waste, 0.6 otherwise); always a cost"),
}
TERM_ORDER = ("quality", "hierarchy", "diversion", "price", "transport")


def explain_value(terms: dict[str, float], weight: float, quantity_t: float) -> dict[str, object]:
    """The score as what it means: value created per tonne (CNY/t), its signed parts, the total for the tonnes.

    ``terms`` is ``ScoreTerms.as_dict()`` (transport already negative); a term absent from it
    (the price, hidden until both sides accept) is left out and ``price_hidden`` says so; the
    per-tonne value still includes it.
    """
    parts = []
    for term in TERM_ORDER:
        if term not in terms:
            continue
        zh, en, meaning_zh, meaning_en = TERM_MEANINGS[term]
        parts.append({"term": term, "cny_per_t": round(float(terms[term]), 1), "name_zh": zh, "name_en": en,
                      "meaning_zh": meaning_zh, "meaning_en": meaning_en})
    return {"cny_per_t": int(weight), "quantity_t": round(float(quantity_t), 3),
            "total_cny": round(float(weight) * float(quantity_t), 0),
            "price_hidden": "price" not in terms,
            "parts": parts}

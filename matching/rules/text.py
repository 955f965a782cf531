"""How the explanations write fractions, days, distances and substance names."""
from __future__ import annotations

import datetime as dt
import functools
import math
import re

from catalog.reactivity import REACTIVITY_GROUPS
from catalog.substance_names import ZH_BY_CAS

from ..problem import DAY_MAX, DAY_MIN

_CJK = re.compile(r"[\u3400-\u9fff]")

# The stored purposes and forms of listings, as the Chinese halves of details name them.
PURPOSE_ZH = {"reuse": "再使用", "recycle": "再生利用", "co_process": "协同处置", "recover_energy": "能量回收",
              "dispose": "处置"}
FORM_ZH = {"solid": "固态", "powder": "粉末", "liquid": "液态", "sludge": "污泥", "paste": "膏状", "gas": "气态"}
ACTIVITY_ZH = {"collect": "收集", "store": "贮存", "utilise": "利用", "dispose": "处置", "treat": "处理"}


def fmt_fraction(x: float) -> str:
    """A mass fraction: a percentage down to 0.1 %, mg/kg below."""
    if x == 0:
        return "0"
    if abs(x) >= 1e-3:
        return f"{x * 100:.4g}%"
    return f"{x * 1e6:.4g} mg/kg"


@functools.lru_cache(maxsize=4096)  # every explained proposal asks; few distinct values
def fmt_day(ordinal: int) -> str:
    """An ISO date, or ``open`` for an unbounded end of a period."""
    if ordinal <= DAY_MIN or ordinal >= DAY_MAX:
        return "open"
    return dt.date.fromordinal(int(ordinal)).isoformat()


@functools.lru_cache(maxsize=4096)  # every explained proposal asks; few distinct values
def fmt_day_zh(ordinal: int) -> str:
    """An ISO date, or ``不限`` for an unbounded end of a period."""
    if ordinal <= DAY_MIN or ordinal >= DAY_MAX:
        return "不限"
    return dt.date.fromordinal(int(ordinal)).isoformat()


def fmt_km(x: float) -> str:
    """Kilometres to one decimal, or ``no limit``."""
    return "no limit" if math.isinf(x) else f"{x:.1f} km"


def fmt_km_zh(x: float) -> str:
    """Kilometres to one decimal, or ``不限``."""
    return "不限" if math.isinf(x) else f"{x:.1f} km"


def purpose_zh(purpose: str) -> str:
    """The Chinese word for a stored purpose (the stored word when unknown)."""
    return PURPOSE_ZH.get(purpose, purpose)


def form_zh(form: str) -> str:
    """The Chinese word for a stored physical form (the stored word when unknown)."""
    return FORM_ZH.get(form, form)


def activities_zh(activities) -> str:
    """A licence's activities in Chinese, joined with ``、``."""
    return "、".join(ACTIVITY_ZH.get(a, a) for a in sorted(activities)) or "无"


@functools.lru_cache(maxsize=4096)  # every explained proposal asks; few distinct values
def groups_zh_en(mask: int) -> tuple[str, str]:
    """The reactivity groups of ``mask``: (``酸、氧化剂``, ``acid, oxidiser``)."""
    groups = [g for g in REACTIVITY_GROUPS if int(mask) & g.bit]
    return "、".join(g.name_zh for g in groups) or "无", ", ".join(g.name_en for g in groups) or "none"


def exemption_label_zh(rule) -> str:
    """``豁免清单第20项（利用）``: the Chinese half of ``ExemptionRule.label``."""
    return f"豁免清单第{rule.number}项（{rule.stage_zh}）"


def exemption_label_en(rule) -> str:
    """``exemption list no. 20 (utilise)``: the English half of ``ExemptionRule.label``."""
    return f"exemption list no. {rule.number} ({rule.stage})"


def substance_name(key: str, *records) -> str:
    """The name the first of ``records`` gives substance ``key``, else the key itself."""
    for r in records:
        if key in r.names:
            return r.names[key]
    return key.removeprefix("name:")


def substance_name_zh(key: str, *records) -> str:
    """The Chinese name of substance ``key`` for a detail's Chinese half: the team's table (by CAS), else a
    name a record gives in Chinese, else the name the user typed (``name:`` keys), else the CAS number."""
    known = ZH_BY_CAS.get(key)
    if known:
        return known
    for r in records:
        name = r.names.get(key, "")
        if _CJK.search(name):
            return name
    return key.removeprefix("name:")


def bilingual(zh: str, en: str) -> str:
    """A detail in both languages, ``中文 / English``: the pages show the half of their language.

    The Chinese half never contains `` / `` (parts are joined with ``；``), so the split
    (``web.i18n.split_bilingual``) is the one between the halves.
    """
    return f"{zh} / {en}"


def joined(parts: list[tuple[str, str]], empty: tuple[str, str]) -> str:
    """(中文, English) parts of a detail as one bilingual detail; ``empty`` when there are none."""
    if not parts:
        return bilingual(*empty)
    return bilingual("；".join(zh for zh, _ in parts), "; ".join(en for _, en in parts))

"""Typed records for hazardous-waste codes, categories and exemptions.

These are the shapes every part of the catalogue agrees on: the built-in data, the
PDF importer of the National Hazardous Waste List, and the marketplace tables that
persist them. Pure Python, no I/O.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

HW_CODE_RE = re.compile(r"^\d{3}-\d{3}-\d{2}$")
HW_CATEGORY_RE = re.compile(r"^HW\d{2}$")


# Dashes a code copied from a PDF or typed with a Chinese input method may carry instead of "-".
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―－﹣−"})
_TYPED_CODE = re.compile(r"^(?:HW(?P<category>\d{2})\s*[:：]?\s*)?(?P<a>\d{3})[\s-]*(?P<b>\d{3})[\s-]*(?P<c>\d{2})$",
                         re.IGNORECASE)


def fold_code_text(text: str) -> str:
    """``text`` with full-width characters folded (NFKC) and every kind of dash made "-", trimmed: what a code
    search compares (``９００－２１４`` finds ``900-214-08``)."""
    return unicodedata.normalize("NFKC", text or "").translate(_DASHES).strip()


def normalize_hw_code(text: str) -> str:
    """``text`` in the list's form ``NNN-NNN-NN`` where it unambiguously names one code, else ``text`` trimmed.

    Full-width digits and dashes (``９００－２１４－０８``), the dashes a PDF gives (``900–214–08``), spaces instead of
    dashes or none (``900 214 08``, ``90021408``), spaces around, and a category before it that agrees
    (``HW08 900-214-08``) are read; a category that contradicts the code's last two digits is not, nor is a short
    group (``900-214-8``: never padded). The caller still checks the result (``is_hw_code``).
    """
    clean = fold_code_text(text)
    m = _TYPED_CODE.match(clean)
    if m is None or (m["category"] is not None and m["category"] != m["c"]):
        return clean
    return f"{m['a']}-{m['b']}-{m['c']}"


def is_hw_code(text: str) -> bool:
    """True if ``text`` has the shape ``NNN-NNN-NN`` of a 国家危险废物名录 code."""
    return bool(HW_CODE_RE.match(text or ""))


def category_of(code: str) -> str:
    """The category ``HWnn`` of an HW code: its last two digits (``900-214-08`` → ``HW08``)."""
    if not is_hw_code(code):
        raise ValueError(f"not an HW code: {code!r}")
    return f"HW{code[-2:]}"


@dataclass(frozen=True, slots=True)
class HwCategory:
    """One of the 46 waste categories HW01–HW50 of the National Hazardous Waste List."""

    code: str  # "HW08"
    name_zh: str  # "废矿物油与含矿物油废物"
    name_en: str  # "Waste mineral oil and mineral-oil-containing waste"


@dataclass(frozen=True, slots=True)
class HwCode:
    """One eight-digit entry of the list (废物代码) with its hazard characteristics."""

    code: str  # "900-214-08"
    category: str  # "HW08"
    industry: str  # 行业来源, e.g. "非特定行业"
    description: str  # 危险废物 (Chinese text of the entry)
    hazards: tuple[str, ...]  # subset of ("T", "C", "I", "R", "In"), in the list's order
    description_en: str = ""  # our own English gloss, where we wrote one


@dataclass(frozen=True, slots=True)
class Exemption:
    """One row of the appendix 危险废物豁免管理清单 (exemption list).

    A row may name several codes, one whole category, or neither (wastes described
    only in words, e.g. household hazardous waste); it may exempt several stages,
    each with its own condition and content, which are kept as separate rows.
    """

    number: int  # 序号 in the list
    waste: str  # 危险废物 (name of the exempted waste)
    codes: tuple[str, ...]  # HW codes named in the 废物类别/代码 column (may be empty)
    categories: tuple[str, ...]  # whole categories named there ("HW34"), may be empty
    stage: str  # 豁免环节, e.g. "利用", "运输", "全部环节"
    conditions: str  # 豁免条件
    exempted: str  # 豁免内容 (what is exempted)
    label: str = ""  # a name printed in the code column instead of codes (历史遗留危险废物)


@dataclass(slots=True)
class HwListEdition:
    """A whole edition of the list as parsed from its published PDF."""

    edition: str  # "2021"
    codes: list[HwCode] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)
    categories: list[HwCategory] = field(default_factory=list)

"""Hazard characteristics (危险特性) of the National Hazardous Waste List.

The list (国家危险废物名录, 2021, 第五条) defines five: 毒性 Toxicity (T), 腐蚀性
Corrosivity (C), 易燃性 Ignitability (I), 反应性 Reactivity (R) and 感染性 Infectivity
(In). Its table writes them as ``T，I`` (fullwidth comma), ``T/C/I/R`` or ``T/In``; a
few entries put them in another order (``C，T``, ``R，T``), so the order found in the
text is kept rather than sorted. Pure Python, no I/O.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

__all__ = ["Hazard", "HazardInfo", "HAZARDS", "HAZARD_CODES", "parse_hazards", "format_hazards", "hazard"]


@dataclass(frozen=True, slots=True)
class HazardInfo:
    """One hazard characteristic: its code in the list and its names."""

    code: str  # "T"
    name_zh: str  # "毒性"
    name_en: str  # "Toxicity"


class Hazard(Enum):
    """The five hazard characteristics, in the order the list defines them."""

    T = HazardInfo("T", "毒性", "Toxicity")
    C = HazardInfo("C", "腐蚀性", "Corrosivity")
    I = HazardInfo("I", "易燃性", "Ignitability")  # noqa: E741 - the list's own letter
    R = HazardInfo("R", "反应性", "Reactivity")
    In = HazardInfo("In", "感染性", "Infectivity")

    @property
    def code(self) -> str:
        return self.value.code

    @property
    def name_zh(self) -> str:
        return self.value.name_zh

    @property
    def name_en(self) -> str:
        return self.value.name_en


HAZARDS: tuple[HazardInfo, ...] = tuple(h.value for h in Hazard)
HAZARD_CODES: tuple[str, ...] = tuple(h.code for h in HAZARDS)
_BY_CODE = {h.code: h for h in HAZARDS}
# Exact spelling is part of the list, but users type "in", "IN" or "t": fold case.
_BY_FOLDED = {h.code.casefold(): h.code for h in HAZARDS}

# Separators seen in the list and in user input: halfwidth/fullwidth comma,
# slash, ideographic comma (、), semicolons, plus signs and whitespace.
_SEP = re.compile(r"[,，/／、;；+＋\s]+")


def hazard(code: str) -> HazardInfo:
    """The :class:`HazardInfo` for ``code`` (``"T"``, ``"In"``, …); KeyError if unknown."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown hazard characteristic {code!r}; expected one of {', '.join(HAZARD_CODES)}") from None


def parse_hazards(text: str) -> tuple[str, ...]:
    """Parse a hazard cell such as ``"T，I"``, ``"T,I"``, ``"T/In"`` or ``"In"``.

    Returns the codes in the order given, spelled canonically (``"in"`` → ``"In"``).
    Raises ValueError naming the offending token for anything that is not one of
    T, C, I, R, In, for a repeated code, or for an empty text.
    """
    if text is None or not str(text).strip():
        raise ValueError("empty hazard characteristics")
    out: list[str] = []
    for token in _SEP.split(str(text).strip()):
        if not token:
            continue  # leading/trailing separators
        code = _BY_FOLDED.get(token.casefold())
        if code is None:
            raise ValueError(
                f"unknown hazard characteristic {token!r} in {text!r}; expected one of {', '.join(HAZARD_CODES)}"
            )
        if code in out:
            raise ValueError(f"hazard characteristic {token!r} repeated in {text!r}")
        out.append(code)
    if not out:
        raise ValueError(f"no hazard characteristic in {text!r}")
    return tuple(out)


def format_hazards(codes: tuple[str, ...] | list[str], sep: str = "/") -> str:
    """Join hazard codes for display: ``("T", "I")`` → ``"T/I"``."""
    return sep.join(codes)

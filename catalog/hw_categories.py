"""The 46 waste categories (废物类别) HW01–HW50 of the National Hazardous Waste List (2021).

Chinese names are those printed in the 废物类别 column of 国家危险废物名录（2021年版）;
the English names are our own translation. The numbering has gaps: HW41–HW44 were
dropped in earlier editions and were not reused, so 46 categories exist. Pure
Python, no I/O.
"""
from __future__ import annotations

import unicodedata

from .waste_codes import HW_CATEGORY_RE, HwCategory

__all__ = ["HW_CATEGORIES", "hw_category", "normalize_category", "is_hw_category"]

HW_CATEGORIES: tuple[HwCategory, ...] = (
    HwCategory("HW01", "医疗废物", "Medical waste"),
    HwCategory("HW02", "医药废物", "Pharmaceutical manufacturing waste"),
    HwCategory("HW03", "废药物、药品", "Discarded medicines and drugs"),
    HwCategory("HW04", "农药废物", "Pesticide waste"),
    HwCategory("HW05", "木材防腐剂废物", "Wood preservative waste"),
    HwCategory("HW06", "废有机溶剂与含有机溶剂废物", "Spent organic solvents and solvent-bearing waste"),
    HwCategory("HW07", "热处理含氰废物", "Cyanide-bearing heat-treatment waste"),
    HwCategory("HW08", "废矿物油与含矿物油废物", "Waste mineral oil and mineral-oil-bearing waste"),
    HwCategory("HW09", "油/水、烃/水混合物或乳化液", "Oil/water and hydrocarbon/water mixtures or emulsions"),
    HwCategory("HW10", "多氯（溴）联苯类废物", "Polychlorinated (polybrominated) biphenyl waste"),
    HwCategory("HW11", "精（蒸）馏残渣", "Distillation and rectification residues"),
    HwCategory("HW12", "染料、涂料废物", "Dye and paint waste"),
    HwCategory("HW13", "有机树脂类废物", "Organic resin waste"),
    HwCategory("HW14", "新化学物质废物", "Waste of new chemical substances"),
    HwCategory("HW15", "爆炸性废物", "Explosive waste"),
    HwCategory("HW16", "感光材料废物", "Photosensitive material waste"),
    HwCategory("HW17", "表面处理废物", "Surface treatment waste"),
    HwCategory("HW18", "焚烧处置残渣", "Incineration residues"),
    HwCategory("HW19", "含金属羰基化合物废物", "Metal carbonyl waste"),
    HwCategory("HW20", "含铍废物", "Beryllium-bearing waste"),
    HwCategory("HW21", "含铬废物", "Chromium-bearing waste"),
    HwCategory("HW22", "含铜废物", "Copper-bearing waste"),
    HwCategory("HW23", "含锌废物", "Zinc-bearing waste"),
    HwCategory("HW24", "含砷废物", "Arsenic-bearing waste"),
    HwCategory("HW25", "含硒废物", "Selenium-bearing waste"),
    HwCategory("HW26", "含镉废物", "Cadmium-bearing waste"),
    HwCategory("HW27", "含锑废物", "Antimony-bearing waste"),
    HwCategory("HW28", "含碲废物", "Tellurium-bearing waste"),
    HwCategory("HW29", "含汞废物", "Mercury-bearing waste"),
    HwCategory("HW30", "含铊废物", "Thallium-bearing waste"),
    HwCategory("HW31", "含铅废物", "Lead-bearing waste"),
    HwCategory("HW32", "无机氟化物废物", "Inorganic fluoride waste"),
    HwCategory("HW33", "无机氰化物废物", "Inorganic cyanide waste"),
    HwCategory("HW34", "废酸", "Spent acids"),
    HwCategory("HW35", "废碱", "Spent alkalis"),
    HwCategory("HW36", "石棉废物", "Asbestos waste"),
    HwCategory("HW37", "有机磷化合物废物", "Organophosphorus compound waste"),
    HwCategory("HW38", "有机氰化物废物", "Organic cyanide (nitrile) waste"),
    HwCategory("HW39", "含酚废物", "Phenol-bearing waste"),
    HwCategory("HW40", "含醚废物", "Ether-bearing waste"),
    HwCategory("HW45", "含有机卤化物废物", "Organohalogen compound waste"),
    HwCategory("HW46", "含镍废物", "Nickel-bearing waste"),
    HwCategory("HW47", "含钡废物", "Barium-bearing waste"),
    HwCategory("HW48", "有色金属采选和冶炼废物", "Non-ferrous metal mining and smelting waste"),
    HwCategory("HW49", "其他废物", "Other wastes"),
    HwCategory("HW50", "废催化剂", "Spent catalysts"),
)

_BY_CODE = {c.code: c for c in HW_CATEGORIES}


def normalize_category(code: str) -> str:
    """Fold user spellings to ``HWnn``: ``"hw8"``, ``"HW 08"``, ``"08"``, ``"８"`` → ``"HW08"``.

    Returns the input stripped and upper-cased when it cannot be read as a number,
    so that the caller's error message shows what was typed.
    """
    # NFKC folds the fullwidth digits and letters that Chinese input methods produce.
    text = unicodedata.normalize("NFKC", str(code or "")).strip().upper().replace(" ", "")
    digits = text[2:] if text.startswith("HW") else text
    if digits.isdigit() and 1 <= len(digits) <= 2:
        return f"HW{int(digits):02d}"
    return text


def is_hw_category(code: str) -> bool:
    """True if ``code`` names one of the 46 categories (after :func:`normalize_category`)."""
    return normalize_category(code) in _BY_CODE


def hw_category(code: str) -> HwCategory:
    """The category ``HWnn`` (spellings as in :func:`normalize_category`).

    Raises KeyError with a message naming the code, and saying whether it is
    malformed or a number the list does not use (HW41–HW44, > HW50).
    """
    key = normalize_category(code)
    try:
        return _BY_CODE[key]
    except KeyError:
        if not HW_CATEGORY_RE.match(key):
            raise KeyError(f"not an HW category code: {code!r} (expected HW01–HW50)") from None
        raise KeyError(f"no hazardous-waste category {key} in the 2021 list") from None

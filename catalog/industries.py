"""A small table of industry classes of GB/T 4754-2017《国民经济行业分类》.

Only the four-digit classes (小类) a park demo needs: refining, chemicals, pharma,
building materials, metals, surface treatment, batteries and electronics, power,
and the waste-management and repair trades that take wastes in. The first three
digits of a hazardous-waste code are the producing industry's group (中类) in the
same classification (``900`` meaning 非特定行业, "not industry-specific"), which is
why :func:`industries_in_group` exists. English names are ours. Pure Python, no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Industry", "INDUSTRIES", "SECTIONS", "industry", "industries_in_group", "section_of"]

# 门类 (sections) used by the classes below, with the two-digit divisions (大类) they span.
SECTIONS: dict[str, tuple[str, str, range]] = {
    "B": ("采矿业", "Mining", range(6, 13)),
    "C": ("制造业", "Manufacturing", range(13, 44)),
    "D": ("电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water supply", range(44, 47)),
    "N": ("水利、环境和公共设施管理业", "Water conservancy, environment and public facilities management", range(76, 80)),
    "O": ("居民服务、修理和其他服务业", "Resident services, repair and other services", range(80, 83)),
    "Q": ("卫生和社会工作", "Health and social work", range(84, 86)),
}


@dataclass(frozen=True, slots=True)
class Industry:
    """One four-digit industry class (小类) of GB/T 4754-2017."""

    code: str  # "2614"
    name_zh: str  # "有机化学原料制造"
    name_en: str  # "Manufacture of basic organic chemicals"

    @property
    def section(self) -> str:
        """门类 letter, ``"C"`` for manufacturing."""
        return section_of(self.code)

    @property
    def division(self) -> str:
        """大类, the first two digits."""
        return self.code[:2]

    @property
    def group(self) -> str:
        """中类, the first three digits (the industry part of an HW code)."""
        return self.code[:3]


INDUSTRIES: tuple[Industry, ...] = (
    Industry("0610", "烟煤和无烟煤开采洗选", "Bituminous coal and anthracite mining and washing"),
    Industry("1713", "棉印染精加工", "Cotton dyeing, printing and finishing"),
    Industry("1910", "皮革鞣制加工", "Leather tanning"),
    Industry("2221", "机制纸及纸板制造", "Machine-made paper and paperboard"),
    Industry("2511", "原油加工及石油制品制造", "Crude oil processing and petroleum products"),
    Industry("2521", "炼焦", "Coking"),
    Industry("2611", "无机酸制造", "Manufacture of inorganic acids"),
    Industry("2612", "无机碱制造", "Manufacture of inorganic alkalis"),
    Industry("2613", "无机盐制造", "Manufacture of inorganic salts"),
    Industry("2614", "有机化学原料制造", "Manufacture of basic organic chemicals"),
    Industry("2619", "其他基础化学原料制造", "Other basic chemical raw materials"),
    Industry("2621", "氮肥制造", "Nitrogen fertilisers"),
    Industry("2622", "磷肥制造", "Phosphate fertilisers"),
    Industry("2631", "化学农药制造", "Chemical pesticides"),
    Industry("2641", "涂料制造", "Paints and coatings"),
    Industry("2642", "油墨及类似产品制造", "Printing inks and similar products"),
    Industry("2645", "染料制造", "Dyes"),
    Industry("2651", "初级形态塑料及合成树脂制造", "Plastics in primary forms and synthetic resins"),
    Industry("2652", "合成橡胶制造", "Synthetic rubber"),
    Industry("2661", "化学试剂和助剂制造", "Chemical reagents and auxiliaries"),
    Industry("2662", "专项化学用品制造", "Special-purpose chemical products"),
    Industry("2710", "化学药品原料药制造", "Active pharmaceutical ingredients (chemical APIs)"),
    Industry("2720", "化学药品制剂制造", "Chemical pharmaceutical preparations"),
    Industry("2911", "轮胎制造", "Tyres"),
    Industry("3011", "水泥制造", "Cement"),
    Industry("3041", "平板玻璃制造", "Flat glass"),
    Industry("3110", "炼铁", "Ironmaking"),
    Industry("3120", "炼钢", "Steelmaking"),
    Industry("3130", "钢压延加工", "Steel rolling"),
    Industry("3140", "铁合金冶炼", "Ferro-alloy smelting"),
    Industry("3211", "铜冶炼", "Copper smelting"),
    Industry("3212", "铅锌冶炼", "Lead and zinc smelting"),
    Industry("3216", "铝冶炼", "Aluminium smelting"),
    Industry("3360", "金属表面处理及热处理加工", "Metal surface treatment and heat treatment"),
    Industry("3670", "汽车零部件及配件制造", "Motor vehicle parts and accessories"),
    Industry("3841", "锂离子电池制造", "Lithium-ion batteries"),
    Industry("3843", "铅蓄电池制造", "Lead-acid batteries"),
    Industry("3973", "集成电路制造", "Integrated circuits"),
    Industry("3982", "电子电路制造", "Printed circuit boards (electronic circuits)"),
    Industry("4210", "金属废料和碎屑加工处理", "Processing of metal scrap"),
    Industry("4220", "非金属废料和碎屑加工处理", "Processing of non-metal scrap"),
    Industry("4411", "火力发电", "Thermal power generation"),
    Industry("4412", "热电联产", "Combined heat and power"),
    Industry("4430", "热力生产和供应", "Heat production and supply"),
    Industry("4620", "污水处理及其再生利用", "Sewage treatment and water reclamation"),
    Industry("7723", "固体废物治理", "Solid waste treatment"),
    Industry("7724", "危险废物治理", "Hazardous waste treatment"),
    Industry("7820", "环境卫生管理", "Environmental sanitation"),
    Industry("8111", "汽车修理与维护", "Motor vehicle repair and maintenance"),
    Industry("8411", "综合医院", "General hospitals"),
)

_BY_CODE = {i.code: i for i in INDUSTRIES}


def section_of(code: str) -> str:
    """门类 letter of a class or division code (``"2614"`` → ``"C"``); KeyError outside the sections we use."""
    division = int(str(code)[:2])
    for letter, (_, _, divisions) in SECTIONS.items():
        if division in divisions:
            return letter
    raise KeyError(f"industry code {code!r} is outside the sections covered here ({', '.join(SECTIONS)})")


def industry(code: str) -> Industry:
    """The class for a four-digit code (``"3360"``); KeyError with a message if it is not in the table."""
    key = str(code or "").strip()
    try:
        return _BY_CODE[key]
    except KeyError:
        raise KeyError(f"industry class {code!r} is not in the built-in GB/T 4754-2017 table") from None


def industries_in_group(group: str) -> tuple[Industry, ...]:
    """Classes of a three-digit group, e.g. the industry part of HW code ``"261-…"`` → ``("2611", …)``."""
    return tuple(i for i in INDUSTRIES if i.code.startswith(str(group)))

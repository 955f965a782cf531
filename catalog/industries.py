"""A small table of industry classes of GB/T 4754-2017《国民经济行业分类》.

Only the four-digit classes (小类) a park needs to name its enterprises in Chinese:
refining, chemicals, pharma, building materials, metals, machinery, vehicles,
surface treatment, batteries and electronics, power, and the waste-management,
transport, testing, property and health services found in a park (every class the
demo park uses is here). The first three digits of a hazardous-waste code are the
producing industry's group (中类) in the same classification (``900`` meaning
非特定行业, "not industry-specific"), which is why :func:`industries_in_group` exists. English names are ours. Pure Python, no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Industry", "INDUSTRIES", "SECTIONS", "industry", "industries_in_group", "section_of"]

# 门类 (sections) used by the classes below, with the two-digit divisions (大类) they span.
SECTIONS: dict[str, tuple[str, str, range]] = {
    "B": ("采矿业", "Mining", range(6, 13)),
    "C": ("制造业", "Manufacturing", range(13, 44)),
    "D": ("电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water supply", range(44, 47)),
    "G": ("交通运输、仓储和邮政业", "Transport, storage and post", range(53, 61)),
    "K": ("房地产业", "Real estate", range(70, 71)),
    "M": ("科学研究和技术服务业", "Scientific research and technical services", range(73, 76)),
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
    Industry("1329", "其他饲料加工", "Other feed processing"),
    Industry("1513", "啤酒制造", "Beer"),
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
    Industry("2666", "环境污染处理专用药剂材料制造", "Chemicals and materials for pollution treatment"),
    Industry("2710", "化学药品原料药制造", "Active pharmaceutical ingredients (chemical APIs)"),
    Industry("2720", "化学药品制剂制造", "Chemical pharmaceutical preparations"),
    Industry("2761", "生物药品制造", "Biological medicines"),
    Industry("2911", "轮胎制造", "Tyres"),
    Industry("2929", "塑料零件及其他塑料制品制造", "Plastic parts and other plastic products"),
    Industry("3011", "水泥制造", "Cement"),
    Industry("3021", "水泥制品制造", "Cement products"),
    Industry("3024", "轻质建筑材料制造", "Lightweight building materials"),
    Industry("3041", "平板玻璃制造", "Flat glass"),
    Industry("3110", "炼铁", "Ironmaking"),
    Industry("3120", "炼钢", "Steelmaking"),
    Industry("3130", "钢压延加工", "Steel rolling"),
    Industry("3140", "铁合金冶炼", "Ferro-alloy smelting"),
    Industry("3211", "铜冶炼", "Copper smelting"),
    Industry("3212", "铅锌冶炼", "Lead and zinc smelting"),
    Industry("3216", "铝冶炼", "Aluminium smelting"),
    Industry("3229", "其他贵金属冶炼", "Other precious metal smelting"),
    Industry("3360", "金属表面处理及热处理加工", "Metal surface treatment and heat treatment"),
    Industry("3391", "黑色金属铸造", "Ferrous metal casting"),
    Industry("3421", "金属切削机床制造", "Metal-cutting machine tools"),
    Industry("3444", "液压动力机械及元件制造", "Hydraulic power machinery and components"),
    Industry("3451", "滚动轴承制造", "Rolling bearings"),
    Industry("3584", "医疗、外科及兽医用器械制造", "Medical, surgical and veterinary instruments"),
    Industry("3612", "新能源车整车制造", "New energy vehicles"),
    Industry("3620", "汽车用发动机制造", "Motor vehicle engines"),
    Industry("3670", "汽车零部件及配件制造", "Motor vehicle parts and accessories"),
    Industry("3825", "光伏设备及元器件制造", "Photovoltaic equipment and components"),
    Industry("3841", "锂离子电池制造", "Lithium-ion batteries"),
    Industry("3843", "铅蓄电池制造", "Lead-acid batteries"),
    Industry("3911", "计算机整机制造", "Computers"),
    Industry("3973", "集成电路制造", "Integrated circuits"),
    Industry("3974", "显示器件制造", "Display devices"),
    Industry("3982", "电子电路制造", "Printed circuit boards (electronic circuits)"),
    Industry("4210", "金属废料和碎屑加工处理", "Processing of metal scrap"),
    Industry("4220", "非金属废料和碎屑加工处理", "Processing of non-metal scrap"),
    Industry("4411", "火力发电", "Thermal power generation"),
    Industry("4412", "热电联产", "Combined heat and power"),
    Industry("4415", "风力发电", "Wind power generation"),
    Industry("4430", "热力生产和供应", "Heat production and supply"),
    Industry("4620", "污水处理及其再生利用", "Sewage treatment and water reclamation"),
    Industry("5431", "普通货物道路运输", "General freight road transport"),
    Industry("7020", "物业管理", "Property management"),
    Industry("7452", "检测服务", "Testing services"),
    Industry("7723", "固体废物治理", "Solid waste treatment"),
    Industry("7724", "危险废物治理", "Hazardous waste treatment"),
    Industry("7820", "环境卫生管理", "Environmental sanitation"),
    Industry("8111", "汽车修理与维护", "Motor vehicle repair and maintenance"),
    Industry("8411", "综合医院", "General hospitals"),
    Industry("8425", "门诊部（所）", "Outpatient clinics"),
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

"""A curated, machine-readable subset of the 2021 exemption list (危险废物豁免管理清单).

The appendix of 国家危险废物名录（2021年版） lets named wastes, in named stages (收集,
运输, 利用, 处置, 全部环节) and under named conditions, be managed other than as
hazardous waste. For the matcher the question is narrower: *may this HW offer go to
this receiver without an HW business licence?* (rule ``hw_licence``). Only entries
whose stage is 利用 (utilisation) or 处置 (disposal) at the receiver can answer yes;
an entry for 运输 (transport) changes how the waste travels, never what licence the
receiver needs, so such entries are kept here only to be *shown*.

Each :class:`ExemptionRule` is written by us from the facts of one row (or one
condition of a row) of the list: its number (序号), the codes or categories it names,
the stage, the need purposes and receiver industries (GB/T 4754-2017 class prefixes)
that fit its condition, and the parts of the condition that can be checked from a
listing (physical form, words in the title, declared composition, reactivity groups).
What cannot be checked from data (HJ/GB standards met, bales pressed, drums open,
the plant's own discharge standard) stays in ``conditions_zh``/``conditions_en``:
a lifted arc is always *flagged* by the soft ``exemption`` check so that the
coordinator verifies it. When a condition is in doubt we do not lift (the product's
rule: a hard check is never traded; when in doubt, block and say why).

Not encoded, on purpose (so they never lift the licence requirement here):
* entries 1, 24, 25, 26 (household waste not collected separately, unsorted oily rags,
  environmental emergencies, historical waste): they depend on the waste's origin or
  on a government plan that no listing states;
* entries 2–5 and 13 (medical waste, also after treatment): the matcher's
  ``medical_waste`` rule keeps HW01 with licensed disposal regardless;
* entry 6 (pesticide packaging): needs a receiver designated under the 农药包装废弃物
  回收处理管理办法, which no listing states;
* entries 11, 14, 15 (resin powder to landfill, metal from HW incineration, culture-
  medium residues): rare between park enterprises; left to point-to-point approvals;
* transport-only entries other than 18 and 29 (7, 27, 28, 30, 31): they would only be
  shown, never applied;
* entry 32 (点对点 point-to-point utilisation): not a list entry the matcher can apply
  by itself; it is a provincial approval, registered as
  :class:`matching.problem.PointToPointApproval` and applied pair by pair by the rules.

The official text is parsed by :func:`catalog.hw_list_pdf.parse_hw_list_pdf`; the
tests compare each rule here with the parsed row of the same number (codes and stage).
Pure Python, no I/O.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from catalog.chemistry import element_content
from catalog.reactivity import ACID, ALKALI

__all__ = [
    "ExemptionRule", "EXEMPTION_RULES", "LIFTING_RULES", "TRANSPORT_RULES",
    "rules_naming", "offer_qualifies", "receiver_qualifies", "describe", "SMELTING", "MANUFACTURING",
]

# GB/T 4754-2017 class prefixes. 金属冶炼 (metal smelting): ironmaking 3110, steelmaking
# 3120, ferro-alloys 3140, non-ferrous smelting 321–324 (not rolling, 3130 / 325).
SMELTING: tuple[str, ...] = ("3110", "3120", "3140", "321", "322", "323", "324")
# 制造业 (manufacturing), divisions 13–43: "作为生产原料综合利用" means a producer.
MANUFACTURING: tuple[str, ...] = tuple(f"{d:02d}" for d in range(13, 44))
CEMENT_KILN: tuple[str, ...] = ("3011",)  # 水泥制造: cement kiln co-processing
LANDFILL: tuple[str, ...] = ("7820",)  # 环境卫生管理: operates 生活垃圾填埋场 (domestic landfills)
WASTEWATER_PLANT: tuple[str, ...] = ("4620",)  # 污水处理及其再生利用

UTILISE = frozenset({"reuse", "recycle"})
DISPOSE = frozenset({"dispose"})
CO_PROCESS = frozenset({"co_process", "dispose"})  # cement kilns: 协同处置 is a disposal route

MG_PER_L_AS_FRACTION = 1e-6 / 2
"""A concentration limit (mg/L) as a mass-fraction limit, assuming density ≤ 2 kg/L.

Spent acids and alkalis are denser than water (up to ~1.8 kg/L), so dividing by 2 keeps
a fraction at the threshold below the concentration limit: conservative."""


def _limits(mg_per_l: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    # A tuple of pairs, not a dict, so that rules stay hashable.
    return tuple((cas, v * MG_PER_L_AS_FRACTION) for cas, v in mg_per_l.items())


# GB 5085.3-2007 浸出毒性鉴别 limits (mg/L) for the inorganic characteristic pollutants and
# benzo[a]pyrene, by the element's CAS number (hydrofluoric acid counted as fluoride).
_GB5085_3 = {
    "7440-50-8": 100, "7440-66-6": 100, "7440-43-9": 1, "7439-92-1": 5, "7440-47-3": 15,
    "18540-29-9": 5, "7439-97-6": 0.1, "7440-41-7": 0.02, "7440-39-3": 100, "7440-02-0": 5,
    "7440-22-4": 5, "7440-38-2": 5, "7782-49-2": 1, "16984-48-8": 100, "7664-39-3": 100,
    "57-12-5": 5, "50-32-8": 0.0003,
}
# 第一类污染物 (GB 8978-1996 table 1): the condition is "below the plant's discharge
# standard", which we cannot know; we use the stricter of GB 8978 table 1 and the
# GB 18918-2002 class 1A values as a conservative proxy, and flag the arc.
_FIRST_CLASS = {
    "7439-97-6": 0.001, "7440-43-9": 0.01, "7440-47-3": 0.1, "18540-29-9": 0.05, "7440-38-2": 0.1,
    "7439-92-1": 0.1, "7440-02-0": 0.05, "7440-41-7": 0.002, "7440-22-4": 0.1, "50-32-8": 0.00003,
}
# "只具有腐蚀性": not toxic by GB 5085.3, i.e. below its limits.
ONLY_CORROSIVE_LIMITS = _limits(_GB5085_3)
# As a neutraliser: first-class pollutants below the plant standard (proxy above), the
# other GB 5085.3 pollutants below a tenth of its limits.
NEUTRALISER_LIMITS = _limits({cas: (_FIRST_CLASS[cas] if cas in _FIRST_CLASS else v / 10)
                              for cas, v in _GB5085_3.items()})


@dataclass(frozen=True, slots=True)
class ExemptionRule:
    """One condition of one row of the exemption list, in a form the matcher can apply.

    ``lifts_licence`` is False for transport-stage rows: they are shown, never applied.
    Offer predicates: the code is named (``codes``) or its category is (``categories``);
    ``forms`` (None = any) holds the offer's form; one of ``keywords`` (if any) occurs in
    its title or description; every declared fraction in ``max_fractions`` is at or
    below its limit; its reactivity groups are a subset of ``allowed_groups`` (None = any).
    Receiver predicates: the need's purpose is in ``purposes`` and the receiving
    enterprise's industry class starts with one of ``receiver_industries``.
    """

    number: int  # 序号 in the 2021 list
    key: str  # stable id, e.g. "20-acid-raw-material"
    name_zh: str
    name_en: str
    stage: str  # "utilise" | "dispose" | "transport"
    stage_zh: str  # 利用 | 处置 | 运输
    conditions_zh: str
    conditions_en: str
    codes: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    lifts_licence: bool = True
    purposes: frozenset[str] = frozenset()
    receiver_industries: tuple[str, ...] = ()
    receiver_zh: str = ""  # who may receive, in words
    forms: frozenset[str] | None = None
    keywords: tuple[str, ...] = ()
    max_fractions: tuple[tuple[str, float], ...] = ()  # (CAS, max mass fraction)
    allowed_groups: int | None = None

    def names_code(self, waste_code: str | None) -> bool:
        """True if the row names ``waste_code`` or its category."""
        if not waste_code:
            return False
        return waste_code in self.codes or f"HW{waste_code[-2:]}" in self.categories

    def label(self) -> str:
        """``"豁免清单第20项（利用）/ exemption list no. 20 (utilise)"``."""
        return f"豁免清单第{self.number}项（{self.stage_zh}）/ exemption list no. {self.number} ({self.stage})"


EXEMPTION_RULES: tuple[ExemptionRule, ...] = (
    ExemptionRule(
        8, "08-oil-drums-smelting", "废铁质油桶用于金属冶炼", "Waste steel oil drums to metal smelting",
        "utilise", "利用",
        "封口处于打开状态、静置无滴漏且经打包压块后用于金属冶炼（不包括900-041-49类）",
        "open-ended, no dripping when standing, baled, and used for metal smelting (not 900-041-49)",
        codes=frozenset({"900-249-08"}), purposes=UTILISE, receiver_industries=SMELTING,
        receiver_zh="金属冶炼企业 / metal smelter",
        # 900-249-08 is also the code of the waste oil itself: only solid drums qualify.
        forms=frozenset({"solid"}), keywords=("桶", "drum", "barrel"),
    ),
    ExemptionRule(
        9, "09-oily-swarf-smelting", "含油金属屑用于金属冶炼", "Oily metal swarf to metal smelting",
        "utilise", "利用",
        "经压榨、压滤、过滤除油达到静置无滴漏后打包压块用于金属冶炼",
        "de-oiled by pressing or filtering until no dripping, baled, and used for metal smelting",
        codes=frozenset({"900-200-08", "900-006-09"}), purposes=UTILISE, receiver_industries=SMELTING,
        receiver_zh="金属冶炼企业 / metal smelter",
        # Both codes also cover oils, sludges and emulsions: only solid swarf qualifies.
        forms=frozenset({"solid"}), keywords=("屑", "swarf", "chip", "turning", "shaving"),
    ),
    ExemptionRule(
        10, "10-coal-tar-feedstock", "煤焦油作为原料利用", "Coal tar as feedstock",
        "utilise", "利用",
        "高温煤焦油（满足YB/T 5075）深加工制取萘、洗油、蒽油，或作粘合剂生产炭素制品；中低温煤焦油加氢生产"
        "符合HG/T 5146的煤基氢化油；或生产炭黑",
        "high-temperature coal tar meeting YB/T 5075 refined to naphthalene, wash oil, anthracene oil, or used "
        "as binder for carbon products; low/medium-temperature tar hydrogenated to coal-based oil meeting "
        "HG/T 5146; or carbon black production",
        codes=frozenset({"252-002-11", "252-017-11", "451-003-11"}), purposes=UTILISE,
        # 252 煤炭加工 (coal-tar refining, hydrogenation), 2619 其他基础化学原料 (carbon black),
        # 3091 石墨及碳素制品 (binder for carbon blocks and electrodes).
        receiver_industries=("252", "2619", "3091"),
        receiver_zh="煤焦油深加工、加氢、炭黑或炭素制品企业 / tar refiner, hydrogenation, carbon black or carbon plant",
        # The codes also cover tar residues (焦油渣): only liquid tar qualifies.
        forms=frozenset({"liquid"}), keywords=("焦油", "tar"),
    ),
    ExemptionRule(
        12, "12-msw-fly-ash-landfill", "生活垃圾焚烧飞灰填埋", "MSW incineration fly ash to a domestic landfill",
        "dispose", "处置",
        "经处理后满足《生活垃圾填埋场污染控制标准》（GB 16889）要求进入生活垃圾填埋场填埋",
        "treated to meet GB 16889 and landfilled at a domestic-waste landfill",
        codes=frozenset({"772-002-18"}), purposes=DISPOSE, receiver_industries=LANDFILL,
        receiver_zh="生活垃圾填埋场 / domestic-waste landfill",
        forms=frozenset({"solid", "powder"}),
    ),
    ExemptionRule(
        12, "12-msw-fly-ash-cement-kiln", "生活垃圾焚烧飞灰水泥窑协同处置",
        "MSW incineration fly ash to cement-kiln co-processing",
        "dispose", "处置",
        "满足《水泥窑协同处置固体废物污染控制标准》（GB 30485）和HJ 662要求进入水泥窑协同处置",
        "co-processed in a cement kiln meeting GB 30485 and HJ 662",
        codes=frozenset({"772-002-18"}), purposes=CO_PROCESS, receiver_industries=CEMENT_KILN,
        receiver_zh="水泥窑 / cement kiln", forms=frozenset({"solid", "powder"}),
    ),
    ExemptionRule(
        16, "16-chrome-leather-reuse", "含铬皮革废碎料生产皮件、再生革", "Chrome leather scraps to leather goods",
        "utilise", "利用",
        "用于生产皮件、再生革或静电植绒",
        "used to make leather goods, recycled leather or electrostatic flocking",
        codes=frozenset({"193-002-21"}), purposes=UTILISE,
        # 19 皮革、毛皮、羽毛及其制品和制鞋业. Flocking plants sit in textile classes we cannot
        # name with certainty: not recognised here (they need a licence or an approval).
        receiver_industries=("19",), receiver_zh="皮革制品、再生革企业 / leather goods or recycled-leather maker",
        forms=frozenset({"solid"}),
    ),
    ExemptionRule(
        17, "17-chromium-slag-sintering", "铬渣用于烧结炼铁", "Chromium slag to sinter for ironmaking",
        "utilise", "利用",
        "满足《铬渣污染治理环境保护技术规范（暂行）》（HJ/T 301）要求用于烧结炼铁",
        "used in sintering for ironmaking as required by HJ/T 301",
        codes=frozenset({"261-041-21"}), purposes=UTILISE, receiver_industries=("3110",),
        receiver_zh="炼铁企业 / ironworks", forms=frozenset({"solid", "powder"}),
    ),
    ExemptionRule(
        19, "19-cyanide-tailings-cement-kiln", "黄金氰化尾渣水泥窑协同处置", "Gold cyanidation tailings to a cement kiln",
        "dispose", "处置",
        "满足《黄金行业氰渣污染控制技术规范》（HJ 943）要求进入水泥窑协同处置",
        "co-processed in a cement kiln as required by HJ 943",
        codes=frozenset({"092-003-33"}), purposes=CO_PROCESS, receiver_industries=CEMENT_KILN,
        receiver_zh="水泥窑 / cement kiln", forms=frozenset({"solid", "powder", "sludge", "paste"}),
    ),
    ExemptionRule(
        20, "20-acid-raw-material", "仅具腐蚀性的废酸作为生产原料", "Spent acid with corrosivity only, as raw material",
        "utilise", "利用",
        "仅具有腐蚀性危险特性的废酸，作为生产原料综合利用",
        "spent acid whose only hazard characteristic is corrosivity, used as a production raw material",
        categories=frozenset({"HW34"}), purposes=UTILISE, receiver_industries=MANUFACTURING,
        receiver_zh="制造业企业 / manufacturer",
        max_fractions=ONLY_CORROSIVE_LIMITS, allowed_groups=ACID,
    ),
    ExemptionRule(
        20, "20-acid-neutraliser", "仅具腐蚀性的废酸作为污水处理中和剂", "Spent acid as neutraliser in a wastewater plant",
        "utilise", "利用",
        "仅具有腐蚀性危险特性的废酸，作为工业污水处理厂污水处理中和剂利用；第一类污染物含量低于该污水处理厂排放标准，"
        "其他GB 5085.3所列特征污染物含量低于GB 5085.3限值的1/10",
        "spent acid with corrosivity only, used as neutraliser in an industrial wastewater plant; first-class "
        "pollutants below the plant's discharge standard, other GB 5085.3 pollutants below 1/10 of its limits",
        categories=frozenset({"HW34"}), purposes=UTILISE, receiver_industries=WASTEWATER_PLANT,
        receiver_zh="工业污水处理厂 / industrial wastewater plant",
        max_fractions=NEUTRALISER_LIMITS, allowed_groups=ACID,
    ),
    ExemptionRule(
        21, "21-alkali-raw-material", "仅具腐蚀性的废碱作为生产原料", "Spent alkali with corrosivity only, as raw material",
        "utilise", "利用",
        "仅具有腐蚀性危险特性的废碱，作为生产原料综合利用",
        "spent alkali whose only hazard characteristic is corrosivity, used as a production raw material",
        categories=frozenset({"HW35"}), purposes=UTILISE, receiver_industries=MANUFACTURING,
        receiver_zh="制造业企业 / manufacturer",
        max_fractions=ONLY_CORROSIVE_LIMITS, allowed_groups=ALKALI,
    ),
    ExemptionRule(
        21, "21-alkali-neutraliser", "仅具腐蚀性的废碱作为污水处理中和剂", "Spent alkali as neutraliser in a wastewater plant",
        "utilise", "利用",
        "仅具有腐蚀性危险特性的废碱，作为工业污水处理厂污水处理中和剂利用；按HJ/T 299制取的浸出液中第一类污染物"
        "含量低于该污水处理厂排放标准，其他GB 5085.3所列特征污染物低于GB 5085.3限值的1/10",
        "spent alkali with corrosivity only, used as neutraliser in an industrial wastewater plant; in the "
        "HJ/T 299 leachate, first-class pollutants below the plant's standard, other GB 5085.3 pollutants "
        "below 1/10 of its limits",
        categories=frozenset({"HW35"}), purposes=UTILISE, receiver_industries=WASTEWATER_PLANT,
        receiver_zh="工业污水处理厂 / industrial wastewater plant",
        max_fractions=NEUTRALISER_LIMITS, allowed_groups=ALKALI,
    ),
    ExemptionRule(
        22, "22-aluminium-dross-recovery", "铝灰渣和二次铝灰回收金属铝", "Aluminium dross: recovery of metallic aluminium",
        "utilise", "利用",
        "回收金属铝", "used to recover metallic aluminium",
        codes=frozenset({"321-024-48", "321-026-48"}), purposes=UTILISE,
        # 3216 铝冶炼 (incl. secondary aluminium), 4210 金属废料和碎屑加工处理.
        receiver_industries=("3216", "4210"), receiver_zh="铝冶炼或金属废料加工企业 / aluminium smelter or scrap processor",
        forms=frozenset({"solid", "powder"}),
    ),
    ExemptionRule(
        23, "23-tungsten-slag-cement-kiln", "钨渣水泥窑协同处置", "Tungsten slag to cement-kiln co-processing",
        "dispose", "处置",
        "满足《水泥窑协同处置固体废物污染控制标准》（GB 30485）和HJ 662要求进入水泥窑协同处置",
        "co-processed in a cement kiln meeting GB 30485 and HJ 662",
        codes=frozenset({"323-001-48"}), purposes=CO_PROCESS, receiver_industries=CEMENT_KILN,
        receiver_zh="水泥窑 / cement kiln", forms=frozenset({"solid", "powder", "sludge", "paste"}),
    ),
    # --- transport-stage rows: shown, never lift the receiver's licence requirement ---
    ExemptionRule(
        18, "18-lead-acid-batteries-transport", "未破损的废铅蓄电池运输", "Intact waste lead-acid batteries: transport",
        "transport", "运输",
        "运输工具满足防雨、防渗漏、防遗撒要求；不按危险废物进行运输（接收单位仍须持证）",
        "vehicles rain-, leak- and spill-proof; not transported as HW (the receiver still needs a licence)",
        codes=frozenset({"900-052-31"}), lifts_licence=False,
    ),
    ExemptionRule(
        29, "29-scr-catalyst-transport", "废钒钛系脱硝催化剂运输", "Spent V-Ti SCR catalyst: transport",
        "transport", "运输",
        "运输工具满足防雨、防渗漏、防遗撒要求；不按危险废物进行运输（接收单位仍须持证）",
        "vehicles rain-, leak- and spill-proof; not transported as HW (the receiver still needs a licence)",
        codes=frozenset({"772-007-50"}), lifts_licence=False,
    ),
)

assert len(EXEMPTION_RULES) < 63, "exemption masks are int64 bitmasks"
LIFTING_RULES: tuple[int, ...] = tuple(i for i, r in enumerate(EXEMPTION_RULES) if r.lifts_licence)
TRANSPORT_RULES: tuple[int, ...] = tuple(i for i, r in enumerate(EXEMPTION_RULES) if not r.lifts_licence)


def rules_naming(waste_code: str | None) -> list[int]:
    """Indices of the rules whose row names ``waste_code`` (or its category)."""
    return [i for i, r in enumerate(EXEMPTION_RULES) if r.names_code(waste_code)]


def offer_qualifies(rule: ExemptionRule, waste_code: str | None, form: str, composition: Mapping[str, float],
                    text: str, groups: int) -> tuple[bool, str]:
    """Whether an offer meets the rule's offer-side predicates, and if not, why (English, short).

    ``text`` is the offer's title, Chinese title and description; ``groups`` its
    reactivity-group mask (:func:`catalog.reactivity.groups_of`).
    """
    if not rule.names_code(waste_code):
        return False, f"does not name {waste_code}"
    if rule.forms is not None and form not in rule.forms:
        return False, f"form {form} not in {'/'.join(sorted(rule.forms))}"
    if rule.keywords:
        folded = text.casefold()
        if not any(k.casefold() in folded for k in rule.keywords):
            return False, f"title/description does not mention {' / '.join(rule.keywords)}"
    for cas, limit in rule.max_fractions:
        # Limits are written for the element: count it in its salts and oxides too.
        value = max(composition.get(cas, 0.0), element_content(dict(composition), cas))
        if value > limit:
            return False, f"{cas} at {value:.3g} above {limit:.3g}"
    if rule.allowed_groups is not None and groups & ~rule.allowed_groups:
        return False, "holds reactive components beyond corrosivity"
    return True, ""


def receiver_qualifies(rule: ExemptionRule, purpose: str, industry: str | None) -> tuple[bool, str]:
    """Whether a need (purpose, receiver's industry class) fits the rule's receiver condition."""
    if not rule.lifts_licence:
        return False, "transport stage only"
    if purpose not in rule.purposes:
        return False, f"purpose {purpose} not in {'/'.join(sorted(rule.purposes))}"
    if not industry or not any(str(industry).startswith(p) for p in rule.receiver_industries):
        return False, f"receiver industry {industry or 'unknown'} is not {rule.receiver_zh}"
    return True, ""


def describe(indices: Iterable[int]) -> str:
    """Labels of several rules, joined."""
    return "; ".join(EXEMPTION_RULES[i].label() for i in indices)

"""Controlled substances: Stockholm POPs, China's key new pollutants, China's priority chemicals.

Three lists are merged into one table of :class:`ControlledSubstance` records keyed by
CAS number, so that a waste composition (component CAS + mass fraction) can be
checked in one pass:

* ``"stockholm"`` — the Stockholm Convention on Persistent Organic Pollutants
  (《关于持久性有机污染物的斯德哥尔摩公约》), Annex A (elimination), B (restriction),
  C (unintentional production), with the year of the COP decision that listed each
  substance (2001 for the original twelve).
* ``"cn_new_pollutants_2023"`` — 《重点管控新污染物清单（2023年版）》 (MEE order No. 28,
  in force 2023-03-01): 14 entries; entry 14 (已淘汰类) groups ten substances, kept
  here as ten records carrying ``cn_item=14``.
* ``"cn_priority_1"`` / ``"cn_priority_2"`` — 《优先控制化学品名录》 first batch (2017,
  PC001–PC022) and second batch (2020). Only second-batch substances we could confirm
  are included (see ``CN_PRIORITY_2_NOTE``).

Threshold for the matcher rule ``pops_destruction_only``: ``threshold_fraction`` is the
mass fraction at or above which a waste counts as *containing* the substance and
must go to destruction (dispose), never to reuse. For POPs it is the low POP content
limit of the EU POPs Regulation (EU) 2019/1021 Annex IV as amended by Regulation
(EU) 2022/2400, which is close to the provisional values in the Basel Convention
technical guidelines; ``threshold_source`` names the source of each value. Where no
such limit is known to us we use ``DEFAULT_THRESHOLD`` (50 mg/kg, the most common
Annex IV value: conservative because smaller than most other limits), or an
analogy that is stated in ``threshold_source``. Limits written for a *sum* of
substances (PBDEs) carry the same ``sum_group`` so that
:func:`destruction_required_for_composition` can add them up.

Pure Python, no I/O. Every CAS number here passes the check digit (tested).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .cas import normalize_cas

__all__ = [
    "ControlledSubstance",
    "CONTROLLED_SUBSTANCES",
    "LISTS",
    "DEFAULT_THRESHOLD",
    "MG_PER_KG",
    "CN_PRIORITY_2_NOTE",
    "controlled_by_cas",
    "controlled_by_key",
    "resolve_controlled",
    "controlled_by_name",
    "abbreviations",
    "is_pop",
    "destruction_required",
    "destruction_required_for_composition",
    "substances_in_list",
]

LISTS: tuple[str, ...] = ("stockholm", "cn_new_pollutants_2023", "cn_priority_1", "cn_priority_2")
MG_PER_KG = 1e-6  # 1 mg/kg as a mass fraction
# Divide rather than multiply by MG_PER_KG so that 50 mg/kg is exactly 5e-05.
DEFAULT_THRESHOLD = 50 / 1e6

# Sources of thresholds, referenced from the records.
_EU = "EU POPs Regulation (EU) 2019/1021 Annex IV"
_EU22 = "EU POPs Regulation (EU) 2019/1021 Annex IV as amended by (EU) 2022/2400"
_DEFAULT = "no low-POP-content limit known to us: conservative default 50 mg/kg"

CN_PRIORITY_2_NOTE = (
    "The second batch (2020) lists 18 substances or groups; only those confirmed from a published "
    "summary of the notice (benzene, o-toluidine, PFOA, PCDD/PCDF, PAHs such as benzo[a]pyrene, "
    "thallium and its compounds) are tagged cn_priority_2 here."
)


@dataclass(frozen=True, slots=True)
class ControlledSubstance:
    """A substance or group under one or more control lists.

    ``cas`` holds the CAS numbers that identify the entry, the representative one
    first; it may be empty for a class without CAS numbers (antibiotics).
    ``measure`` is ``"ban"`` (禁止), ``"restrict"`` (限制) or ``"limit_emission"``
    (限排), the strictest that applies in China where the entry is on a Chinese
    list, otherwise the Stockholm one (Annex A → ban, B → restrict, C → limit_emission).
    """

    key: str  # stable identifier, e.g. "pfos"
    cas: tuple[str, ...]
    name_zh: str
    name_en: str
    lists: tuple[str, ...]  # subset of LISTS
    measure: str  # "ban" | "restrict" | "limit_emission"
    measure_zh: str  # 管控措施, summarised
    allowed: str = ""  # acceptable purposes / specific exemptions, summarised ("" = none)
    threshold_fraction: float | None = None  # mass fraction; None = no content threshold
    threshold_source: str = ""
    destruction_only: bool = False  # waste above the threshold may only be destroyed
    stockholm_annexes: tuple[str, ...] = ()  # ("A",), ("A", "C"), ("B",), ("C",)
    stockholm_year: int | None = None  # year of the COP decision that listed it
    cn_item: int | None = None  # entry number 1–14 in 重点管控新污染物清单（2023年版）
    cn_priority_id: str | None = None  # "PC015" (first batch numbers only)
    sum_group: str | None = None  # entries whose threshold applies to their sum
    note: str = ""

    @property
    def is_pop(self) -> bool:
        """True if listed under the Stockholm Convention."""
        return "stockholm" in self.lists


def _pop(key, cas, zh, en, annexes, year, threshold_mg_kg, source, *, cn_item=None, prio=None,
         lists_extra=(), measure=None, measure_zh=None, allowed="", sum_group=None, note=""):
    # Most records are POPs; this keeps the table below readable.
    lists = ("stockholm",) + (("cn_new_pollutants_2023",) if cn_item else ()) + tuple(lists_extra)
    if measure is None:
        measure = "ban" if "A" in annexes else "restrict" if "B" in annexes else "limit_emission"
    if measure_zh is None:
        measure_zh = {
            "ban": "禁止生产、加工使用和进出口",
            "restrict": "限制生产和使用",
            "limit_emission": "减少或消除无意排放（限排）",
        }[measure]
    return ControlledSubstance(
        key=key, cas=tuple(cas), name_zh=zh, name_en=en, lists=lists, measure=measure, measure_zh=measure_zh,
        allowed=allowed, threshold_fraction=threshold_mg_kg / 1e6, threshold_source=source,
        destruction_only=True, stockholm_annexes=tuple(annexes), stockholm_year=year, cn_item=cn_item,
        cn_priority_id=prio, sum_group=sum_group, note=note,
    )


def _cn(key, cas, zh, en, lists, measure, measure_zh, *, cn_item=None, prio=None, allowed="", note=""):
    # Chinese-list substances that are not POPs: managed by use restrictions and
    # emission limits, not by a destruction-only rule, hence no threshold.
    return ControlledSubstance(
        key=key, cas=tuple(cas), name_zh=zh, name_en=en, lists=tuple(lists), measure=measure,
        measure_zh=measure_zh, allowed=allowed, cn_item=cn_item, cn_priority_id=prio, note=note,
    )


_P1 = ("cn_priority_1",)
_P2 = ("cn_priority_2",)
_PRIORITY_ZH = "优先控制：依法采取风险管控措施（排污许可、清洁生产审核、限制使用等）"
_PHASED_OUT = "禁止生产、加工使用和进出口（已淘汰类）"

CONTROLLED_SUBSTANCES: tuple[ControlledSubstance, ...] = (
    # --- The original twelve (Stockholm, 2001) ---------------------------------
    _pop("aldrin", ["309-00-2"], "艾氏剂", "Aldrin", ("A",), 2001, 50, _EU),
    _pop("chlordane", ["57-74-9", "12789-03-6"], "氯丹", "Chlordane", ("A",), 2001, 50, _EU,
         cn_item=14, measure_zh=_PHASED_OUT),
    _pop("dieldrin", ["60-57-1"], "狄氏剂", "Dieldrin", ("A",), 2001, 50, _EU),
    _pop("endrin", ["72-20-8"], "异狄氏剂", "Endrin", ("A",), 2001, 50, _EU),
    _pop("heptachlor", ["76-44-8"], "七氯", "Heptachlor", ("A",), 2001, 50, _EU),
    _pop("hcb", ["118-74-1"], "六氯苯", "Hexachlorobenzene (HCB)", ("A", "C"), 2001, 50, _EU,
         cn_item=14, measure_zh=_PHASED_OUT),
    _pop("mirex", ["2385-85-5"], "灭蚁灵", "Mirex", ("A",), 2001, 50, _EU, cn_item=14, measure_zh=_PHASED_OUT),
    _pop("toxaphene", ["8001-35-2"], "毒杀芬", "Toxaphene", ("A",), 2001, 50, _EU),
    _pop("pcbs", ["1336-36-3"], "多氯联苯", "Polychlorinated biphenyls (PCBs)", ("A", "C"), 2001, 50, _EU,
         cn_item=14, measure_zh=_PHASED_OUT,
         note="1336-36-3 is the generic CAS number for PCB mixtures; individual congeners have their own."),
    _pop("ddt", ["50-29-3"], "滴滴涕", "DDT (1,1,1-trichloro-2,2-bis(4-chlorophenyl)ethane)", ("B",), 2001, 50,
         _EU, cn_item=14, measure="ban", measure_zh=_PHASED_OUT,
         note="Annex B allows disease-vector control; China lists DDT as phased out (已淘汰类)."),
    _pop("pcdd", ["1746-01-6"], "多氯二苯并对二噁英", "Polychlorinated dibenzo-p-dioxins (PCDD)", ("C",), 2001,
         0.005, _EU22 + ": 5 µg TEQ/kg for PCDD/PCDF, applied to the mass fraction (conservative: TEQ ≤ mass)",
         lists_extra=_P2, sum_group="pcdd_pcdf",
         note="Representative CAS: 2,3,7,8-TCDD. Unintentionally produced; waste above the limit goes to destruction."),
    _pop("pcdf", ["51207-31-9"], "多氯二苯并呋喃", "Polychlorinated dibenzofurans (PCDF)", ("C",), 2001,
         0.005, _EU22 + ": 5 µg TEQ/kg for PCDD/PCDF, applied to the mass fraction (conservative: TEQ ≤ mass)",
         lists_extra=_P2, sum_group="pcdd_pcdf", note="Representative CAS: 2,3,7,8-TCDF."),
    # --- COP-4 (2009) ---------------------------------------------------------
    _pop("chlordecone", ["143-50-0"], "十氯酮", "Chlordecone", ("A",), 2009, 50, _EU),
    _pop("alpha_hch", ["319-84-6"], "α-六氯环己烷", "alpha-Hexachlorocyclohexane (α-HCH)", ("A",), 2009, 50, _EU,
         cn_item=14, measure_zh=_PHASED_OUT),
    _pop("beta_hch", ["319-85-7"], "β-六氯环己烷", "beta-Hexachlorocyclohexane (β-HCH)", ("A",), 2009, 50, _EU,
         cn_item=14, measure_zh=_PHASED_OUT),
    _pop("lindane", ["58-89-9"], "林丹", "Lindane (γ-HCH)", ("A",), 2009, 50, _EU,
         cn_item=14, measure_zh=_PHASED_OUT),
    _pop("hexabromobiphenyl", ["36355-01-8"], "六溴联苯", "Hexabromobiphenyl", ("A",), 2009, 50, _EU),
    _pop("tetra_penta_bde", ["40088-47-9", "32534-81-9", "5436-43-1", "60348-60-9"],
         "四溴二苯醚和五溴二苯醚", "Tetrabromodiphenyl ether and pentabromodiphenyl ether (c-pentaBDE)",
         ("A",), 2009, 500, _EU22 + ": 500 mg/kg for the sum of tetra-, penta-, hexa-, hepta- and decaBDE",
         sum_group="pbde", note="CAS: tetraBDE, c-pentaBDE, BDE-47, BDE-99."),
    _pop("hexa_hepta_bde", ["36483-60-0", "68928-80-3", "32536-52-0", "68631-49-2", "207122-15-4",
                            "446255-22-7", "207122-16-5"],
         "六溴二苯醚和七溴二苯醚", "Hexabromodiphenyl ether and heptabromodiphenyl ether (c-octaBDE)",
         ("A",), 2009, 500, _EU22 + ": 500 mg/kg for the sum of tetra-, penta-, hexa-, hepta- and decaBDE",
         sum_group="pbde", note="CAS: hexaBDE, heptaBDE, c-octaBDE, BDE-153, BDE-154, BDE-175, BDE-183."),
    _pop("pecb", ["608-93-5"], "五氯苯", "Pentachlorobenzene (PeCB)", ("A", "C"), 2009, 50, _EU),
    _pop("pfos", ["1763-23-1", "307-35-7", "2795-39-3", "29457-72-5", "29081-56-9", "70225-14-8",
                  "56773-42-3", "251099-16-8"],
         "全氟辛基磺酸及其盐类和全氟辛基磺酰氟（PFOS类）",
         "Perfluorooctane sulfonic acid, its salts and perfluorooctane sulfonyl fluoride (PFOS, PFOSF)",
         ("B",), 2009, 50, _EU + " (PFOS and its derivatives 50 mg/kg; same as the Basel guideline value)",
         cn_item=1, lists_extra=("cn_priority_1",), prio="PC015", measure="ban",
         measure_zh="禁止生产；禁止加工使用（灭火泡沫药剂用途豁免至2023-12-31止）；自2024-01-01起禁止进出口",
         allowed="None in China since 2024-01-01 (the fire-fighting-foam exemption expired 2023-12-31); "
                 "Stockholm Annex B keeps acceptable purposes such as fire-fighting foam for liquid-fuel fires.",
         note="CAS: PFOS acid, PFOSF, K, Li, NH4, diethanolamine, tetraethylammonium and "
              "didecyldimethylammonium salts (as printed in the Chinese lists)."),
    # --- COP-5 (2011) ---------------------------------------------------------
    _pop("endosulfan", ["115-29-7", "959-98-8", "33213-65-9", "1031-07-8"],
         "硫丹原药及其相关异构体", "Technical endosulfan and its related isomers", ("A",), 2011, 50, _EU,
         cn_item=14, measure_zh=_PHASED_OUT, note="CAS: technical endosulfan, α-, β-endosulfan, endosulfan sulfate."),
    # --- COP-6 (2013) ---------------------------------------------------------
    _pop("hbcdd", ["25637-99-4", "3194-55-6", "134237-50-6", "134237-51-7", "134237-52-8"],
         "六溴环十二烷", "Hexabromocyclododecane (HBCDD, HBCD)", ("A",), 2013, 500,
         _EU22 + " (500 mg/kg; the Basel guideline gives 100 or 1000 mg/kg)",
         cn_item=14, lists_extra=_P1, prio="PC012", measure_zh=_PHASED_OUT),
    # --- COP-7 (2015) ---------------------------------------------------------
    _pop("pcn", ["70776-03-3"], "多氯萘", "Polychlorinated naphthalenes (PCN)", ("A", "C"), 2015, 10, _EU,
         note="Representative CAS 70776-03-3 (naphthalene, chloro derivatives)."),
    _pop("hcbd", ["87-68-3"], "六氯丁二烯", "Hexachlorobutadiene (HCBD)", ("A", "C"), 2015, 100, _EU,
         cn_item=5, measure_zh="禁止生产、加工使用和进出口",
         note="Annex A in 2015, Annex C added in 2017."),
    _pop("pcp", ["87-86-5", "131-52-2", "27735-64-4", "3772-94-9", "1825-21-4"],
         "五氯苯酚及其盐类和酯类", "Pentachlorophenol, its salts and esters (PCP)", ("A",), 2015, 100, _EU,
         cn_item=6, measure_zh="禁止生产、加工使用和进出口",
         note="CAS: PCP, sodium PCP, sodium PCP monohydrate, PCP laurate, pentachloroanisole."),
    # --- COP-8 (2017) ---------------------------------------------------------
    _pop("decabde", ["1163-19-5"], "十溴二苯醚", "Decabromodiphenyl ether (decaBDE)", ("A",), 2017, 500,
         _EU22 + ": 500 mg/kg for the sum of tetra-, penta-, hexa-, hepta- and decaBDE",
         cn_item=3, lists_extra=_P1, prio="PC020", sum_group="pbde",
         measure_zh="禁止生产、加工使用和进出口（三项特定豁免用途已于2023-12-31到期）"),
    _pop("sccp", ["85535-84-8", "68920-70-7", "71011-12-6", "85536-22-7", "85681-73-8", "108171-26-2"],
         "短链氯化石蜡", "Short-chain chlorinated paraffins (SCCPs, C10-13)", ("A",), 2017, 1500,
         _EU22 + " (1500 mg/kg)", cn_item=4, lists_extra=_P1, prio="PC005",
         measure_zh="禁止生产、加工使用和进出口（九项特定豁免用途已于2023-12-31到期）"),
    # --- COP-9 (2019) ---------------------------------------------------------
    _pop("dicofol", ["115-32-2"], "三氯杀螨醇", "Dicofol", ("A",), 2019, 50, _EU22,
         cn_item=7, measure_zh="禁止生产、加工使用和进出口"),
    _pop("pfoa", ["335-67-1", "3825-26-1", "335-95-5"], "全氟辛酸及其盐类和相关化合物（PFOA类）",
         "Perfluorooctanoic acid, its salts and PFOA-related compounds (PFOA)", ("A",), 2019, 1,
         _EU22 + " (PFOA and its salts 1 mg/kg; PFOA-related compounds 40 mg/kg)",
         cn_item=2, lists_extra=_P2,
         measure_zh="禁止生产、加工使用和进出口（清单所列特定豁免用途除外）",
         allowed="Time-limited specific exemptions following the Convention, e.g. photolithography or etching "
                 "in semiconductor manufacture, photographic coatings for film, certain invasive and "
                 "implantable medical devices, and named PTFE/PVDF/FEP uses.",
         note="CAS: PFOA, ammonium PFOA (APFO), sodium PFOA."),
    # --- COP-10 (2022) --------------------------------------------------------
    _pop("pfhxs", ["355-46-4", "3871-99-6"], "全氟己基磺酸及其盐类和其相关化合物（PFHxS类）",
         "Perfluorohexane sulfonic acid, its salts and PFHxS-related compounds (PFHxS)", ("A",), 2022, 1,
         "EU POPs Regulation Annex IV (PFHxS and its salts 1 mg/kg; related compounds 40 mg/kg)",
         cn_item=8, measure_zh="禁止生产、加工使用和进出口", note="CAS: PFHxS, potassium PFHxS."),
    # --- COP-11 (2023) --------------------------------------------------------
    _pop("methoxychlor", ["72-43-5"], "甲氧滴滴涕", "Methoxychlor", ("A",), 2023, 50, _DEFAULT),
    _pop("dechlorane_plus", ["13560-89-9", "135821-03-3", "135821-74-8"], "得克隆及其顺式异构体和反式异构体",
         "Dechlorane Plus and its syn- and anti-isomers", ("A",), 2023, 50, _DEFAULT, cn_item=9,
         measure_zh="禁止生产、加工使用和进出口（豁免及起始日期以清单原文为准）"),
    _pop("uv328", ["25973-55-1"], "紫外线吸收剂UV-328", "UV-328 (2-(2H-benzotriazol-2-yl)-4,6-di-tert-pentylphenol)",
         ("A",), 2023, 50, _DEFAULT),
    # --- COP-12 (2025); amendments enter into force about a year after adoption --
    _pop("mccp", ["85535-85-9"], "中链氯化石蜡", "Medium-chain chlorinated paraffins (MCCPs, C14-17)",
         ("A",), 2025, 50, _DEFAULT, note="Listed in 2025 with specific exemptions; CAS for C14-17 alkanes, chloro."),
    _pop("chlorpyrifos", ["2921-88-2"], "毒死蜱", "Chlorpyrifos", ("A",), 2025, 50, _DEFAULT,
         note="Listed in 2025 with specific exemptions for some agricultural uses."),
    _pop("lc_pfca", ["375-95-1", "335-76-2", "2058-94-8", "307-55-1", "72629-94-8", "376-06-7"],
         "长链全氟羧酸及其盐类和相关化合物", "Long-chain perfluorocarboxylic acids (C9-21), their salts and related compounds",
         ("A",), 2025, 1, "no low-POP-content limit known to us: 1 mg/kg by analogy with PFOA",
         note="Listed in 2025. Representative CAS: PFNA, PFDA, PFUnDA, PFDoDA, PFTrDA, PFTeDA."),
    # --- China only: key new pollutants that are not POPs ------------------------
    _cn("dichloromethane", ["75-09-2"], "二氯甲烷", "Dichloromethane",
        ("cn_new_pollutants_2023",) + _P1, "restrict",
        "限制：禁止生产含二氯甲烷的脱漆剂，化妆品中禁用；重点行业排放依标准管控（限排）", cn_item=10, prio="PC006"),
    _cn("chloroform", ["67-66-3"], "三氯甲烷", "Trichloromethane (chloroform)",
        ("cn_new_pollutants_2023",) + _P1, "restrict",
        "限制：禁止生产含三氯甲烷的脱漆剂，化妆品中禁用；重点行业排放依标准管控（限排）", cn_item=11, prio="PC017"),
    _cn("nonylphenol", ["25154-52-3", "84852-15-3", "104-40-5"], "壬基酚", "Nonylphenol",
        ("cn_new_pollutants_2023",) + _P1, "restrict",
        "限制：禁止以壬基酚为助剂生产农药、禁止用壬基酚生产壬基酚聚氧乙烯醚，化妆品中禁用", cn_item=12,
        prio="PC016", note="CAS: nonylphenol, branched 4-nonylphenol, 4-n-nonylphenol. PC016 covers nonylphenol "
                           "and its ethoxylates together."),
    _cn("npeo", ["9016-45-9"], "壬基酚聚氧乙烯醚", "Nonylphenol ethoxylates (NPEO)", _P1, "restrict", _PRIORITY_ZH,
        prio="PC016", note="Listed together with nonylphenol as PC016."),
    _cn("antibiotics", [], "抗生素", "Antibiotics", ("cn_new_pollutants_2023",), "limit_emission",
        "限排：处方药凭处方销售、兽用抗菌药管理；抗生素菌渣依规处理；制药工业排放依标准管控", cn_item=13,
        note="A class without CAS numbers; antibiotic fermentation residues (菌渣) fall under the HW list's rules."),
    # --- China priority chemicals, first batch (2017), not covered above -----------
    _cn("tcb_124", ["120-82-1"], "1,2,4-三氯苯", "1,2,4-Trichlorobenzene", _P1, "restrict", _PRIORITY_ZH, prio="PC001"),
    _cn("butadiene", ["106-99-0"], "1,3-丁二烯", "1,3-Butadiene", _P1, "restrict", _PRIORITY_ZH, prio="PC002"),
    _cn("musk_xylene", ["81-15-2"], "5-叔丁基-2,4,6-三硝基间二甲苯（二甲苯麝香）", "Musk xylene", _P1, "restrict",
        _PRIORITY_ZH, prio="PC003"),
    _cn("dtpd", ["27417-40-9"], "N,N'-二甲苯基-对苯二胺", "N,N'-Ditolyl-p-phenylenediamine", _P1, "restrict",
        _PRIORITY_ZH, prio="PC004"),
    _cn("cadmium", ["7440-43-9"], "镉及镉化合物", "Cadmium and cadmium compounds", _P1, "restrict", _PRIORITY_ZH,
        prio="PC007", note="CAS of the element; compounds have their own CAS numbers."),
    _cn("mercury", ["7439-97-6"], "汞及汞化合物", "Mercury and mercury compounds", _P1, "restrict", _PRIORITY_ZH,
        prio="PC008", note="CAS of the element; also controlled by the Minamata Convention."),
    _cn("formaldehyde", ["50-00-0"], "甲醛", "Formaldehyde", _P1, "restrict", _PRIORITY_ZH, prio="PC009"),
    _cn("chromium_vi", ["18540-29-9"], "六价铬化合物", "Hexavalent chromium compounds", _P1, "restrict",
        _PRIORITY_ZH, prio="PC010",
        note="The list gives no CAS; 18540-29-9 (chromium(VI)) is used here as the representative number."),
    _cn("hccpd", ["77-47-4"], "六氯代-1,3-环戊二烯", "Hexachlorocyclopentadiene", _P1, "restrict", _PRIORITY_ZH,
        prio="PC011"),
    _cn("naphthalene", ["91-20-3"], "萘", "Naphthalene", _P1, "restrict", _PRIORITY_ZH, prio="PC013"),
    _cn("lead_compounds", ["7439-92-1"], "铅化合物", "Lead compounds", _P1, "restrict", _PRIORITY_ZH, prio="PC014",
        note="The list gives no CAS; the element's number 7439-92-1 is used as the representative."),
    _cn("tce", ["79-01-6"], "三氯乙烯", "Trichloroethylene", _P1, "restrict", _PRIORITY_ZH, prio="PC018"),
    _cn("arsenic", ["7440-38-2"], "砷及砷化合物", "Arsenic and arsenic compounds", _P1, "restrict", _PRIORITY_ZH,
        prio="PC019", note="CAS of the element."),
    _cn("pce", ["127-18-4"], "四氯乙烯", "Tetrachloroethylene", _P1, "restrict", _PRIORITY_ZH, prio="PC021"),
    _cn("acetaldehyde", ["75-07-0"], "乙醛", "Acetaldehyde", _P1, "restrict", _PRIORITY_ZH, prio="PC022"),
    # --- China priority chemicals, second batch (2020): confirmed entries only ------
    _cn("benzene", ["71-43-2"], "苯", "Benzene", _P2, "restrict", _PRIORITY_ZH),
    _cn("o_toluidine", ["95-53-4"], "邻甲苯胺", "o-Toluidine", _P2, "restrict", _PRIORITY_ZH),
    _cn("pahs", ["50-32-8"], "多环芳烃类物质（如苯并[a]芘）", "Polycyclic aromatic hydrocarbons (e.g. benzo[a]pyrene)",
        _P2, "restrict", _PRIORITY_ZH, note="Representative CAS: benzo[a]pyrene."),
    _cn("thallium", ["7440-28-0"], "铊及铊化合物", "Thallium and thallium compounds", _P2, "restrict", _PRIORITY_ZH,
        note="CAS of the element."),
)


def _build_index() -> dict[str, tuple[ControlledSubstance, ...]]:
    index: dict[str, list[ControlledSubstance]] = {}
    for s in CONTROLLED_SUBSTANCES:
        for cas in s.cas:
            index.setdefault(cas, []).append(s)
    return {k: tuple(v) for k, v in index.items()}


_BY_CAS = _build_index()
_BY_KEY = {s.key: s for s in CONTROLLED_SUBSTANCES}
assert len(_BY_KEY) == len(CONTROLLED_SUBSTANCES), "duplicate key in CONTROLLED_SUBSTANCES"


def abbreviations(s: ControlledSubstance) -> tuple[str, ...]:
    """The abbreviations an entry's names give in brackets, as written and in order ("(PFOS, PFOSF)" gives both).
    A bracket without a capital letter is part of a name ("bis(4-chlorophenyl)"), not an abbreviation; one letter
    and digits ("C10-13") is a chain length; a Chinese one ("（PFOS类）") counts."""
    out = []
    for inside in re.findall(r"[(（]([^()（）]+)[)）]", s.name_en + s.name_zh):
        for piece in (x.strip() for x in re.split(r"[,，、;；]", inside)):
            if _CJK_TEXT.search(piece) or (re.search(r"[A-Z]", piece) and len(re.findall(r"[A-Za-z]", piece)) >= 2):
                out.append(piece)
    return tuple(out)


def _exact_names(s: ControlledSubstance) -> frozenset[str]:
    """The names a row may give exactly: key, Chinese and English names, and each of its ``abbreviations``, with
    an abbreviation's plural or singular ("(PCBs)" also PCB, "(HBCDD)" also HBCDDs: people write either)."""
    names = {s.key, s.name_zh.casefold(), s.name_en.casefold()}
    for piece in abbreviations(s):
        names.add(piece.casefold())
        if re.fullmatch(r"[A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*", piece):
            names.add(piece[:-1].casefold() if piece.endswith("s") else piece.casefold() + "s")
    return frozenset(names)


_CJK_TEXT = re.compile(r"[\u3400-\u9fff]")


_EXACT_NAMES = tuple((s, _exact_names(s)) for s in CONTROLLED_SUBSTANCES)


@functools.lru_cache(maxsize=8192)
def resolve_controlled(cas: str | None, name: str | None) -> ControlledSubstance | None:
    """The controlled substance a declared row names, or None.

    A CAS number decides alone: a valid number on no list is no controlled substance, whatever the name says.
    Without one, only a name equal to an entry's Chinese or English name, key or bracketed abbreviation counts:
    a name merely contained in an entry's is another substance (苯酚, phenol, is not 五氯苯酚, PCP). Cached: a
    city-wide survey names the same few hundred substances in 100,000 rows.
    """
    if cas:
        hits = controlled_by_cas(cas)
        return hits[0] if hits else None
    needle = (name or "").strip().casefold()
    if not needle:
        return None
    return next((s for s, names in _EXACT_NAMES if needle in names), None)


def controlled_by_key(key: str | None) -> ControlledSubstance | None:
    """The record of a stable key (``"hbcdd"``), or None."""
    return _BY_KEY.get(key or "")


def controlled_by_cas(cas: str) -> list[ControlledSubstance]:
    """All entries that list ``cas`` (normalised first; fullwidth input accepted). Empty if none."""
    return list(_controlled_by_cas(cas))


@functools.lru_cache(maxsize=65536)
def _controlled_by_cas(cas: str) -> tuple[ControlledSubstance, ...]:
    # The matcher asks for the same few hundred CAS numbers millions of times.
    return _BY_CAS.get(normalize_cas(cas), ())


def controlled_by_name(name: str) -> list[ControlledSubstance]:
    """Entries whose Chinese or English name or key contains ``name`` (case-insensitive)."""
    needle = str(name or "").strip().casefold()
    if not needle:
        return []
    return [
        s for s in CONTROLLED_SUBSTANCES
        if needle in s.name_zh.casefold() or needle in s.name_en.casefold() or needle == s.key
    ]


def substances_in_list(name: str) -> tuple[ControlledSubstance, ...]:
    """The entries on one list (``"stockholm"``, ``"cn_new_pollutants_2023"``, …); ValueError for an unknown list."""
    if name not in LISTS:
        raise ValueError(f"unknown control list {name!r}; expected one of {', '.join(LISTS)}")
    return tuple(s for s in CONTROLLED_SUBSTANCES if name in s.lists)


def is_pop(cas: str) -> bool:
    """True if ``cas`` identifies a substance listed under the Stockholm Convention."""
    return any(s.is_pop for s in controlled_by_cas(cas))


def destruction_required(cas: str, fraction: float) -> ControlledSubstance | None:
    """The entry that forces destruction of a waste holding ``fraction`` (mass) of ``cas``, else ``None``.

    A waste must go to destruction when the fraction is at or above the entry's
    ``threshold_fraction`` and the entry is ``destruction_only`` (POPs and China's
    phased-out substances). If several entries apply, the one with the lowest
    threshold is returned. Sums over groups are not considered here: use
    :func:`destruction_required_for_composition` for a whole composition.
    """
    hits = [
        s for s in controlled_by_cas(cas)
        if s.destruction_only and s.threshold_fraction is not None and fraction >= s.threshold_fraction
    ]
    return min(hits, key=lambda s: s.threshold_fraction) if hits else None


def destruction_required_for_composition(
    components: Iterable[tuple[str, float]],
) -> list[tuple[ControlledSubstance, float]]:
    """Entries that force destruction of a waste with the given ``(cas, mass fraction)`` components.

    Fractions are added up per entry (e.g. PFOS acid + its potassium salt) and per
    ``sum_group`` (e.g. all PBDEs against their common 500 mg/kg limit). Returns
    ``(entry, summed fraction)`` pairs, strictest threshold first; empty if none apply.
    """
    per_entry: dict[str, float] = {}
    for cas, fraction in components:
        for s in controlled_by_cas(cas):
            if s.destruction_only and s.threshold_fraction is not None:
                per_entry[s.key] = per_entry.get(s.key, 0.0) + float(fraction)
    per_group: dict[str, float] = {}
    for key, total in per_entry.items():
        group = _BY_KEY[key].sum_group
        if group:
            per_group[group] = per_group.get(group, 0.0) + total
    out: list[tuple[ControlledSubstance, float]] = []
    for key, total in per_entry.items():
        s = _BY_KEY[key]
        amount = per_group[s.sum_group] if s.sum_group else total
        if amount >= s.threshold_fraction:
            out.append((s, amount))
    out.sort(key=lambda pair: (pair[0].threshold_fraction, pair[0].key))
    return out

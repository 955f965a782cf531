"""Control measures of the key controlled new pollutants, per survey role and date, and the roster's obligations.

For each substance of 《重点管控新污染物清单（2023年版）》 (MEE order No. 28 of 2022, in force 2023-03-01;
the ``cn_new_pollutants_2023`` entries of :mod:`catalog.control_lists`, by key) this module states which
survey roles (``produce``, ``import``, ``use``; export is recorded but is not a survey role) are prohibited
from which date, the accepted uses / specific exemptions (可接受用途 / 特定豁免) with their end date where the
list gives one, restrictions by use (e.g. no dichloromethane paint strippers) and end-of-life rules (e.g.
PFOS fire-fighting foam must be destroyed). Stockholm POPs that are not on the 2023 list get the measure
that :mod:`catalog.control_lists` gives them (Annex A → ban of production, use and import).

Written by us from the regulations' text as we know it; each :class:`Measure` names its ``source``. Where
we are unsure of a date the source says so and the earlier (stricter) reading is used: a role is
prohibited in a *year* when the prohibition is in force on any day of that year (an annual declaration
cannot tell which months a use fell in), and an exemption covers a year only if it lasts to the year's end.

:func:`obligations_for` lists what a roster enterprise must do (clean-production audit, discharge permit,
self-monitoring, annual disclosure) with its due date.

Pure Python, no I/O.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .control_lists import CONTROLLED_SUBSTANCES, ControlledSubstance

__all__ = [
    "MEASURE_ROLES", "ROSTER_LISTS", "Exemption", "RoleBan", "UseRestriction", "Measure", "Prohibition",
    "ObligationRule", "MEASURES", "measure_for", "prohibited", "prohibited_on", "obligations_for", "on_roster_lists",
    "ROLE_ZH", "ROLE_EN", "OBLIGATION_NAMES",
]

# Survey roles a measure can prohibit. ``byproduct`` and ``release`` are limited through emission
# standards and permits, not prohibited (a release is never a banned *use*).
MEASURE_ROLES = ("produce", "import", "use")
ROLE_ZH = {"produce": "生产", "import": "进口", "use": "加工使用", "export": "出口", "byproduct": "副产",
           "release": "排放"}
ROLE_EN = {"produce": "production", "import": "import", "use": "use", "export": "export", "byproduct": "by-production",
           "release": "release"}
# The obligations' names, as every page, document and report of governance writes them.
OBLIGATION_NAMES = {"clean_production_audit": ("强制性清洁生产审核", "mandatory clean-production audit"),
                    "discharge_permit": ("排污许可（载明管控物质）", "discharge permit naming the substances"),
                    "monitoring": ("自行监测", "self-monitoring"),
                    "annual_disclosure": ("企业环境信息依法披露", "annual environmental disclosure")}
# Substances that put an enterprise on the roster: the 2023 list, and POPs under the Convention (China is
# a party; a POP not yet restated in a Chinese list is still a key new pollutant to the municipal plans).
ROSTER_LISTS = ("cn_new_pollutants_2023", "stockholm")

ORDER_28 = "生态环境部等六部门令第28号《重点管控新污染物清单（2023年版）》，2023-03-01施行 (MEE order No. 28 of 2022)"
LIST_IN_FORCE = dt.date(2023, 3, 1)
# 环境保护部等公告2009年第23号: DDT, chlordane, mirex, HCB banned from 2009-05-17.
ANNOUNCEMENT_2009 = dt.date(2009, 5, 17)
# The Convention's original Annex A entries bind China from its entry into force for China.
STOCKHOLM_FOR_CHINA = dt.date(2004, 11, 11)


@dataclass(frozen=True, slots=True)
class Exemption:
    """An accepted use or specific exemption: a use (matched by keywords in the declared use) allowed until a date."""

    text_zh: str
    text_en: str
    keywords: tuple[str, ...]  # lower-case words, any of which in the declared use means this use
    until: dt.date | None = None  # last day allowed; None: no end date given
    roles: tuple[str, ...] = ("use",)


@dataclass(frozen=True, slots=True)
class RoleBan:
    """A role prohibited from a date, except the exempted uses."""

    role: str
    since: dt.date
    exemptions: tuple[Exemption, ...] = ()


@dataclass(frozen=True, slots=True)
class UseRestriction:
    """A role prohibited for particular uses only (e.g. dichloromethane in paint strippers)."""

    role: str
    keywords: tuple[str, ...]
    since: dt.date
    text_zh: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Measure:
    """The measure of one substance: bans per role, restrictions by use, end of life, its source."""

    key: str
    kind: str  # "ban" | "restrict" | "limit_emission" (control_lists' measure)
    bans: tuple[RoleBan, ...] = ()
    restrictions: tuple[UseRestriction, ...] = ()
    export_banned_since: dt.date | None = None  # recorded; export is not a survey role
    end_of_life_zh: str = ""
    end_of_life_en: str = ""
    source: str = ""

    @property
    def substance(self) -> ControlledSubstance:
        return _BY_KEY[self.key]


@dataclass(frozen=True, slots=True)
class Prohibition:
    """Why a role is prohibited for a substance in a year (bilingual)."""

    substance_key: str
    role: str
    year: int
    since: dt.date
    kind: str  # "ban" | "restriction"
    reason_zh: str
    reason_en: str
    source: str

    @property
    def reason(self) -> str:
        """"English (中文)", as the services word their messages."""
        return f"{self.reason_en} ({self.reason_zh})"


@dataclass(frozen=True, slots=True)
class ObligationRule:
    """One obligation of a roster enterprise for a survey year, with its due date and the rule behind it."""

    code: str  # models.governance.OBLIGATION_CODES
    due: dt.date
    name_zh: str
    name_en: str
    rule_zh: str
    rule_en: str
    source: str


_BY_KEY = {s.key: s for s in CONTROLLED_SUBSTANCES}
_ALL3 = ("produce", "import", "use")


def _ban(since: dt.date, roles: tuple[str, ...] = _ALL3, exemptions: tuple[Exemption, ...] = ()) -> tuple[RoleBan, ...]:
    return tuple(RoleBan(r, since, exemptions if r == "use" or any(r in e.roles for e in exemptions) else ())
                 for r in roles)


_PFOS_FOAM = Exemption("用于生产灭火泡沫药剂（可接受用途，至2023-12-31止）",
                       "making fire-fighting foam (acceptable purpose until 2023-12-31)",
                       ("灭火泡沫", "泡沫灭火", "fire-fighting foam", "firefighting foam", "fire fighting foam", "afff"),
                       dt.date(2023, 12, 31))
# PFOA: the list restates the Convention's specific exemptions. We are unsure of the end date the Chinese
# list gives; the Convention's five-year term from its entry into force (2020-12-03) ends 2025-12-03, and
# we take that earlier reading for every exemption except medical devices and PFOB (2036 in the Convention).
_PFOA_END = dt.date(2025, 12, 3)
_PFOA_EXEMPTIONS = (
    Exemption("半导体制造中的光刻或蚀刻工艺", "photolithography or etching in semiconductor manufacture",
              ("半导体", "光刻", "蚀刻", "semiconductor", "photolithograph", "etching"), _PFOA_END),
    Exemption("用于胶卷的摄影涂料", "photographic coatings applied to films", ("胶卷", "摄影", "photographic", "film"),
              _PFOA_END),
    Exemption("保护工人的拒油拒水纺织品", "oil- and water-repellent textiles protecting workers",
              ("拒油", "拒水", "防护纺织", "water-repellent", "oil-repellent", "protective textile"), _PFOA_END),
    Exemption("侵入性和可植入的医疗装置", "invasive and implantable medical devices",
              ("医疗装置", "医疗器械", "medical device"), dt.date(2036, 12, 3)),
    Exemption("以全氟碘辛烷生产全氟溴辛烷用于药品生产", "perfluorooctyl bromide from perfluorooctyl iodide for pharmaceuticals",
              ("全氟溴辛烷", "perfluorooctyl bromide", "pfob"), dt.date(2036, 12, 3)),
    Exemption("生产聚四氟乙烯（PTFE）、聚偏氟乙烯（PVDF）、聚全氟乙丙烯（FEP）的特定用途",
              "making PTFE, PVDF or FEP for the listed uses (filtration membranes, seals, high-voltage cables …)",
              ("聚四氟乙烯", "聚偏氟乙烯", "聚全氟乙丙烯", "ptfe", "pvdf", "fep"), _PFOA_END),
)
_DECABDE_EXEMPTIONS = (Exemption(
    "特定豁免用途（交通工具部件、飞机、纺织品、塑料外壳等），至2023-12-31止",
    "specific exemptions (vehicle parts, aircraft, textiles, plastic housings …) until 2023-12-31",
    ("汽车", "车辆", "飞机", "航空", "纺织", "外壳", "vehicle", "aircraft", "textile", "housing"),
    dt.date(2023, 12, 31)),)
_SCCP_EXEMPTIONS = (Exemption(
    "特定豁免用途（橡胶输送带、皮革加脂、润滑油添加剂、户外装饰灯管、防水防火涂料、粘合剂、金属加工、PVC增塑剂等），至2023-12-31止",
    "specific exemptions (rubber conveyor belts, leather, lubricant additives, outdoor lamp tubes, waterproof and "
    "fire-retardant paints, adhesives, metal processing, PVC plasticiser …) until 2023-12-31",
    ("输送带", "皮革", "润滑", "灯管", "涂料", "粘合剂", "金属加工", "增塑", "conveyor", "leather", "lubricant",
     "lamp", "paint", "adhesive", "metal processing", "plasticiser", "plasticizer"),
    dt.date(2023, 12, 31)),)
_PAINT_STRIPPER = ("脱漆", "paint stripper", "paint remover", "paint stripping")
_COSMETICS = ("化妆品", "cosmetic")
_DAILY = ("日用化学", "洗涤", "洗衣", "daily-use", "daily use", "detergent", "household chemical")
_DESTROY_ZH = "废弃物及含该物质的废物按危险废物管理，只能无害化销毁（不得回收利用）"
_DESTROY_EN = "waste of it, and waste containing it, is hazardous waste and may only be destroyed (never recovered)"


MEASURES_2023: dict[str, Measure] = {
    "pfos": Measure(
        "pfos", "ban", bans=(RoleBan("produce", LIST_IN_FORCE), RoleBan("use", LIST_IN_FORCE, (_PFOS_FOAM,)),
                             RoleBan("import", dt.date(2024, 1, 1))),
        export_banned_since=dt.date(2024, 1, 1),
        end_of_life_zh="已禁止使用或申报废弃、依法收缴的PFOS类及含PFOS类的灭火泡沫药剂，按危险废物依法无害化销毁",
        end_of_life_en="PFOS and PFOS fire-fighting foam that is banned, declared waste or confiscated must be "
                       "destroyed as hazardous waste",
        source=f"{ORDER_28}, entry 1: production banned; use banned except making fire-fighting foam (until "
               "2023-12-31); import and export banned from 2024-01-01"),
    "pfoa": Measure(
        "pfoa", "ban", bans=_ban(LIST_IN_FORCE, exemptions=_PFOA_EXEMPTIONS), export_banned_since=LIST_IN_FORCE,
        end_of_life_zh=_DESTROY_ZH, end_of_life_en=_DESTROY_EN,
        source=f"{ORDER_28}, entry 2: production, use, import and export banned except the specific exemptions. "
               "Uncertain: the exemptions' end date in the Chinese list; we take the Convention's 2025-12-03 "
               "(2036-12-03 for medical devices and PFOB), the earlier reading"),
    "decabde": Measure(
        "decabde", "ban", bans=(RoleBan("produce", LIST_IN_FORCE, ()), RoleBan("use", LIST_IN_FORCE, _DECABDE_EXEMPTIONS),
                                RoleBan("import", dt.date(2024, 1, 1))),
        export_banned_since=dt.date(2024, 1, 1), end_of_life_zh=_DESTROY_ZH, end_of_life_en=_DESTROY_EN,
        source=f"{ORDER_28}, entry 3: production and use banned except specific exemptions until 2023-12-31; "
               "import and export banned from 2024-01-01. Uncertain: whether production for the exempted uses "
               "was allowed until 2023-12-31; we read production as banned from 2023-03-01"),
    "sccp": Measure(
        "sccp", "ban", bans=(RoleBan("produce", LIST_IN_FORCE, ()), RoleBan("use", LIST_IN_FORCE, _SCCP_EXEMPTIONS),
                             RoleBan("import", dt.date(2024, 1, 1))),
        export_banned_since=dt.date(2024, 1, 1), end_of_life_zh=_DESTROY_ZH, end_of_life_en=_DESTROY_EN,
        source=f"{ORDER_28}, entry 4: production and use banned except nine specific exemptions until 2023-12-31; "
               "import and export banned from 2024-01-01. Uncertain as for decaBDE (production read as banned)"),
    "hcbd": Measure("hcbd", "ban", bans=_ban(LIST_IN_FORCE), export_banned_since=LIST_IN_FORCE,
                    end_of_life_zh=_DESTROY_ZH, end_of_life_en=_DESTROY_EN,
                    source=f"{ORDER_28}, entry 5: production, use, import and export banned"),
    "pcp": Measure("pcp", "ban", bans=_ban(LIST_IN_FORCE), export_banned_since=LIST_IN_FORCE,
                   end_of_life_zh=_DESTROY_ZH, end_of_life_en=_DESTROY_EN,
                   source=f"{ORDER_28}, entry 6: production, use, import and export banned"),
    "dicofol": Measure("dicofol", "ban", bans=_ban(LIST_IN_FORCE), export_banned_since=LIST_IN_FORCE,
                       end_of_life_zh=_DESTROY_ZH, end_of_life_en=_DESTROY_EN,
                       source=f"{ORDER_28}, entry 7: production, use, import and export banned"),
    "pfhxs": Measure("pfhxs", "ban", bans=_ban(LIST_IN_FORCE), export_banned_since=LIST_IN_FORCE,
                     end_of_life_zh=_DESTROY_ZH, end_of_life_en=_DESTROY_EN,
                     source=f"{ORDER_28}, entry 8: production, use, import and export banned"),
    "dechlorane_plus": Measure(
        "dechlorane_plus", "ban", bans=_ban(dt.date(2024, 1, 1)), export_banned_since=dt.date(2024, 1, 1),
        end_of_life_zh=_DESTROY_ZH, end_of_life_en=_DESTROY_EN,
        source=f"{ORDER_28}, entry 9: production, use, import and export banned from 2024-01-01. Uncertain: "
               "exemptions the Convention (2023) later granted are not applied here (the stricter reading)"),
    "dichloromethane": Measure(
        "dichloromethane", "restrict",
        restrictions=(UseRestriction("use", _PAINT_STRIPPER, LIST_IN_FORCE, "禁止生产含二氯甲烷的脱漆剂",
                                     "no paint strippers containing dichloromethane"),
                      UseRestriction("use", _COSMETICS, LIST_IN_FORCE, "禁止用作化妆品组分",
                                     "not an ingredient of cosmetics")),
        source=f"{ORDER_28}, entry 10: no paint strippers containing it; banned in cosmetics (化妆品安全技术规范); "
               "discharge under permits and standards; roster enterprises audit clean production"),
    "chloroform": Measure(
        "chloroform", "restrict",
        restrictions=(UseRestriction("use", _PAINT_STRIPPER, LIST_IN_FORCE, "禁止生产含三氯甲烷的脱漆剂",
                                     "no paint strippers containing trichloromethane"),
                      UseRestriction("use", _COSMETICS, LIST_IN_FORCE, "禁止用作化妆品组分",
                                     "not an ingredient of cosmetics")),
        source=f"{ORDER_28}, entry 11: no paint strippers containing it; banned in cosmetics; discharge limited"),
    "nonylphenol": Measure(
        "nonylphenol", "restrict",
        restrictions=(UseRestriction("use", ("农药", "pesticide"), LIST_IN_FORCE, "禁止以壬基酚为助剂生产农药",
                                     "no use as an additive in pesticides"),
                      UseRestriction("use", ("壬基酚聚氧乙烯醚", "npeo", "ethoxylate"), LIST_IN_FORCE,
                                     "禁止用壬基酚生产壬基酚聚氧乙烯醚", "no making of nonylphenol ethoxylates"),
                      UseRestriction("use", _COSMETICS + _DAILY, LIST_IN_FORCE, "禁止用于化妆品和日用化学品",
                                     "not in cosmetics or daily-use chemicals")),
        source=f"{ORDER_28}, entry 12: no pesticide additive, no NPEO production, not in cosmetics. Uncertain: "
               "daily-use chemicals (detergents) are read into the cosmetics ban, the stricter reading; dates "
               "taken as the list's entry into force"),
    "antibiotics": Measure(
        "antibiotics", "limit_emission",
        end_of_life_zh="抗生素菌渣按危险废物或依规无害化处理", end_of_life_en="antibiotic fermentation residues are "
                       "treated as hazardous waste or rendered harmless as the rules require",
        source=f"{ORDER_28}, entry 13: emission limits (pharmaceutical discharge standards), prescription and "
               "veterinary controls; no role is prohibited"),
}

# Entry 14 (已淘汰类): already banned before the list restated the ban; the earlier bans' dates.
_PHASED_OUT_SINCE = {
    "hbcdd": (dt.date(2021, 12, 26), "生态环境部等公告2021年第47号 (HBCDD specific exemptions ended 2021-12-25)"),
    "ddt": (ANNOUNCEMENT_2009, "环境保护部等公告2009年第23号 (banned from 2009-05-17)"),
    "chlordane": (ANNOUNCEMENT_2009, "环境保护部等公告2009年第23号 (banned from 2009-05-17)"),
    "mirex": (ANNOUNCEMENT_2009, "环境保护部等公告2009年第23号 (banned from 2009-05-17)"),
    "hcb": (ANNOUNCEMENT_2009, "环境保护部等公告2009年第23号 (banned from 2009-05-17)"),
    "alpha_hch": (dt.date(2014, 3, 26), "环境保护部等公告2014年第21号 (banned from 2014-03-26)"),
    "beta_hch": (dt.date(2014, 3, 26), "环境保护部等公告2014年第21号 (banned from 2014-03-26)"),
    "lindane": (dt.date(2014, 3, 26), "环境保护部等公告2014年第21号 (banned from 2014-03-26; uncertain: "
                                      "lindane's exemption for head-lice treatment is not applied)"),
    "endosulfan": (dt.date(2019, 3, 26), "生态环境部等公告2019年第10号 (banned from 2019-03-26; uncertain date)"),
    "pcbs": (STOCKHOLM_FOR_CHINA, "Stockholm Convention in force for China 2004-11-11 (production ended long "
                                  "before; uncertain: date read as the Convention's)"),
}
for _key, (_since, _why) in _PHASED_OUT_SINCE.items():
    MEASURES_2023[_key] = Measure(_key, "ban", bans=_ban(_since), export_banned_since=_since,
                                  end_of_life_zh=_DESTROY_ZH, end_of_life_en=_DESTROY_EN,
                                  source=f"{ORDER_28}, entry 14 (已淘汰类), restating {_why}")


def _stockholm_measure(s: ControlledSubstance) -> Measure:
    """A POP not on the 2023 list: control_lists' measure, from the Convention's date for China."""
    year = s.stockholm_year or 2001
    if year == 2001:
        since, why = STOCKHOLM_FOR_CHINA, "Stockholm Convention in force for China 2004-11-11"
    else:
        # An Annex amendment enters into force about a year after the COP decision; China may set a later date
        # by announcement. Uncertain: the earlier reading (1 January of the year after the decision).
        since = dt.date(year + 1, 1, 1)
        why = (f"Stockholm Convention, COP decision of {year}; uncertain: the date China applies it, read as "
               f"{since.isoformat()} (the earlier reading)")
    if s.measure == "ban":
        return Measure(s.key, "ban", bans=_ban(since), export_banned_since=since, end_of_life_zh=_DESTROY_ZH,
                       end_of_life_en=_DESTROY_EN, source=why)
    # restrict / limit_emission: no prohibited role we can state; waste still goes to destruction above the limit.
    return Measure(s.key, s.measure, end_of_life_zh=_DESTROY_ZH, end_of_life_en=_DESTROY_EN, source=why)


def _others() -> dict[str, Measure]:
    out = {}
    for s in CONTROLLED_SUBSTANCES:
        if s.key in MEASURES_2023:
            continue
        if "stockholm" in s.lists:
            out[s.key] = _stockholm_measure(s)
        else:  # priority chemicals: risk controls (permits, audits), no prohibited role
            out[s.key] = Measure(s.key, s.measure, source="《优先控制化学品名录》: " + s.measure_zh)
    return out


MEASURES: dict[str, Measure] = {**MEASURES_2023, **_others()}


def measure_for(substance_key: str) -> Measure | None:
    """The measure of a control-list key, or None for an unknown key."""
    return MEASURES.get(substance_key)


def on_roster_lists(substance_key: str) -> bool:
    """True if handling the substance puts an enterprise on the roster (2023 list or a POP)."""
    s = _BY_KEY.get(substance_key)
    return s is not None and any(name in s.lists for name in ROSTER_LISTS)


def _matches(use_text: str, keywords: tuple[str, ...]) -> bool:
    text = (use_text or "").casefold()
    return bool(text) and any(k in text for k in keywords)


def _name(s: ControlledSubstance) -> tuple[str, str]:
    return s.name_zh, s.name_en


def prohibited_on(substance_key: str, role: str, day: dt.date, use_text: str = "") -> Prohibition | None:
    """The prohibition of ``role`` for the substance on ``day`` (a use matching an exemption in force is allowed)."""
    return _prohibited(substance_key, role, day, day, use_text)


def prohibited(substance_key: str, role: str, year: int, use_text: str = "") -> Prohibition | None:
    """The prohibition of ``role`` for the substance in ``year``, or None when the role is allowed.

    A ban counts in a year when it is in force on any day of it (from its date to 31 December); an
    exemption counts only when it lasts to the year's end. ``use_text`` is the declared use, matched
    against the exemptions' and restrictions' keywords (Chinese or English, case-insensitive).
    """
    return _prohibited(substance_key, role, dt.date(year, 12, 31), dt.date(year, 12, 31), use_text, year=year)


def _prohibited(substance_key: str, role: str, ban_day: dt.date, exempt_day: dt.date, use_text: str,
                year: int | None = None) -> Prohibition | None:
    m = MEASURES.get(substance_key)
    if m is None:
        return None
    s = m.substance
    zh, en = _name(s)
    year = year if year is not None else ban_day.year
    role_zh = ROLE_ZH.get(role, role)
    for ban in m.bans:
        if ban.role != role or ban.since > ban_day:
            continue
        exempt = next((e for e in ban.exemptions if role in e.roles and _matches(use_text, e.keywords)
                       and (e.until is None or e.until >= exempt_day)), None)
        if exempt is not None:
            continue
        ended = [e for e in ban.exemptions if role in e.roles and _matches(use_text, e.keywords)]
        note_zh = f"（豁免用途已于{ended[0].until}到期）" if ended else ""
        note_en = f" (its exemption ended {ended[0].until})" if ended else ""
        return Prohibition(
            substance_key, role, year, ban.since, "ban",
            reason_zh=f"{zh}自{ban.since.isoformat()}起禁止{role_zh}{note_zh}",
            reason_en=f"{ROLE_EN.get(role, role)} of {en} is prohibited since {ban.since.isoformat()}{note_en}", source=m.source)
    for r in m.restrictions:
        if r.role == role and r.since <= ban_day and _matches(use_text, r.keywords):
            return Prohibition(
                substance_key, role, year, r.since, "restriction",
                reason_zh=f"{zh}：{r.text_zh}（自{r.since.isoformat()}起）",
                reason_en=f"{en}: {r.text_en} (since {r.since.isoformat()})", source=m.source)
    return None


_AUDIT_SOURCE = ("《清洁生产审核办法》(2016) arts. 8, 11 and 《重点管控新污染物清单（2023年版）》: enterprises producing, "
                 "using or releasing key new pollutants carry out a mandatory clean-production audit; we read "
                 "'complete it within a year of being listed'")
_PERMIT_SOURCE = ("《排污许可管理条例》(2021) and the 2023 list: the permit names the controlled substances and their "
                  "limits. The due date (within a year of listing) is our conservative choice: no date is set")
_MONITOR_SOURCE = ("《排污单位自行监测技术指南》 and the 2023 list: roster enterprises monitor the listed substances in "
                   "their discharges yearly; due by the end of the year after the survey year")
_DISCLOSE_SOURCE = ("《企业环境信息依法披露管理办法》(2021) art. 12: the annual report on the previous year is published "
                    "by 15 March; art. 8 names enterprises producing or using key new pollutants")


def obligations_for(year: int, listed_on: dt.date) -> list[ObligationRule]:
    """The obligations of an enterprise on the roster of survey ``year``, listed on ``listed_on``, with due dates."""
    a_year_on = _add_year(listed_on)
    return [
        ObligationRule("clean_production_audit", a_year_on, *OBLIGATION_NAMES["clean_production_audit"],
                       "列入名单后一年内完成", "completed within a year of listing", _AUDIT_SOURCE),
        ObligationRule("discharge_permit", a_year_on, *OBLIGATION_NAMES["discharge_permit"],
                       "列入名单后一年内取得或变更", "obtained or amended within a year of listing", _PERMIT_SOURCE),
        ObligationRule("monitoring", dt.date(year + 1, 12, 31), *OBLIGATION_NAMES["monitoring"],
                       f"{year + 1}年内完成年度监测", f"the yearly monitoring done within {year + 1}", _MONITOR_SOURCE),
        ObligationRule("annual_disclosure", dt.date(year + 1, 3, 15), *OBLIGATION_NAMES["annual_disclosure"],
                       f"{year}年度报告于{year + 1}-03-15前披露", f"the {year} report published by {year + 1}-03-15",
                       _DISCLOSE_SOURCE),
    ]


def _add_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)

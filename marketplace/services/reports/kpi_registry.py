"""Every KPI of the park report named once: its key, Chinese and English name, unit, scopes and definition.

The HTML report, the CSV files, the XLSX workbook and the coordinators' pages take their KPI labels,
units and number formats from here instead of each holding a list of its own, so a name changed here
changes everywhere. The groups at the bottom (``BASIS_TOTALS``, ``PARK_RATES``…) are the registry's
entries of one scope in the order the tables show them.

A label is made of a KPI's name and its unit: ``label`` (``物料量 tonnes``, a row of the KPI table),
``column`` (``净减排 (t CO2e)`` / ``Net CO2e avoided (t)``, a column header), ``title_en`` (``Utilisation
rate``, a card on a page). Proposed and approved figures are annual rates (``t/a``), realised ones
amounts in the period (``t``): the basis, or ``Kpi.annual``, decides.

Pure data: no database, no Flask, so a page can import it without the renderers.
"""
from __future__ import annotations

from dataclasses import dataclass

ANNUAL_BASES = ("proposed", "approved")

# Scopes: where a figure is reported.
BASIS = "basis"            # the sums over the waste flows of one basis, for the park and each enterprise (sent)
PARK = "park"              # the park as a whole, over its own offers
ENTERPRISE = "enterprise"  # one enterprise of the park
MONTH = "month"            # one calendar month of the period
FLOW = "flow"              # one flow (a match or a delivery)
COMPLIANCE = "compliance"  # the park's state at the period's end
STREAM = "stream"          # one waste stream (工业/危险/生活/建筑/农业) of the park's own offers
SCOPES = (BASIS, PARK, ENTERPRISE, MONTH, FLOW, COMPLIANCE, STREAM)


@dataclass(frozen=True)
class Unit:
    """How the figures of one kind are written.

    ``reading`` follows a value in the HTML report, ``text`` is the same in plain ASCII (headers of
    the enterprise sheet), ``header_zh``/``header_en`` go in brackets after a column's name (the
    English name of a CO2e figure says CO2e already), ``words_zh``/``words_en`` on the pages.
    """

    kind: str
    code: str            # the machine unit of the CSV files (kpis.csv): t, t*km, tCO2e, CNY, km, count, ratio
    reading: str
    text: str
    header_zh: str
    header_en: str
    words_zh: str
    words_en: str
    xlsx_format: str     # the number format of a cell
    digits: int          # decimals shown on the pages

    def annual(self, text: str, *, zh: bool = False) -> str:
        """``text`` as a rate per year: ``t/a`` (吨/年 in Chinese words); a count or a share has no rate."""
        if not text or self.kind in ("count", "share"):
            return text
        return f"{text}/年" if zh else f"{text}/a"


T3 = "#,##0.000"
PCT = "0.0%"
WHOLE = "#,##0"

UNITS: dict[str, Unit] = {u.kind: u for u in (
    Unit("t", "t", "t", "t", "t", "t", "吨", "t", T3, 1),
    Unit("t*km", "t*km", "t·km", "t·km", "t·km", "t·km", "吨·公里", "t·km", T3, 0),
    Unit("tCO2e", "tCO2e", "t CO₂e", "t CO2e", "t CO2e", "t", "吨二氧化碳当量", "t CO2e", T3, 1),
    Unit("CNY", "CNY", "元 CNY", "元 CNY", "元", "CNY", "元", "CNY", WHOLE, 0),
    Unit("km", "km", "km", "km", "km", "km", "公里", "km", T3, 1),
    Unit("count", "count", "", "", "", "", "", "", WHOLE, 0),
    Unit("share", "ratio", "%", "", "", "", "", "", PCT, 1),
)}


@dataclass(frozen=True)
class Kpi:
    """One figure of the report: its key in the document, its names, unit kind, scopes and definition."""

    key: str
    zh: str
    en: str                       # lower case unless a name (CO2e); ``title_en`` capitalises it
    unit: str                     # a key of UNITS
    scopes: tuple[str, ...]
    annual: bool = False          # an annual rate whatever the basis (offered tonnes, a month's new matches)
    definition_zh: str = ""
    definition_en: str = ""

    @property
    def format(self) -> Unit:
        """How the figure is written: its unit's texts, number format and decimals."""
        return UNITS[self.unit]

    @property
    def title_en(self) -> str:
        """The English name as a title: ``Utilisation rate``."""
        return self.en[:1].upper() + self.en[1:]

    @property
    def label(self) -> str:
        """``中文 English``: a row of the KPI tables."""
        return f"{self.zh} {self.en}"

    def is_annual(self, basis: str | None = None) -> bool:
        return self.annual or basis in ANNUAL_BASES

    def unit_code(self, basis: str | None = None) -> str:
        """The unit of the CSV files on ``basis``: ``t/a`` for an annual rate, ``ratio`` for a share."""
        code = self.format.code
        return self.format.annual(code) if self.is_annual(basis) else code

    def column(self, basis: str | None = None) -> tuple[str, str]:
        """The column header, Chinese and English: ``净减排 (t CO2e)``, ``Net CO2e avoided (t)``."""
        zh, en = self.format.header_zh, self.format.header_en
        if self.is_annual(basis):
            zh, en = self.format.annual(zh), self.format.annual(en)
        return (f"{self.zh} ({zh})" if zh else self.zh), (f"{self.title_en} ({en})" if en else self.title_en)

    def words(self, basis: str | None = None) -> tuple[str, str]:
        """The unit in words for a page, Chinese and English: ``吨/年``, ``t/a``; empty for a count or share."""
        annual = self.is_annual(basis)
        zh, en = self.format.words_zh, self.format.words_en
        return (self.format.annual(zh, zh=True), self.format.annual(en)) if annual else (zh, en)


_ALL = (BASIS, ENTERPRISE)  # a basis total is reported for the park and, as sent, for each enterprise

# The basis totals in the order of the KPI table; the other groups name their order below.
KPIS: dict[str, Kpi] = {k.key: k for k in (
    # A month's tonnes: received in it (t), of the matches created or approved in it (t/a).
    # (a stream's: received in the period from the park's offers of the stream)
    Kpi("transferred_t", "实际转移", "transferred", "t", (MONTH, STREAM)),
    Kpi("diverted_t", "避免填埋/焚烧", "diverted", "t", (MONTH,)),
    Kpi("approved_t", "新批准", "approved", "t", (MONTH,), annual=True),
    Kpi("proposed_t", "新拟议", "proposed", "t", (MONTH,), annual=True),
    # The sums over the waste flows of a basis.
    Kpi("flows", "流向数", "flows", "count", _ALL),
    Kpi("tonnes", "物料量", "tonnes", "t", _ALL),
    Kpi("hazardous_t", "其中危险废物", "of which hazardous", "t", _ALL),
    Kpi("hazardous_share", "危险废物占比", "hazardous share", "share", _ALL),
    Kpi("diverted_landfill_t", "避免填埋量", "diverted from landfill", "t", _ALL),
    Kpi("diverted_incineration_t", "避免焚烧量", "diverted from incineration", "t", _ALL),
    Kpi("distance_km", "距离", "distance", "km", (FLOW,)),
    Kpi("tonne_km", "运输周转量", "transport work", "t*km", (*_ALL, FLOW)),
    Kpi("co2e_avoided_t", "避免排放", "CO2e avoided", "tCO2e", (*_ALL, MONTH, FLOW)),
    Kpi("transport_co2e_t", "运输排放", "transport CO2e", "tCO2e", (*_ALL, FLOW)),
    Kpi("net_co2e_avoided_t", "净减排", "net CO2e avoided", "tCO2e", (*_ALL, MONTH, FLOW)),
    Kpi("cost_saving_cny", "成本节约", "cost saving", "CNY", (*_ALL, FLOW)),
    Kpi("priced_flows", "有价格的流向", "priced flows", "count", _ALL),
    # The park's (and an enterprise's) own offers and what became of them.
    Kpi("offers", "供给数", "offers", "count", (PARK, ENTERPRISE, STREAM)),
    Kpi("offered_t", "供给量", "offered", "t", (PARK, ENTERPRISE, STREAM), annual=True),
    Kpi("received_t", "接收量", "received", "t", (ENTERPRISE,)),
    # A stream's matched tonnes are what the park's match rate divides: the proposed matches of its own offers.
    Kpi("matched_t", "匹配量", "matched", "t", (STREAM,), annual=True,
        definition_zh="本期拟议匹配量（本园区供给）", definition_en="proposed in the period, the park's own offers"),
    Kpi("in_force_t", "在执行批准量", "approved in force", "t", (PARK, ENTERPRISE, STREAM), annual=True,
        definition_zh="报告期内在执行的已批准匹配量", definition_en="approved matches in force during the period"),
    Kpi("match_rate", "供给匹配率", "match rate", "share", (PARK, STREAM),
        definition_zh="拟议 ÷ 供给", definition_en="proposed ÷ offered"),
    Kpi("utilisation_rate", "资源化利用率", "utilisation rate", "share", (PARK, ENTERPRISE, STREAM),
        definition_zh="在执行批准量 ÷ 供给", definition_en="approved in force ÷ offered"),
    Kpi("realisation_rate", "实际落实率", "realisation rate", "share", (PARK,),
        definition_zh="实际 ÷ 在执行匹配应交付量", definition_en="realised ÷ due under the matches in force"),
    # An enterprise's manifests and ledger; a month's shipments received.
    Kpi("shipments", "运输批次", "shipments", "count", (ENTERPRISE, MONTH)),
    Kpi("on_time_share", "按时率", "on-time share", "share", (ENTERPRISE,)),
    Kpi("ledger_entries", "台账条数", "ledger entries", "count", (ENTERPRISE,)),
    Kpi("ledger_complete_share", "台账完整率", "ledger completeness", "share", (ENTERPRISE,)),
    # Compliance: alerts and findings active (acknowledged alerts too) at the period's end.
    Kpi("alerts_open", "有效预警", "active alerts", "count", (ENTERPRISE, COMPLIANCE)),
    Kpi("alerts_raised", "新增预警", "alerts raised", "count", (MONTH, COMPLIANCE)),
    Kpi("open_manifests", "未办结联单", "open manifests", "count", (COMPLIANCE,)),
    Kpi("findings_open", "未整改台账问题", "open ledger findings", "count", (ENTERPRISE, COMPLIANCE)),
    # Hazardous waste management plans of the year the period ends in (due 31 March).
    Kpi("hw_plans_filed", "已备案危废管理计划", "HW management plans filed", "count", (COMPLIANCE,),
        definition_zh="已备案（含备案后申请变更）", definition_en="accepted, or filed and being revised"),
    Kpi("hw_plan_producers", "危险废物产生单位", "HW producers", "count", (COMPLIANCE,),
        definition_zh="本年度有危废转移联单或台账产生记录的企业",
        definition_en="enterprises with HW manifests or ledger entries produced in the year"),
    Kpi("hw_plans_late", "逾期提交的管理计划", "plans submitted late", "count", (COMPLIANCE,)),
    Kpi("hw_plans_missing", "未提交管理计划的产生单位", "producers without a plan", "count", (COMPLIANCE,)),
    # Counts by code.
    Kpi("failed_checks", "候选配对未通过硬性检查次数", "hard-check failures on candidate pairs", "count",
        (COMPLIANCE,)),
    Kpi("soft_flags", "提示项", "soft flags", "count", (COMPLIANCE,)),
    Kpi("alerts_by_kind", "预警（按类型）", "alerts by kind", "count", (COMPLIANCE,)),
    Kpi("findings_by_code", "台账问题（按代码）", "ledger findings by code", "count", (COMPLIANCE,)),
    Kpi("hw_plans_by_status", "危废管理计划（按状态）", "HW management plans by status", "count", (COMPLIANCE,)),
)}


def _group(scope: str, *keys: str) -> tuple[Kpi, ...]:
    group = tuple(KPIS[k] for k in keys)
    stray = [k.key for k in group if scope not in k.scopes]
    if stray:  # a group holds figures of its scope only
        raise ValueError(f"not of scope {scope}: {', '.join(stray)}")
    return group


# The groups the renderers iterate, each in the order its table shows it.
BASIS_TOTALS = tuple(k for k in KPIS.values() if BASIS in k.scopes)  # the KPI table, kpis.csv, the 概览 sheet
PARK_RATES = _group(PARK, "match_rate", "utilisation_rate", "realisation_rate")
ENTERPRISE_FIGURES = _group(ENTERPRISE, "utilisation_rate", "shipments", "on_time_share", "ledger_entries",
                            "ledger_complete_share", "alerts_open", "findings_open")  # after its sent tonnes
# transferred_t first after the month: the 月度 sheet's chart reads the second column.
MONTH_FIGURES = _group(MONTH, "transferred_t", "diverted_t", "approved_t", "proposed_t", "co2e_avoided_t",
                       "net_co2e_avoided_t", "shipments", "alerts_raised")
FLOW_FIGURES = _group(FLOW, "distance_km", "tonne_km", "co2e_avoided_t", "transport_co2e_t", "net_co2e_avoided_t",
                      "cost_saving_cny")
COMPLIANCE_BREAKDOWNS = _group(COMPLIANCE, "failed_checks", "soft_flags", "alerts_by_kind", "findings_by_code",
                               "hw_plans_by_status")
# One row per waste stream (kpis.streams): the table 按废物种类 By waste stream, kpis.csv, the 废物种类 sheet, the
# park overview.
STREAM_FIGURES = _group(STREAM, "offers", "offered_t", "matched_t", "in_force_t", "transferred_t", "match_rate",
                        "utilisation_rate")

__all__ = ["ANNUAL_BASES", "BASIS", "BASIS_TOTALS", "COMPLIANCE", "COMPLIANCE_BREAKDOWNS", "ENTERPRISE",
           "ENTERPRISE_FIGURES", "FLOW", "FLOW_FIGURES", "KPIS", "Kpi", "MONTH", "MONTH_FIGURES", "PARK", "PARK_RATES",
           "PCT", "SCOPES", "STREAM", "STREAM_FIGURES", "T3", "UNITS", "Unit", "WHOLE"]

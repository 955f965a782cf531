"""The coordinators' park overview: KPI cards, compliance, what waits for them, and small charts.

The figures come from the park report (``reports.overview_report``: ``build_report`` without its flow
network, kept while the data is unchanged; the same numbers as the
report pages and downloads), the waiting counts from the workflow, alerts and ledger review.
The helpers at the top (parks the user coordinates, the period of the filters, bar charts
drawn as inline SVG, links to pages that may not exist yet) serve the other coordinator
pages too (``runs``, ``approvals``, ``ratings``).
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from catalog.waste_streams import STREAM_KEYS, STREAMS_BY_KEY
from marketplace.errors import DomainError, ValidationFailed
from marketplace.services.catalog.reference import CatalogStatus, catalog_status
from marketplace.services.reports.kpi_registry import KPIS, STREAM_FIGURES, Kpi
from marketplace.services.reports.overview import waiting_work
from marketplace.services.reports.overview_report import overview_report
from marketplace.services.traceability.ledger_review import CODE_ZH
from matching.rules import RULES

from ..database import db_session
from ..i18n import both_languages, loc, state_label
from . import bp
from .auth import coordinators_only, page_principal
from .common import FormErrors, coordinated_parks, park_options

GRADE_KEYS = ("A", "B", "C", "D", None)
RULE_NAMES = {r.code: (r.name_zh, r.name_en) for r in RULES}


# --- shared by the coordinator pages -------------------------------------------------------------

def code_label(code: str) -> str:
    """The page-language name of a check, a ledger finding or an alert kind code."""
    if code in RULE_NAMES:
        return loc(*RULE_NAMES[code])
    if code in CODE_ZH:
        return loc(CODE_ZH[code], code.replace("_", " "))
    return state_label(code)


def filter_values(*names: str) -> dict[str, str]:
    """The GET filters of the request, trimmed and bounded (as typed: they are shown back)."""
    return {k: (request.args.get(k) or "").strip()[:32] for k in names}


def parse_period(values: dict[str, str]) -> tuple[dt.date | None, dt.date | None]:
    """``from`` / ``to`` of the filters as dates (blank: the report's default); a bad date is a 422."""
    out: list[dt.date | None] = []
    errors: dict[str, list[str]] = {}
    for name in ("from", "to"):
        text = values.get(name, "")
        try:
            out.append(dt.date.fromisoformat(text) if text else None)
        except ValueError:
            out.append(None)
            errors[name] = [both_languages(_l("not a date YYYY-MM-DD: %(value)s", value=text))]
    if errors:
        raise ValidationFailed("the period is not valid (报告期有误)", errors)
    return out[0], out[1]


def page_link(endpoint: str, **args: Any) -> str:
    """``url_for(endpoint, **args)`` without the empty arguments (a filter left blank is no filter)."""
    return url_for(endpoint, **{k: v for k, v in args.items() if v not in (None, "")})


@dataclass
class Bar:
    """One bar of a chart, in SVG user units."""

    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    css: str = ""
    short: str = ""  # the value as printed above the bar


def compact(value: float, digits: int = 1) -> str:
    """A short number for a chart label: 950, 12.3k, 4.1M."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.1f}M"
    if size >= 1e4:
        return f"{value / 1e3:.0f}k"
    if size >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.{digits}f}" if value != int(value) else f"{value:.0f}"


@dataclass
class BarChart:
    """A bar chart ready to draw: its bars, size and the value of the top gridline."""

    title: str
    unit: str
    bars: list[Bar]
    width: float
    height: float
    top: float
    base: float  # y of the axis
    digits: int = 1

    @property
    def empty(self) -> bool:
        return not any(b.value for b in self.bars)


def bar_chart(title: str, unit: str, items: list[tuple[str, float, str]], *, plot_height: float = 120,
              bar: float = 26, gap: float = 8, digits: int = 1) -> BarChart:
    """Vertical bars for ``(label, value, css class)`` items, scaled to the largest value."""
    top = max((v for _, v, _c in items), default=0.0) or 1.0
    left, pad_top = 8.0, 18.0
    bars = []
    for i, (label, value, css) in enumerate(items):
        h = plot_height * max(value, 0.0) / top
        x = left + i * (bar + gap)
        bars.append(Bar(label=label, value=value, x=x, y=pad_top + plot_height - h, width=bar, height=h, css=css,
                        short=compact(value, digits)))
    width = left * 2 + max(len(items), 1) * (bar + gap)
    return BarChart(title=title, unit=unit, bars=bars, width=width, height=pad_top + plot_height + 34, top=top,
                    base=pad_top + plot_height, digits=digits)


def grade_counts(ratings: list[dict[str, Any]]) -> dict[str | None, int]:
    """How many enterprises got each grade (None: not rated), in grade order."""
    counts = Counter(r.get("grade") for r in ratings)
    return {g: counts.get(g, 0) for g in GRADE_KEYS}


def grade_chart(ratings: list[dict[str, Any]]) -> BarChart:
    """The distribution of the grades A–D (and not rated) as bars."""
    counts = grade_counts(ratings)
    items = [(g or _("not rated"), float(n), f"g-{g or 'none'}") for g, n in counts.items()]
    return bar_chart(_("Enterprises by grade"), _("enterprises"), items, bar=40, gap=14, digits=0)


# --- the overview ----------------------------------------------------------------------------------

@dataclass
class Card:
    """One KPI card: a label, the value (None: nothing to divide by), its unit and a note."""

    label: Any
    value: float | None
    unit: str = ""
    digits: int = 1
    percent: bool = False
    note: str = ""
    css: str = ""


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def kpi_title(k: Kpi) -> str:
    """A KPI's name in the page's language: the report's own (``kpi_registry``)."""
    return loc(k.zh, k.title_en)


def kpi_card(k: Kpi, value: float | None, basis: str | None = None, note: str = "", css: str = "") -> Card:
    """The card of one KPI: its name, unit and decimals from the registry (an annual rate on ``basis`` approved)."""
    return Card(kpi_title(k), value, loc(*k.words(basis)), digits=k.format.digits, percent=k.unit == "share",
                note=note, css=css)


def kpi_cards(kpis: dict[str, Any]) -> list[Card]:
    """The headline figures of the park block (annual rates of approved matches unless said otherwise).

    The tonnes of each basis are titled by the basis; the net CO2e card, which shows its gross and transport
    parts too, keeps its own title.
    """
    park = kpis["park"]
    prop, appr, real = park["proposed"], park["approved"], park["realised"]
    return [
        kpi_card(KPIS["offered_t"], park["offered_t"], note=_("%(n)s offers", n=park["offers"])),
        Card(_l("Matched (proposed)"), prop["tonnes"], _("t/a"),
             note=_("match rate %(rate)s", rate=_pct(park["match_rate"]))),
        Card(_l("Approved"), appr["tonnes"], _("t/a"), note=_("%(n)s matches", n=appr["flows"])),
        Card(_l("Transferred"), real["tonnes"], _("t"),
             note=_("received in the period; %(rate)s of what the matches in force should deliver",
                    rate=_pct(park["realisation_rate"]))),
        kpi_card(KPIS["utilisation_rate"], park["utilisation_rate"], note=_("approved matches in force ÷ offered")),
        kpi_card(KPIS["diverted_landfill_t"], appr["diverted_landfill_t"], "approved"),
        kpi_card(KPIS["diverted_incineration_t"], appr["diverted_incineration_t"], "approved"),
        kpi_card(KPIS["hazardous_share"], appr["hazardous_share"], note=_("of approved tonnes")),
        kpi_card(KPIS["tonne_km"], appr["tonne_km"], "approved"),
        Card(_l("Avoided CO2e (net)"), appr["net_co2e_avoided_t"], _("t/a"),
             note=_("gross %(gross)s t, transport %(transport)s t",
                    gross=format(appr["co2e_avoided_t"], ",.1f"), transport=format(appr["transport_co2e_t"], ",.1f"))),
        kpi_card(KPIS["cost_saving_cny"], appr["cost_saving_cny"], "approved",
                 note=_("over %(n)s priced matches", n=appr["priced_flows"])),
    ]


# The rows of the table by basis, in the page's order.
BASIS_ROW_KEYS = ("tonnes", "diverted_landfill_t", "diverted_incineration_t", "hazardous_share", "tonne_km",
                  "net_co2e_avoided_t", "cost_saving_cny")


def basis_rows() -> list[tuple[str, str, int, bool]]:
    """``(key, label, decimals, is a share)`` of each row of the table by basis; tonnes and shares without a unit
    in the label (the columns say t/a or t), the others with theirs."""
    rows = []
    for key in BASIS_ROW_KEYS:
        k = KPIS[key]
        label = kpi_title(k) if k.unit in ("t", "share") else loc(*k.column())
        rows.append((k.key, label, k.format.digits, k.unit == "share"))
    return rows


def stream_columns() -> list[tuple[str, str, int, bool]]:
    """``(key, label, decimals, is a share)`` of each figure of the table by waste stream: the registry's names,
    with their units (t/a, t), in the page's language."""
    return [(k.key, loc(*k.column()), k.format.digits, k.unit == "share") for k in STREAM_FIGURES]


def stream_rows(kpis: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """``(key, name, figures)`` of each waste stream of the report (``kpis.streams``), in the streams' order."""
    streams = kpis.get("streams") or {}
    return [(key, loc(STREAMS_BY_KEY[key].name_zh, STREAMS_BY_KEY[key].name_en), streams[key])
            for key in STREAM_KEYS if key in streams]


def compliance_cards(compliance: dict[str, Any]) -> list[Card]:
    """Checks failed in the latest run, active alerts, open manifests, open ledger findings, the year's HW management
    plans filed."""
    failed = sum(compliance["failed_checks"].values())
    return [
        kpi_card(KPIS["failed_checks"], failed, note=_("latest run #%(run)s", run=compliance["run"])
                 if compliance["run"] else _("no run in the period")),
        kpi_card(KPIS["alerts_open"], compliance["alerts_open"],
                 note=_("%(n)s critical", n=compliance["alerts_critical"]),
                 css="bad" if compliance["alerts_critical"] else "warn" if compliance["alerts_open"] else ""),
        kpi_card(KPIS["open_manifests"], compliance["open_manifests"],
                 css="warn" if compliance["open_manifests"] else ""),
        kpi_card(KPIS["findings_open"], compliance["findings_open"],
                 css="warn" if compliance["findings_open"] else ""),
        *([plans_card(compliance)] if compliance.get("hw_plans_year") is not None else []),
    ]


def plans_card(compliance: dict[str, Any]) -> Card:
    """The plans on file of the year's hazardous waste producers: missing ones once 31 March is past."""
    missing, year = compliance["hw_plans_missing"], compliance["hw_plans_year"]
    values = {"n": compliance["hw_plan_producers"], "late": compliance["hw_plans_late"], "year": year,
              "due": compliance["hw_plans_due"], "missing": missing}
    note = (_("%(year)s: of %(n)s HW producers, %(late)s late; due by %(due)s", **values) if missing is None
            else _("%(year)s: of %(n)s HW producers, %(late)s late, %(missing)s without a plan", **values))
    return kpi_card(KPIS["hw_plans_filed"], compliance["hw_plans_filed"], note=note, css="warn" if missing else "")


def monthly_chart(monthly: list[dict[str, Any]]) -> BarChart:
    """Tonnes received per month of the period."""
    items = [(m["month"][2:], float(m["transferred_t"]), "") for m in monthly]
    return bar_chart(_("Transferred tonnes per month"), _("t"), items, bar=22, gap=6)


def partial_catalog() -> CatalogStatus | None:
    """What ``_catalog_notice.html`` says while the official HW list is not imported (None once it is).

    Read at most once per request, and only by the pages that include the notice.
    """
    if "catalog_status" not in g:
        status = catalog_status(db_session())
        g.catalog_status = None if status.complete else status
    return g.catalog_status


@bp.app_context_processor
def _catalog_notice() -> dict[str, Any]:
    return {"catalog_status": partial_catalog}


@bp.get("/park")
@coordinators_only
def park_home():
    """The chosen park's KPIs, compliance, waiting work and charts (default: the user's first park)."""
    principal, session = page_principal(), db_session()
    parks = coordinated_parks(principal)
    values = filter_values("park", "from", "to")
    context: dict[str, Any] = {"parks": parks, "park_choices": park_options(parks), "values": values,
                               "errors": None, "doc": None}
    if not parks:
        return render_template("park.html", **context)
    values["park"] = values["park"] or parks[0].code
    started = time.perf_counter()
    try:
        start, end = parse_period(values)
        doc = overview_report(session, principal, park=values["park"], start=start, end=end)
        park = next(p for p in parks if p.code == values["park"])
        waiting = waiting_work(session, principal, park.code)
    except DomainError as exc:  # nothing was written: the error response keeps nothing anyway
        return render_template("park.html", **{**context, "errors": FormErrors.of(exc)}), exc.status
    compliance = doc["kpis"]["compliance"]
    context.update(
        doc=doc, park=park, code_label=code_label, waiting=waiting, cards=kpi_cards(doc["kpis"]), compliance=compliance,
        compliance_cards=compliance_cards(compliance), basis_rows=basis_rows(), kpi_title=kpi_title, kpis=KPIS,
        stream_columns=stream_columns(), stream_rows=stream_rows(doc["kpis"]),
        charts=[monthly_chart(doc["kpis"]["monthly"]), grade_chart(doc["ratings"])],
        grades=grade_counts(doc["ratings"]), seconds=time.perf_counter() - started,
        links={"approvals": page_link("pages.approvals", park=park.code),
               "alerts": page_link("pages.alerts", park=park.code),
               "findings": page_link("pages.ledger_findings", park=park.code),
               "ratings": page_link("pages.ratings", park=park.code, **{"from": values["from"], "to": values["to"]}),
               "runs": page_link("pages.runs"),
               "report": url_for("pages.report_view", park=park.code,
                                 **{k: values[k] for k in ("from", "to") if values[k]})})
    return render_template("park.html", **context)

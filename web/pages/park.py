"""The coordinators' park overview: KPI cards, compliance, what waits for them, and small charts.

The figures come from the park report (``reports.build_report``: the same numbers as the
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

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.errors import DomainError, ValidationFailed
from marketplace.models import Park
from marketplace.services.traceability import alerts, ledger_review
from marketplace.services.matching import workflow
from marketplace.services.accounts.users import Principal
from marketplace.services.traceability.ledger_review import CODE_ZH
from marketplace.services.reports.document import build_report
from matching.rules import RULES

from ..database import db_session
from ..i18n import loc, state_label
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
            errors[name] = [_("not a date YYYY-MM-DD: %(value)s", value=text)]
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


def kpi_cards(kpis: dict[str, Any]) -> list[Card]:
    """The headline figures of the park block (annual rates of approved matches unless said otherwise)."""
    park = kpis["park"]
    prop, appr, real = park["proposed"], park["approved"], park["realised"]
    return [
        Card(_l("Offered"), park["offered_t"], _("t/a"), note=_("%(n)s offers", n=park["offers"])),
        Card(_l("Matched (proposed)"), prop["tonnes"], _("t/a"),
             note=_("match rate %(rate)s", rate=_pct(park["match_rate"]))),
        Card(_l("Approved"), appr["tonnes"], _("t/a"), note=_("%(n)s matches", n=appr["flows"])),
        Card(_l("Transferred"), real["tonnes"], _("t"),
             note=_("received in the period; %(rate)s of what the matches in force should deliver",
                    rate=_pct(park["realisation_rate"]))),
        Card(_l("Utilisation rate"), park["utilisation_rate"], percent=True,
             note=_("approved matches in force ÷ offered")),
        Card(_l("Diverted from landfill"), appr["diverted_landfill_t"], _("t/a")),
        Card(_l("Diverted from incineration"), appr["diverted_incineration_t"], _("t/a")),
        Card(_l("Hazardous share"), appr["hazardous_share"], percent=True, note=_("of approved tonnes")),
        Card(_l("Transport"), appr["tonne_km"], _("t·km/a"), digits=0),
        Card(_l("Avoided CO2e (net)"), appr["net_co2e_avoided_t"], _("t/a"),
             note=_("gross %(gross)s t, transport %(transport)s t",
                    gross=format(appr["co2e_avoided_t"], ",.1f"), transport=format(appr["transport_co2e_t"], ",.1f"))),
        Card(_l("Cost saving"), appr["cost_saving_cny"], _("CNY/a"), digits=0,
             note=_("over %(n)s priced matches", n=appr["priced_flows"])),
    ]


BASIS_ROWS = (
    ("tonnes", _l("Tonnes"), 1, False),
    ("diverted_landfill_t", _l("Diverted from landfill"), 1, False),
    ("diverted_incineration_t", _l("Diverted from incineration"), 1, False),
    ("hazardous_share", _l("Hazardous share"), 1, True),
    ("tonne_km", _l("Transport (t·km)"), 0, False),
    ("net_co2e_avoided_t", _l("Avoided CO2e (net, t)"), 1, False),
    ("cost_saving_cny", _l("Cost saving (CNY)"), 0, False),
)


def compliance_cards(compliance: dict[str, Any]) -> list[Card]:
    """Checks failed in the latest run, active alerts, open manifests, open ledger findings."""
    failed = sum(compliance["failed_checks"].values())
    return [
        Card(_l("Hard-check failures on candidate pairs"), failed, digits=0,
             note=_("latest run #%(run)s", run=compliance["run"]) if compliance["run"] else _("no run in the period")),
        Card(_l("Active alerts"), compliance["alerts_open"], digits=0,
             note=_("%(n)s critical", n=compliance["alerts_critical"]),
             css="bad" if compliance["alerts_critical"] else "warn" if compliance["alerts_open"] else ""),
        Card(_l("Open manifests"), compliance["open_manifests"], digits=0,
             css="warn" if compliance["open_manifests"] else ""),
        Card(_l("Open ledger findings"), compliance["findings_open"], digits=0,
             css="warn" if compliance["findings_open"] else ""),
    ]


def waiting_counts(session: Session, principal: Principal, park: Park) -> dict[str, Any]:
    """What waits for the coordinator in ``park``: approvals, active alerts, open ledger findings by code."""
    stmt = workflow.filtered_matches(session, principal, status="accepted", park=park.code).order_by(None)
    awaiting = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    active = alerts.active_counts(session, principal, park_id=park.id)
    findings = ledger_review.filtered_findings(session, principal, status="open", park=park.code).order_by(None)
    by_code = Counter(f.code for f in session.scalars(findings))
    return {"approvals": awaiting, "alerts": active, "alerts_total": sum(active.values()),
            "findings": dict(sorted(by_code.items())), "findings_total": sum(by_code.values())}


def monthly_chart(monthly: list[dict[str, Any]]) -> BarChart:
    """Tonnes received per month of the period."""
    items = [(m["month"][2:], float(m["transferred_t"]), "") for m in monthly]
    return bar_chart(_("Transferred tonnes per month"), _("t"), items, bar=22, gap=6)


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
        doc = build_report(session, principal, park=values["park"], start=start, end=end)
        park = next(p for p in parks if p.code == values["park"])
        waiting = waiting_counts(session, principal, park)
    except DomainError as exc:
        session.rollback()
        return render_template("park.html", **{**context, "errors": FormErrors.of(exc)}), exc.status
    compliance = doc["kpis"]["compliance"]
    context.update(
        doc=doc, park=park, code_label=code_label, waiting=waiting, cards=kpi_cards(doc["kpis"]), compliance=compliance,
        compliance_cards=compliance_cards(compliance), basis_rows=BASIS_ROWS,
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

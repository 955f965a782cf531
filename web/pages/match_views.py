"""What the pages showing matches share: the labels of checks, actions, roles, forms and purposes, and a
match as the signed-in user may see it (``mine`` / ``theirs`` / ``awaiting`` added).

The listing pages and the match pages both import from here, not from each other.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import escape

from marketplace.models import Match
from marketplace.services.accounts.users import Principal
from marketplace.services.matching import workflow
from matching.rules import RULES

from ..database import db_session
from ..i18n import loc, one_language
from . import bp


class RuleLabel:
    """A check's name as the engine gives it (``RuleSpec.name_zh`` / ``name_en``), in the page's language when shown."""

    __slots__ = ("en", "zh")

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en

    def __str__(self) -> str:
        return str(loc(self.zh, self.en))

    def __html__(self) -> str:
        return str(escape(str(self)))


# The regulatory checks (DESIGN's rules) by their stable code: one name per rule, the engine's, on every page.
CHECK_LABELS = {r.code: RuleLabel(r.name_zh, r.name_en) for r in RULES}
ACTION_LABELS = {
    "propose": _l("Proposed"), "accept": _l("Accepted"),
    "decline": _l("Declined"), "approve": _l("Approved"), "reject": _l("Rejected"),
    "start_transfer": _l("Transfer started"), "complete": _l("Completed"), "cancel": _l("Cancelled"),
    "expire": _l("Expired"), "supersede": _l("Superseded"),
    "clear_acceptances": _l("Quantity changed: acceptances cleared"),
}
ROLE_LABELS = {"offer_party": _l("Offer side"), "need_party": _l("Need side"), "coordinator": _l("Coordinator"),
               "system": _l("System"), "none": _l("Other")}
# The stored physical forms and purposes of listings (the listing form offers them too).
FORM_LABELS = {"solid": _l("Solid"), "powder": _l("Powder"), "liquid": _l("Liquid"), "sludge": _l("Sludge"),
               "paste": _l("Paste"), "gas": _l("Gas")}
PURPOSE_LABELS = {"reuse": _l("Reuse"), "recycle": _l("Recycle"), "co_process": _l("Co-processing"),
                  "recover_energy": _l("Energy recovery"), "dispose": _l("Disposal")}


# Template globals (not only context): the ``_match_parts`` macros are imported without the page's context.
@bp.app_template_global()
def check_detail(check: dict[str, Any]) -> str:
    """A check's detail in the page's language: the engine writes every detail ``中文 / English``."""
    return one_language(check.get("detail") or "")


@bp.app_template_global()
def check_status(check: dict[str, Any]) -> str:
    """``passed``, ``failed`` or ``unknown`` (checks stored before unknown existed have no ``status``)."""
    return check.get("status") or ("unknown" if check.get("unknown") else "passed" if check.get("passed") else "failed")


@bp.app_template_global()
def needs_report(checks: list[dict[str, Any]]) -> bool:
    """A hard check is unknown: the pair cannot become a match until the offer declares it (or a report)."""
    return any(c.get("hard") and check_status(c) == "unknown" for c in checks)


def page_helpers() -> dict[str, Any]:
    """Labels and formatters the match templates share."""
    return {"CHECK_LABELS": CHECK_LABELS, "ACTION_LABELS": ACTION_LABELS, "ROLE_LABELS": ROLE_LABELS,
            "LABELS": {"form": FORM_LABELS, "purpose": PURPOSE_LABELS}}


def match_views(principal: Principal, matches: list[Match]) -> list[dict[str, Any]]:
    """The matches as ``principal`` may see them, each with ``mine``/``theirs`` and ``awaiting`` added."""
    out = []
    for view in workflow.match_views(db_session(), principal, matches):
        side = view.get("your_side")
        view["mine"] = view[side] if side else None
        view["theirs"] = view["need" if side == "offer" else "offer"] if side else None
        view["awaiting"] = bool(side and view["status"] == "proposed" and not view[f"{side}_accepted"])
        out.append(view)
    return out

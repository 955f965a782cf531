"""Public pages that need no sign-in: the published annual environmental disclosures (企业环境信息依法披露).

They show published disclosures and nothing else: their own frame (``public_base.html``: no menu, no
account) links only to each other and to the language switch. What is published is the service's rule
(``disclosures.published_query`` / ``get_published``); any other id is a 404.
"""
from __future__ import annotations

from flask import render_template, request

from marketplace.services.governance import disclosures as service

from ..database import db_session
from ..i18n import loc
from . import bp
from .common import paginate


@bp.get("/public/disclosures")
def public_disclosures():
    """The published disclosures by park and year (filters: park, year), newest year first."""
    session = db_session()
    parks = service.published_parks(session)
    years = service.published_years(session)
    # Filters the list's choices do not offer still filter (to nothing), as the API's do; nonsense is ignored.
    park = request.args.get("park", "")[:16]
    year = request.args.get("year", "")
    year = year if year.isdigit() and service.MIN_YEAR <= int(year) <= service.MAX_YEAR else ""
    stmt = service.published_query(session, park=park or None, year=int(year) if year else None)

    def views(rows):
        return [{"id": d.id, "year": d.year, "name": (d.content.get("enterprise") or {}).get("name"),
                 "park": ((d.content.get("enterprise") or {}).get("park") or {}).get("code")} for d in rows]

    return render_template("public_disclosures.html", page=paginate(session, stmt, views),
                           values={"park": park, "year": year},
                           park_options=[(p.code, loc(p.name, p.name_en)) for p in parks],
                           year_options=[(str(y), str(y)) for y in years])


@bp.get("/public/disclosures/<int:disclosure_id>")
def public_disclosure(disclosure_id: int):
    """One published disclosure (404 for anything unpublished)."""
    d = service.get_published(db_session(), disclosure_id)
    return render_template("public_disclosure.html", d=service.public_view(d), c=d.content, t=service.labels())

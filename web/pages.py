"""HTML pages (Chinese first, English alongside)."""
from __future__ import annotations

from flask import Blueprint, render_template

from marketplace.services.overview import catalog_counts, park_overview

from .database import db_session

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """The park overview: who is in each park and what they offer and need."""
    session = db_session()
    return render_template("index.html", parks=park_overview(session), catalog=catalog_counts(session))

"""The server-rendered pages, Chinese first with English by the language switch (``web.i18n``).

One blueprint, ``pages``; each module holds the pages of one concern:

- ``auth``: sign-in, sign-out, the language switch, CSRF and the guards;
- ``home``: the landing page, the enterprise dashboard and the coordinators' park overview;
- ``dashboard``: the enterprise's home; ``park``: the coordinators' park overview;
- ``listings``: an enterprise's offers and needs, the listing form, one-click matching;
  ``lookup``: the form's waste-code and CAS searches; ``moderation``: coordinators' hold, flags and notes;
- ``matches``: an enterprise's matches, accept/decline; ``approvals``: the coordinators' queue;
- ``runs``: park-wide matching with progress;
- ``shipments``: transfers and manifests; ``ledger``: ledger entries; ``findings``: the ledger review;
- ``notifications``; ``alerts``; ``reports`` and ``ratings``; ``trace``;
- chemical governance: ``surveys`` (the annual survey and its review), ``roster``, ``eecm``, ``disclosures``
  (an enterprise's annual disclosure) and ``public`` (published disclosures, no sign-in).
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)

# The modules register their views on ``bp`` as they are imported.
from . import (  # noqa: E402,F401
               account,
               alerts,
               approvals,
               auth,
               collection,
               dashboard,
               disclosures,
               eecm,
               findings,
               home,
               hw_declarations,
               hw_plans,
               ledger,
               listings,
               lookup,
               matches,
               moderation,
               notifications,
               park,
               park_map,
               public,
               ratings,
               reports,
               roster,
               runs,
               shipments,
               surveys,
               trace,
)

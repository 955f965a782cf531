"""The server-rendered pages, Chinese first with English by the language switch (``web.i18n``).

One blueprint, ``pages``; each module holds the pages of one concern:

- ``auth``: sign-in, sign-out, the language switch, CSRF and the guards;
- ``home``: the landing page, the enterprise dashboard and the coordinators' park overview;
- ``listings``: an enterprise's offers and needs, the listing form, one-click matching;
- ``matches``: proposals, accept/decline (enterprises), the approval queue (coordinators);
- ``shipments``: transfers and manifests; ``ledger``: ledger entries and findings;
- ``notifications``; ``runs``: park-wide matching with progress; ``alerts``;
  ``reports`` and ``ratings``; ``trace``.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)

# The modules register their views on ``bp`` as they are imported.
from . import auth, home, reports, trace  # noqa: E402,F401
from . import optional_modules  # noqa: E402,F401

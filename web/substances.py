"""How pages name a chemical: Chinese pages by its Chinese name, English pages by its English name.

One filter, ``substance``, for every template that shows a substance (listing composition, match
parties, ledger, survey …). On a Chinese page a substance with a CAS number the team's table
(``catalog.substance_names.ZH_BY_CAS``) knows is shown by that Chinese name, else by its CAS number,
never by an English catalogue name. A name the user typed is user content: it stays as typed and is
marked ``data-user`` (the Chinese-pages test skips it); on a Chinese page it is shown when it is
Chinese already or when there is no CAS number to show instead.
"""
from __future__ import annotations

import re

from flask_babel import get_locale
from markupsafe import Markup

from catalog.substance_names import ZH_BY_CAS

CJK = re.compile(r"[\u3400-\u9fff]")


def _chinese_page() -> bool:
    # as ``web.i18n.is_chinese``, which registers this filter (so no import of it here)
    loc = get_locale()
    return loc is None or loc.language == "zh"


def chinese_name(cas: str | None) -> str | None:
    """The team's Chinese name of the substance with CAS number ``cas``, None when the table has none."""
    return ZH_BY_CAS.get(cas) if cas else None


def _typed(name: str) -> Markup:
    return Markup('<span data-user>{}</span>').format(name)


def substance_label(name: str | None, cas: str | None = None) -> Markup:
    """A substance in the page's language: ``name`` is what the user typed (or None), ``cas`` its CAS number."""
    name = (name or "").strip()
    if _chinese_page():
        if name and CJK.search(name):
            return _typed(name)
        known = chinese_name(cas)
        if known:
            return Markup("{}").format(known)
        if cas:
            return Markup("{}").format(cas)
        return _typed(name) if name else Markup("")
    if name:
        return _typed(name)
    return Markup("{}").format(cas or "")

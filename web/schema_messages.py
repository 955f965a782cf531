"""marshmallow's built-in validation messages in the page's language, and in both languages for the API.

marshmallow (and webargs, which parses the API's requests with it) writes its messages in English
("Longer than maximum length 300.", "Must be one of: offer, need."). ``schema_message`` recognises
them, values included, and gives the page's language; ``localise_message`` calls it, so every form
showing a domain error's per-field reasons (``FormErrors.of``) shows them in Chinese. The API keeps
the English and adds the Chinese the way the services write their messages, ``english (中文)``
(``bilingual_errors``, applied by ``web.errors`` to the ``errors`` of every error body). A few short
English reasons the services give per field ("required") are also given in Chinese on pages
(``page_message``).
"""
from __future__ import annotations

import re
from typing import Any

from flask import has_request_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

# (marshmallow's template, its message id here): ``{name}`` in a template is a value, ``%(name)s`` in the id.
# The ids keep marshmallow's English, so English pages and the API's English half read as before.
_TEMPLATES = (
    ("Missing data for required field.", _l("Missing data for required field.")),
    ("Field may not be null.", _l("Field may not be null.")),
    ("Unknown field.", _l("Unknown field.")),
    ("Invalid input type.", _l("Invalid input type.")),
    ("Invalid value.", _l("Invalid value.")),
    ("Invalid type.", _l("Invalid type.")),
    ("Not a valid integer.", _l("Not a valid integer.")),
    ("Not a valid number.", _l("Not a valid number.")),
    ("Number too large.", _l("Number too large.")),
    ("Special numeric values (nan or infinity) are not permitted.",
     _l("Special numeric values (nan or infinity) are not permitted.")),
    ("Not a valid string.", _l("Not a valid string.")),
    ("Not a valid boolean.", _l("Not a valid boolean.")),
    ("Not a valid date.", _l("Not a valid date.")),
    ("Not a valid datetime.", _l("Not a valid datetime.")),
    ("Not a valid list.", _l("Not a valid list.")),
    ("Not a valid mapping type.", _l("Not a valid mapping type.")),
    ("Not a valid email address.", _l("Not a valid email address.")),
    ("Not a valid URL.", _l("Not a valid URL.")),
    ("Not a valid UUID.", _l("Not a valid UUID.")),
    ("String does not match expected pattern.", _l("String does not match expected pattern.")),
    ("Shorter than minimum length {min}.", _l("Shorter than minimum length %(min)s.")),
    ("Longer than maximum length {max}.", _l("Longer than maximum length %(max)s.")),
    ("Length must be between {min} and {max}.", _l("Length must be between %(min)s and %(max)s.")),
    ("Length must be {equal}.", _l("Length must be %(equal)s.")),
    ("Must be greater than or equal to {min} and less than or equal to {max}.",
     _l("Must be greater than or equal to %(min)s and less than or equal to %(max)s.")),
    # marshmallow's mixed bounds (one end inclusive), before the two-exclusive template that would swallow them
    ("Must be greater than {min} and less than or equal to {max}.",
     _l("Must be greater than %(min)s and less than or equal to %(max)s.")),
    ("Must be greater than or equal to {min} and less than {max}.",
     _l("Must be greater than or equal to %(min)s and less than %(max)s.")),
    ("Must be greater than {min} and less than {max}.", _l("Must be greater than %(min)s and less than %(max)s.")),
    ("Must be greater than or equal to {min}.", _l("Must be greater than or equal to %(min)s.")),
    ("Must be greater than {min}.", _l("Must be greater than %(min)s.")),
    ("Must be less than or equal to {max}.", _l("Must be less than or equal to %(max)s.")),
    ("Must be less than {max}.", _l("Must be less than %(max)s.")),
    ("Must be one of: {choices}.", _l("Must be one of: %(choices)s.")),
    ("Must be equal to {other}.", _l("Must be equal to %(other)s.")),
    ("One or more of the choices you made was not in: {choices}.",
     _l("One or more of the choices you made was not in: %(choices)s.")),
)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    # even parts are literal text, odd ones the names of values
    return re.compile("^" + "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                                    for i, p in enumerate(parts)) + "$", re.DOTALL)


SCHEMA_MESSAGES: tuple[tuple[re.Pattern[str], Any], ...] = tuple((_pattern(t), m) for t, m in _TEMPLATES)


def schema_message(message: str) -> str | None:
    """marshmallow's ``message`` in the page's language (values kept); None when it is not one of marshmallow's."""
    text = message.strip()
    for pattern, msgid in SCHEMA_MESSAGES:
        m = pattern.match(text)
        if m:
            return str(msgid) % m.groupdict() if m.groupdict() else str(msgid)
    return None


# The services' own short per-field reasons that are English only ("required", "text of at most 2000
# characters"): a form shows them beside its fields, so a Chinese page gives them in Chinese. Pages only:
# the API's bodies keep them as the services write them.
_PHRASES = (
    (r"required", _l("Required.")),
    (r"must be text", _l("Must be text.")),
    (r"at most (?P<max>[\d,]+) characters", _l("At most %(max)s characters.")),
    (r"must be a (?:finite )?number(?:, got .*)?", _l("Not a valid number.")),
    (r"must be a date YYYY-MM-DD(?:, got .*)?", _l("Not a valid date (YYYY-MM-DD).")),
    (r"(?:a )?text of at most (?P<max>[\d,]+) characters(?:, without NUL)?", _l("At most %(max)s characters.")),
    (r"must be a finite number ≥ 0", _l("Must be a number of 0 or more.")),
    (r"must be at least (?P<min>[\d.,]+)", _l("Must be at least %(min)s.")),
    (r"must be between (?P<min>[\d.,]+) and (?P<max>[\d.,]+)", _l("Must be between %(min)s and %(max)s.")),
    (r"must be a year between (?P<min>\d+) and (?P<max>\d+)", _l("Must be a year between %(min)s and %(max)s.")),
)
SERVICE_PHRASES: tuple[tuple[re.Pattern[str], Any], ...] = tuple(
    (re.compile(f"^{p}$", re.IGNORECASE), m) for p, m in _PHRASES)


def page_message(message: str) -> str | None:
    """marshmallow's message or a service's short English field reason in the page's language; None if neither."""
    known = schema_message(message)
    if known is not None:
        return known
    text = message.strip()
    for pattern, msgid in SERVICE_PHRASES:
        m = pattern.match(text)
        if m:
            return str(msgid) % m.groupdict() if m.groupdict() else str(msgid)
    return None


def bilingual_schema_message(message: str) -> str:
    """``Longer than maximum length 300. (长度不得超过 300。)`` for one of marshmallow's messages, else ``message``."""
    if not has_request_context() or schema_message(message) is None:
        return message
    with force_locale("en"):
        en = schema_message(message) or message
    with force_locale("zh_CN"):
        zh = schema_message(message) or message
    return f"{en} ({zh})" if zh != en else en


def bilingual_errors(errors: Any) -> Any:
    """A (nested) errors mapping with marshmallow's messages written ``english (中文)``; other messages as they are."""
    if isinstance(errors, dict):
        return {key: bilingual_errors(value) for key, value in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [bilingual_errors(value) for value in errors]
    if isinstance(errors, str):
        return bilingual_schema_message(errors)
    return errors

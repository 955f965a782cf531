"""Every refusal speaks both languages: a test fails when code under test raises a domain error with a message or a
per-field reason in English only.

Pages show a refusal's reasons beside the fields in the page's language (``web.i18n.localise_message``): a reason
written ``english (中文)`` reads in Chinese on a Chinese page, and the API gives both. An English-only reason stayed
English on Chinese pages, which users found. marshmallow's own messages and the few short phrases the web layer
translates (``web.schema_messages``) are known; a reason without English words (a code, a number) is fine as it is.

``install`` wraps ``DomainError.__init__`` for the test session; ``tests/conftest.py`` fails the test that raised one.
"""
from __future__ import annotations

import re
from typing import Any

from marketplace.errors import DomainError

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3400-\u9fff]")

# Fields whose "reasons" are keys a client sends back, not text: ``Unconfirmed.errors["confirm"]`` (the unusual
# values to confirm, ``["quantity"]``), a documented API contract; the questions themselves are bilingual.
MACHINE_KEYS = frozenset({"confirm"})

# What was raised English-only since the test started: the error's class, the message or reasons at fault.
seen: list[str] = []


def english_only(message: str) -> bool:
    """True when a user would read ``message`` in English on a Chinese page."""
    from web.i18n import _BILINGUAL, _is_english_sentence
    from web.schema_messages import SCHEMA_MESSAGES, SERVICE_PHRASES

    text = message.strip()
    if not _LATIN_WORD.search(text):
        return False
    if _CJK.search(text):
        # ``english (中文)`` as pages split it, ``中文 / English`` (stored texts), or a text gettext already gave in
        # the page's language (``日期格式应为 YYYY-MM-DD``: no English sentence in it).
        return not (_BILINGUAL.match(text) or " / " in text or not _is_english_sentence(text))
    return not any(p.match(text) for p, _ in (*SCHEMA_MESSAGES, *SERVICE_PHRASES))


def _reasons(errors: Any, path: str = "") -> list[tuple[str, str]]:
    """(field path, reason) of every reason in a (nested) errors mapping."""
    if isinstance(errors, dict):
        return [r for key, value in errors.items() for r in _reasons(value, f"{path}.{key}" if path else str(key))]
    if isinstance(errors, (list, tuple)):
        return [r for value in errors for r in _reasons(value, path)]
    return [(path, str(errors))]


def install() -> None:
    """Record every domain error whose message or reasons are English only (into ``seen``)."""
    if getattr(DomainError.__init__, "_bilingual_guard", False):
        return
    original = DomainError.__init__

    def checked(self: DomainError, message: str, errors: dict[str, Any] | None = None) -> None:
        original(self, message, errors)
        bad = [f"message {message!r}"] if english_only(str(message)) else []
        bad += [f"{path}: {reason!r}" for path, reason in _reasons(errors or {})
                if path not in MACHINE_KEYS and english_only(reason)]
        if bad:
            seen.append(f"{type(self).__name__}: " + "; ".join(bad))

    checked._bilingual_guard = True  # type: ignore[attr-defined]
    DomainError.__init__ = checked  # type: ignore[method-assign]

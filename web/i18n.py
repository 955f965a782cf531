"""The pages' languages (Flask-Babel): Chinese by default, English by the switch.

Message ids are English; the Chinese translations live in ``web/translations/zh/*.po``,
one file per area of the pages so that each area's texts sit together. At start-up they
are merged and compiled into the instance folder (a few milliseconds; nothing compiled is
committed), where Flask-Babel reads them. The locale is the session's choice (the language
switch, ``/lang/<code>``), else ``zh_CN``: park users read Chinese.

Catalogue names and other data carried in both languages (``name_zh``/``name_en``) are
picked with the ``loc`` filter; states and kinds with ``state_label``; the services'
bilingual error messages (``english (中文)``) and marshmallow's English ones
(``web.schema_messages``) with ``localise_message``; texts stored in both
languages (``中文 / English`` notices, ``中文 (English)`` alerts) are cut to the page's half by
``one_language``.
"""
from __future__ import annotations

import functools
import os
import re
import secrets
from pathlib import Path
from typing import Any, Callable

import flask_babel
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, has_request_context, session
from flask_babel import Babel, get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup

from catalog.industries import SECTIONS, industry

from .field_labels import field_label
from .schema_messages import page_message
from .substances import chinese_name, substance_label

SOURCES = Path(__file__).parent / "translations"
LOCALES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh_CN"
LANG_KEY = "lang"


def merged_catalog(locale: str = "zh", sources: Path = SOURCES) -> Catalog:
    """All ``.po`` files of ``locale`` as one catalog; a message translated twice differently is an error."""
    merged = Catalog(locale=locale, domain="messages")
    for po in sorted((sources / locale).glob("*.po")):
        with po.open("rb") as fh:
            part = read_po(fh, locale=locale)
        for msg in part:
            if not msg.id or not msg.string:
                continue
            known = merged.get(msg.id, msg.context)
            if known is not None and known.string != msg.string:
                raise ValueError(f"{po.name}: {msg.id!r} translated twice: {known.string!r} / {msg.string!r}")
            merged.add(msg.id, msg.string, context=msg.context)
    return merged


def compile_translations(target: Path, sources: Path = SOURCES) -> Path:
    """Merge and compile every locale's ``.po`` files into ``target/<locale>/LC_MESSAGES/messages.mo``."""
    for locale_dir in sorted(p for p in sources.iterdir() if p.is_dir()):
        out = target / locale_dir.name / "LC_MESSAGES" / "messages.mo"
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f"messages.{os.getpid()}.{secrets.token_hex(4)}.tmp")  # one per process: no clash
        with tmp.open("wb") as fh:
            write_mo(fh, merged_catalog(locale_dir.name, sources))
        tmp.replace(out)  # a second worker starting meanwhile never reads half a file
    return target


def current_locale() -> str:
    """``zh_CN`` or ``en``: the session's choice, else Chinese."""
    if has_request_context():
        chosen = session.get(LANG_KEY)
        if chosen in LOCALES:
            return chosen
    return DEFAULT_LOCALE


def is_chinese() -> bool:
    """True when the page is being rendered in Chinese."""
    loc = get_locale()
    return loc is None or loc.language == "zh"


def loc(zh: Any, en: Any = None) -> Any:
    """The Chinese or English form of a datum carried in both languages (falls back to whichever exists)."""
    if is_chinese():
        return zh if zh not in (None, "") else en
    return en if en not in (None, "") else zh


def loc_attr(obj: Any, name: str) -> Any:
    """``obj.name_zh`` / ``obj.name_en`` (or the dict keys) for the page's language."""
    get = obj.get if isinstance(obj, dict) else (lambda k: getattr(obj, k, None))
    return loc(get(f"{name}_zh") or (get(name) if is_chinese() else None), get(f"{name}_en") or get(name))


# The Chinese may hold one bracketed value of its own (a code someone typed: ``园区代码 'A (t)' 不存在``).
_ZH_PART = r"(?:[^()（）]|[(（][^()（）]*[)）])"
_BILINGUAL = re.compile(rf"^(?P<en>.*?)\s*[(（](?P<zh>{_ZH_PART}*?[\u4e00-\u9fff]{_ZH_PART}*)[)）]\s*(?P<rest>.*)$", re.S)


def industry_label(code: str | None, stored: str | None = None) -> str:
    """The GB/T 4754 class name of ``code`` in the page's language; the stored name when the class is not built in.

    A section letter (门类, what an anonymised view shows where the class would single out an enterprise)
    is named too."""
    if code in SECTIONS:
        return SECTIONS[code][0] if is_chinese() else SECTIONS[code][1]
    try:
        known = industry(code or "")
    except KeyError:
        return stored or code or ""
    return known.name_zh if is_chinese() else known.name_en


_LATIN_WORD = re.compile(r"\b(?![A-Z]+\b)[A-Za-z]{2,}\b")


def _is_english_sentence(text: str) -> bool:
    """Three words or more of English (acronyms and codes aside): not for a Chinese page."""
    return len(_LATIN_WORD.findall(text)) >= 3


def localise_message(message: str | None) -> str:
    """A service message written ``english (中文)``: the Chinese on Chinese pages, the English on English pages.

    On a Chinese page the English detail stays beside the Chinese only when it is no sentence (a code,
    a number: ``（E-022）``), so a Chinese page reads in one language. marshmallow's own messages
    ("Longer than maximum length 300.") are given in the page's language, and a text written ``中文 / English``
    (``split_bilingual``) gives its half.
    """
    if not message:
        return ""
    known = page_message(message)
    if known is not None:
        return known
    zh, en = message_halves(message)
    return zh if is_chinese() else en


def message_halves(message: str) -> tuple[str, str]:
    """(中文, English) of a service message written ``english (中文)`` or a text stored ``中文 / English`` or
    ``中文 (English)``.

    The Chinese half keeps the English detail beside it only when that is no sentence (a code, a number:
    ``（E-022）``). A text written neither way is both halves. For the pages (``localise_message``) and the
    command line, which speaks one language (``web.cli.output.text``).
    """
    # The forms the services store first (``中文 / English``: a catalogue's reason, a ledger finding, a check's detail;
    # ``中文 (English)``: an alert): their Chinese may hold a bracket of its own (``批次 B-1（丙酮）缺少CAS号 / …``),
    # which the ``english (中文)`` reading would take for the whole Chinese.
    halves = split_bilingual(message) or _trailing_english(message)
    if halves is not None:
        return halves
    m = _BILINGUAL.match(message)
    if not m:
        return message, message
    # trimmed of the joins around the Chinese ("…: (中文)", "… — (中文)"), not of an option's leading "--"
    en = (m.group("en") + (" " + m.group("rest") if m.group("rest") else "")).rstrip(" :;—-").lstrip(" :;—")
    zh = m.group("zh").strip()
    values = _values_missing(en, zh)
    return (f"{zh}（{' '.join(values)}）" if values else zh), (en or message)


# What an English detail holds that is no word: a quoted value, a number, a date, a code (``E-022``, ``HW08``).
_VALUE = re.compile(r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"|[^\s'\"]*\d[^\s'\"]*|\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b")


def _values_missing(en: str, zh: str) -> list[str]:
    """The values of ``en`` (``_VALUE``) that ``zh`` does not show: what a Chinese half keeps of its English beside it
    (``无此挂牌（5）`` for ``no listing 5 (无此挂牌)``), so that no English word stands on a Chinese page."""
    out = []
    sentence = _is_english_sentence(en or "")
    for m in _VALUE.finditer(en or ""):
        value = m.group().rstrip(",.;:)").lstrip("(")
        if sentence and _BARE_NUMBER.fullmatch(value):
            continue  # "3 of 20" in a sentence: numbers without their words would say nothing
        if value and value.strip("'\"") not in zh and value not in out:
            out.append(value)
    return out


_BARE_NUMBER = re.compile(r"[\d.,…+−-]+")


# A Chinese half holds no brackets of its own (``localise_message`` would cut it at them): a translation's are 〔〕.
_ZH_BRACKETS = str.maketrans("()（）", "〔〕〔〕")


def both_languages(text: Any, *args: Any, **kwargs: Any) -> str:
    """A page's own refusal reason as a domain error carries it, ``english (中文)``: ``text``, an ``_l`` message
    (its values given to ``_l``) or a function making a page text (called with ``args``), in English and in
    Chinese. ``localise_message`` gives a form the page's half back.
    """
    def render() -> str:
        return str(text(*args, **kwargs)) if callable(text) else str(text)

    with flask_babel.force_locale("en"):
        en = render()
    with flask_babel.force_locale(DEFAULT_LOCALE):
        zh = render()
    if zh == en or not CJK.search(zh):
        return en
    return f"{en} ({zh.translate(_ZH_BRACKETS)})"


# --- texts the services store in both languages ---------------------------------------------------

CJK = re.compile(r"[\u3400-\u9fff]")
OPENERS, CLOSERS = "（(「『【[“‘", "）)」』】]”’"
_ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,}[\s,:;'’]+[A-Za-z]{2,}[\s,:;'’]+[A-Za-z]{2,}")


def _top_level_slashes(text: str) -> list[int]:
    """Positions of `` / `` outside brackets and quotes (a title may itself contain one)."""
    out, depth = [], 0
    for i, ch in enumerate(text):
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(depth - 1, 0)
        elif depth == 0 and text.startswith(" / ", i):
            out.append(i)
    return out


def split_bilingual(text: str | None) -> tuple[str, str] | None:
    """``中文 / English`` → (中文, English); None when the text is not written that way.

    The split is the `` / `` outside brackets with Chinese before it and an English word
    (ASCII) right after it; when a bracket in a title leaves none outside, any such `` / ``;
    failing both, one followed by English words although it starts with a name written in
    Chinese ("甲公司 2025 年度…：已公开 / 甲公司's 2025 annual … disclosure: published").
    """
    if not text:
        return None

    def fits(i: int) -> bool:
        after = text[i + 3:i + 4]
        return bool(CJK.search(text[:i])) and after.isascii() and after.isalnum()

    def fits_after_a_name(i: int) -> bool:
        return bool(CJK.search(text[:i])) and bool(_ENGLISH_WORDS.search(text[i + 3:]))

    slashes = _top_level_slashes(text)
    for candidates, test in ((slashes, fits), ([m.start() for m in re.finditer(" / ", text)], fits),
                             (slashes, fits_after_a_name)):
        good = [i for i in candidates if test(i)]
        if good:
            i = good[0]
            return text[:i].strip(), text[i + 3:].strip()
    return None


def _trailing_english(text: str) -> tuple[str, str] | None:
    """``中文 (English …)`` → (中文, English …): the last bracket closes the text and holds no Chinese."""
    text = text.rstrip()
    if not text.endswith((")", "）")):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch in ")）":
            depth += 1
        elif ch in "(（":
            depth -= 1
            if depth == 0:
                zh, en = text[:i].strip(), text[i + 1:-1].strip()
                if zh and en and CJK.search(zh) and not CJK.search(en):
                    return zh, en
                return None
    return None


def one_language(text: str | None) -> str:
    """The page-language half of a service text written in both languages, else the text itself.

    Handles ``中文 / English`` (notices, findings), ``中文 (English)`` (alerts, hidden
    actors) and ``English (中文)`` (service errors, via ``localise_message``).
    """
    if not text:
        return ""
    return _one_language(text, str(get_locale()))


# A page shows the same check details and notes again and again (thousands of texts a page of matches): the
# half of a text depends on the text and the page's language only, so it is worked out once per pair.
@functools.lru_cache(maxsize=8192)
def _one_language(text: str, _locale: str) -> str:
    pair = split_bilingual(text) or _trailing_english(text)
    if pair is not None:
        return pair[0] if is_chinese() else pair[1][:1].upper() + pair[1][1:]
    return localise_message(text)


# States and kinds stored in English words; shown in the page's language.
STATE_LABELS: dict[str, Any] = {
    # listings
    "offer": _l("Offer"), "need": _l("Need"),
    "active": _l("Active"), "paused": _l("Paused"), "closed": _l("Closed"),
    # matches
    "proposed": _l("Proposed"), "superseded": _l("Superseded"), "accepted": _l("Accepted"),
    "declined": _l("Declined"), "approved": _l("Approved"), "rejected": _l("Rejected"),
    "in_transfer": _l("In transfer"), "completed": _l("Completed"), "cancelled": _l("Cancelled"),
    "expired": _l("Expired"),
    # shipments
    "planned": _l("Planned"), "dispatched": _l("Dispatched"), "received": _l("Received"),
    # alerts and findings
    "open": _l("Open"), "acknowledged": _l("Acknowledged"), "cleared": _l("Cleared"),
    "resolved": _l("Resolved"), "dismissed": _l("Dismissed"),
    "weight_mismatch": _l("Weight mismatch"), "not_received": _l("Not received in time"),
    "manifest_open": _l("Manifest left open"), "licence_expiring": _l("Licence expiring"),
    "licence_capacity": _l("Licence capacity nearly used"),
    "receipts_over_licence": _l("Receipts over licence"),
    "banned_use": _l("Prohibited use"), "obligation_overdue": _l("Obligation overdue"),
    "scale_mismatch": _l("Weighbridges disagree"), "route_deviation": _l("Off the planned route"),
    "long_stop": _l("Long stop on the way"),
    # surveys, roster, disclosures and EECM assessments (governance)
    "draft": _l("Draft"), "submitted": _l("Submitted"), "returned": _l("Returned"), "resubmitted": _l("Resubmitted"),
    "confirmed": _l("Confirmed"), "removed": _l("Removed"), "done": _l("Done"), "waived": _l("Waived"),
    "reviewed": _l("Reviewed"), "published": _l("Published"), "scored": _l("Scored"),
    # roles
    "enterprise": _l("Enterprise"), "coordinator": _l("Coordinator"), "admin": _l("Administrator"),
    # notifications
    "listing_fit": _l("New listing fits yours"), "match_proposed": _l("Match proposed"),
    "match_transition": _l("Match updated"), "shipment_event": _l("Shipment event"),
    "ledger_findings": _l("Ledger findings"), "listing_moderation": _l("Listing moderation"),
    "survey_transition": _l("Survey updated"), "roster_decision": _l("Roster decision"),
    "disclosure_transition": _l("Disclosure updated"), "eecm_transition": _l("EECM assessment updated"),
    "account_locked": _l("Account locked after failed sign-ins"),
    "hw_declaration": _l("Hazardous waste declaration updated"),
    "hw_plan": _l("HW management plan updated"),
    # checks
    "pass": _l("Pass"), "fail": _l("Fail"), "warn": _l("Warning"), "info": _l("Info"),
    # outcomes of a park-wide run (the solver's words)
    "OPTIMAL": _l("Optimal"), "FEASIBLE": _l("Feasible, time limit reached"), "INFEASIBLE": _l("Infeasible"),
    "EMPTY": _l("Nothing to match"), "UNKNOWN": _l("Unknown"),
    # periods of quantities
    "year": _l("per year"), "month": _l("per month"), "once": _l("one lot"),
}


def request_translations() -> Any:
    """Flask-Babel's translations for the current locale, kept beside Flask-Babel's own per-request state.

    Flask-Babel finds them anew for every message, through the request's globals five times over; a page
    translates ~60 messages, and in a profile of the mixed load that lookup was ~8 % of the pages' CPU.
    Kept with the locale object they were found for: ``force_locale`` (which sets another locale object
    for a while) gets its own, and the page's again afterwards.
    """
    try:
        state = g.get("_flask_babel")  # Flask-Babel's per-request namespace (its ``_get_current_context``)
    except RuntimeError:  # no app context: Flask-Babel's own answer (no translation)
        return get_translations()
    kept = getattr(state, "wastematch_translations", None)
    if kept is not None and kept[0] is getattr(state, "babel_locale", None) is not None:
        return kept[1]
    found = get_translations()
    state = g.get("_flask_babel")  # made by the lookup above if it was missing
    if state is not None:
        state.wastematch_translations = (getattr(state, "babel_locale", None), found)
    return found


def lazy_text(label: Any) -> str:
    """``str(label)`` of a ``lazy_gettext`` message, translated through ``request_translations``."""
    if isinstance(label, LazyString) and label._func is flask_babel.gettext and len(label._args) == 1 \
            and not label._kwargs:
        return request_translations().ugettext(label._args[0])
    return str(label)


def state_label(value: str | None) -> str:
    """The page-language label of a stored state or kind (the raw value when unknown)."""
    if value is None:
        return ""
    label = STATE_LABELS.get(value)
    return lazy_text(label) if label is not None else value


def state_badge(value: str | None) -> Markup:
    """A coloured badge for a state: ``<span class="badge s-approved">已批准</span>``."""
    if value is None:
        return Markup("")
    return Markup('<span class="badge s-{}">{}</span>').format(value, state_label(value))


def per_render(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as a Jinja filter evaluated at each rendering. Jinja folds a filter of a constant
    (``'pass'|state``) once, when it compiles the template: in the language of that first page."""
    @pass_context
    def filter_(_context: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)
    filter_.__name__ = fn.__name__
    return filter_


def init_i18n(app: Flask, instance: Path) -> Babel:
    """Compile the translations into ``instance/translations`` and configure Flask-Babel and Jinja."""
    target = compile_translations(instance / "translations")
    app.config.update(BABEL_DEFAULT_LOCALE=DEFAULT_LOCALE, BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
                      BABEL_TRANSLATION_DIRECTORIES=str(target))
    babel = Babel(app, locale_selector=current_locale, timezone_selector=lambda: "Asia/Shanghai")
    # The templates' _() and friends as Flask-Babel installs them, through the request's kept translations.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.filters.update({name: per_render(fn) for name, fn in (
        ("loc", loc), ("loc_attr", loc_attr), ("state", state_label), ("badge", state_badge),
        ("localise", localise_message), ("one_language", one_language), ("industry", industry_label),
        ("substance", substance_label))})
    app.jinja_env.globals.update(LOCALES=LOCALES, current_locale=current_locale, is_chinese=is_chinese,
                                 field_label=field_label, chinese_name=chinese_name)
    return babel

"""The pages' translations: every message has its Chinese, the ``.po`` files agree with each other and with
their placeholders, and the helpers of ``web.i18n`` show messages, states and kinds in the page's language.

The messages are extracted from the code as ``pybabel extract`` would (Python: ``_``, ``gettext``,
``ngettext``, ``lazy_gettext``, ``_l``…; templates: Jinja's own Babel extractor), so a text added to a page
without its Chinese fails here, named by file and line.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po
from flask import Flask, session
from jinja2 import TemplateSyntaxError
from jinja2.ext import babel_extract

import marketplace.models as models
from web.app import create_app
from web.i18n import LANG_KEY, SOURCES, localise_message, merged_catalog, state_label

WEB = Path(__file__).resolve().parents[2] / "web"
ROOT = WEB.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2),
            "lazy_pgettext": ((1, "c"), 2)}
# Templates are parsed as the app's Jinja environment reads them (Flask-Babel: new-style gettext).
JINJA_OPTIONS = {"newstyle_gettext": "true", "silent": "false"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")
STRAY_PERCENT = re.compile(r"%(?!\(\w+\)|%)")
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Found:
    """One translatable message in the code: where it is, its id (a tuple for plurals) and context."""

    where: str
    msgid: str | tuple[str, ...]
    context: str | None


def _extract(path: Path, method) -> Iterator[Found]:
    rel = path.relative_to(ROOT)
    options = JINJA_OPTIONS if method is babel_extract else {}
    for lineno, msgid, _comments, context in extract_from_file(method, str(path), keywords=KEYWORDS,
                                                               options=options):
        yield Found(f"{rel}:{lineno}", msgid, context)


def extracted_messages() -> tuple[list[Found], list[str]]:
    """Every message of ``web/**/*.py`` and ``web/templates/**/*.html``, and the templates that do not parse."""
    found: list[Found] = []
    broken: list[str] = []
    for path in sorted(WEB.rglob("*.py")):
        found.extend(_extract(path, "python"))
    for path in sorted((WEB / "templates").rglob("*.html")):
        try:
            found.extend(_extract(path, babel_extract))
        except TemplateSyntaxError as exc:
            broken.append(f"{path.relative_to(ROOT)}:{exc.lineno}: {exc.message}")
    return found, broken


def _translated(catalog: Catalog, item: Found) -> bool:
    msg = catalog.get(item.msgid, item.context)
    if msg is None:
        return False
    forms = msg.string if isinstance(msg.string, (list, tuple)) else (msg.string,)
    return bool(forms) and all(form and form.strip() for form in forms)


@pytest.fixture(scope="module")
def extracted() -> list[Found]:
    found, broken = extracted_messages()
    assert not broken, "templates that do not parse:\n" + "\n".join(broken)
    return found


def test_the_extraction_sees_the_pages(extracted):
    # A guard against an extraction that silently finds nothing (a wrong keyword or path).
    ids = {f.msgid for f in extracted}
    assert {"Trace", "Show its path", "Generate report", "Sign in", "Weight mismatch"} <= ids
    assert any(f.where.startswith("web/templates/") for f in extracted)
    assert any(f.where.startswith("web/pages/") for f in extracted)


def test_every_message_has_its_chinese(extracted):
    catalog = merged_catalog()
    missing = [f"{f.where}: {f.msgid!r}" + (f" (context {f.context!r})" if f.context else "")
               for f in extracted if not _translated(catalog, f)]
    assert not missing, (f"{len(missing)} message(s) without a Chinese translation; add them to "
                         f"web/translations/zh/<area>.po:\n" + "\n".join(missing))


def test_no_message_is_translated_twice_differently():
    # merged_catalog raises ValueError naming the file and the message; the app would not start.
    catalog = merged_catalog()
    assert len(catalog) > 0


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def _po_files() -> list[Path]:
    return sorted(SOURCES.glob("*/*.po"))


def test_each_po_file_keeps_the_placeholders():
    wrong: list[str] = []
    for po in _po_files():
        with po.open("rb") as fh:
            catalog = read_po(fh)
        for msg in catalog:
            if not msg.id or not msg.string:
                continue
            ids = msg.id if isinstance(msg.id, (list, tuple)) else (msg.id,)
            strings = msg.string if isinstance(msg.string, (list, tuple)) else (msg.string,)
            expected = _placeholders(ids[-1])  # a plural's forms follow the plural msgid
            for text in strings:
                if not text:
                    continue
                if _placeholders(text) != expected:
                    wrong.append(f"{po.relative_to(ROOT)}:{msg.lineno}: {ids[0]!r}: {_placeholders(text)} "
                                 f"instead of {expected}")
                elif expected and STRAY_PERCENT.search(text):
                    wrong.append(f"{po.relative_to(ROOT)}:{msg.lineno}: {ids[0]!r}: a bare % in {text!r} "
                                 f"(write %% when the message has placeholders)")
    assert not wrong, "placeholders that differ between msgid and msgstr:\n" + "\n".join(wrong)


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[Flask]:
    """The app (its i18n set up as in production); no database is touched by these tests."""
    tmp = tmp_path_factory.mktemp("i18n")
    app = create_app({"database_url": f"sqlite:///{tmp / 'unused.sqlite3'}", "instance_path": tmp})
    yield app
    app.extensions["wastematch.engine"].dispose()


def in_language(app: Flask, lang: str):
    """A request context whose session chose ``lang`` (as the language switch does)."""
    ctx = app.test_request_context("/")
    ctx.push()
    session[LANG_KEY] = lang
    return ctx


@pytest.mark.parametrize(("message", "zh", "en"), [
    # a Chinese page reads in one language: the English words are left out, a mere code stays
    ("you do not coordinate park BH (非所辖园区)", "非所辖园区", "you do not coordinate park BH"),
    ("from: not a date YYYY-MM-DD (日期格式应为 YYYY-MM-DD)", "日期格式应为 YYYY-MM-DD",
     "from: not a date YYYY-MM-DD"),
    ("quantity exceeds the offer（超出供给量）", "超出供给量", "quantity exceeds the offer"),
    ("E-022 (未知企业)", "未知企业（E-022）", "E-022"),
    # a catalogue's reason stored ``中文 / English`` gives its half
    ("900-214-08 属于危险废物，与所选类别不符 / 900-214-08 belongs to the hazardous stream (Hazardous waste), not household",
     "900-214-08 属于危险废物，与所选类别不符",
     "900-214-08 belongs to the hazardous stream (Hazardous waste), not household"),
    # the English beside the Chinese leaves its words out and keeps the values the Chinese does not show
    ("no listing 5 (无此挂牌)", "无此挂牌（5）", "no listing 5"),
    ("wrong password (密码错误)", "密码错误", "wrong password"),
    ("unknown park 'ZZ' (无此园区)", "无此园区（'ZZ'）", "unknown park 'ZZ'"),
    ("shipment BH-20261207-0002 is closed (联单 BH-20261207-0002 已办结)", "联单 BH-20261207-0002 已办结",
     "shipment BH-20261207-0002 is closed"),
    ("only the offer's or the need's coordinator (仅限园区管理者)", "仅限园区管理者",
     "only the offer's or the need's coordinator"),
    ("3 of the 20 decisions needed are on record (决定不足)", "决定不足", "3 of the 20 decisions needed are on record"),
    # a stored ``中文 / English`` whose Chinese has a bracket of its own is split at its `` / ``
    ("批次 B-1（丙酮）缺少CAS号 / batch B-1 (acetone) has no CAS number", "批次 B-1（丙酮）缺少CAS号",
     "batch B-1 (acetone) has no CAS number"),
    ("no such match 42", "no such match 42", "no such match 42"),  # no Chinese: as it is, in both
    ("", "", ""),
])
def test_localise_message(app, message, zh, en):
    for lang, expected in (("zh_CN", zh), ("en", en)):
        ctx = in_language(app, lang)
        try:
            assert localise_message(message) == expected, lang
        finally:
            ctx.pop()


STATE_SETS = ("MATCH_STATUSES", "SHIPMENT_STATUSES", "LISTING_STATUSES", "ALERT_KINDS", "ALERT_STATUSES",
              "FINDING_STATUSES", "NOTIFICATION_KINDS")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_stored_state_and_kind_has_a_label(app, lang):
    unlabelled: list[str] = []
    ctx = in_language(app, lang)
    try:
        for name in STATE_SETS:
            for value in getattr(models, name):
                label = state_label(value)
                if not label or label == value or (lang == "zh_CN" and not CJK.search(label)):
                    unlabelled.append(f"{name}: {value!r} → {label!r}")
                elif lang == "en" and CJK.search(label):
                    unlabelled.append(f"{name}: {value!r} → {label!r} (Chinese in the English page)")
    finally:
        ctx.pop()
    assert not unlabelled, f"states and kinds shown raw in {lang}:\n" + "\n".join(unlabelled)


def test_templates_translate_in_the_locale_of_the_moment(app):
    """The translations kept for a request follow ``force_locale`` and come back after it."""
    from flask_babel import force_locale

    template = app.jinja_env.from_string("{{ _('Accept this partner') }}|{{ 'approved'|state }}")
    ctx = in_language(app, "zh_CN")
    try:
        zh = template.render()
        with force_locale("en"):
            en = template.render()
        again = template.render()
    finally:
        ctx.pop()
    assert re.search(r"[\u4e00-\u9fff]", zh) and zh == again
    assert en.startswith("Accept this partner|") and not re.search(r"[\u4e00-\u9fff]", en)

"""An enterprise's offers and needs: list, post, edit, pause/resume/close, and one-click matching.

The form is validated exactly as the API validates a listing (``NewListing`` /
``ListingPatch`` of ``web.api.listings``, i.e. the interchange ``ListingSchema``), then
saved by ``marketplace.services.listings.listings``. The form speaks the user's terms — a
quantity with its unit, composition as percentages in rows — and ``ListingForm``
turns it into the schema's dict and the schema's errors back into form fields.

"Find matches" (``/listings/<id>/matches``) shows ``listings.recommendations`` exactly as
the service returns them for this user (the counterpart anonymised); "Accept this
partner" proposes the pair and records this side's acceptance in one transaction.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from flask import abort, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError

from catalog.chemistry import lookup_cas
from catalog.solid_waste import is_solid_waste_category, solid_waste_category
from catalog.waste_streams import STREAMS, STREAMS_BY_KEY, infer_stream, is_stream_category, stream_category
from marketplace.errors import Conflict, DomainError, NotFound, ValidationFailed
from marketplace.models import CURRENT_ROUTES, FORMS, LISTING_KINDS, LISTING_STATUSES, PERIODS, PURPOSES, Listing
from marketplace.schemas.interchange import (
    MAX_ANNUAL_T,
    MAX_DISTANCE_KM,
    MAX_PRICE_CNY_PER_T,
    MIN_PRICE_CNY_PER_T,
    MIN_QUANTITY_T,
    max_quantity_t,
)
from marketplace.schemas.numbers import read_number, read_tonnes
from marketplace.services.accounts.users import Principal
from marketplace.services.listings import listings as service
from marketplace.services.listings.plausibility import HISTORY_FACTOR, Question, Unconfirmed
from marketplace.services.listings.resolution import REJECTED, ShownResolution, resolution_of, shown_resolution
from marketplace.services.matching import workflow

from ..api.listings import ListingPatch, NewListing
from ..database import db_session, discard_changes
from ..i18n import both_languages, is_chinese, localise_message, state_label
from . import bp
from . import lookup as lookup_pages
from .auth import enterprises_only, page_principal
from .common import FormErrors, Page, field_reasons, flash_done, flash_error, page_args
from .match_views import FORM_LABELS, PURPOSE_LABELS, match_views, page_helpers
from .typed_numbers import number_reason

# --- labels of the stored values the form offers -------------------------------------------------

ROUTE_LABELS = {"landfill": _l("Landfill"), "incineration": _l("Incineration"), "storage": _l("Storage"),
                "disposal": _l("Disposal"), "sale": _l("Sale")}
UNITS = {"t": 1.0, "kg": 0.001}
UNIT_LABELS = {"t": _l("tonnes (t)"), "kg": _l("kilograms (kg)")}
STATUS_ACTIONS = {"pause": _l("Listing paused."), "resume": _l("Listing active again."),
                  "close": _l("Listing closed.")}

# Component editors: the schema's list key -> its amount field; how many rows the form shows at least.
ROLES = {"composition": "fraction", "wanted": "min_fraction", "limits": "max_fraction"}
MIN_ROWS = {"composition": 5, "wanted": 3, "limits": 3}
MAX_ROWS = 50
COMMON_FIELDS = ("title_zh", "title", "description", "waste_code", "ewc_code", "category", "stream", "period",
                 "available_from", "available_to", "price_cny_per_t")
KIND_FIELDS = {"offer": ("form", "current_route"), "need": ("purpose", "max_distance_km")}
KIND_ROLES = {"offer": ("composition",), "need": ("composition", "wanted", "limits")}
TEXT_LIMIT = 4000
CAS_LIKE = re.compile(r"^[\d\s０-９\-－]+$")  # digits and hyphens: a CAS number, typed or half-typed
ROW_FIELD = re.compile(r"^(composition|wanted|limits)\.(\d{1,3})\.(name|cas|pct|reject)$")
TYPED = ("name", "cas", "pct")  # what a user types in a row (a row with none of them is blank)
# How a name typed without a CAS number was resolved (catalog.resolve's methods).
RESOLVED_BY_LABELS = {"cas": _l("from the CAS number"), "zh_name": _l("from the Chinese name"),
                      "synonym": _l("from a synonym"), "formula": _l("from the formula"),
                      "name": _l("from the name")}

# The schema's English messages, in the page's language (others are shown as the service wrote them).
NO_TITLE = _l("Give the listing a title (Chinese or English).")
NO_FORM = _l("State the physical form of the offer.")
NO_FORMS = _l("Tick the forms the need accepts.")
NO_PURPOSE = _l("State what the material is for.")
SCHEMA_MESSAGES = (
    ("Missing data for required field.", _l("Required.")),
    ("Field may not be null.", _l("Required.")),
    ("Not a valid number.", _l("Not a valid number.")),
    ("Not a valid date.", _l("Not a valid date (YYYY-MM-DD).")),
    ("a listing needs a title or a title_zh", NO_TITLE),
    ("an offer must state its physical form", NO_FORM),
    ("a need must list the forms it accepts", NO_FORMS),
    ("a need must state its purpose", NO_PURPOSE),
    ("a component needs a cas or a name", _l("Give a name or a CAS number.")),
    ("invalid CAS number", _l("Not a valid CAS number: check the digits.")),
    ("is not an HW code", _l("Not an HW code of the form NNN-NNN-NN (e.g. 900-214-08).")),
    ("is not in 国家危险废物名录", _l("This HW category is not in the National Hazardous Waste List.")),
    ("is not in the loaded HW list", _l("This code is not in the loaded National Hazardous Waste List.")),
    ("must be six digits", _l("Must be six digits of the EU List of Waste, e.g. 130205.")),
    ("is a category, not an HW code", _l("This is a category, not an HW code: enter it under Category.")),
    ("unknown category", _l("Unknown category: use SW01–SW59, CW01–CW05, HH01–HH05 or AG01–AG04.")),
    ("give an HW code or a category, not both", _l("Give an HW code or a category, not both.")),
    ("must be a quantity greater than 0", _l("Must be more than 0.")),
    ("must be greater than 0", _l("Must be more than 0.")),
    ("is before available_from", _l("Must not be before the start date.")),
    ("more than 1", _l("The percentages add up to more than 100 %.")),
    ("substances listed twice", _l("A substance is listed twice.")),
)

TOO_LITTLE = _l("Must be at least 1 kg (0.001 t).")
TOO_MUCH = _l("At most %(max)s t per period “%(period)s” (%(annual)s t a year): check the number and the unit.")
PRICE_RANGE = _l("Must be between %(min)s and %(max)s CNY per tonne.")
DISTANCE_RANGE = _l("Must be more than 0 and at most %(max)s km.")
# The listing service's questions (``plausibility``), asked on the form with a box to tick.
QUESTIONS = {
    "history": _l("%(annual)s t a year is more than %(factor)s times your largest comparable listing "
                  "(%(largest)s t a year). Are the number and the unit right?"),
    "material": _l("%(annual)s t a year is more than %(factor)s times the largest listing of %(code)s so far "
                   "(%(largest)s t a year). Are the number and the unit right?"),
    "large": _l("%(annual)s t a year is more than %(large)s t, as much as the largest streams of a whole park. "
                "Are the number and the unit right?"),
    "duplicate": _l("Your listing %(ref)s says the same (kind, code, quantity and title). Post a second one?"),
}
CONFIRM_LABELS = {"quantity": _l("Yes, this quantity is right."), "duplicate": _l("Yes, post a second listing.")}
FORM_TOKENS = "listing_form_tokens"  # session key: one-time tokens of the new-listing forms → the listing posted
MAX_FORM_TOKENS = 20


def _translate(message: str) -> str:
    """A reason in the page's language: the page's own words for one of the schema's messages (recognised in the
    page's half or, for a message written ``english (中文)``, in its English), else the reason localised."""
    shown = localise_message(message)
    for text in (shown, message):
        for needle, page_text in SCHEMA_MESSAGES:
            if needle in text:
                return str(page_text)
    return shown


def _n(value: float) -> str:
    """A figure in a reason: thousands grouped, no float noise (416,666.667)."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.6g}"


def _filled(text: Any, **values: Any) -> str:
    """``text`` (an ``_l`` message) in the current language with ``values`` put in."""
    return str(text) % values


def _too_much(period: str) -> str:
    """Why a quantity is above the bound of ``period``, in the current language."""
    return str(TOO_MUCH) % {"max": _n(max_quantity_t(period)), "period": state_label(period),
                            "annual": _n(MAX_ANNUAL_T)}


def _question_text(q: Question) -> str:
    v = q.values
    text = str(QUESTIONS[q.reason])
    if q.reason == "duplicate":
        return text % {"ref": v["ref"]}
    return text % {"annual": _n(v["annual"]), "largest": _n(v.get("largest", 0.0)), "factor": f"{HISTORY_FACTOR:g}",
                   "code": v.get("code", ""), "large": _n(v.get("large", 0.0))}


def _clean(text: str | None, limit: int = TEXT_LIMIT) -> str:
    return (text or "").strip()[:limit]


def _g(value: float | None) -> str:
    """A stored number as the form shows it (no float noise: 85.00000000000001 → 85)."""
    return "" if value is None else f"{value:.10g}"


def _preview(row: dict[str, Any]) -> ShownResolution | None:
    """What a typed row's name resolves to, as saving it would store it (a row with a CAS number: nothing)."""
    if row.get("cas") or not row.get("name"):
        return None
    if row.get("reject"):
        return shown_resolution(None, REJECTED)
    found = resolution_of(row["name"])
    return shown_resolution(found.cas, found.method, found.ambiguous) if found is not None else None


# --- the form --------------------------------------------------------------------------------------

@dataclass
class ListingForm:
    """The listing form's typed values (strings), kept as typed so that errors never lose input."""

    kind: str
    values: dict[str, str] = field(default_factory=dict)
    forms: list[str] = field(default_factory=list)
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    errors: FormErrors = field(default_factory=FormErrors)
    # Boxes ticked in answer to the service's questions ("quantity:<fingerprint>"), and the questions asked.
    confirm: list[str] = field(default_factory=list)
    questions: list[dict[str, str]] = field(default_factory=list)

    def padded(self, role: str) -> list[dict[str, str]]:
        """The rows of one editor plus blank ones (at least ``MIN_ROWS``, always one spare)."""
        rows = list(self.rows.get(role, []))
        blanks = max(MIN_ROWS[role] - len(rows), 1)
        return rows + [{"name": "", "cas": "", "pct": "", "reject": "", "resolved": None} for _ in range(blanks)]

    @classmethod
    def blank(cls, kind: str) -> ListingForm:
        return cls(kind=kind, values={"period": "year", "unit": "t", "form_token": _new_form_token()})

    @classmethod
    def of_listing(cls, listing: Listing) -> ListingForm:
        """The form filled with a stored listing (quantity in tonnes, fractions as percentages)."""
        values = {k: ("" if getattr(listing, k) is None else str(getattr(listing, k))) for k in COMMON_FIELDS}
        if listing.stream == infer_stream(listing.waste_code, listing.category):
            values["stream"] = ""  # follows the code: shown as automatic, so a new code brings its stream
        values.update(price_cny_per_t=_g(listing.price_cny_per_t), quantity=_g(listing.quantity_t), unit="t",
                      form=listing.form or "", current_route=listing.current_route or "",
                      purpose=listing.purpose or "", max_distance_km=_g(listing.max_distance_km),
                      composition_complete="1" if listing.composition_complete else "")
        role_of = {"composition": "composition", "wanted": "wanted", "limits": "limit"}
        rows = {key: [{"name": c.name or "", "cas": c.cas or "", "pct": _g(round(c.fraction * 100, 8)),
                       "reject": "1" if c.resolved_by == REJECTED else "",
                       "resolved": shown_resolution(c.resolved_cas, c.resolved_by, c.resolved_ambiguous)}
                      for c in listing.components_in(role_of[key])] for key in ROLES}
        return cls(kind=listing.kind, values=values, forms=list(listing.forms or []), rows=rows)

    @classmethod
    def from_request(cls, kind: str) -> ListingForm:
        """The submitted form; blank component rows are dropped (so row numbers match the schema's)."""
        form = request.form
        values = {k: _clean(form.get(k)) for k in (*COMMON_FIELDS, "quantity", "unit", "form", "current_route",
                                                    "purpose", "max_distance_km", "form_token")}
        values["composition_complete"] = "1" if form.get("composition_complete") else ""
        forms = [f for f in form.getlist("forms") if f in FORMS]
        cells: dict[str, dict[int, dict[str, str]]] = {role: {} for role in ROLES}
        for name in form:
            m = ROW_FIELD.match(name)
            if m:
                cells[m.group(1)].setdefault(int(m.group(2)), {})[m.group(3)] = _clean(form.get(name), 200)
        rows = {}
        for role, by_index in cells.items():
            typed = [{"name": r.get("name", ""), "cas": r.get("cas", ""), "pct": r.get("pct", ""),
                      "reject": "1" if r.get("reject") else ""} for _, r in sorted(by_index.items())]
            rows[role] = [r for r in typed if any(r[k] for k in TYPED)][:MAX_ROWS]
            for r in rows[role]:
                r["resolved"] = _preview(r)
        return cls(kind=kind, values=values, forms=forms, rows=rows, confirm=form.getlist("confirm")[:10])

    def document(self, *, with_kind: bool) -> tuple[dict[str, Any], FormErrors]:
        """The schema's dict of this form, and what is wrong before the schema even looks (numbers, units); those
        reasons are written ``english (中文)`` (``both_languages``) as the refusal carrying them is."""
        pre = FormErrors()
        v = self.values
        doc: dict[str, Any] = {k: v.get(k, "") for k in COMMON_FIELDS}
        if with_kind:
            doc["kind"] = self.kind
        for k in KIND_FIELDS[self.kind]:
            doc[k] = v.get(k, "")
        if self.kind == "need":
            doc["forms"] = list(self.forms)
        self._numbers(doc, pre)
        if is_chinese() and not v.get("title_zh"):
            pre.add("title_zh", both_languages(_l("Give the Chinese title.")))
        elif not v.get("title_zh") and not v.get("title"):
            pre.add("title", both_languages(NO_TITLE))
        # What the schema checks only once every field parses: said now, so that one round shows everything.
        if self.kind == "offer" and not v.get("form"):
            pre.add("form", both_languages(NO_FORM))
        if self.kind == "need" and not self.forms:
            pre.add("forms", both_languages(NO_FORMS))
        if self.kind == "need" and not v.get("purpose"):
            pre.add("purpose", both_languages(NO_PURPOSE))
        self._quantity(doc, pre)
        for role, amount in ROLES.items():
            if role not in KIND_ROLES[self.kind]:
                continue
            items = []
            for i, row in enumerate(self.rows.get(role, [])):
                reading = read_number(row["pct"], percent=True)
                pct = reading.value
                if not reading.ok:
                    pre.add(f"{role}.{i}.pct", both_languages(number_reason, reading, row["pct"]))
                elif not 0 <= pct <= 100:
                    pre.add(f"{role}.{i}.pct", both_languages(_l("Must be a percentage between 0 and 100.")))
                fraction = pct / 100 if pct is not None and 0 <= pct <= 100 else 0.0
                # "Not this substance" ticked: keep the name unresolved; unticked: resolve it (again).
                items.append({"name": row["name"], "cas": row["cas"], amount: fraction,
                              "resolve": not row.get("reject")})
            doc[role] = items
        doc["composition_complete"] = bool(v.get("composition_complete"))
        if "quantity_t" in doc:
            doc["confirm"] = [key for key in CONFIRM_LABELS if f"{key}:{_fingerprint(key, doc)}" in self.confirm]
        return doc, pre

    def _numbers(self, doc: dict[str, Any], pre: FormErrors) -> None:
        """The price and the distance as numbers within their bounds (what is wrong said per field)."""
        bounds = {"price_cny_per_t": (MIN_PRICE_CNY_PER_T, MAX_PRICE_CNY_PER_T),
                  "max_distance_km": (0.0, MAX_DISTANCE_KM)}
        for k, (low, high) in bounds.items():
            typed = doc.get(k)
            if not typed:
                continue
            reading = read_number(typed, negative=k == "price_cny_per_t")
            if not reading.ok:
                pre.add(k, both_languages(number_reason, reading, typed))
            elif k == "price_cny_per_t" and not low <= reading.value <= high:
                pre.add(k, both_languages(_filled, PRICE_RANGE, min=_n(low), max=_n(high)))
            elif k == "max_distance_km" and not low < reading.value <= high:
                pre.add(k, both_languages(_filled, DISTANCE_RANGE, max=_n(high)))
            else:
                doc[k] = reading.value

    def _quantity(self, doc: dict[str, Any], pre: FormErrors) -> None:
        """The quantity in tonnes: a unit typed after the number wins over the unit chosen beside it."""
        typed, unit = self.values.get("quantity", ""), self.values.get("unit") or "t"
        reading = read_tonnes(typed)
        if not reading.ok:
            pre.add("quantity", both_languages(number_reason, reading, typed))
            return
        if reading.unit is None and unit not in UNITS:
            pre.add("unit", both_languages(_l("Choose a unit.")))
            return
        tonnes = reading.value if reading.unit is not None else reading.value * UNITS[unit]
        period = self.values.get("period") if self.values.get("period") in PERIODS else "year"
        if tonnes < MIN_QUANTITY_T:
            pre.add("quantity", both_languages(TOO_LITTLE))
        elif tonnes > max_quantity_t(period):
            pre.add("quantity", both_languages(_too_much, period))
        else:
            doc["quantity_t"] = tonnes

    def load(self, schema: Schema, *, with_kind: bool) -> dict[str, Any]:
        """The validated dict (as the API's schema loads it), or ``ValidationFailed`` with every problem."""
        doc, pre = self.document(with_kind=with_kind)
        try:
            data = schema.load(doc)
        except ValidationError as exc:
            raise ValidationFailed("the listing has errors (信息有误)", _merge(exc.messages, pre)) from None
        if pre:
            raise ValidationFailed("the listing has errors (信息有误)", _merge({}, pre))
        return data

    def fail(self, exc: DomainError) -> ListingForm:
        """Keep the typed values and show ``exc``'s reasons on the fields they concern (questions: a box to tick)."""
        if isinstance(exc, Unconfirmed):
            return self.ask(exc.questions)
        self.errors = form_errors(exc)
        return self

    def ask(self, questions: list[Question]) -> ListingForm:
        """Show the service's questions beside their fields, each with a box that confirms the value as typed."""
        doc, _pre = self.document(with_kind=True)
        self.errors = FormErrors(_("Please confirm the unusual values below, or correct them."))
        self.questions = []
        for q in questions:
            text = _question_text(q)
            self.errors.fields.setdefault(_field_name(q.field), []).append(text)
            self.questions.append({"key": q.key, "text": text, "label": str(CONFIRM_LABELS[q.key]),
                                   "value": f"{q.key}:{_fingerprint(q.key, doc)}"})
        return self


def _fingerprint(key: str, doc: dict[str, Any]) -> str:
    """What a ticked box confirms: the value as it was asked about (change it, and the box no longer counts)."""
    quantity = f'{doc.get("quantity_t", 0.0):.12g}/{doc.get("period") or "year"}'
    if key == "quantity":
        return quantity
    return _digest(f'{quantity}|{doc.get("waste_code")}|{doc.get("title")}|{doc.get("title_zh")}')


def _digest(text: str) -> str:
    """A short digest of ``text`` (not a secret: it only tells one typed listing from another)."""
    return hashlib.blake2s(text.encode(), digest_size=8).hexdigest()


def _new_form_token() -> str:
    """A one-time token for a new-listing form, kept in the signed session until the form is posted."""
    token = secrets.token_urlsafe(16)
    tokens = dict(session.get(FORM_TOKENS) or {})
    tokens[token] = 0
    session[FORM_TOKENS] = dict(list(tokens.items())[-MAX_FORM_TOKENS:])
    return token


def _posted_with(token: str) -> int | None:
    """The listing already created by the form carrying ``token`` (a back-button resubmit), else None."""
    return (session.get(FORM_TOKENS) or {}).get(token) or None


def _remember(token: str, listing_id: int) -> None:
    tokens = dict(session.get(FORM_TOKENS) or {})
    if token in tokens:
        tokens[token] = listing_id
        session[FORM_TOKENS] = tokens


def _merge(messages: dict[str, Any], pre: FormErrors) -> dict[str, Any]:
    """The schema's nested messages plus the form's own (the form's first for the same field), as written: the
    refusal carrying them is shown through ``form_errors``, which gives each in the page's language."""
    out: dict[str, Any] = {}
    flat = field_reasons(messages)
    for name, reasons in pre.fields.items():
        out[name] = list(reasons)
    for name, reasons in flat.items():
        target = _field_name(name)
        if target not in pre.fields:
            out.setdefault(target, []).extend(reasons)
    return out


def _field_name(name: str) -> str:
    """A schema error path as the form's field name: ``composition[0].fraction`` → ``composition.0.pct``."""
    name = re.sub(r"\[(\d+)\]", r".\1", name).removeprefix("$.")
    parts = name.split(".")
    if parts[0] == "quantity_t":
        return "quantity"
    if len(parts) == 3 and parts[0] in ROLES and parts[2] in ("fraction", "min_fraction", "max_fraction"):
        return f"{parts[0]}.{parts[1]}.pct"
    if parts[-1] == "_schema":
        return ".".join(parts[:-1]) or "title"
    return name


def form_errors(exc: DomainError) -> FormErrors:
    """``FormErrors.of(exc)`` with the schema's field paths as form field names and its messages translated."""
    raw = FormErrors.of(exc)
    # A field-by-field refusal gets the common summary line; a conflict keeps the service's sentence.
    out = FormErrors(_("Please correct the fields marked below.")
                     if isinstance(exc, ValidationFailed) and raw.fields else raw.message)
    for name, reasons in field_reasons(exc.errors or {}).items():
        for reason in reasons:
            out.fields.setdefault(_field_name(name), []).append(_translate(reason))
    if out.fields and not out.message:
        out.message = _("Please correct the fields marked below.")
    return out


# --- helpers of the views --------------------------------------------------------------------------

def _kind_arg(value: str | None) -> str:
    return value if value in LISTING_KINDS else "offer"


def own_listing(principal: Principal, listing_id: int) -> Listing:
    """The user's own enterprise's listing, else 404 (another enterprise's listing is not theirs to open here)."""
    try:
        return service.own_listing(db_session(), principal, listing_id)
    except NotFound:
        abort(404)


def _choices() -> dict[str, Any]:
    return {"FORM_CHOICES": [(f, FORM_LABELS[f]) for f in FORMS],
            "PURPOSE_CHOICES": [(p, PURPOSE_LABELS[p]) for p in PURPOSES],
            "ROUTE_CHOICES": [(r, ROUTE_LABELS[r]) for r in CURRENT_ROUTES],
            "PERIOD_CHOICES": [(p, state_label(p)) for p in PERIODS],
            "UNIT_CHOICES": [(u, UNIT_LABELS[u]) for u in UNITS],
            "STREAM_CHOICES": [(s.key, s.name_zh if is_chinese() else s.name_en) for s in STREAMS],
            "stream_label": stream_label,
            "FORM_LABELS": FORM_LABELS, "PURPOSE_LABELS": PURPOSE_LABELS, "ROUTE_LABELS": ROUTE_LABELS,
            "RESOLVED_BY_LABELS": RESOLVED_BY_LABELS, "shown_resolution": shown_resolution,
            "MAX_ANNUAL_TEXT": _n(MAX_ANNUAL_T), **page_helpers()}


def stream_label(stream: str | None, category: str | None = None) -> str:
    """A listing's stream, and its category when it names one of ours or an SW one, in the page's language."""
    zh = is_chinese()
    found = STREAMS_BY_KEY.get(stream or "")
    text = (found.name_zh if zh else found.name_en) if found else (stream or "—")
    if category and is_stream_category(category):
        cat = stream_category(category)
        text += f" · {cat.code} {cat.name_zh if zh else cat.name_en}"
    elif category and is_solid_waste_category(category):
        sw = solid_waste_category(category)
        text += f" · {sw.code} {sw.name_zh if zh else sw.name_en}"
    return text


def _render_form(form: ListingForm, listing: Listing | None = None, status: int = 200):
    return render_template("listing_form.html", form=form, listing=listing, **_choices()), status


# --- views -----------------------------------------------------------------------------------------

@bp.get("/listings")
@enterprises_only
def listings():
    """The enterprise's own offers and needs, newest first (filters: kind, status)."""
    principal = page_principal()
    kind = request.args.get("kind") if request.args.get("kind") in LISTING_KINDS else None
    status = request.args.get("status") if request.args.get("status") in LISTING_STATUSES else None
    page, per_page = page_args()
    items, total = service.search_listings(db_session(), principal, service.ListingSearch(
        kind=kind, status=status, mine=True, page=page, per_page=per_page))
    return render_template("listings.html", page=Page(items, page, per_page, total), kind=kind or "",
                           status=status or "", **_choices())


@bp.get("/listings/new")
@enterprises_only
def listing_new():
    """The blank form of a new offer or need (``?kind=offer|need``)."""
    return _render_form(ListingForm.blank(_kind_arg(request.args.get("kind"))))


@bp.post("/listings/new")
@enterprises_only
def listing_create():
    """Post the listing for the user's enterprise; errors re-show the form with everything typed."""
    principal = page_principal()
    form = ListingForm.from_request(_kind_arg(request.form.get("kind") or request.args.get("kind")))
    token = form.values.get("form_token", "")
    posted = _posted_with(token)
    if posted is not None:
        # The same form sent again (the back button, a double click): the listing it created, not a second one.
        try:
            service.own_listing(db_session(), principal, posted)
        except NotFound:
            pass  # not stored after all (the first post's transaction failed): post it now
        else:
            flash_done(_("This form was already posted: here is the listing it created."))
            return redirect(url_for("pages.listing", listing_id=posted))
    if token not in (session.get(FORM_TOKENS) or {}):
        form.values["form_token"] = token = _new_form_token()  # a form from before this session, or none
    try:
        listing = service.create_listing(db_session(), principal, form.load(NewListing(), with_kind=True))
    except DomainError as exc:
        return _render_form(form.fail(exc), status=exc.status)
    _remember(token, listing.id)
    flash_done(_("Your listing is posted: here are the partners that fit it best."))
    return redirect(url_for("pages.listing_matches", listing_id=listing.id))


@bp.get("/listings/<int:listing_id>")
@enterprises_only
def listing(listing_id: int):
    """One of the enterprise's listings, with its matches in the workflow and its actions."""
    principal = page_principal()
    item = own_listing(principal, listing_id)
    db = db_session()
    view = service.listing_detail(db, principal, item)
    rows = service.matches_of(db, principal, item, limit=50)
    return render_template("listing.html", item=view, matches=match_views(principal, rows),
                           reserved_t=service.reserved_t(db, item.id), **_choices())


@bp.get("/listings/<int:listing_id>/edit")
@enterprises_only
def listing_edit(listing_id: int):
    """The form filled with the listing (closed listings cannot change: back to the listing)."""
    item = own_listing(page_principal(), listing_id)
    if item.status == "closed":
        flash_error(Conflict("a closed listing cannot be edited (已关闭的信息不能修改)"))
        return redirect(url_for("pages.listing", listing_id=item.id))
    return _render_form(ListingForm.of_listing(item), item)


@bp.post("/listings/<int:listing_id>/edit")
@enterprises_only
def listing_update(listing_id: int):
    """Save the changes (validated as ``PATCH /api/v1/listings/<id>``); errors keep the typed values."""
    principal = page_principal()
    item = own_listing(principal, listing_id)
    form = ListingForm.from_request(item.kind)
    try:
        service.update_listing(db_session(), principal, item.id, form.load(ListingPatch(partial=True), with_kind=False))
    except DomainError as exc:
        discard_changes()  # the form shows the listing as stored, not as the refused change left it
        return _render_form(form.fail(exc), own_listing(principal, listing_id), status=exc.status)
    flash_done(_("Changes saved."))
    return redirect(url_for("pages.listing", listing_id=listing_id))


@bp.post("/listings/<int:listing_id>/<any(pause, resume, close):action>")
@enterprises_only
def listing_status(listing_id: int, action: str):
    """Pause, resume or close the listing (pausing and closing cancel its open matches)."""
    principal = page_principal()
    own_listing(principal, listing_id)
    reason = _clean(request.form.get("reason"), 500) or None
    try:
        _, cancelled = service.change_status(db_session(), principal, listing_id, action, reason)
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("pages.listing", listing_id=listing_id))
    message = str(STATUS_ACTIONS[action])
    if cancelled:
        message += " " + _("%(n)s open matches were cancelled.", n=cancelled)
    flash_done(message)
    return redirect(url_for("pages.listing", listing_id=listing_id))


@bp.get("/listings/substance")
def listing_substance():
    """``?q=`` a composition row's CAS number or name, as the listing form's script asks about it.

    A CAS number is looked up as ``/lookup/chemicals`` does; a name is resolved exactly as saving
    the row resolves it (``resolution_of``), so the preview and the stored resolution agree:
    the chemical plus ``resolved_by``, ``how`` (in the page's language) and ``ambiguous``.
    """
    if page_principal() is None:
        return lookup_pages.lookup_chemicals()  # the same 401 answer
    q = (request.args.get("q") or "").strip()[:lookup_pages.MAX_QUERY]
    if not q or CAS_LIKE.match(q):
        return lookup_pages.lookup_chemicals()
    found = resolution_of(q)
    chemical = lookup_cas(found.cas) if found is not None else None
    if chemical is None:
        return jsonify({"found": False})
    return jsonify({**lookup_pages.chemical_dict(chemical), "resolved_by": found.method,
                    "how": str(RESOLVED_BY_LABELS.get(found.method, "")), "ambiguous": found.ambiguous})


TOP_CHOICES = (5, 10, 20)


@bp.get("/listings/<int:listing_id>/matches")
@enterprises_only
def listing_matches(listing_id: int):
    """One-click matching (一键资源匹配): the best legal partners, each with its reasons and every check."""
    principal = page_principal()
    item = own_listing(principal, listing_id)
    db = db_session()
    try:
        top = int(request.args.get("top", TOP_CHOICES[0]))
    except ValueError:
        top = TOP_CHOICES[0]
    top = top if top in TOP_CHOICES else TOP_CHOICES[0]
    view = service.listing_detail(db, principal, item)
    if item.status == "closed":
        return render_template("listing_matches.html", item=view, result=None, top=top, open_matches={},
                               TOP_OPTIONS=[], **_choices())
    result = service.recommendations(db, principal, item.id, top=top)
    # The pairs already in the workflow: their match is opened (or answered) rather than proposed again.
    open_matches = {partner: {"id": m.id, "status": m.status, "awaiting": _awaits_us(m, item)}
                    for partner, m in service.open_matches_by_partner(db, principal, item).items()}
    return render_template("listing_matches.html", item=view, result=result, top=top, open_matches=open_matches,
                           TOP_OPTIONS=[(n, n) for n in TOP_CHOICES], **_choices())


def _awaits_us(match: Any, listing: Listing) -> bool:
    """The match is proposed and the listing's side has not accepted it yet."""
    return match.status == "proposed" and getattr(match, f"{listing.kind}_accepted_at") is None


@bp.post("/listings/<int:listing_id>/matches")
@enterprises_only
def listing_accept_partner(listing_id: int):
    """"Accept this partner": propose the pair and record this side's acceptance, in one transaction.

    A pair already proposed (by a park-wide run, say) is accepted as it stands; one further
    along in the workflow is simply opened.
    """
    principal = page_principal()
    item = own_listing(principal, listing_id)
    back = url_for("pages.listing_matches", listing_id=listing_id)
    try:
        partner = int(request.form.get("partner", ""))
    except ValueError:
        abort(400)
    db = db_session()
    existing = service.open_matches_by_partner(db, principal, item).get(partner)
    if existing is not None and not _awaits_us(existing, item):
        flash_done(_("This partner is already in the workflow with you: here is the match."))
        return redirect(url_for("pages.match", match_id=existing.id))
    try:
        if existing is None:
            offer, need = (item.id, partner) if item.kind == "offer" else (partner, item.id)
            existing = workflow.propose(db, principal, offer, need)
        match_id = existing.id
        workflow.decide(db, principal, match_id, "accept")
    except workflow.OverCommitment:
        # Proposed, not accepted: the match page asks to confirm, saying what is committed already.
        flash_done(_("Your listing is already committed to other partners: confirm on the match page."))
        return redirect(url_for("pages.match", match_id=match_id))
    except DomainError as exc:
        flash_error(exc)
        return redirect(back)
    flash_done(_("You accepted this partner: the other enterprise is asked to accept too."))
    return redirect(url_for("pages.match", match_id=match_id))

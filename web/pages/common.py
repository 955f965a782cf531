"""What every page module needs: pagination, form errors that keep the input, flash messages."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Sequence

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy.orm import Session

from marketplace.errors import DomainError, NotFound, ValidationFailed
from marketplace.models import Park
from marketplace.models.base import CHINA_TZ, as_utc
from marketplace.db import page_rows
from marketplace.services.accounts import parks
from marketplace.services.accounts.users import Principal

from ..database import db_session, discard_changes
from ..i18n import loc_attr, localise_message
from .auth import safe_next

PER_PAGE = 20
MAX_PER_PAGE = 100


def coordinated_parks(principal: Principal) -> list[Park]:
    """The parks the user answers for, by code: admins every park, coordinators theirs, others none."""
    return parks.coordinated_parks(db_session(), principal)


def park_options(parks: list[Park]) -> list[tuple[str, str]]:
    """``(code, "name (code)")`` pairs for a park select, names in the page's language."""
    return [(p.code, f"{loc_attr(p, 'name')} ({p.code})") for p in parks]


def park_time(value: str | dt.datetime | None, with_time: bool = True) -> str:
    """A stored time (ISO text or datetime, naive = UTC) in park time: ``2026-12-01 16:30``; '' for none."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    local = as_utc(value).astimezone(CHINA_TZ)
    return local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


@dataclass
class Page:
    """One page of a list, with what the pager needs."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def choice_filters(choices: dict[str, Collection[str]]) -> dict[str, str]:
    """The request's filter values by name, each '' unless it is one of its choices."""
    return {name: value if (value := request.args.get(name, "")) in allowed else ""
            for name, allowed in choices.items()}


def page_args(default_per_page: int = PER_PAGE) -> tuple[int, int]:
    """``?page=&per_page=`` of the request, clamped to sensible values (bad numbers fall back)."""
    def num(name: str, default: int, top: int) -> int:
        try:
            return min(max(int(request.args.get(name, default)), 1), top)
        except ValueError:
            return default
    return num("page", 1, 1_000_000), num("per_page", default_per_page, MAX_PER_PAGE)


def paginate(session: Session, stmt: Select, transform: Callable[[list[Any]], list[Any]] | None = None,
             per_page: int = PER_PAGE) -> Page:
    """One page of ``stmt`` (``?page=``), rows turned into what the page shows by ``transform``."""
    page, size = page_args(per_page)
    rows, total = page_rows(session, stmt, page, size)
    return Page(transform(rows) if transform else rows, page, size, total)


def slice_page(items: Sequence[Any], per_page: int = PER_PAGE) -> Page:
    """One page of an in-memory list."""
    page, size = page_args(per_page)
    return Page(list(items[(page - 1) * size: page * size]), page, size, len(items))


# url_for's own keywords: a query argument of that name must not reach it (a 500, or a changed link).
URL_FOR_KEYWORDS = ("endpoint", "values", "method")


def query_args(**overrides: Any) -> dict[str, Any]:
    """The request's query arguments that are safe to rebuild a link with (not url_for's keywords, not the
    view's own URL arguments), with ``overrides``."""
    taken = set(request.view_args or {})
    args = {k: v for k, v in request.args.items()
            if not k.startswith("_") and k not in URL_FOR_KEYWORDS and k not in taken}
    return {**args, **overrides}


def page_url(page: int) -> str:
    """This page's address at another page number, its filters kept."""
    return url_for(request.endpoint, **(request.view_args or {}), **query_args(page=page))


@dataclass
class FormErrors:
    """A form's errors by field (``fields``) plus one summary line (``message``) for the top of the form."""

    message: str = ""
    fields: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.message or self.fields)

    def add(self, name: str, reason: str) -> None:
        self.fields.setdefault(name, []).append(reason)
        if not self.message:
            self.message = _("Please correct the fields marked below.")

    @classmethod
    def of(cls, exc: DomainError) -> FormErrors:
        """The domain error's message and its per-field reasons, for showing on the form."""
        out = cls(localise_message(exc.message))
        for name, reasons in _flatten(exc.errors or {}).items():
            out.fields[name] = reasons
        return out


def field_reasons(errors: dict[str, Any]) -> dict[str, list[str]]:
    """A (nested) errors mapping by flat field name, its reasons as written (``english (中文)``, not localised)."""
    return _flatten(errors, localise=lambda text: text)


def _flatten(errors: dict[str, Any], prefix: str = "",
             localise: Callable[[str], str] = localise_message) -> dict[str, list[str]]:
    """``{"components": {"0": {"cas": ["bad"]}}}`` → ``{"components.0.cas": ["bad"]}``."""
    out: dict[str, list[str]] = {}
    for key, value in errors.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(_flatten(value, name, localise))
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
            out[name] = [localise(v) for v in value]
        elif isinstance(value, (list, tuple)):
            for i, inner in enumerate(value):
                if isinstance(inner, dict):
                    out.update(_flatten(inner, f"{name}.{i}", localise))
                else:
                    out.setdefault(name, []).append(localise(str(inner)))
        else:
            out[name] = [localise(str(value))]
    return out


def flash_done(message: str) -> None:
    """A green line at the top of the next page: what the action did."""
    flash(message, "done")


def flash_error(exc: DomainError) -> None:
    """A red line at the top of the next page: why the action was refused (and nothing of it is kept)."""
    discard_changes()
    flash(localise_message(exc.message), "error")


def save_then_submit(save: Callable[[], Any], submit: Callable[[], Any] | None, number_errors: FormErrors,
                     render: Callable[[FormErrors, int], Any], done: str, back: str) -> Any:
    """POST of an editable yearly filing's form: ``save()`` and, when asked, ``submit()``, then back to ``back`` with
    ``done``. Typed figures that could not be read (``number_errors``) refuse the whole form, their reasons beside
    their fields and the service's reasons for the other fields too; a refusal shows the form again
    (``render(errors, status)``) with everything typed, and keeps nothing."""
    try:
        save()
        if number_errors:
            raise ValidationFailed("the form has errors (表单有误)", {})  # the typed figures' reasons are the form's
        if submit is not None:
            submit()
    except NotFound:
        abort(404)
    except DomainError as exc:
        discard_changes()
        errors = FormErrors.of(exc)
        errors.fields.update(number_errors.fields)  # the typed figure could not be read: that reason wins
        if errors.fields:
            errors.message = _("Please correct the fields marked below.")
        return render(errors, exc.status)
    flash_done(done)
    return redirect(back)


def act_then_back(act: Callable[[], Any], back: str, done: str | Callable[[Any], str]) -> Any:
    """POST of a one-button action (accept, revise…): ``act()``, then back to ``back`` saying what it did (``done``,
    or ``done(result)``) or why it was refused; 404 for what the user may not see."""
    try:
        result = act()
    except NotFound:
        abort(404)
    except DomainError as exc:
        flash_error(exc)
        return redirect(back)
    flash_done(done(result) if callable(done) else done)
    return redirect(back)


def act_with_note(act: Callable[[str], Any], item_id: int, render: Callable[..., Any], done: str,
                  list_endpoint: str) -> Any:
    """POST of a row's note form (``m.note_form``): ``act(note)``, back to the list (its filters
    kept); a refusal shows the list again with the row's error and note (``render(errors, notes, status)``)."""
    note = request.form.get("note", "")
    try:
        act(note)
    except NotFound:
        abort(404)
    except DomainError as exc:
        discard_changes()  # the list is shown again as it was, without what the refused action flushed
        return render({item_id: FormErrors.of(exc)}, {item_id: note}, exc.status)
    flash_done(done)
    listing = url_for(list_endpoint)
    back = safe_next(request.form.get("back"), "")
    return redirect(back if back.startswith(listing) else listing)

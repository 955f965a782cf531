"""What a component typed by name resolves to: stored with the row, shown to the user, correctable.

Every path that writes components (the API, the listing form, the interchange import, the demo)
comes through ``resolve_rows``, the one place the rule lives:

- a row with a CAS number stores no resolution (the CAS number is the user's word, and the way
  to correct a wrong resolution when the right substance is known);
- a row with a name only is resolved by ``catalog.resolve.resolve_component`` (CAS, Chinese
  name, synonym, formula or name); an unresolvable name stays name-only, which is no error;
- the user may refuse a resolution without knowing the right CAS number (``resolve: false``
  in the API, "not this substance" in the form): the row stays name-only with
  ``resolved_by = "rejected"`` and is not resolved again on later saves of the same name
  and role, until the user asks for it (``resolve: true``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from catalog.resolve import Resolution, resolve_component

from ...models import Component
from ...models.listings import REJECTED

__all__ = ["REJECTED", "Decisions", "ShownResolution", "resolution_of", "resolve_rows", "shown_resolution"]

# (component role, position in its list) -> the user's word: True resolve, False reject, None as before.
Decisions = Mapping[tuple[str, int], "bool | None"]


def _name_key(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def resolution_of(name: str | None) -> Resolution | None:
    """The resolution a name alone would get (None when it names no known substance)."""
    key = " ".join((name or "").split())
    return resolve_component(key) if key else None  # cached by the resolver


def resolve_rows(rows: Iterable[Component], *, decisions: Decisions | None = None,
                 previous: Iterable[Component] = ()) -> None:
    """Set ``resolved_cas``, ``resolved_by`` and ``resolved_ambiguous`` of each row (before it is saved).

    ``decisions`` holds the user's word per (role, position); without one, a row whose role and name
    were rejected among ``previous`` (the listing's rows before this save) stays rejected.
    """
    rejected = {(c.role, _name_key(c.name)) for c in previous if c.resolved_by == REJECTED}
    for row in rows:
        row.resolved_cas, row.resolved_by, row.resolved_ambiguous = None, None, False
        if row.cas or not (row.name or "").strip():
            continue
        wish = (decisions or {}).get((row.role, row.position))
        if wish is False or (wish is None and (row.role, _name_key(row.name)) in rejected):
            row.resolved_by = REJECTED
            continue
        found = resolution_of(row.name)
        if found is not None:
            row.resolved_cas, row.resolved_by, row.resolved_ambiguous = found.cas, found.method, found.ambiguous


@dataclass(frozen=True, slots=True)
class ShownResolution:
    """A stored resolution as a page shows it: the CAS number and the substance's names."""

    cas: str | None
    method: str
    name_en: str | None
    name_zh: str | None
    ambiguous: bool


def shown_resolution(resolved_cas: str | None, resolved_by: str | None,
                     ambiguous: bool = False) -> ShownResolution | None:
    """What a page says of a stored resolution (None for a row without one)."""
    if resolved_by is None:
        return None
    if resolved_by == REJECTED or resolved_cas is None:
        return ShownResolution(None, REJECTED, None, None, False)
    found = _names(resolved_cas)
    return ShownResolution(resolved_cas, resolved_by, found[0], found[1], bool(ambiguous))


def _names(cas: str) -> tuple[str | None, str | None]:
    try:
        found = resolve_component(None, cas)
    except ValueError:  # not a valid CAS number (never stored so): nothing to name
        return None, None
    return found.name_en or None, found.name_zh

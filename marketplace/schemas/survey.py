"""Marshmallow schemas of the chemical survey: one substance row, and the ``wastematch.survey.v1`` document.

The schemas check shape, roles, tonnes and CAS check digits; which enterprises exist, who may
declare for them and what state their declarations are in is checked by
``marketplace.services.governance`` so that one run reports every error.
"""
from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from ..models import SURVEY_ROLES
from .interchange import MAX_ENTERPRISES, BoundedList, CasField, flatten_errors

FORMAT = "wastematch.survey.v1"
# A declaration states tonnes in the year; more than ten million tonnes of one substance at one
# enterprise is a unit mistake (kg or g typed as tonnes), not a quantity.
MAX_TONNES = 1e7
MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_ROWS = 2000
MAX_DECLARATIONS = MAX_ENTERPRISES  # one per enterprise of a document's parks
NAME_MAX, USE_MAX, REF_MAX = 200, 300, 64
SUBSTANCE_KEYS = ("cas", "name", "role", "quantity_t", "use", "stock_t", "released_t")


def _tonnes(value: float) -> None:
    if not math.isfinite(value):
        raise ValidationError("must be a finite number of tonnes (吨数须为有限数)")
    if value < 0:
        raise ValidationError(f"must be ≥ 0, got {value:g} (吨数不得为负)")
    if value > MAX_TONNES:
        raise ValidationError(f"implausibly large: {value:g} t > {MAX_TONNES:g} t; are these kg? (数量不合理)")


class _Strict(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _clean(self, data: Any, **_: Any) -> Any:
        # Blank text is absent (a spreadsheet cannot tell "" from nothing); NUL is refused with its field,
        # since PostgreSQL would refuse it later without saying where.
        if isinstance(data, dict):
            bad = {k: ["must not contain NUL characters (不得包含空字符)"] for k, v in data.items()
                   if isinstance(v, str) and "\x00" in v}
            if bad:
                raise ValidationError(bad)
            return {k: (None if isinstance(v, str) and not v.strip() else v.strip() if isinstance(v, str) else v)
                    for k, v in data.items()}
        return data


def _number(required: bool = False) -> fields.Float:
    kwargs: dict[str, Any] = {"required": True} if required else {"load_default": None, "allow_none": True}
    return fields.Float(allow_nan=False, validate=_tonnes, **kwargs)


class SubstanceSchema(_Strict):
    """One row of a declaration: a substance (CAS or name) in one role, with its tonnes in the year."""

    cas = CasField(load_default=None, allow_none=True, metadata={"description": "CAS number, check digit verified"})
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NAME_MAX))
    role = fields.String(required=True, validate=validate.OneOf(
        SURVEY_ROLES, error="must be one of: {choices}; got {input!r} (须为以下之一：{choices})"))
    quantity_t = _number(required=True)
    use = fields.String(load_default="", allow_none=True, validate=validate.Length(max=USE_MAX))
    stock_t = _number()
    released_t = _number()

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _identified(self, data: dict, original: Any, **_: Any) -> None:
        # A CAS number refused by its own field was given: it is not missing.
        if not data.get("cas") and not data.get("name") and not (isinstance(original, dict) and original.get("cas")):
            raise ValidationError("a substance needs a cas or a name (须填写CAS号或名称)", "cas")


class DeclarationSchema(_Strict):
    """One enterprise's declaration in a file; ``year`` (optional) overrides the document's."""

    enterprise = fields.String(required=True, validate=validate.Length(min=1, max=REF_MAX))
    year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(MIN_YEAR, MAX_YEAR))
    substances = BoundedList(fields.Nested(SubstanceSchema), required=True, max_length=MAX_ROWS,
                             what="substances", validate=validate.Length(
                                 min=1, max=MAX_ROWS,
                                 error="must hold 1 to {max} substances (须列出 1 至 {max} 种物质)"))


class SurveyDocumentSchema(_Strict):
    """``{"format": "wastematch.survey.v1", "year", "declarations": [...]}`` (DESIGN's contract)."""

    format = fields.String(required=True, validate=validate.Equal(FORMAT, error=f"must be {FORMAT!r} (须为 {FORMAT})"))
    year = fields.Integer(required=True, validate=validate.Range(MIN_YEAR, MAX_YEAR))
    declarations = BoundedList(fields.Nested(DeclarationSchema), required=True, max_length=MAX_DECLARATIONS,
                               what="declarations")


def load_substances(rows: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Rows checked by ``SubstanceSchema``; errors keyed ``substances.N.<field>`` (nothing loaded on error)."""
    if not isinstance(rows, list):
        return [], {"substances": ["must be a list of substance rows (须为物质行的列表)"]}
    if len(rows) > MAX_ROWS:
        return [], {"substances": [f"at most {MAX_ROWS} rows (最多 {MAX_ROWS} 行)"]}
    not_objects = {f"substances.{i}": ["must be an object (须为对象)"]
                   for i, r in enumerate(rows) if not isinstance(r, dict)}
    if not_objects:
        return [], not_objects
    try:
        return SubstanceSchema(many=True).load(rows), {}
    except ValidationError as exc:
        flat = flatten_errors(exc.messages, "substances")
        return [], {re.sub(r"\[(\d+)\]", r".\1", path): msgs for path, msgs in flat.items()}

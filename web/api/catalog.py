"""``/catalog``: the HW list (codes, categories, exemptions), the EU List of Waste, chemicals."""
from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from catalog.chemistry import lookup
from marketplace.errors import NotFound, ValidationFailed
from marketplace.services.catalog import reference as catalog_service

from ..database import db_session
from .common import PageArgs, documents_errors, page_of, requires, slice_page

URL_PREFIX = "/catalog"
blp = Blueprint("catalog", __name__, description="Reference data: 国家危险废物名录, exemptions, EU LoW, chemicals")


class CodeSchema(Schema):
    code = fields.String(required=True)
    category = fields.String(required=True)
    hazard = fields.String(required=True)
    hazards = fields.List(fields.String(), required=True)
    description = fields.String(required=True)
    description_en = fields.String(required=True)
    industry = fields.String(required=True)
    category_name = fields.String(required=True)
    category_name_en = fields.String(required=True)
    edition = fields.String(required=True)
    source = fields.String(required=True)


class CategorySchema(Schema):
    category = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    codes = fields.Integer(required=True)


class ExemptionSchema(Schema):
    number = fields.Integer(required=True)
    waste = fields.String(required=True)
    codes = fields.List(fields.String(), required=True)
    categories = fields.List(fields.String(), required=True)
    label = fields.String(required=True)
    stage = fields.String(required=True)
    conditions = fields.String(required=True)
    exempted = fields.String(required=True)
    edition = fields.String(required=True)


class EwcSchema(Schema):
    code = fields.String(required=True)
    description = fields.String(required=True)
    chapter = fields.String(required=True)
    sub_chapter = fields.String(required=True)
    hazardous = fields.Boolean(required=True)
    entry_type = fields.String(required=True)


class ChemicalSchema(Schema):
    cas = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    iupac_name = fields.String(allow_none=True)
    name_zh = fields.String(allow_none=True)
    formula = fields.String(allow_none=True)
    molecular_weight = fields.Float(allow_none=True)
    smiles = fields.String(allow_none=True)
    flash_point_k = fields.Float(allow_none=True)
    boiling_point_k = fields.Float(allow_none=True)
    twa = fields.Dict(allow_none=True, metadata={"description": "Time-weighted exposure limit"})
    stel = fields.Dict(allow_none=True)
    ceiling = fields.Dict(allow_none=True)
    skin = fields.Boolean(allow_none=True)
    carcinogen = fields.Raw(allow_none=True)
    control = fields.List(fields.Dict(), metadata={"description": "Control lists (POPs, key new pollutants, …)"})
    record_cas = fields.String(allow_none=True)
    in_database = fields.Boolean()


class CodeSearch(PageArgs):
    search = fields.String(validate=validate.Length(min=1, max=100),
                           metadata={"description": "Code, Chinese or English text (废矿物油, oil, 900-214)"})
    category = fields.String(validate=validate.Regexp(r"^(?i:HW)\d{2}$", error="must look like HW08 (格式须如 HW08)"))


class ExemptionSearch(PageArgs):
    code = fields.String(validate=validate.Length(max=10))
    search = fields.String(validate=validate.Length(min=1, max=100))


class EwcSearch(PageArgs):
    search = fields.String(validate=validate.Length(min=1, max=100))
    hazardous = fields.Boolean()


@blp.route("/codes")
@requires(blp)
@blp.arguments(CodeSearch, location="query")
@blp.response(200, page_of(CodeSchema, "CodePage"))
def codes(args):
    """HW codes, searchable in Chinese, English or by code."""
    rows = catalog_service.list_codes(db_session(), search=args.get("search"), category=args.get("category"))
    return slice_page(rows, args)


@blp.route("/codes/<code>")
@requires(blp)
@blp.response(200, CodeSchema)
@documents_errors(blp, 404)
def code(code: str):
    """One HW code."""
    return catalog_service.get_code(db_session(), code)


@blp.route("/categories")
@requires(blp)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(CategorySchema, "CategoryPage"))
def categories(args):
    """HW01–HW50 with how many codes of each are loaded."""
    return slice_page(catalog_service.list_categories(db_session()), args)


@blp.route("/exemptions")
@requires(blp)
@blp.arguments(ExemptionSearch, location="query")
@blp.response(200, page_of(ExemptionSchema, "ExemptionPage"))
def exemptions(args):
    """Rows of the exemption list 危险废物豁免管理清单 (by code or text)."""
    rows = catalog_service.list_exemptions(db_session(), code=args.get("code"), search=args.get("search"))
    return slice_page(rows, args)


@blp.route("/ewc")
@requires(blp)
@blp.arguments(EwcSearch, location="query")
@blp.response(200, page_of(EwcSchema, "EwcPage"))
def ewc(args):
    """The EU List of Waste (once imported)."""
    rows = catalog_service.list_ewc(db_session(), search=args.get("search"), hazardous=args.get("hazardous"))
    return slice_page(rows, args)


def _bad_cas_reason(exc: ValueError) -> str:
    """``catalog.chemistry.lookup``'s refusal of a malformed CAS number, with its Chinese."""
    problem = "校验位有误" if "check digit" in str(exc) else "格式须为 NNNNNNN-NN-N"
    return f"{exc} (CAS 号无效：{problem})"


@blp.route("/chemicals/<path:query>")
@requires(blp)
@blp.response(200, ChemicalSchema)
@documents_errors(blp, 404, 422)
def chemical(query: str):
    """Identity, properties and control-list membership of a chemical by CAS number or name."""
    if len(query) > 200:
        raise ValidationFailed("the query is too long (查询文本过长)", {"query": ["at most 200 characters"]})
    try:
        found = lookup(query)
    except ValueError as exc:  # a malformed CAS number
        why = _bad_cas_reason(exc)
        raise ValidationFailed(why, {"query": [why]}) from None
    if found is None:
        raise NotFound(f"no chemical found for {query!r} (未找到该化学品)",
                       {"query": ["unknown CAS number or name (未知的 CAS 号或名称)"]})
    return asdict(found)

"""Marshmallow schemas of the ``wastematch.v1`` interchange document (a DESIGN contract).

The schemas validate shape, enums, ranges and CAS check digits; references between
objects and to the database (park codes, enterprise refs, licence ownership) are
checked by ``marketplace.services.listings.interchange`` so that one run reports every error.
"""
from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from catalog.cas import cas_check_error, normalize_cas
from catalog.ewc import typed_ewc
from catalog.hw_categories import HW_CATEGORIES
from catalog.solid_waste import is_solid_waste_category
from catalog.waste_codes import category_of, is_hw_code, normalize_hw_code
from catalog.waste_streams import (
    STREAM_CATEGORIES,
    STREAM_KEYS,
    infer_stream,
    is_stream_category,
    normalise_category,
    stream_category,
    stream_conflict,
)
from matching.quantities import PERIODS_PER_YEAR

from ..models import CURRENT_ROUTES, FORMS, LISTING_KINDS, PERIODS, PURPOSES
from ..models.parks import HW_LICENCE_KINDS, LICENCE_KINDS

FORMAT = "wastematch.v1"
# The stream whose categories a licence of a non-HW kind may be limited to.
LICENCE_KIND_STREAM = {"construction_waste_disposal": "construction", "household_waste_service": "household"}
ACTIVITIES = ("collect", "store", "utilise", "dispose")
KNOWN_CATEGORIES = frozenset(c.code for c in HW_CATEGORIES)
FRACTION_SUM_TOLERANCE = 1e-6

# Plausible bounds of one listing (a typo such as "1e9" or "0.0000001" must not reach the park's figures).
# Below 1 kg nothing is worth a listing. 100 million tonnes a year is above the largest single streams
# parks document: a desalination plant's concentrated brine runs to 20-30 Mt a year (TEDA), a large
# steelworks' slag to a few Mt. Values between 1 Mt a year and this bound are asked about, not refused
# (``marketplace.services.listings.plausibility``). The bound per period follows from the annual one.
MIN_QUANTITY_T = 0.001
MAX_ANNUAL_T = 100_000_000.0
# CNY per tonne: negative is a gate fee the holder pays (hazardous waste disposal costs up to a few ten
# thousand CNY/t); the top allows precious-metal catalysts (a spent Pd/C catalyst is ~2.4 million CNY/t).
MIN_PRICE_CNY_PER_T = -100_000.0
MAX_PRICE_CNY_PER_T = 100_000_000.0
MAX_DISTANCE_KM = 5000.0
# Sizes of what one document or request may carry: far above any real park (the demo park has 60
# enterprises and ~200 listings; a chemical analysis lists tens of substances) and low enough that
# validating the largest document takes a fraction of a second. Text lengths follow the pages' fields.
MAX_PARKS = 1_000
MAX_ENTERPRISES = 20_000
MAX_LISTINGS = 50_000
MAX_COMPONENTS = 500
MAX_LICENCES = 100
MAX_LICENCE_CODES = 1_000  # the 2021 list has 467 codes; a licence names each at most once
MAX_LICENCE_CATEGORIES = len(KNOWN_CATEGORIES)
DESCRIPTION_MAX = 4_000
# A licence's yearly capacity: the largest HW utilisation sites in China are licensed for a few million t.
MAX_CAPACITY_T = 100_000_000.0


def max_quantity_t(period: str | None) -> float:
    """The largest quantity one listing may state per ``period`` (once, month, year)."""
    return MAX_ANNUAL_T / PERIODS_PER_YEAR.get(period or "year", 1.0)


def quantity_bound_error(quantity_t: float, period: str | None) -> str | None:
    """Why ``quantity_t`` per ``period`` is outside a listing's plausible bounds (bilingual), or None."""
    if quantity_t < MIN_QUANTITY_T:
        return f"must be at least {MIN_QUANTITY_T:g} t (1 kg), got {quantity_t:g} (数量不得少于 1 千克)"
    top = max_quantity_t(period)
    if quantity_t > top:
        return (f"must be at most {top:,.0f} t per {period or 'year'} (at most {MAX_ANNUAL_T:,.0f} t a year), "
                f"got {quantity_t:,.6g}: check the number and the unit (数量超出合理上限，请检查数字和单位)")
    return None


def _one_of(choices: tuple[str, ...]) -> validate.OneOf:
    return validate.OneOf(choices, error="must be one of: {choices}; got {input!r} (须为以下之一：{choices})")


def _positive(what: str = "must be greater than 0", top: float | None = None, zh: str = "须大于 0") -> validate.Range:
    return validate.Range(min=0, min_inclusive=False, max=top, error=what + ", got {input} (" + zh + ")")


class BoundedList(fields.List):
    """A list of at most ``max_length`` items, counted before any item is read: a list of 200,000 rows is
    refused at once, not after every row has been deserialised."""

    def __init__(self, cls_or_instance: Any, *, max_length: int, what: str = "items", **kwargs: Any) -> None:
        super().__init__(cls_or_instance, **kwargs)
        self.max_length, self.what = max_length, what
        self.metadata = {**self.metadata, "maxItems": max_length}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, (list, tuple)) and len(value) > self.max_length:
            raise ValidationError(f"at most {self.max_length:,} {self.what}, got {len(value):,} "
                                  f"(条目过多：最多 {self.max_length:,} 条)")
        return super()._deserialize(value, attr, data, **kwargs)


def duplicates(keys: list[Any]) -> list[Any]:
    """The keys that occur more than once, sorted (one pass: an 8,000-row list is checked in milliseconds)."""
    seen: set[Any] = set()
    twice: set[Any] = set()
    for key in keys:
        (twice if key in seen else seen).add(key)
    return sorted(twice, key=str)


FRACTION = validate.Range(min=0, max=1, error="must be a mass fraction between 0 and 1, got {input} "
                                               "(质量分数须在 0 至 1 之间)")


class _Strict(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _blank_is_absent(self, data: Any, **_: Any) -> Any:
        # "" and None mean the same (spreadsheets cannot tell them apart), so round trips agree.
        if isinstance(data, dict):
            # PostgreSQL refuses NUL in text: say which field, rather than fail at the database.
            bad = {k: ["must not contain NUL characters (不得包含空字符)"] for k, v in data.items()
                   if isinstance(v, str) and "\x00" in v}
            if bad:
                raise ValidationError(bad)
            return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}
        return data


class CasField(fields.String):
    """A CAS registry number: normalised (full-width digits, spaces) and check-digit verified."""

    MAX_LENGTH = 40  # a CAS number has at most 12 characters; room for spaces and full-width forms

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        if isinstance(value, str) and len(value) > self.MAX_LENGTH:
            raise ValidationError(f"not a CAS number: longer than {self.MAX_LENGTH} characters (CAS 号过长)")
        text = normalize_cas(super()._deserialize(value, attr, data, **kwargs))
        problem = cas_check_error(text)
        if problem:
            why = "校验位有误" if problem.startswith("check digit") else "格式须为 NNNNNNN-NN-N"
            raise ValidationError(f"invalid CAS number {value!r}: {problem} (CAS 号无效：{why})")
        return text


class HwCodeField(fields.String):
    """An HW code as typed, in the list's form where it unambiguously is one (``catalog.waste_codes.normalize_hw_code``:
    full-width or PDF dashes, spaces, ``HW08 900-214-08``); its validity is checked where it is used."""

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        return normalize_hw_code(super()._deserialize(value, attr, data, **kwargs))


class EwcCodeField(fields.String):
    """An EU List of Waste code as typed or copied from the list (``13 02 05*``: ``catalog.ewc.typed_ewc``), in its six
    digits; the schema's validator refuses anything else."""

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        return typed_ewc(super()._deserialize(value, attr, data, **kwargs))


class CategoryField(fields.String):
    """A waste category without an HW code: ``SWnn`` or one of ours (``CWnn``, ``HHnn``, ``AGnn``), normalised."""

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 20 or not (is_solid_waste_category(text) or is_stream_category(text)):
            hint = " (an HW code goes in waste_code)" if is_hw_code(text) else ""
            hint_zh = "；危险废物代码请填写在 waste_code" if hint else ""
            raise ValidationError(f"unknown category {text[:20]!r}{hint}: use SW01–SW59, CW01–CW05, HH01–HH05 or "
                                  f"AG01–AG04 (类别代码无效{hint_zh})")
        return normalise_category(text)


def _component_schema(amount: str) -> type[Schema]:
    """Composition lines carry ``fraction``; wanted ``min_fraction``; limits ``max_fraction``."""

    class _Component(_Strict):
        name = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
        cas = CasField(load_default=None, allow_none=True)

        @validates_schema
        def _identified(self, data: dict, **_: Any) -> None:
            if not data.get("cas") and not data.get("name"):
                raise ValidationError("a component needs a cas or a name (成分须填写CAS号或名称)", "cas")

    return type(f"Component_{amount}", (_Component,), {amount: fields.Float(required=True, validate=FRACTION)})


def _components(schema: type[Schema]) -> fields.List:
    return BoundedList(fields.Nested(schema), load_default=list, max_length=MAX_COMPONENTS, what="substances")


CompositionSchema = _component_schema("fraction")
WantedSchema = _component_schema("min_fraction")
LimitSchema = _component_schema("max_fraction")


class ParkSchema(_Strict):
    code = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_-]{1,16}$", error="must be 1–16 letters, digits, '-' or '_' (须为 1–16 个字母、数字、“-”或“_”)"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    province = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    lat = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90))
    lon = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180))
    hw_max_distance_km = fields.Float(load_default=None, allow_none=True, validate=_positive(
        f"must be greater than 0 and at most {MAX_DISTANCE_KM:,.0f} km", MAX_DISTANCE_KM,
        f"须大于 0 且不超过 {MAX_DISTANCE_KM:,.0f} 千米"))


class LicenceSchema(_Strict):
    number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(required=True, validate=_one_of(LICENCE_KINDS))
    categories = BoundedList(fields.String(validate=validate.Length(max=20)), load_default=list,
                             max_length=MAX_LICENCE_CATEGORIES, what="categories")
    codes = BoundedList(HwCodeField(validate=validate.Length(max=20)), load_default=list,
                        max_length=MAX_LICENCE_CODES, what="codes")
    activities = fields.List(fields.String(validate=_one_of(ACTIVITIES)), required=True, validate=validate.Length(
        min=1, error="must name at least one activity (须至少填写一项经营活动)"))
    annual_capacity_t = fields.Float(required=True, validate=validate.Range(
        min=0, max=MAX_CAPACITY_T,
        error=f"must be 0 to {MAX_CAPACITY_T:,.0f} tonnes a year, got {{input}} (许可能力超出合理范围)"))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(load_default=None, allow_none=True)

    @validates("codes")
    def _codes(self, value: list[str], **_: Any) -> None:
        bad = [c for c in value if not is_hw_code(c)]
        if bad:
            raise ValidationError(f"not HW codes of the form NNN-NNN-NN: {bad} "
                                  f"(以下不是 NNN-NNN-NN 格式的危险废物代码：{'、'.join(bad)})")

    @validates_schema
    def _consistent(self, data: dict, **_: Any) -> None:
        if data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            raise ValidationError("must not be before valid_from (不得早于有效期起始日 valid_from)", "valid_to")
        kind, categories = data.get("kind"), data.get("categories") or []
        stream = LICENCE_KIND_STREAM.get(kind or "")
        if stream is not None:
            # 建筑垃圾处置核准 / 生活垃圾经营许可: no HW scope; categories, if any, limit it within the stream.
            if data.get("codes"):
                raise ValidationError(f"a {kind} licence covers no HW codes (此类许可不涉及危险废物代码)", "codes")
            own = [c.code for c in STREAM_CATEGORIES if c.stream == stream]
            bad = [c for c in categories if not (is_stream_category(c) and stream_category(c).stream == stream)]
            if bad:
                raise ValidationError(f"not categories of the {stream} stream: {bad}; use {', '.join(own)} "
                                      f"(类别不属于该许可对应的废物类别)", "categories")
            return
        bad = [c for c in categories if c not in KNOWN_CATEGORIES]
        if bad:
            raise ValidationError(f"unknown HW categories {bad}: use HW01–HW50 as listed in 国家危险废物名录 "
                                  f"(危险废物类别无效：{'、'.join(bad)}；请使用名录所列的 HW01–HW50)", "categories")
        if kind in HW_LICENCE_KINDS and not categories and not data.get("codes"):
            raise ValidationError("a licence must cover at least one category or code "
                                  "(许可证须至少涵盖一个危险废物类别或代码)", "categories")


class EnterpriseSchema(_Strict):
    ref = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    park = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))
    industry = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[A-Z]?\d{2,4}$", error="must be a GB/T 4754 industry code such as 3011 (须为 GB/T 4754 行业代码，如 3011)"))
    industry_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    province = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    district = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    licences = BoundedList(fields.Nested(LicenceSchema), load_default=list, max_length=MAX_LICENCES,
                           what="licences")


class ListingSchema(_Strict):
    ref = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(required=True, validate=_one_of(LISTING_KINDS))
    enterprise = fields.String(required=True, validate=validate.Length(max=64))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    title_zh = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=DESCRIPTION_MAX, error=f"at most {DESCRIPTION_MAX:,} characters (描述最多 {DESCRIPTION_MAX:,} 字)"))
    waste_code = HwCodeField(load_default=None, allow_none=True, validate=validate.Length(max=20))
    ewc_code = EwcCodeField(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^\d{6}$", error="must be six digits of the EU List of Waste, e.g. 130205 "
                          "(须为欧盟废物名录的六位代码，如 130205)"))
    category = CategoryField(load_default=None, allow_none=True, metadata={"description": (
        "Category of a listing without an HW code: SW01–SW59 (general industrial solid waste), CW01–CW05 "
        "(construction), HH01–HH05 (household), AG01–AG04 (agricultural)")})
    stream = fields.String(load_default=None, allow_none=True, validate=_one_of(STREAM_KEYS), metadata={
        "description": "industrial, hazardous, household, construction or agricultural; inferred from "
                       "waste_code or category when absent"})
    form = fields.String(load_default=None, allow_none=True, validate=_one_of(FORMS))
    composition = _components(CompositionSchema)
    quantity_t = fields.Float(required=True,
                              validate=_positive("must be a quantity greater than 0 tonnes", zh="数量须大于 0 吨"),
                              metadata={"description": f"Tonnes per period: from {MIN_QUANTITY_T:g} (1 kg) to "
                                        f"{MAX_ANNUAL_T:,.0f} a year ({MAX_ANNUAL_T / 12:,.0f} a month)"})
    period = fields.String(load_default="year", validate=_one_of(PERIODS))
    available_from = fields.Date(load_default=None, allow_none=True)
    available_to = fields.Date(load_default=None, allow_none=True)
    price_cny_per_t = fields.Float(load_default=None, allow_none=True, validate=validate.Range(
        min=MIN_PRICE_CNY_PER_T, max=MAX_PRICE_CNY_PER_T,
        error=f"must be between {MIN_PRICE_CNY_PER_T:,.0f} and {MAX_PRICE_CNY_PER_T:,.0f} CNY per tonne, got "
              "{input} (单价超出合理范围)"))
    current_route = fields.String(load_default=None, allow_none=True, validate=_one_of(CURRENT_ROUTES))
    forms = BoundedList(fields.String(validate=_one_of(FORMS)), load_default=list, max_length=len(FORMS),
                        what="forms")
    purpose = fields.String(load_default=None, allow_none=True, validate=_one_of(PURPOSES))
    max_distance_km = fields.Float(load_default=None, allow_none=True, validate=validate.Range(
        min=0, min_inclusive=False, max=MAX_DISTANCE_KM,
        error=f"must be greater than 0 and at most {MAX_DISTANCE_KM:,.0f} km, got {{input}} (距离超出范围)"))
    wanted = _components(WantedSchema)
    limits = _components(LimitSchema)
    # Optional: the holder's word that the composition lists every component (absent: not complete).
    composition_complete = fields.Boolean(load_default=False)

    @validates("waste_code")
    def _waste_code(self, value: str | None, **_: Any) -> None:
        if value is None:
            return
        if is_solid_waste_category(value) or is_stream_category(value):
            raise ValidationError(f"{value!r} is a category, not an HW code: give it as category "
                                  f"(类别代码请填写在 category)")
        if not is_hw_code(value):
            raise ValidationError(f"{value!r} is not an HW code of the form NNN-NNN-NN (e.g. 900-214-08) "
                                  f"({value} 不是 NNN-NNN-NN 格式的危险废物代码，如 900-214-08)")
        if category_of(value) not in KNOWN_CATEGORIES:
            raise ValidationError(f"{value!r}: category {category_of(value)} is not in 国家危险废物名录 "
                                  f"(类别 {category_of(value)} 不在《国家危险废物名录》中)")

    @validates_schema
    def _stream_fits(self, data: dict, **_: Any) -> None:
        # An HW code is hazardous waste, a category belongs to its stream: a stream saying otherwise is refused.
        code, category = data.get("waste_code"), data.get("category")
        if code and category:
            raise ValidationError("give an HW code or a category, not both (危险废物代码与类别只填其一)", "category")
        stream = data.get("stream")
        why = stream_conflict(stream, code, category) if stream else None
        if why:
            raise ValidationError(why, "stream")

    @post_load
    def _infer_stream(self, data: dict, **_: Any) -> dict:
        # A partial edit is merged with the stored listing and loaded whole again: infer only then.
        if not self.partial and data.get("stream") is None:
            data["stream"] = infer_stream(data.get("waste_code"), data.get("category"))
        return data

    @validates_schema
    def _quantity_in_bounds(self, data: dict, **_: Any) -> None:
        # Checked here, not on the field: the bound depends on the period (a partial edit is checked whole later).
        quantity = data.get("quantity_t")
        if quantity is not None and quantity > 0:
            problem = quantity_bound_error(quantity, data.get("period"))
            if problem:
                raise ValidationError(problem, "quantity_t")

    @validates_schema
    def _by_kind(self, data: dict, **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        if not data.get("title") and not data.get("title_zh"):
            errors.setdefault("title", []).append("a listing needs a title or a title_zh (挂牌须填写标题或中文标题)")
        if data.get("kind") == "offer" and not data.get("form"):
            errors.setdefault("form", []).append("an offer must state its physical form (供给挂牌须注明物理形态)")
        if data.get("kind") == "need":
            if not data.get("forms"):
                errors.setdefault("forms", []).append("a need must list the forms it accepts "
                                                      "(需求挂牌须列出可接收的形态)")
            if not data.get("purpose"):
                errors.setdefault("purpose", []).append("a need must state its purpose (需求挂牌须注明用途)")
        start, end = data.get("available_from"), data.get("available_to")
        if start and end and end < start:
            errors.setdefault("available_to", []).append(f"{end} is before available_from {start} "
                                                         f"({end} 早于可供起始日 {start})")
        total = sum(c["fraction"] for c in data.get("composition", []))
        if total > 1 + FRACTION_SUM_TOLERANCE:
            errors.setdefault("composition", []).append(f"mass fractions sum to {total:.4g}, more than 1 "
                                                        f"(质量分数合计 {total:.4g}，超过 1)")
        for role in ("composition", "wanted", "limits"):
            keys = [c.get("cas") or c.get("name") for c in data.get(role, [])]
            dupes = duplicates(keys)
            if dupes:
                errors.setdefault(role, []).append(f"substances listed twice: {dupes} "
                                                    f"(物质重复列出：{'、'.join(map(str, dupes))})")
        if errors:
            raise ValidationError(errors)


class DocumentSchema(_Strict):
    format = fields.String(required=True, validate=validate.Equal(
        FORMAT, error=f"must be {FORMAT!r}, got {{input!r}} (须为 {FORMAT})"))
    parks = BoundedList(fields.Nested(ParkSchema), load_default=list, max_length=MAX_PARKS, what="parks")
    enterprises = BoundedList(fields.Nested(EnterpriseSchema), load_default=list, max_length=MAX_ENTERPRISES,
                              what="enterprises")
    listings = BoundedList(fields.Nested(ListingSchema), load_default=list, max_length=MAX_LISTINGS,
                           what="listings")


def flatten_errors(errors: Any, path: str = "$") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into ``{"$.listings[3].quantity_t": [reasons]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key == "_schema":
                sub = path
            elif isinstance(key, int):
                sub = f"{path}[{key}]"
            else:
                sub = f"{path}.{key}"
            for p, msgs in flatten_errors(value, sub).items():
                flat.setdefault(p, []).extend(msgs)
    elif isinstance(errors, list):
        if all(isinstance(e, str) for e in errors):
            flat[path] = list(errors)
        else:
            for i, value in enumerate(errors):
                for p, msgs in flatten_errors(value, f"{path}[{i}]").items():
                    flat.setdefault(p, []).extend(msgs)
    else:
        flat[path] = [str(errors)]
    return flat

"""``/hw-plans``: hazardous waste management plans (危险废物管理计划), one per enterprise and year.

An enterprise user drafts its enterprise's plan of a year (filled from what the platform knows: last year's
declaration or manifests, this year's manifests, the receivers of its approved matches), completes the wastes,
transfers, facilities and reduction measures and submits it; the findings of the submission are listed in
``checks``, and the management tier (HJ 1259-2022) the platform derives says which sections are required.
Coordinators of its park (and admins) return it with a reason or accept it (a filing number); an accepted plan
is revised back to a draft (revision + 1) and reviewed again. Other enterprises' plans are 404 to enterprise
users, those of other parks 404 to a coordinator; an enterprise user returning or accepting is 403.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.models import HW_FACILITY_KINDS, HW_PLAN_STATUSES, HW_PLAN_TIERS, HW_PLAN_TONNES
from marketplace.schemas.interchange import BoundedList
from marketplace.services.traceability import hw_plans

from ..database import db_session
from .common import RejectsNul, current_principal, documents_errors, requires

URL_PREFIX = "/hw-plans"
blp = Blueprint("hw_plans", __name__, description="Hazardous waste management plans (危险废物管理计划)")

# Where last year's figure comes from: the enterprise's submitted declaration, else the wastes its ledger recorded as
# produced, else its manifests (null: none of them).
LAST_YEAR_SOURCES = ["declaration", "ledger", "manifests"]


class HwPlanWasteSchema(Schema):
    """One waste code the plan expects: the planned tonnes, and the platform's figures for it."""

    waste_code = fields.String(required=True, metadata={"description": "HW code NNN-NNN-NN"})
    name = fields.String(required=True)
    source = fields.String(required=True, metadata={"description": "where it arises (产生环节/工序)"})
    planned_t = fields.Float(required=True)
    storage_max_t = fields.Float(required=True)
    utilised_own_t = fields.Float(required=True)
    disposed_own_t = fields.Float(required=True)
    transferred_t = fields.Float(required=True)
    last_year_t = fields.Float(required=True, metadata={"description": "last year's generation of the code, tonnes"})
    manifests_t = fields.Float(required=True, metadata={"description": "this year's dispatched manifests, tonnes"})
    manifests = fields.Integer(required=True, metadata={"description": "how many manifests this year"})


class HwPlanTransferSchema(Schema):
    """A planned hand-over (委托利用处置) to a licensed receiver."""

    waste_code = fields.String(required=True)
    receiver = fields.String(required=True, metadata={"description": "an enterprise ref of the platform, or a name"})
    licence_number = fields.String(required=True)
    planned_t = fields.Float(required=True)


class HwPlanFacilitySchema(Schema):
    """A facility of the unit for its hazardous waste."""

    kind = fields.String(required=True, metadata={"enum": list(HW_FACILITY_KINDS)})
    name = fields.String(required=True)
    capacity_t = fields.Float(required=True, metadata={"description": "storage: tonnes held; else tonnes a year"})


class HwPlanCheckSchema(Schema):
    """A finding of the last submission."""

    field = fields.String(required=True)
    code = fields.String(required=True, metadata={"enum": list(hw_plans.CHECK_WORDS)})
    severity = fields.String(required=True, metadata={"enum": ["error", "warning"]})
    message = fields.String(required=True, metadata={"description": "Chinese / English"})
    waste_code = fields.String(allow_none=True, metadata={"description": "the waste line concerned, if any"})


class HwPlanTierReasonSchema(Schema):
    """Why the plan has its management tier."""

    code = fields.String(required=True, metadata={"description": "tonnes_key, own_treatment, licence, "
                                                                 "tonnes_simplified or tonnes_registration"})
    message = fields.String(required=True, metadata={"description": "Chinese / English"})


class HwPlanSchema(Schema):
    id = fields.Integer(required=True)
    enterprise = fields.String(required=True)
    enterprise_name = fields.String(required=True)
    year = fields.Integer(required=True)
    revision = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(HW_PLAN_STATUSES)})
    status_zh = fields.String(required=True)
    tier = fields.String(required=True, metadata={"enum": list(HW_PLAN_TIERS), "description":
                         "HJ 1259-2022: key 重点监管单位, simplified 简化管理单位, registration 登记管理单位"})
    tier_zh = fields.String(required=True)
    tier_en = fields.String(required=True)
    tier_reasons = fields.List(fields.Nested(HwPlanTierReasonSchema), required=True)
    last_year_t = fields.Float(required=True, metadata={"description": "last year's hazardous waste generated"})
    # null in the enum too: OpenAPI 3.0.3 reads an enum without null as forbidding it, nullable or not.
    last_year_source = fields.String(required=True, allow_none=True, metadata={"enum": [*LAST_YEAR_SOURCES, None]})
    reduction_measures = fields.String(required=True)
    reduction_target_pct = fields.Float(required=True, allow_none=True)
    wastes = fields.List(fields.Nested(HwPlanWasteSchema), required=True)
    transfers = fields.List(fields.Nested(HwPlanTransferSchema), required=True)
    facilities = fields.List(fields.Nested(HwPlanFacilitySchema), required=True)
    required = fields.List(fields.String(metadata={"enum": list(hw_plans.SECTION_WORDS)}), required=True,
                           metadata={"description": "the sections the plan's tier requires"})
    checks = fields.List(fields.Nested(HwPlanCheckSchema), required=True)
    filing_number = fields.String(required=True, allow_none=True, metadata={"description": "备案编号, once accepted"})
    returned_reason = fields.String(required=True, allow_none=True)
    due_date = fields.String(required=True, metadata={"description": "YYYY-03-31 of the plan's year"})
    late = fields.Boolean(required=True, metadata={"description": "first submitted after the due date"})
    first_submitted_at = fields.String(required=True, allow_none=True)
    submitted_at = fields.String(required=True, allow_none=True)
    reviewed_at = fields.String(required=True, allow_none=True)


class HwPlanListSchema(Schema):
    plans = fields.List(fields.Nested(HwPlanSchema), required=True)


class HwPlanListArgs(Schema):
    year = fields.Integer(validate=validate.Range(hw_plans.MIN_YEAR, hw_plans.MAX_YEAR))
    status = fields.String(validate=validate.OneOf(HW_PLAN_STATUSES))
    tier = fields.String(validate=validate.OneOf(HW_PLAN_TIERS))


class HwPlanDraftRequestSchema(RejectsNul, Schema):
    """The enterprise (a coordinator or admin names it; an enterprise user may omit it) and the year."""

    enterprise = fields.String(validate=validate.Length(min=1, max=64), allow_none=True)
    year = fields.Integer(required=True, validate=validate.Range(hw_plans.MIN_YEAR, hw_plans.MAX_YEAR))


def _rows(what: str, description: str) -> BoundedList:
    return BoundedList(fields.Dict(), max_length=hw_plans.MAX_ROWS, what=what, metadata={"description": description})


class HwPlanSaveRequestSchema(RejectsNul, Schema):
    """Any of the plan's parts; a list given replaces the one there is, a part absent stays as it is. The rows are
    validated by the service, their errors keyed ``wastes.N.<field>``, ``transfers.N.<field>``,
    ``facilities.N.<field>``; nothing is saved unless all is valid."""

    wastes = _rows("wastes", "wastes {waste_code, name, source, " + ", ".join(HW_PLAN_TONNES) + "}; tonnes ≥ 0")
    transfers = _rows("transfers", "transfers {waste_code, receiver, licence_number, planned_t}")
    facilities = _rows("facilities", "facilities {kind: " + " | ".join(HW_FACILITY_KINDS) + ", name, capacity_t}")
    reduction_measures = fields.String(validate=validate.Length(max=hw_plans.MEASURES_MAX),
                                       metadata={"description": "the reduction plan and measures (减量化计划和措施)"})
    reduction_target_pct = fields.Float(allow_none=True, validate=validate.Range(0, 100),
                                        metadata={"description": "the reduction target, percent (0–100)"})


# Request examples for the OpenAPI document: the row objects are otherwise only described in words.
DRAFT_EXAMPLE = {"enterprise": "E-2", "year": 2026}
SAVE_EXAMPLE = {
    "wastes": [{"waste_code": "900-214-08", "name": "废机油", "source": "车辆维修保养", "planned_t": 5.0,
                "storage_max_t": 1.0, "utilised_own_t": 0.0, "disposed_own_t": 0.0, "transferred_t": 5.0}],
    "transfers": [{"waste_code": "900-214-08", "receiver": "E-1", "licence_number": "TJ-HW-0001", "planned_t": 5.0}],
    "facilities": [{"kind": "storage", "name": "危废暂存间", "capacity_t": 2.0}],
    "reduction_measures": "延长换油周期，废机油分类收集", "reduction_target_pct": 10,
}


class HwPlanReturnRequestSchema(RejectsNul, Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=hw_plans.REASON_MAX))


@blp.route("")
@requires(blp)
@blp.arguments(HwPlanListArgs, location="query")
@blp.response(200, HwPlanListSchema)
@documents_errors(blp, 422)
def list_plans(args):
    """Plans the caller may see, newest year first (filters: year, status, tier)."""
    found = hw_plans.list_plans(db_session(), current_principal(), year=args.get("year"), status=args.get("status"),
                                tier=args.get("tier"))
    return {"plans": [hw_plans.plan_view(p) for p in found]}


@blp.route("", methods=["POST"])
@requires(blp)
@blp.arguments(HwPlanDraftRequestSchema, example=DRAFT_EXAMPLE)
@blp.response(200, HwPlanSchema)
@documents_errors(blp, 403, 404, 422)
def draft(body):
    """The enterprise's plan for the year: a new draft filled from what the platform knows, or the one there is."""
    plan = hw_plans.draft(db_session(), current_principal(), body.get("enterprise"), body["year"])
    return hw_plans.plan_view(plan)


@blp.route("/<int:plan_id>")
@requires(blp)
@blp.response(200, HwPlanSchema)
@documents_errors(blp, 404)
def get_plan(plan_id: int):
    """One plan."""
    return hw_plans.plan_view(hw_plans.get_plan(db_session(), current_principal(), plan_id))


@blp.route("/<int:plan_id>", methods=["PUT"])
@requires(blp)
@blp.arguments(HwPlanSaveRequestSchema, example=SAVE_EXAMPLE)
@blp.response(200, HwPlanSchema)
@documents_errors(blp, 403, 404, 409, 422)
def save_plan(body, plan_id: int):
    """Change a draft or returned plan (the enterprise's users, admins): the parts given, all or nothing."""
    return hw_plans.plan_view(hw_plans.save_plan(db_session(), current_principal(), plan_id, body))


@blp.route("/<int:plan_id>/submit", methods=["POST"])
@requires(blp)
@blp.response(200, HwPlanSchema)
@documents_errors(blp, 403, 404, 409, 422)
def submit(plan_id: int):
    """Submit (the enterprise's users, admins): the findings are stored in ``checks``; the coordinators are told."""
    return hw_plans.plan_view(hw_plans.submit(db_session(), current_principal(), plan_id))


@blp.route("/<int:plan_id>/return", methods=["POST"])
@requires(blp)
@blp.arguments(HwPlanReturnRequestSchema)
@blp.response(200, HwPlanSchema)
@documents_errors(blp, 403, 404, 409, 422)
def return_plan(body, plan_id: int):
    """Return a plan under review with a reason (coordinators of its park, admins); the enterprise is told."""
    return hw_plans.plan_view(hw_plans.return_plan(db_session(), current_principal(), plan_id, body["reason"]))


@blp.route("/<int:plan_id>/accept", methods=["POST"])
@requires(blp)
@blp.response(200, HwPlanSchema)
@documents_errors(blp, 403, 404, 409)
def accept(plan_id: int):
    """Accept (file) a plan under review, giving it a filing number (coordinators of its park, admins)."""
    return hw_plans.plan_view(hw_plans.accept(db_session(), current_principal(), plan_id))


@blp.route("/<int:plan_id>/revise", methods=["POST"])
@requires(blp)
@blp.response(200, HwPlanSchema)
@documents_errors(blp, 403, 404, 409)
def revise(plan_id: int):
    """Revise an accepted plan (the enterprise's users, admins): back to a draft, revision + 1, reviewed again."""
    return hw_plans.plan_view(hw_plans.revise(db_session(), current_principal(), plan_id))

"""``/enterprises``: companies and their HW business licences (企业与危险废物经营许可证).

Admins see all enterprises, coordinators those of their parks, enterprise users only
their own; any other enterprise is 404, as if it did not exist.
"""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from marketplace.schemas.interchange import LICENCE_KINDS, EnterpriseSchema, LicenceSchema
from marketplace.services.accounts import enterprises as service
from marketplace.services.accounts.parks import get_park

from ..database import db_session
from .common import (
    PageArgs,
    RejectsNul,
    current_principal,
    documents_errors,
    page_of,
    paginate,
    requires,
    slice_page,
)

URL_PREFIX = "/enterprises"
blp = Blueprint("enterprises", __name__, description="Enterprises and HW business licences (企业与经营许可证)")


class LicenceRecord(Schema):
    number = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(LICENCE_KINDS))
    categories = fields.List(fields.String(), required=True)
    codes = fields.List(fields.String(), required=True)
    activities = fields.List(fields.String(), required=True)
    annual_capacity_t = fields.Float(required=True)
    valid_from = fields.String(required=True, metadata={"format": "date"})
    valid_to = fields.String(allow_none=True, metadata={"format": "date"})


class EnterpriseRecord(Schema):
    ref = fields.String(required=True)
    name = fields.String(required=True)
    park = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    industry_name = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)
    licences = fields.List(fields.Nested(LicenceRecord), required=True)


# The interchange format's enterprise and licence are the API's: one definition of what is valid.
class NewEnterprise(RejectsNul, EnterpriseSchema):
    """A ``wastematch.v1`` enterprise, with its licences."""


class NewLicence(RejectsNul, LicenceSchema):
    """A ``wastematch.v1`` licence."""


class EnterprisePatch(RejectsNul, EnterpriseSchema):
    class Meta:
        exclude = ("ref", "licences")


class LicencePatch(RejectsNul, LicenceSchema):
    """Any licence fields; the whole licence is re-validated after the change."""

    class Meta:
        exclude = ("number",)

    def _consistent(self, data, **_):  # a partial licence is checked whole by the service
        return None


class EnterpriseFilter(RejectsNul, PageArgs):
    park = fields.String(validate=validate.Length(min=1, max=16), metadata={"description": "Park code"})
    search = fields.String(validate=validate.Length(min=1, max=100),
                           metadata={"description": "Text in the name, ref or industry"})


LicencePage = page_of(LicenceRecord, "LicencePage")


@blp.route("")
@requires(blp)
@blp.arguments(EnterpriseFilter, location="query")
@blp.response(200, page_of(EnterpriseRecord, "EnterprisePage"))
@documents_errors(blp, 404)
def list_enterprises(args):
    """The enterprises you may see: all (admins), those of your parks (coordinators), your own (enterprise users)."""
    session = db_session()
    park_id = get_park(session, args["park"]).id if args.get("park") else None
    stmt = service.visible_enterprises(current_principal(), park_id=park_id, search=args.get("search"))
    return paginate(session, stmt, args, lambda rows: [service.enterprise_dict(e) for e in rows])


@blp.route("", methods=["POST"])
@requires(blp, "admin", "coordinator")
@blp.arguments(NewEnterprise)
@blp.response(201, EnterpriseRecord)
@documents_errors(blp, 409, 422)
def create_enterprise(body):
    """Add an enterprise, with its licences (admins; coordinators in one of their parks)."""
    ent = service.create_enterprise(db_session(), current_principal(), body)
    return service.enterprise_dict(ent)


@blp.route("/<ref>")
@requires(blp)
@blp.response(200, EnterpriseRecord)
@documents_errors(blp, 404)
def get_enterprise(ref: str):
    """One enterprise you may see."""
    return service.enterprise_dict(service.get_enterprise(db_session(), current_principal(), ref))


@blp.route("/<ref>", methods=["PATCH"])
@requires(blp)
@blp.arguments(EnterprisePatch(partial=True))
@blp.response(200, EnterpriseRecord)
@documents_errors(blp, 403, 404, 422)
def update_enterprise(body, ref: str):
    """Change an enterprise (admins, its park's coordinators; its own users, except its park)."""
    ent = service.update_enterprise(db_session(), current_principal(), ref, body)
    return service.enterprise_dict(ent)


@blp.route("/<ref>/licences")
@requires(blp)
@blp.arguments(PageArgs, location="query")
@blp.response(200, LicencePage)
@documents_errors(blp, 404)
def list_licences(args, ref: str):
    """The HW business licences of an enterprise you may see."""
    rows = service.list_licences(db_session(), current_principal(), ref)
    return slice_page([service.licence_dict(lic) for lic in rows], args)


@blp.route("/<ref>/licences", methods=["POST"])
@requires(blp, "admin", "coordinator")
@blp.arguments(NewLicence)
@blp.response(201, LicenceRecord)
@documents_errors(blp, 404, 409, 422)
def add_licence(body, ref: str):
    """Register a licence (admins, coordinators of the enterprise's park)."""
    lic = service.add_licence(db_session(), current_principal(), ref, body)
    return service.licence_dict(lic)


@blp.route("/<ref>/licences/<number>", methods=["PATCH"])
@requires(blp, "admin", "coordinator")
@blp.arguments(LicencePatch(partial=True))
@blp.response(200, LicenceRecord)
@documents_errors(blp, 404, 409, 422)
def update_licence(body, ref: str, number: str):
    """Change a licence; it must stay valid and keep the capacity already approved this year (409)."""
    lic = service.update_licence(db_session(), current_principal(), ref, number, body)
    return service.licence_dict(lic)

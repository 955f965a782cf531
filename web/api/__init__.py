"""The JSON API under ``/api/v1`` (flask-smorest: marshmallow schemas, OpenAPI at ``/api/v1/openapi.json``).

Every resource module defines one ``Blueprint``; ``init_api`` registers them all.
Errors keep the one shape of DESIGN, produced by ``web.errors``.
"""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from flask_smorest.spec.plugins import integerconverter2paramschema
from werkzeug.routing import IntegerConverter

from marketplace.models.base import MAX_ID

from .common import ErrorSchema

API_PREFIX = "/api/v1"


class IdConverter(IntegerConverter):
    """``<int:…>`` path parts are database ids: 1 … 2³¹−1. Anything else is no route (404), never a
    database overflow (500); the OpenAPI document states the range."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class WastematchApi(Api):
    """flask-smorest's Api, leaving error responses to ``web.errors`` (the one error handler)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:  # noqa: D401 - the app already has them
        return None


def init_api(app: Flask) -> Api:
    """Create the API on ``app`` and register every resource blueprint."""
    app.config.update(
        API_TITLE="wastematch API 废物匹配接口",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": "Marketplace and matching engine for surplus chemicals and solid wastes "
                                    "(园区固废与富余化学品匹配). Authenticate with `POST /api/v1/auth/token`, "
                                    "then send `Authorization: Bearer <token>`."},
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    app.url_map.converters["int"] = IdConverter
    api = WastematchApi(app)
    api.register_converter(IdConverter, integerconverter2paramschema)
    from . import (alerts, audit, auth, catalog, collection_rounds, decisions, devices, disclosures, eecm, enterprises,
                   hw_declarations, hw_plans, ledger, listing_moderation, listings, match_runs, matches, notifications,
                   park_map, parks, ranking, reports, roster, shipments, surveys, targets, trace, users)

    # disclosures carries both /disclosures and the token-free /public/disclosures (its prefix is "").
    for module in (auth, users, parks, enterprises, listings, listing_moderation, matches, match_runs, decisions,
                   shipments, hw_declarations, hw_plans, collection_rounds, ledger, alerts, trace, reports, audit,
                   notifications, ranking, catalog, surveys, roster, eecm, disclosures, targets, park_map, devices):
        api.register_blueprint(module.blp, url_prefix=f"{API_PREFIX}{module.URL_PREFIX}")
    return api

"""Domain errors: the one vocabulary services use to refuse something.

The web layer turns each into the JSON error shape of DESIGN; the CLI prints it.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every refusal a service makes; ``status`` is the HTTP status it maps to."""

    status: int = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(DomainError):
    """Input was rejected; ``errors`` maps a field path (e.g. ``$.listings[3].quantity_t``) to reasons."""

    status = 422


class Unauthorized(DomainError):
    """No credentials, or credentials that are wrong, expired or revoked."""

    status = 401


class Forbidden(DomainError):
    """The caller is known but their role or scope does not allow this."""

    status = 403


class NotFound(DomainError):
    """A referenced id, ref or code does not exist."""

    status = 404


class Conflict(DomainError):
    """The request contradicts the current state (approving twice, over-allocation)."""

    status = 409

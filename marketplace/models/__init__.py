"""SQLAlchemy 2.0 models of the marketplace. Import from here."""
from .accounts import LOCALES, ROLES, ApiToken, User, user_parks
from .audit import AuditEvent
from .base import Base
from .listings import (
    COMPONENT_ROLES,
    CURRENT_ROUTES,
    FORMS,
    LISTING_KINDS,
    LISTING_STATUSES,
    PERIODS,
    PURPOSES,
    Component,
    Listing,
)
from .matches import (
    MATCH_STATUSES,
    RESERVING_STATUSES,
    Match,
    MatchRun,
    PointToPointApprovalRow,
)
from .notifications import NOTIFICATION_KINDS, Notification
from .parks import Enterprise, Licence, Park
from .ranking import RankingModel
from .reference import EwcCodeRow, HwCategoryRow, HwCodeRow, HwExemptionRow

__all__ = [
    "AuditEvent", "Base", "Component", "Enterprise", "EwcCodeRow", "HwCategoryRow", "HwCodeRow",
    "HwExemptionRow", "Licence", "Listing", "Park", "COMPONENT_ROLES", "CURRENT_ROUTES", "FORMS",
    "LISTING_KINDS", "PERIODS", "PURPOSES", "MATCH_STATUSES", "RESERVING_STATUSES", "Match", "MatchRun",
    "PointToPointApprovalRow", "ApiToken", "User", "user_parks", "ROLES", "LOCALES", "Notification",
    "NOTIFICATION_KINDS", "RankingModel", "LISTING_STATUSES",
]

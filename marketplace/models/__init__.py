"""SQLAlchemy 2.0 models of the marketplace. Import from here."""
from .accounts import LOCALES, ROLES, ApiToken, User, UserSession, user_parks
from .alerts import ACTIVE_ALERT_STATUSES, ALERT_KINDS, ALERT_STATUSES, Alert
from .audit import AuditEvent
from .devices import DEVICE_PURPOSES, WEIGH_ENDS, Device, TrackPoint, WeighReading
from .delivery import (DELIVERY_CHANNELS, DELIVERY_STATUSES, JOB_RUN_STATUSES, JobRun, NoticeChannel, NoticeDelivery,
                       NoticePreference)
from .governance import (
    DECLARATION_STATUSES,
    DISCLOSURE_STATUSES,
    EECM_STATUSES,
    OBLIGATION_CODES,
    OBLIGATION_STATUSES,
    ROSTER_STATUSES,
    SURVEY_ROLES,
    UNDER_REVIEW_STATUSES,
    AnnualDisclosure,
    EecmAssessment,
    Obligation,
    RosterEntry,
    SurveyDeclaration,
    SurveySubstance,
    Target,
)
from .base import Base
from .collection import ROUND_STATUSES, CollectionRound, CollectionStop
from .hw_declarations import HW_DECLARATION_STATUSES, HW_LINE_TONNES, HwDeclaration, HwDeclarationLine
from .hw_plans import (
    HW_FACILITY_KINDS,
    HW_PLAN_STATUSES,
    HW_PLAN_TIERS,
    HW_PLAN_TONNES,
    HwPlan,
    HwPlanFacility,
    HwPlanTransfer,
    HwPlanWaste,
)
from .listings import (
    COMPONENT_ROLES,
    CURRENT_ROUTES,
    FLAG_REASONS,
    FORMS,
    LISTING_KINDS,
    LISTING_STATUSES,
    PERIODS,
    PURPOSES,
    REMARK_KINDS,
    Component,
    Listing,
    ListingRemark,
)
from .ledger import FINDING_CODES, FINDING_STATUSES, LEDGER_DIRECTIONS, LEDGER_SINKS, LEDGER_SOURCES, LedgerEntry, LedgerFinding
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
from .manifest_corrections import CORRECTABLE_FIELDS, CORRECTION_STATUSES, ManifestCorrection
from .transfers import DRAFT_STATUS, OPEN_SHIPMENT_STATUSES, PACKAGINGS, SHIPMENT_STATUSES, Container, ManifestSequence, Shipment
from .reference import EwcCodeRow, HwCategoryRow, HwCodeRow, HwExemptionRow

__all__ = [
    "HW_DECLARATION_STATUSES", "HW_LINE_TONNES", "HwDeclaration", "HwDeclarationLine",
    "HW_PLAN_STATUSES", "HW_PLAN_TIERS", "HW_PLAN_TONNES", "HW_FACILITY_KINDS", "HwPlan", "HwPlanWaste",
    "HwPlanTransfer", "HwPlanFacility",
    "ROUND_STATUSES", "CollectionRound", "CollectionStop",
    "AuditEvent", "Base", "Component", "Enterprise", "EwcCodeRow", "HwCategoryRow", "HwCodeRow",
    "HwExemptionRow", "Licence", "Listing", "Park", "COMPONENT_ROLES", "CURRENT_ROUTES", "FORMS",
    "LISTING_KINDS", "PERIODS", "PURPOSES", "MATCH_STATUSES", "RESERVING_STATUSES", "Match", "MatchRun",
    "PointToPointApprovalRow", "ApiToken", "User", "UserSession", "user_parks", "ROLES", "LOCALES", "Notification",
    "NOTIFICATION_KINDS", "RankingModel", "LISTING_STATUSES", "ListingRemark", "REMARK_KINDS", "FLAG_REASONS",
    "Alert", "ALERT_KINDS", "ALERT_STATUSES", "ACTIVE_ALERT_STATUSES",
    "LedgerEntry", "LedgerFinding", "LEDGER_DIRECTIONS", "LEDGER_SOURCES", "LEDGER_SINKS", "FINDING_CODES", "FINDING_STATUSES",
    "Shipment", "Container", "ManifestSequence", "SHIPMENT_STATUSES", "OPEN_SHIPMENT_STATUSES", "PACKAGINGS",
    "SurveyDeclaration", "SurveySubstance", "RosterEntry", "Obligation", "AnnualDisclosure", "EecmAssessment",
    "Target", "SURVEY_ROLES", "DECLARATION_STATUSES", "UNDER_REVIEW_STATUSES", "ROSTER_STATUSES",
    "OBLIGATION_CODES", "OBLIGATION_STATUSES", "DISCLOSURE_STATUSES", "EECM_STATUSES",
    "JobRun", "NoticeChannel", "NoticePreference", "NoticeDelivery", "JOB_RUN_STATUSES", "DELIVERY_CHANNELS",
    "DELIVERY_STATUSES",
    "Device", "WeighReading", "TrackPoint", "DEVICE_PURPOSES", "WEIGH_ENDS",
    "ManifestCorrection", "CORRECTION_STATUSES", "CORRECTABLE_FIELDS", "DRAFT_STATUS",
]

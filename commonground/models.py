"""Every ORM model, imported in one place so the metadata (and Alembic) sees the whole schema."""

from __future__ import annotations

from accounts.models import ApiToken, OneTimeToken, OutboxEmail, User, WebSession
from briefings.models import Briefing, CatalogueEntry
from capabilities.models import Capability
from geo.models import GeocodeCache, Neighbourhood
from intake.models import ImportProfile
from jobs.models import Job
from media.models import Photo
from needs.models import Claim, Need, NeedEvent
from notifications.models import NotificationPreference, SentNotice
from partners.models import Partner, PartnerCapability
from planning.models import Plan, PlanAssignment

__all__ = [
    "ApiToken",
    "Briefing",
    "Capability",
    "CatalogueEntry",
    "Claim",
    "GeocodeCache",
    "ImportProfile",
    "Job",
    "Need",
    "NeedEvent",
    "Neighbourhood",
    "NotificationPreference",
    "OneTimeToken",
    "OutboxEmail",
    "Partner",
    "PartnerCapability",
    "Photo",
    "Plan",
    "PlanAssignment",
    "SentNotice",
    "User",
    "WebSession",
]

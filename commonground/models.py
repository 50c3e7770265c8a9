"""Every ORM model, imported in one place so the metadata (and Alembic) sees the whole schema."""

from __future__ import annotations

from accounts.models import ApiToken, User
from capabilities.models import Capability
from geo.models import Neighbourhood
from intake.models import GeocodeCache
from needs.models import Claim, Need, NeedEvent
from partners.models import Partner, PartnerCapability
from planning.models import Plan, PlanAssignment

__all__ = [
    "ApiToken",
    "Capability",
    "Claim",
    "GeocodeCache",
    "Need",
    "NeedEvent",
    "Neighbourhood",
    "Partner",
    "PartnerCapability",
    "Plan",
    "PlanAssignment",
    "User",
]

"""Common Ground matching engine: pure functions from needs and partners to suggestions.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from matching.candidates import CandidateIndex
from matching.model import (
    DEFAULT_WEIGHTS,
    CapabilitySlot,
    CityPlan,
    CoverageGaps,
    GapCell,
    NeedSpec,
    Partnership,
    PartnerSpec,
    PlanStats,
    RecruitmentTarget,
    Suggestion,
    TrackRecord,
    Weights,
)
from matching.plan import plan_city
from matching.ranking import rank_needs_for_partner, rank_partners_for_need

__all__ = [
    "DEFAULT_WEIGHTS",
    "CandidateIndex",
    "CapabilitySlot",
    "CityPlan",
    "CoverageGaps",
    "GapCell",
    "NeedSpec",
    "PartnerSpec",
    "Partnership",
    "PlanStats",
    "RecruitmentTarget",
    "Suggestion",
    "TrackRecord",
    "Weights",
    "plan_city",
    "rank_needs_for_partner",
    "rank_partners_for_need",
]

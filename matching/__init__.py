"""Common Ground matching engine: pure functions from needs and partners to suggestions.

Must not import: Flask, SQLAlchemy, any other Common Ground package, or anything doing I/O.
"""

from matching.candidates import CandidateIndex, area_of
from matching.gaps import coverage_gaps
from matching.graph import build_graph
from matching.model import (
    DEFAULT_WEIGHTS,
    CapabilitySlot,
    Churn,
    CityPlan,
    CoverageGaps,
    GapCell,
    NeedSpec,
    Partnership,
    PartnerSpec,
    PlanStats,
    Reason,
    RecruitmentTarget,
    Suggestion,
    TrackRecord,
    Weights,
)
from matching.partnerships import partnership_suggestions, partnerships_of
from matching.plan import plan_city
from matching.ranking import (
    CompetingCount,
    rank_needs_for_partner,
    rank_partners_for_need,
)
from matching.recruitment import recruitment_targets

__all__ = [
    "DEFAULT_WEIGHTS",
    "CandidateIndex",
    "CapabilitySlot",
    "Churn",
    "CityPlan",
    "CompetingCount",
    "CoverageGaps",
    "GapCell",
    "NeedSpec",
    "PartnerSpec",
    "Partnership",
    "PlanStats",
    "Reason",
    "RecruitmentTarget",
    "Suggestion",
    "TrackRecord",
    "Weights",
    "area_of",
    "build_graph",
    "coverage_gaps",
    "partnership_suggestions",
    "partnerships_of",
    "plan_city",
    "rank_needs_for_partner",
    "rank_partners_for_need",
    "recruitment_targets",
]

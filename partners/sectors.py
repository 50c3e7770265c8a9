"""The sectors a partner organisation belongs to: one vocabulary of codes and the labels the
registration form shows, read by the schemas, the pages, the briefings and the benchmarks.

Pure data: must not import anything (the benchmark cities read it next to the numeric stack).
"""

from __future__ import annotations

SECTOR_LABELS: dict[str, str] = {
    "nonprofit": "Nonprofit",
    "faith_based": "Congregation or faith-based",
    "business": "Business",
    "neighbourhood_association": "Neighbourhood association",
    "school_university": "School or university",
    "civic_group": "Civic group",
}
SECTORS: tuple[str, ...] = tuple(SECTOR_LABELS)
# A prospective organisation outreach types in may fit none of them.
PROSPECT_SECTORS: tuple[str, ...] = (*SECTORS, "other")

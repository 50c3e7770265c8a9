"""How the pages show statuses and capabilities without relying on colour: a shape and a word
for each status, a two-letter badge for each capability. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import re

from needs.lifecycle import STATUS_WORDS

SHAPES = {
    "open": "circle",
    "claimed": "square",
    "in_progress": "triangle",
    "completed": "diamond",
    "verified": "hexagon",
}
# status -> (shape shown on the map and in lists, words people read: needs.lifecycle's)
STATUS_LEGEND: dict[str, tuple[str, str]] = {
    status: (SHAPES.get(status, "bar"), words) for status, words in STATUS_WORDS.items()
}


def status_label(status: str) -> str:
    """The words for a status."""
    return STATUS_LEGEND.get(status, ("circle", status.replace("_", " ")))[1]


def capability_badges(labels: dict[str, str]) -> dict[str, str]:
    """code -> a short, unique badge (initials of the label's first two words, else more)."""
    badges: dict[str, str] = {}
    for code in sorted(labels):
        words = [w for w in re.split(r"[^A-Za-z0-9]+", labels[code]) if w]
        candidates = ["".join(w[0] for w in words[:2]).upper()]
        candidates += ["".join(w[0] for w in words[:3]).upper(), code[:3].upper()]
        candidates += [f"{code[:2].upper()}{n}" for n in range(1, 100)]
        badges[code] = next(c for c in candidates if c and c not in badges.values())
    return badges

"""The starting capability taxonomy every installation gets (admins may add more).

It lives in the editable file `seeds/taxonomy.toml` (one `[[capability]]` table per entry);
`read_taxonomy` reads and checks that file or a city's own, and `CAPABILITIES` is the shipped
one, read once. `flask setup-city` and the demo create capabilities from it.

Must not import Flask, SQLAlchemy or any Common Ground package.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

__all__ = ["CAPABILITIES", "TAXONOMY_PATH", "TaxonomyFileError", "read_taxonomy"]

TAXONOMY_PATH = Path(__file__).with_name("taxonomy.toml")
_CODE = re.compile(r"^[a-z0-9_]{1,40}$")
_KEYS = {
    "code", "label", "default_effort_hours", "description", "stale_start_days",
    "stale_complete_days",
}  # fmt: skip


class TaxonomyFileError(ValueError):
    """The taxonomy file cannot be used as it is (it says which entry and why)."""


def _check(number: int, entry: object) -> dict:
    if not isinstance(entry, dict):
        raise TaxonomyFileError(f"capability {number}: not a table")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise TaxonomyFileError(f"capability {number}: unknown key {', '.join(unknown)}")
    code, label = entry.get("code"), entry.get("label")
    if not isinstance(code, str) or not _CODE.match(code):
        raise TaxonomyFileError(f"capability {number}: code must be 1-40 of a-z, 0-9, _")
    if not isinstance(label, str) or not label.strip():
        raise TaxonomyFileError(f"capability {code}: a label is required")
    effort = entry.get("default_effort_hours", 2.0)
    if isinstance(effort, bool) or not isinstance(effort, int | float) or effort <= 0:
        raise TaxonomyFileError(f"capability {code}: default_effort_hours must be positive")
    return {
        **entry,
        "default_effort_hours": float(effort),
        "description": entry.get("description", ""),
    }


def read_taxonomy(path: str | Path = TAXONOMY_PATH) -> list[dict]:
    """The capabilities of a taxonomy file, checked; codes are unique."""
    try:
        with Path(path).open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise TaxonomyFileError(f"cannot read taxonomy {path}: {error}") from error
    entries = [_check(n, entry) for n, entry in enumerate(data.get("capability", []), start=1)]
    if not entries:
        raise TaxonomyFileError(f"taxonomy {path} has no [[capability]] entries")
    codes = [entry["code"] for entry in entries]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise TaxonomyFileError(f"taxonomy {path}: code {', '.join(repeated)} is repeated")
    return entries


CAPABILITIES: list[dict] = read_taxonomy()

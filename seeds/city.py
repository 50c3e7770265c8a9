"""Setting up a real city, without the demo: `flask setup-city`.

`setup_city` creates the capability taxonomy from an editable file (`seeds/taxonomy.toml`, or
the city's own), the first admin account, optionally the city's neighbourhoods (a CSV of name,
latitude, longitude), and writes the city's settings (name, time zone, map centre and zoom,
distance units, bounds) to the settings file `commonground.config` reads at start-up
(CITY_SETTINGS_PATH, default instance/city.toml; environment variables still win). It loads no
demo data and may be run again: what exists is kept, what is missing is added. The settings
take effect when the app next starts.

Goes through the same services as the API (capabilities, accounts, geo).
"""

from __future__ import annotations

import csv
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from accounts.actor import SYSTEM
from accounts.models import User
from accounts.roles import Role
from accounts.services import create_user
from capabilities.models import Capability
from capabilities.services import add_capability
from commonground.config import DISTANCE_UNITS, city_settings_path
from commonground.errors import ValidationError
from commonground.extensions import db
from geo.services import add_neighbourhoods
from seeds.taxonomy import TAXONOMY_PATH, TaxonomyFileError, read_taxonomy

__all__ = ["CitySettings", "SetupResult", "setup_city"]


@dataclass(frozen=True)
class CitySettings:
    """What a city says about itself at set-up."""

    name: str
    timezone: str
    map_center: tuple[float, float]
    map_zoom: int = 12
    distance_units: str = "mi"
    bounds: tuple[float, float, float, float] | None = None

    def check(self) -> None:
        """ValidationError naming the setting that cannot be used."""
        problems: dict[str, list[str]] = {}
        if not self.name.strip():
            problems["name"] = ["The city needs a name."]
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems["timezone"] = ["Use a zone name such as America/New_York."]
        lat, lon = self.map_center
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            problems["map_center"] = ["Latitude -90..90, longitude -180..180."]
        if self.distance_units not in DISTANCE_UNITS:
            problems["distance_units"] = [f"One of {', '.join(DISTANCE_UNITS)}."]
        if self.bounds is not None:
            south, west, north, east = self.bounds
            if not (south < north and west < east):
                problems["bounds"] = ["south,west,north,east with south < north, west < east."]
        if problems:
            raise ValidationError("The city's settings are not valid.", problems)

    def toml(self) -> str:
        """The settings file's text (TOML; strings written as JSON strings, which TOML reads)."""
        lines = [
            "# The city's settings, written by `flask setup-city`; environment variables win.",
            f"name = {json.dumps(self.name)}",
            f"timezone = {json.dumps(self.timezone)}",
            f"map_center = [{self.map_center[0]!r}, {self.map_center[1]!r}]",
            f"map_zoom = {int(self.map_zoom)}",
            f"distance_units = {json.dumps(self.distance_units)}",
        ]
        if self.bounds is not None:
            lines.append("bounds = [" + ", ".join(repr(float(b)) for b in self.bounds) + "]")
        return "\n".join(lines) + "\n"


@dataclass
class SetupResult:
    """What a set-up run did."""

    capabilities_added: list[str] = field(default_factory=list)
    neighbourhoods_added: int = 0
    admin_created: bool = False
    admin_password: str | None = None  # set only when it was generated here
    settings_path: Path | None = None


def _read_neighbourhoods(path: Path) -> list[tuple[str, float, float]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [(r["name"].strip(), float(r["latitude"]), float(r["longitude"]))
                for r in csv.DictReader(handle)]  # fmt: skip
    return [row for row in rows if row[0]]


def _ensure_admin(email: str, name: str, password: str | None, result: SetupResult) -> None:
    if db.session.scalar(select(User.id).where(User.email == email.strip().lower())):
        return
    if password is None:
        password = result.admin_password = secrets.token_urlsafe(12)
    create_user(SYSTEM, email=email, name=name, role=Role.ADMIN.value, password=password)
    result.admin_created = True


def setup_city(
    settings: CitySettings,
    *,
    admin_email: str,
    admin_name: str = "City administrator",
    admin_password: str | None = None,
    taxonomy: str | Path = TAXONOMY_PATH,
    neighbourhoods: str | Path | None = None,
    settings_path: Path | None = None,
) -> SetupResult:
    """Create what a real city needs to start (see the module docstring). Idempotent."""
    settings.check()
    try:
        entries = read_taxonomy(taxonomy)
    except TaxonomyFileError as error:
        raise ValidationError(str(error), {"taxonomy": [str(error)]}) from error
    result = SetupResult()
    existing = set(db.session.scalars(select(Capability.code)))
    for entry in entries:
        if entry["code"] not in existing:
            add_capability(SYSTEM, dict(entry))
            result.capabilities_added.append(entry["code"])
    if neighbourhoods:
        try:
            result.neighbourhoods_added = add_neighbourhoods(
                _read_neighbourhoods(Path(neighbourhoods))
            )
        except (OSError, KeyError, ValueError) as error:
            raise ValidationError(
                f"cannot read neighbourhoods {neighbourhoods}: {error}",
                {"neighbourhoods": ["A CSV with name, latitude, longitude columns."]},
            ) from error
    _ensure_admin(admin_email, admin_name, admin_password, result)
    path = settings_path or city_settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(settings.toml(), encoding="utf-8")
    result.settings_path = path
    return result

"""Architecture rules for intake, geocoding, Open311 and exports, as tests.

The pure core (file reading, mapping, options, validation, reports, duplicate index, gazetteer,
geopy configuration, Open311 formats and client, CSV/GeoJSON writers) imports neither Flask nor
SQLAlchemy nor any feature package; the intake, geo, Open311 and export services never import
the web or API layers. Open311 builds on intake, never the other way round; places (the
nearest neighbourhood, the geocode cache) belong to geo/; needs are closed and their claims
released only by the needs services; capability codes come from the taxonomy in the database.
"""

from __future__ import annotations

import ast
from pathlib import Path

from intake.mapping import DEFAULT_CATEGORIES
from seeds.taxonomy import CAPABILITIES

ROOT = Path(__file__).resolve().parent.parent
WEB = {"flask", "flask_sqlalchemy", "flask_smorest", "sqlalchemy", "werkzeug"}
FEATURES = {"accounts", "api", "capabilities", "commonground", "needs", "partners", "web",
            "planning", "seeds"}  # fmt: skip
PURE = {
    "geo/gazetteer.py": set(),
    "geo/geocoders.py": {"geo"},
    "intake/reader.py": set(),
    "intake/mapping.py": set(),
    "intake/options.py": {"intake"},
    "intake/records.py": {"intake"},
    "intake/report.py": {"intake", "exports"},
    "intake/duplicates.py": set(),
    "open311/formats.py": set(),
    "open311/errors.py": {"open311"},
    "open311/client.py": {"open311", "intake"},
    "exports/csv_safety.py": set(),
    "exports/geojson.py": set(),
    "seeds/make_address_points.py": set(),
}
SERVICES = ("intake/services.py", "intake/writer.py", "intake/cli.py", "geo/services.py",
            "geo/geocoding.py", "geo/models.py", "open311/services.py", "open311/cli.py",
            "exports/services.py")  # fmt: skip


def _tree(name: str) -> ast.Module:
    return ast.parse((ROOT / name).read_text())


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _imported_names(path: Path) -> set[str]:
    """Every `module` and `module.name` the file imports (at any depth, lazily or not)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _package(name: str) -> list[Path]:
    return sorted((ROOT / name).glob("*.py"))


def test_the_pure_intake_core_imports_no_framework_and_no_feature_package():
    ours = FEATURES | {"geo", "intake", "open311", "exports"}
    for name, allowed in PURE.items():
        imported = _imports(ROOT / name)
        bad = (imported & WEB) | ((imported & ours) - allowed)
        assert not bad, f"{name} imports {sorted(bad)}"


def test_intake_geo_open311_and_export_services_do_not_import_the_web_or_api_layers():
    for name in SERVICES:
        bad = _imports(ROOT / name) & {"api", "web"}
        assert not bad, f"{name} imports {sorted(bad)}"


def test_every_intake_module_says_what_it_must_not_import():
    for name in (*PURE, *SERVICES):
        docstring = ast.get_docstring(_tree(name)) or ""
        assert "must not import" in docstring.lower(), name


def test_open311_builds_on_intake_and_intake_knows_nothing_of_open311():
    for path in _package("intake"):
        assert "open311" not in _imports(path), f"{path.relative_to(ROOT)} imports open311"


def test_places_are_geo_s_own_and_geo_depends_on_no_feature_package():
    for path in _package("geo"):
        bad = _imports(path) & (FEATURES - {"commonground"} | {"intake", "open311", "exports"})
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
    for path in _package("intake") + _package("open311"):
        # neighbourhoods and distances are looked up through geo.services, not measured here
        assert "geo.distance" not in _imported_names(path), path.relative_to(ROOT)


def test_imports_close_needs_and_release_claims_only_through_the_needs_services():
    for path in _package("intake"):
        names = _imported_names(path)
        assert "needs.lifecycle" not in names, path.relative_to(ROOT)
        assert "needs.models.Claim" not in names, path.relative_to(ROOT)


def test_intake_hard_codes_no_capability_code_the_defaults_do_not_need():
    # Codes come from the database: a starting code without a default source type appears in
    # no intake module (DEFAULT_CATEGORIES' own codes are the only ones written down).
    unnamed = {c["code"] for c in CAPABILITIES} - set(DEFAULT_CATEGORIES.values())
    assert unnamed
    for path in _package("intake"):
        text = path.read_text()
        found = sorted(code for code in unnamed if code in text)
        assert not found, f"{path.relative_to(ROOT)} names {found}"


def test_the_old_geocoding_module_only_re_exports_geo_and_intake_does_not_use_it():
    # Kept for web/map.py until it imports from geo.geocoding; then delete intake/geocoding.py.
    assert _imports(ROOT / "intake/geocoding.py") <= {"__future__", "geo"}
    assert "geo.geocoding" in _imported_names(ROOT / "intake/geocoding.py")
    for path in _package("intake") + _package("open311") + _package("geo"):
        assert "intake.geocoding" not in _imported_names(path), path.relative_to(ROOT)

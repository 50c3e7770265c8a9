"""Architecture rules for intake, geocoding, Open311 and exports, as tests.

The pure core (file reading, mapping, validation, reports, duplicate index, gazetteer, geopy
configuration, Open311 formats and client, CSV/GeoJSON writers) imports neither Flask nor
SQLAlchemy nor any feature package; the intake, Open311 and export services never import the
web or API layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = {"flask", "flask_sqlalchemy", "flask_smorest", "sqlalchemy", "werkzeug"}
FEATURES = {"accounts", "api", "capabilities", "commonground", "needs", "partners", "web",
            "planning", "seeds"}  # fmt: skip
PURE = {
    "geo/gazetteer.py": set(),
    "geo/geocoders.py": {"geo"},
    "intake/reader.py": set(),
    "intake/mapping.py": set(),
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


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_pure_intake_core_imports_no_framework_and_no_feature_package():
    ours = FEATURES | {"geo", "intake", "open311", "exports"}
    for name, allowed in PURE.items():
        imported = _imports(ROOT / name)
        bad = (imported & WEB) | ((imported & ours) - allowed)
        assert not bad, f"{name} imports {sorted(bad)}"


def test_intake_open311_and_export_services_do_not_import_the_web_or_api_layers():
    for name in ("intake/services.py", "geo/geocoding.py", "geo/models.py",
                 "open311/services.py", "exports/services.py"):  # fmt: skip
        bad = _imports(ROOT / name) & {"api", "web"}
        assert not bad, f"{name} imports {sorted(bad)}"


def test_every_intake_module_says_what_it_must_not_import():
    for name in PURE:
        docstring = ast.get_docstring(ast.parse((ROOT / name).read_text())) or ""
        assert "must not import" in docstring.lower(), name

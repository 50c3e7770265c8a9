"""Architecture rules as tests: what each layer may import, and where tables come from."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUR_PACKAGES = {
    "accounts",
    "api",
    "capabilities",
    "commonground",
    "geo",
    "needs",
    "partners",
    "seeds",
    "web",
    "planning",
    "intake",
    "open311",
    "briefings",
    "exports",
    "performance",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _python_files(*folders: str):
    for folder in folders:
        yield from (ROOT / folder).rglob("*.py")


PURE_RULE_MODULES = [
    "needs/lifecycle.py",
    "partners/status.py",
    "accounts/roles.py",
    "accounts/actor.py",
    "accounts/tokens.py",
    "needs/calendar.py",
    "geo/distance.py",
    "commonground/text.py",
    "commonground/errors.py",
    "briefings/charts.py",
    "performance/kpis.py",
    "performance/gaps.py",
]


def test_the_matching_engine_imports_no_project_package_nor_flask_nor_sqlalchemy():
    for path in _python_files("matching"):
        bad = _imports(path) & (OUR_PACKAGES | {"flask", "flask_sqlalchemy", "sqlalchemy"})
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_pure_rule_modules_import_neither_flask_nor_sqlalchemy():
    for name in PURE_RULE_MODULES:
        bad = _imports(ROOT / name) & {"flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug"}
        assert not bad, f"{name} imports {sorted(bad)}"


def test_services_and_models_do_not_import_the_web_or_api_layers():
    for path in _python_files(
        "accounts",
        "capabilities",
        "needs",
        "partners",
        "geo",
        "planning",
        "briefings",
        "performance",
    ):
        bad = _imports(path) & {"api", "web"}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_pure_chart_and_kpi_modules_import_no_project_package():
    for name in ("briefings/charts.py", "performance/kpis.py", "performance/gaps.py"):
        bad = _imports(ROOT / name) & OUR_PACKAGES
        assert not bad, f"{name} imports {sorted(bad)}"


def test_nothing_creates_tables_outside_migrations():
    for path in ROOT.rglob("*.py"):
        if any(part in {".venv", "migrations", "tests"} for part in path.parts):
            continue
        assert "create_all(" not in path.read_text(), f"{path.relative_to(ROOT)} calls create_all"


def test_every_module_states_its_purpose():
    for path in _python_files(*(p for p in OUR_PACKAGES | {"matching"} if (ROOT / p).is_dir())):
        if path.name == "__init__.py" and not path.read_text().strip():
            continue
        assert ast.get_docstring(ast.parse(path.read_text())), f"{path.relative_to(ROOT)}"


FRAMEWORKS = ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug")
# What a module's docstring says when it promises to need neither framework ("Pure: ...",
# "Must not import Flask, SQLAlchemy or ..."). "No Flask" alone is no such promise: the modules
# saying only that read the database (through Flask-SQLAlchemy) and mean no request globals.
PURITY_CLAIM = re.compile(
    r"\bpure(?:[:.]| functions| table)|must not import[^.]*sqlalchemy|no sqlalchemy", re.I
)
_IMPORT_EACH = """
import importlib, json, sys
frameworks, found, seen = sys.argv[1].split(","), {}, set()
for name in sys.argv[2:]:
    importlib.import_module(name)
    new = [f for f in frameworks if f in sys.modules and f not in seen]
    if new:
        found[name] = new
        seen.update(new)
print(json.dumps(found))
"""


def _pure_modules() -> list[str]:
    """The matching engine, the pure rule modules, and every module whose docstring claims to
    be pure."""
    names = {name.removesuffix(".py").replace("/", ".") for name in PURE_RULE_MODULES}
    for path in sorted(_python_files(*(p for p in OUR_PACKAGES | {"matching"}))):
        docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
        if path.relative_to(ROOT).parts[0] == "matching" or PURITY_CLAIM.search(docstring):
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(names)


def test_importing_a_pure_module_loads_neither_flask_nor_sqlalchemy():
    """Imported in a fresh interpreter, as a script or a worker would: the AST rules above see
    only a module's own imports, this sees everything importing it drags in (its packages'
    __init__ modules included: importing `commonground.text` used to load the app factory).

    One interpreter imports them all in turn (imports only ever add to sys.modules, so the
    union is clean exactly when each one is), and names the first module that brought each
    framework in.
    """
    modules = _pure_modules()
    assert {"needs.lifecycle", "matching.plan", "commonground.errors"} <= set(modules)
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, ",".join(FRAMEWORKS), *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    brought_in = json.loads(done.stdout)
    assert not brought_in, f"importing these pure modules loads frameworks: {brought_in}"


# Modules that still commit or roll back by hand. Empty it as each moves to the unit of work;
# nothing new may join it.
HAND_WRITTEN_TRANSACTIONS = {
    "commonground/transaction.py",  # the unit of work itself
    "commonground/http_errors.py",  # a lock race lost outside any unit of work: 409, not 500
    "seeds/demo.py",  # wipe_all: empties every table before a reset
    "geo/services.py",
    "intake/services.py",
}


def test_services_commit_and_roll_back_only_through_the_unit_of_work():
    folders = (p for p in OUR_PACKAGES if (ROOT / p).is_dir())
    for path in _python_files(*folders):
        name = str(path.relative_to(ROOT))
        if name in HAND_WRITTEN_TRANSACTIONS:
            continue
        text = path.read_text()
        assert ".commit()" not in text and ".rollback()" not in text, (
            f"{name} commits or rolls back by hand: use commonground.transaction.unit_of_work"
        )

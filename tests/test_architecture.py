"""Architecture rules as one table: which of our packages each package (or module) may import,
which may use a web framework or the database session, and which are pure.

`LAYERS` maps a row to its rule: `pkg.*` is every module of a package, a dotted name is exactly
that module, and a module takes the most specific row. An allowed import is a package (`needs`)
or one module of it (`partners.sectors`).

Two checks read the table, each on something real:

- Direct imports, from one AST reader (`imports_of`) that walks every import statement of every
  module — function-level imports and relative imports included, `TYPE_CHECKING` blocks too — and
  compares them with the module's row (our packages, frameworks, third-party allow-list,
  `db.session`).
- What actually loads: for every package row, a fresh interpreter imports all the package's
  modules and lists `sys.modules`; the Common Ground packages loaded must lie within the row's
  allowed packages followed transitively through the table (so `web` loads no `api` module,
  however indirectly), and `matching` must load neither Flask nor SQLAlchemy. Modules whose
  own row reaches further than their package's (the composition root in `commonground`: the
  app factory, the CLI, the model registry) are left out of their package's probe.
  Single-module rows (the pure rule modules) are checked on their imports only: importing any
  `commonground` module runs `commonground/__init__.py`, which imports Flask for the app
  factory, so a fresh import of, say, `needs.lifecycle` loads Flask whatever the module does.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_OURS = {"tests", "migrations"}
OURS = frozenset(
    p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name not in NOT_OURS
)
FRAMEWORKS = frozenset(
    {
        "flask",
        "flask_limiter",
        "flask_login",
        "flask_migrate",
        "flask_smorest",
        "flask_sqlalchemy",
        "flask_wtf",
        "sqlalchemy",
        "werkzeug",
    }
)
NUMERIC = frozenset({"numpy", "scipy", "networkx", "ortools"})
DELIVERY = frozenset({"api", "web"})


@dataclass(frozen=True)
class Layer:
    """What the modules of one row may import."""

    ours: frozenset[str]  # our packages, or single modules of them
    frameworks: bool = True  # Flask, its extensions, Werkzeug, SQLAlchemy
    third_party: frozenset[str] | None = None  # when set: the only non-stdlib imports allowed
    db_session: bool = True  # may reach `db.session`
    pure: bool = False  # says in its docstring what it must not import


def _may(*names: str, **rule: object) -> Layer:
    return Layer(frozenset(names), **rule)  # type: ignore[arg-type]


def _pure(*names: str, **rule: object) -> Layer:
    return Layer(frozenset(names), frameworks=False, pure=True, **rule)  # type: ignore[arg-type]


DOMAIN = (
    "accounts",
    "briefings",
    "capabilities",
    "commonground",
    "exports",
    "geo",
    "intake",
    "jobs",
    "matching",
    "needs",
    "media",
    "notifications",
    "open311",
    "partners",
    "performance",
    "planning",
    "reports",
)

LAYERS: dict[str, Layer] = {
    # The matching engine: plain data in, plain data out.
    "matching.*": _pure(third_party=NUMERIC),
    # The core: configuration, extensions, domain errors, field types, text rules, converters.
    "commonground.*": _may(),
    "commonground.errors": _pure(),
    "commonground.text": _pure(),
    "commonground.fields": _pure(),
    # The composition root: the app factory, the CLI and the model registry wire everything.
    "commonground": _may(*OURS),
    "commonground.app": _may(*OURS),
    "commonground.cli": _may(*OURS),
    "commonground.models": _may(*OURS),
    "commonground.security": _may("commonground", "accounts"),  # the security log
    # Feature packages: models, services, queries, pure rules and input schemas.
    "accounts.*": _may("commonground", "partners"),  # registration makes a partner
    "accounts.roles": _pure(),
    "accounts.actor": _pure("accounts.roles", "commonground.errors"),
    "accounts.tokens": _pure(),
    "accounts.schemas": _pure("commonground.fields", "partners.schemas"),
    "capabilities.*": _may("commonground", "accounts"),
    "capabilities.schemas": _pure("commonground.fields"),
    "partners.*": _may("commonground", "accounts", "capabilities", "geo", "notifications.notices"),
    "partners.status": _pure("commonground.errors"),
    "partners.sectors": _pure(),
    "partners.schemas": _pure("commonground.fields", "partners.sectors", "partners.status"),
    "geo.*": _may("commonground"),
    "geo.distance": _may(frameworks=False),  # pure, but its docstring does not say so yet
    "geo.gazetteer": _pure(),
    "geo.outlines": _pure(),
    "geo.geocoders": _pure("geo"),
    "needs.*": _may(
        "commonground",
        "accounts",
        "capabilities",
        "geo",
        "media",
        "partners",
        "notifications.notices",
    ),
    "needs.lifecycle": _pure("commonground.errors"),
    "needs.calendar": _pure(),
    "needs.schemas": _pure("commonground.fields", "needs.lifecycle", "needs.filters"),
    "needs.filters": _pure(),
    "exports.*": _may("commonground", "accounts", "needs", "partners"),
    "exports.csv_safety": _pure(),
    "exports.geojson": _pure(),
    # intake never imports open311 (Open311 is built on intake, not the other way round)
    "intake.*": _may("commonground", "accounts", "capabilities", "geo", "needs", "exports"),
    "intake.options": _pure("intake"),
    "intake.reader": _pure(),
    "intake.mapping": _pure(),
    "intake.records": _pure("intake"),
    "intake.report": _pure("intake", "exports"),
    "intake.duplicates": _pure(),
    # Photos: cleaning is pure; storing and reading sit on the database and a folder.
    "media.*": _may("commonground"),
    "media.images": _pure(third_party=frozenset({"PIL"})),
    # Residents' reports: the public front door and the triage queue, built on needs and intake.
    "reports.*": _may(
        "commonground", "accounts", "capabilities", "geo", "intake", "media", "needs", "partners"
    ),
    "open311.*": _may(
        "commonground", "accounts", "capabilities", "geo", "intake", "needs", "partners", "reports"
    ),
    "open311.formats": _pure(),
    "open311.errors": _pure("open311"),
    "open311.client": _pure("open311", "intake"),
    "planning.*": _may(
        "commonground",
        "accounts",
        "capabilities",
        "geo",
        "matching",
        "needs",
        "notifications.notices",
        "partners",
    ),
    "planning.schemas": _pure("commonground.fields"),
    # Notifications: the lower layer (notices, delivery, preferences) sits beside accounts so
    # the feature services queue their notices in their own unit of work; the routines (warnings
    # and digests) and the commands read the feature packages above it.
    "notifications.*": _may("commonground", "accounts", "partners"),
    "notifications.kinds": _pure(),
    "notifications.schemas": _pure("notifications.kinds"),
    "notifications.routines": _may(
        "commonground", "accounts", "needs", "notifications", "partners", "planning"
    ),
    "notifications.cli": _may(
        "commonground", "accounts", "needs", "notifications", "partners", "planning"
    ),
    "performance.*": _may("commonground", "accounts", "capabilities", "needs", "planning"),
    "performance.kpis": _pure(),
    "performance.gaps": _pure(),
    "performance.schemas": _pure("commonground.fields"),
    "briefings.*": _may(
        "commonground",
        "accounts",
        "capabilities",
        "geo",
        "matching",
        "needs",
        "partners",
        "performance",
        "planning",
    ),
    "briefings.charts": _pure(),
    "briefings.schemas": _pure("commonground.fields", "partners.sectors"),
    # Background jobs: the queue, job records and routines run the feature packages' services.
    "jobs.*": _may(
        "commonground",
        "accounts",
        "briefings",
        "intake",
        "needs",
        "notifications",
        "open311",
        "planning",
    ),
    "jobs.periodic": _pure(),
    "jobs.kinds": _pure("accounts.actor"),
    "jobs.schemas": _pure("commonground.fields"),
    # Delivery: the JSON API and the pages, side by side, reaching data only through services.
    "api.*": _may(*DOMAIN, db_session=False),
    "web.*": _may(*DOMAIN, db_session=False),
    # The demo city goes through the same schemas and services, never through a delivery layer.
    "seeds.*": _may(*DOMAIN),
    "seeds.make_address_points": _pure(),
    # Benchmarks print figures; the synthetic cities and the oracle stay next to the engine.
    "bench.*": _may(*DOMAIN, "seeds"),
    "bench.cities": _pure("matching", "partners.sectors", third_party=NUMERIC),
    "bench.exact": _pure("matching", third_party=NUMERIC),
}


# --- one import reader ----------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _package_of(path: Path) -> str:
    name = _module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


@cache
def imports_of(path: Path) -> frozenset[str]:
    """Every module a file imports, at any depth of its code, as absolute dotted names;
    `from pkg import mod` names `pkg.mod` when that is a module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package_of(path).split(".")
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                inner = f"{base}.{alias.name}"
                names.add(inner if _is_module(inner) else base)
    names.discard("__future__")
    return frozenset(names)


def uses_db_session(path: Path) -> bool:
    """Whether a file imports the SQLAlchemy handle `db` or writes `db.session`."""
    for node in ast.walk(ast.parse(path.read_text())):
        imports_db = (
            isinstance(node, ast.ImportFrom)
            and node.module == "commonground.extensions"
            and any(alias.name == "db" for alias in node.names)
        )
        touches_session = (
            isinstance(node, ast.Attribute)
            and node.attr == "session"
            and isinstance(node.value, ast.Name)
            and node.value.id == "db"
        )
        if imports_db or touches_session:
            return True
    return False


# --- the table ------------------------------------------------------------------------------


def modules() -> Iterator[tuple[str, Path]]:
    for package in sorted(OURS):
        for path in sorted((ROOT / package).rglob("*.py")):
            yield _module_name(path), path


def layer_of(module: str) -> tuple[str, Layer]:
    """The most specific row for a module: itself, else its innermost package's `pkg.*`."""
    if module in LAYERS:
        return module, LAYERS[module]
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end]) + ".*"
        if key in LAYERS:
            return key, LAYERS[key]
    raise AssertionError(f"{module} has no row in LAYERS")


def allowed(module: str, layer: Layer, own_package: str) -> bool:
    """Whether a module may import `module`, one of ours."""
    if module == own_package or module.startswith(own_package + "."):
        return True
    return any(module == a or module.startswith(a + ".") for a in layer.ours)


def _top(name: str) -> str:
    return name.split(".")[0]


def closure(package: str) -> set[str]:
    """The packages a package may reach, following the package rows transitively."""
    seen, todo = {package}, [package]
    while todo:
        rule = LAYERS.get(f"{todo.pop()}.*")
        for target in {_top(name) for name in (rule.ours if rule else ())} - seen:
            seen.add(target)
            todo.append(target)
    return seen


MODULES = list(modules())


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_each_module_imports_only_what_its_row_allows(module, path):
    key, layer = layer_of(module)
    imported = imports_of(path)
    ours = {name for name in imported if _top(name) in OURS}
    bad = sorted(name for name in ours if not allowed(name, layer, _top(module)))
    assert not bad, f"{module} ({key}) imports {bad}"
    if not layer.frameworks:
        assert not {_top(n) for n in imported} & FRAMEWORKS, f"{module} imports a framework"
    if layer.third_party is not None:
        foreign = {_top(n) for n in imported} - OURS - layer.third_party
        foreign -= set(sys.stdlib_module_names)
        assert not foreign, f"{module} ({key}) imports {sorted(foreign)}"
    if not layer.db_session:
        assert not uses_db_session(path), f"{module} ({key}) reaches db.session"


PACKAGES = sorted(p for p in OURS if f"{p}.*" in LAYERS)


@pytest.mark.parametrize("package", PACKAGES)
def test_what_a_package_loads_stays_within_its_layers(package):
    reach = closure(package)
    names = [
        m
        for m, _ in MODULES
        if _top(m) == package and {_top(a) for a in layer_of(m)[1].ours} <= reach
    ]
    probe = (
        "import importlib, json, sys\n"
        "before = set(sys.modules)\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = {_top(name) for name in json.loads(result.stdout.splitlines()[-1])}
    beyond = sorted((loaded & OURS) - closure(package))
    assert not beyond, f"importing {package} loads {beyond}"
    if not LAYERS[f"{package}.*"].frameworks:
        assert not loaded & FRAMEWORKS, f"importing {package} loads {sorted(loaded & FRAMEWORKS)}"
    assert names, package


def test_the_delivery_layers_and_the_seeds_never_reach_each_other():
    for package in ("web", "seeds", *DELIVERY):
        others = (DELIVERY | {"seeds"}) - {package}
        assert not closure(package) & others, f"{package} may reach {closure(package) & others}"


def test_matching_reaches_no_other_package():
    assert closure("matching") == {"matching"}


def test_every_module_has_a_row_and_every_row_a_module():
    for module, _ in MODULES:
        layer_of(module)
    names = {m for m, _ in MODULES}
    future = {"commonground.app"}  # the app factory's next home
    stale = [
        key
        for key in LAYERS
        if key not in future and (key[:-2] not in OURS if key.endswith(".*") else key not in names)
    ]
    assert not stale, f"rows without a module: {stale}"


# --- docstrings, tables, names --------------------------------------------------------------


def test_every_module_states_its_purpose():
    for module, path in MODULES:
        if path.name == "__init__.py" and not path.read_text().strip():
            continue
        assert ast.get_docstring(ast.parse(path.read_text())), module


def test_every_pure_module_says_what_it_must_not_import():
    for module, path in MODULES:
        if layer_of(module)[1].pure and path.name != "__init__.py":
            docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
            assert "must not import" in docstring.lower(), module


def test_the_matching_engine_does_no_io_and_reads_no_clock():
    banned = ("datetime.now", "date.today", "time.time(", "open(", "print(", "utcnow")
    for module, path in MODULES:
        if _top(module) == "matching":
            text = path.read_text()
            assert not [b for b in banned if b in text], module


def test_no_module_is_named_for_being_miscellaneous():
    for module, path in MODULES:
        assert path.stem not in {"utils", "helpers", "misc", "common"}, module


def test_nothing_creates_tables_outside_migrations():
    for path in ROOT.rglob("*.py"):
        if any(part in {".venv", "migrations", "tests"} for part in path.parts):
            continue
        assert "create_all(" not in path.read_text(), f"{path.relative_to(ROOT)} calls create_all"


# --- the API and the pages, as the app registers them -----------------------------------------


def test_each_api_resource_path_is_served_by_one_blueprint(app):
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            resource = rule.rule.removeprefix("/api/v1/").split("/")[0]
            served.setdefault(resource, set()).add(rule.endpoint.split(".")[0])
    shared = {resource: sorted(bps) for resource, bps in served.items() if len(bps) > 1}
    assert not shared, f"resource paths served by more than one blueprint: {shared}"


def test_ids_in_urls_use_the_one_registered_converter(app):
    for rule in app.url_map.iter_rules():
        assert "int(min=1" not in rule.rule, f"{rule.rule}: use <id:...>"


# --- what importing a pure module really loads -------------------------------------------------

LOADERS = ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug")
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


def test_importing_a_pure_module_loads_neither_flask_nor_sqlalchemy():
    """Every module whose row says it is pure, imported in a fresh interpreter as a script or a
    worker would: the import reader above sees a module's own imports, this sees everything they
    drag in (its packages' __init__ modules included). One interpreter imports them in turn
    (imports only add to sys.modules, so the union is clean exactly when each one is) and names
    the first module that brought each framework in."""
    pure = [m for m, _ in MODULES if not layer_of(m)[1].frameworks]
    assert {"needs.lifecycle", "matching.plan", "commonground.errors"} <= set(pure)
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, ",".join(LOADERS), *pure],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    brought_in = json.loads(done.stdout)
    assert not brought_in, f"importing these pure modules loads frameworks: {brought_in}"


# --- one unit of work ---------------------------------------------------------------------------

# Modules that still commit or roll back by hand. Empty it as each moves to the unit of work;
# nothing new may join it.
HAND_WRITTEN_TRANSACTIONS = {
    "commonground/transaction.py",  # the unit of work itself
    "commonground/outages.py",  # the database is down: drop the broken transaction, answer 503
    "seeds/demo.py",  # wipe_all: empties every table before a reset
    "geo/services.py",
    "intake/services.py",
}


def test_services_commit_and_roll_back_only_through_the_unit_of_work():
    for module, path in MODULES:
        name = str(path.relative_to(ROOT))
        if name in HAND_WRITTEN_TRANSACTIONS or _top(module) == "bench":
            continue
        text = path.read_text()
        assert ".commit()" not in text and ".rollback()" not in text, (
            f"{name} commits or rolls back by hand: use commonground.transaction.unit_of_work"
        )


# --- intake: lifecycle through the needs services, capability codes from the database ----------


def _names_imported(path: Path) -> set[str]:
    """`module` and `module.name` for every `from module import name` in a file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_imports_close_needs_and_release_claims_only_through_the_needs_services():
    for module, path in MODULES:
        if _top(module) == "intake":
            names = _names_imported(path)
            assert "needs.lifecycle" not in names and "needs.models.Claim" not in names, module


def test_intake_hard_codes_no_capability_code_the_defaults_do_not_need():
    from intake.mapping import DEFAULT_CATEGORIES
    from seeds.taxonomy import CAPABILITIES

    # Codes come from the database: a starting code without a default source type appears in
    # no intake module (DEFAULT_CATEGORIES' own codes are the only ones written down).
    unnamed = {c["code"] for c in CAPABILITIES} - set(DEFAULT_CATEGORIES.values())
    assert unnamed
    for module, path in MODULES:
        if _top(module) == "intake":
            found = sorted(code for code in unnamed if code in path.read_text())
            assert not found, f"{module} names {found}"

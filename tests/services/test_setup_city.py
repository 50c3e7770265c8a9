"""A real city starts without the demo: `flask db upgrade && flask setup-city ...` on a fresh
database gives it the capability taxonomy (from an editable file), its first admin and its
settings, and the first real import (a Boston 311 export) then works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accounts.models import User
from capabilities.models import Capability
from commonground.errors import ValidationError
from commonground.extensions import db
from needs.models import Need
from seeds.city import CitySettings, setup_city
from seeds.taxonomy import CAPABILITIES, TaxonomyFileError, read_taxonomy

ROOT = Path(__file__).resolve().parents[2]
BOSTON = ROOT / "tests" / "data" / "boston311" / "boston311_2015_illegal_dumping.csv"
SETTINGS = CitySettings(name="Boston", timezone="America/New_York", map_center=(42.3601, -71.0589))


def flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_db_upgrade_then_setup_city_then_a_boston_import_works_on_a_fresh_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITY_", "MAP_", "DISTANCE"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}",
        CITY_SETTINGS_PATH=str(tmp_path / "city.toml"),
        FLASK_APP="wsgi.py",
        SECRET_KEY="test",
    )
    flask(env, "db", "upgrade")
    output = flask(
        env, "setup-city", "--name", "Boston", "--timezone", "America/New_York",
        "--map-center", "42.3601,-71.0589", "--distance-units", "mi",
        "--admin-email", "admin@boston.example", "--bounds", "42.22,-71.20,42.40,-70.98",
    )  # fmt: skip
    assert f"Capabilities added: {len(CAPABILITIES)}; neighbourhoods added: 0." in output
    assert "Admin admin@boston.example created." in output
    assert "password (shown once):" in output
    imported = flask(env, "import-needs", str(BOSTON), "--no-geocode")
    assert "created 45, updated 0" in imported
    assert "rejected rows 0" in imported
    config = subprocess.run(
        [sys.executable, "-c", "from commonground.app import create_app; c = create_app().config;"
         " print(c['CITY_NAME'], c['CITY_TIMEZONE'], c['MAP_CENTER'], c['CITY_BOUNDS'])"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert config.stdout.strip() == (
        "Boston America/New_York (42.3601, -71.0589) (42.22, -71.2, 42.4, -70.98)"
    )
    again = flask(
        env, "setup-city", "--name", "Boston", "--timezone", "America/New_York",
        "--map-center", "42.3601,-71.0589", "--admin-email", "admin@boston.example",
    )  # fmt: skip
    assert "Capabilities added: 0" in again and "already exists" in again


def test_setup_city_loads_no_demo_data_and_reads_the_city_s_own_taxonomy(app, tmp_path):
    taxonomy = tmp_path / "taxonomy.toml"
    taxonomy.write_text(
        '[[capability]]\ncode = "snow_clearing"\nlabel = "Snow clearing"\n'
        "default_effort_hours = 2\n",
        encoding="utf-8",
    )
    with app.app_context():
        from tests.conftest import empty_all_tables

        empty_all_tables()
        result = setup_city(
            SETTINGS,
            admin_email="admin@boston.example",
            admin_password="a long enough password",
            taxonomy=taxonomy,
            settings_path=tmp_path / "city.toml",
        )
        assert result.capabilities_added == ["snow_clearing"]
        assert db.session.scalar(select(func.count(Capability.code))) == 1
        assert db.session.scalar(select(func.count(Need.id))) == 0
        assert db.session.scalar(select(User.role)) == "admin"
        assert 'name = "Boston"' in (tmp_path / "city.toml").read_text()


def test_a_bad_taxonomy_file_or_setting_is_refused_with_its_reason(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[capability]]\ncode = "Snow Clearing"\nlabel = "x"\n', encoding="utf-8")
    with pytest.raises(TaxonomyFileError, match="code must be"):
        read_taxonomy(bad)
    with pytest.raises(ValidationError) as error:
        CitySettings(name="X", timezone="Mars/Olympus", map_center=(42.0, -71.0)).check()
    assert "timezone" in error.value.errors

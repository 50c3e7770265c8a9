"""Configuration read from environment variables, with defaults that work on a fresh machine.

Holds only settings; imports nothing from the project.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = ROOT / "instance"
DISTANCE_UNITS = ("mi", "km")
"""Units a city may show distances in."""
SMTP_SECURITY = ("starttls", "ssl", "none")
"""How the connection to the SMTP server is protected."""


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _env_points(name: str, default: str) -> list[tuple[float, float]]:
    """Points written as `lat,lon;lat,lon` (e.g. a city hall that bad geocodes fall back to)."""
    text = os.environ.get(name, default)
    points = []
    for pair in filter(None, (p.strip() for p in text.split(";"))):
        lat, lon = (float(v) for v in pair.split(","))
        points.append((lat, lon))
    return points


def _env_list(name: str) -> list[str]:
    """A comma-separated list from the environment (empty entries dropped)."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _public_base_url(environment: str) -> str:
    """PUBLIC_BASE_URL: where people reach this installation; links in emails start with it.

    Required in production; development defaults to the address `make demo` serves.
    """
    url = os.environ.get("PUBLIC_BASE_URL", "").strip()
    if url or environment == "production":
        return url
    return "http://127.0.0.1:5000"


def _check_public_base_url(config: dict) -> None:
    """Refuse a base URL that links could not be built from (and, in production, plain http)."""
    url = config["PUBLIC_BASE_URL"]
    if config["ENV"] == "production" and not url:
        raise RuntimeError("PUBLIC_BASE_URL must be set when COMMONGROUND_ENV=production")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise RuntimeError(f"PUBLIC_BASE_URL must be an http(s) URL, not {url!r}.")
    if config["ENV"] == "production" and parts.scheme != "https":
        raise RuntimeError("PUBLIC_BASE_URL must be https in production.")
    if config["TRUSTED_HOSTS"] is None and config["ENV"] == "production":
        # Flask answers 400 for any other Host (or X-Forwarded-Host from a trusted proxy).
        config["TRUSTED_HOSTS"] = [parts.hostname]


def _weights(text: str) -> dict[str, float]:
    """Parse "name=value,name=value" into a dict of floats."""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {name.strip(): float(value) for name, value in pairs}


def _secret_key(environment: str) -> str:
    """SECRET_KEY from the environment; in development a random key kept under instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if environment == "production":
        raise RuntimeError("SECRET_KEY must be set when COMMONGROUND_ENV=production")
    INSTANCE_DIR.mkdir(exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Accept the common postgres:// spellings and select the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def city_settings_path() -> Path:
    """Where `flask setup-city` keeps the city's settings (CITY_SETTINGS_PATH)."""
    return Path(os.environ.get("CITY_SETTINGS_PATH") or INSTANCE_DIR / "city.toml")


def _city_file() -> dict:
    """The city's settings written by `flask setup-city` ({} when there are none yet)."""
    path = city_settings_path()
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _city_value(variable: str, city: dict, key: str, default: str) -> str:
    """An environment variable, else the city settings file, else the default."""
    if os.environ.get(variable):
        return os.environ[variable]
    value = city.get(key)
    return default if value is None else str(value)


def _bounds(text: str) -> tuple[float, float, float, float] | None:
    """CITY_BOUNDS "south,west,north,east" (degrees); empty: derived from the places known."""
    if not text.strip():
        return None
    parts = [float(part) for part in text.split(",")]
    if len(parts) != 4 or not (parts[0] < parts[2] and parts[1] < parts[3]):
        raise RuntimeError("CITY_BOUNDS is south,west,north,east with south < north, west < east.")
    return parts[0], parts[1], parts[2], parts[3]


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask configuration mapping from the environment and optional overrides."""
    environment = (overrides or {}).get("ENV") or os.environ.get("COMMONGROUND_ENV", "development")
    default_db = f"sqlite:///{INSTANCE_DIR / 'commonground.db'}"
    city = _city_file()
    centre = city.get("map_center") or [None, None]
    bounds = city.get("bounds")
    config = {
        "ENV": environment,
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL", default_db)
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DEBUG": os.environ.get("FLASK_DEBUG") == "1",
        # Where people reach this installation ("https://commonground.city.example"): absolute
        # links (password reset, invitations) are built from it, never from the request's Host
        # (docs/field-notes.md, trap 14). In production it is required, and the hosts Flask
        # accepts default to its host (TRUSTED_HOSTS, comma-separated, to add others).
        "PUBLIC_BASE_URL": _public_base_url(environment),
        "TRUSTED_HOSTS": _env_list("TRUSTED_HOSTS") or None,
        # How many reverse proxies in front of the app to believe for X-Forwarded-For, -Proto,
        # -Host and -Prefix (Werkzeug's ProxyFix); 0 believes none. See README "Production".
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
        # The city this installation serves.
        # Environment variables win over the settings `flask setup-city` wrote (CITY_SETTINGS_PATH).
        "CITY_NAME": _city_value("CITY_NAME", city, "name", "Baton Rouge (demo)"),
        "CITY_TIMEZONE": _city_value("CITY_TIMEZONE", city, "timezone", "America/Chicago"),
        # Open311 refuses points outside (south, west, north, east); None: around the places known.
        "CITY_BOUNDS": _bounds(
            os.environ.get("CITY_BOUNDS")
            or (",".join(str(b) for b in bounds) if isinstance(bounds, list) else "")
        ),
        # Distances on pages and in reason texts: "mi" or "km" (the demo city is in the US).
        "DISTANCE_UNITS": _city_value("DISTANCE_UNITS", city, "distance_units", "mi")
        .strip()
        .lower(),
        "MAP_CENTER": (
            _env_float("MAP_CENTER_LAT", float(centre[0] if centre[0] is not None else 30.4515)),
            _env_float("MAP_CENTER_LON", float(centre[1] if centre[1] is not None else -91.1871)),
        ),
        "MAP_ZOOM": int(_city_value("MAP_ZOOM", city, "map_zoom", "12")),
        "MAP_TILE_URL": os.environ.get(
            "MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        ),
        "MAP_TILE_ATTRIBUTION": os.environ.get(
            "MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors"
        ),
        # API documentation (flask-smorest).
        "API_TITLE": "Common Ground API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                }
            },
            "security": [{"bearerAuth": []}],
        },
        "PAGINATION_MAX_PAGE_SIZE": 100,
        # Sessions and cookies. The cookie is a browser-session cookie; the server-side session
        # registry (accounts.web_sessions) enforces the idle and absolute timeouts.
        "SESSION_COOKIE_NAME": "__Host-cg_session" if environment == "production" else "cg_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": environment == "production",
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_ABSOLUTE_HOURS": int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")),
        "REMEMBER_COOKIE_DURATION": 0,
        "WTF_CSRF_TIME_LIMIT": None,
        # Passwords: werkzeug's scrypt; tests may choose a cheaper method, production may not.
        "PASSWORD_HASH_METHOD": "scrypt",
        "PASSWORD_RESET_MINUTES": int(os.environ.get("PASSWORD_RESET_MINUTES", "30")),
        "INVITATION_DAYS": int(os.environ.get("INVITATION_DAYS", "7")),
        # Rate limits (Flask-Limiter). Memory in development; Redis in production.
        "RATELIMIT_STORAGE_URI": os.environ.get(
            "RATELIMIT_STORAGE_URI",
            "redis://127.0.0.1:6379" if environment == "production" else "memory://",
        ),
        "RATELIMIT_HEADERS_ENABLED": True,
        # No silent fallback to counters per worker when Redis is unreachable: limited requests
        # are refused with 503 and one log line instead (commonground.outages; fail closed).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": False,
        "RATELIMIT_SWALLOW_ERRORS": False,
        "RATELIMIT_KEY_PREFIX": "commonground",
        "RATELIMIT_LOGIN": os.environ.get("RATELIMIT_LOGIN", "5 per minute"),
        "RATELIMIT_PASSWORD_RESET": os.environ.get("RATELIMIT_PASSWORD_RESET", "5 per 15 minutes"),
        "RATELIMIT_REGISTER": os.environ.get("RATELIMIT_REGISTER", "10 per hour"),
        "RATELIMIT_CLAIM": os.environ.get("RATELIMIT_CLAIM", "60 per minute"),
        "RATELIMIT_IMPORT": os.environ.get("RATELIMIT_IMPORT", "10 per minute"),
        # Residents' reports (/report, Open311 POST): per client address.
        "RATELIMIT_REPORT": os.environ.get("RATELIMIT_REPORT", "5 per 10 minutes"),
        # Open311 POST requests, per api_key (a resident app serves many people).
        "RATELIMIT_OPEN311_POST": os.environ.get("RATELIMIT_OPEN311_POST", "120 per minute"),
        # The form's address look-up and nearby reports (JSON), per client address.
        "RATELIMIT_REPORT_LOOKUP": os.environ.get("RATELIMIT_REPORT_LOOKUP", "60 per minute"),
        # Photos (media/): stored under MEDIA_ROOT; each upload at most PHOTO_MAX_BYTES, longest
        # side resized to PHOTO_MAX_SIDE (thumbnails PHOTO_THUMB_SIDE); at most 3 per report.
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", str(INSTANCE_DIR / "media")),
        "PHOTO_MAX_BYTES": int(os.environ.get("PHOTO_MAX_BYTES", str(8 * 1024 * 1024))),
        "PHOTO_MAX_SIDE": int(os.environ.get("PHOTO_MAX_SIDE", "1600")),
        "PHOTO_THUMB_SIDE": int(os.environ.get("PHOTO_THUMB_SIDE", "320")),
        # Retry-After (seconds) of the 503s answered while the database or Redis is down.
        "RETRY_AFTER_SECONDS": int(os.environ.get("RETRY_AFTER_SECONDS", "30")),
        # Monitoring: /metrics answers a bearer token equal to METRICS_TOKEN; unset, only a
        # direct request from this host (loopback, no X-Forwarded-For). Successful token uses
        # are logged once per token per TOKEN_USE_LOG_MINUTES (per process), with a count.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", ""),
        "TOKEN_USE_LOG_MINUTES": _env_float("TOKEN_USE_LOG_MINUTES", 15.0),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(64 * 1024 * 1024))),
        # The longest text a form field or JSON string may hold (commonground.input_guard): at
        # least the longest any schema accepts (an import's options, 20,000), which
        # tests/security/test_bad_input.py checks; a field without a bound of its own stops here.
        "MAX_BODY_TEXT_CHARS": int(os.environ.get("MAX_BODY_TEXT_CHARS", "20000")),
        # Claims not started / not completed after this many days are stale, unless the
        # capability sets its own thresholds.
        "STALE_START_DAYS": int(os.environ.get("STALE_START_DAYS", "7")),
        "STALE_COMPLETE_DAYS": int(os.environ.get("STALE_COMPLETE_DAYS", "30")),
        # Partner members are warned this many days before a stale claim is released.
        "CLAIM_WARNING_DAYS": int(os.environ.get("CLAIM_WARNING_DAYS", "2")),
        # Email delivery (notifications.delivery). No SMTP_HOST: mail stays in the outbox
        # (`flask outbox` lists it). SMTP_SECURITY is starttls, ssl (implicit TLS) or none.
        "SMTP_HOST": os.environ.get("SMTP_HOST", "").strip(),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "587")),
        "SMTP_SECURITY": os.environ.get("SMTP_SECURITY", "starttls").strip().lower(),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_TIMEOUT_SECONDS": _env_float("SMTP_TIMEOUT_SECONDS", 30.0),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Common Ground <noreply@city.example>"),
        # A transient failure (4xx, no connection) is retried after MAIL_RETRY_SECONDS, doubled
        # each attempt (at most 6 hours); after MAIL_MAX_ATTEMPTS attempts it is failed.
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "8")),
        "MAIL_RETRY_SECONDS": int(os.environ.get("MAIL_RETRY_SECONDS", "60")),
        # A message being sent is leased to one sender this long; past it, another may retry it.
        "MAIL_LEASE_SECONDS": int(os.environ.get("MAIL_LEASE_SECONDS", "300")),
        # Intake: geocoding, duplicates, file limits (see intake/ and geo/geocoders.py).
        "GEOCODER": os.environ.get("GEOCODER", "gazetteer"),
        "GAZETTEER_PATH": os.environ.get(
            "GAZETTEER_PATH", str(ROOT / "seeds" / "data" / "address_points.csv")
        ),
        "GEOCODER_USER_AGENT": os.environ.get("GEOCODER_USER_AGENT", ""),
        "GEOCODER_MIN_DELAY_SECONDS": (
            _env_float("GEOCODER_MIN_DELAY_SECONDS", -1.0)
            if os.environ.get("GEOCODER_MIN_DELAY_SECONDS")
            else None
        ),
        "DUPLICATE_RADIUS_M": _env_float("DUPLICATE_RADIUS_M", 30.0),
        # Triage: a resident's report this close to a need of the same kind is a likely
        # duplicate (residents' pins are rougher than an import's coordinates).
        "REPORT_DUPLICATE_RADIUS_M": _env_float("REPORT_DUPLICATE_RADIUS_M", 100.0),
        "INTAKE_MAX_FILE_BYTES": int(os.environ.get("INTAKE_MAX_FILE_MB", "512")) * 1024 * 1024,
        "INTAKE_PLACEHOLDER_POINTS": _env_points("INTAKE_PLACEHOLDER_POINTS", "42.3594,-71.0587"),
        # Matching: score weights ("priority=30,waiting=20,distance=30,track_record=20") and
        # how many partners per need the city plan starts from (pricing adds the rest), and how
        # long a plan may work on its optimality proof before it is stored unproven, with its gap.
        "MATCHING_WEIGHTS": _weights(os.environ.get("MATCHING_WEIGHTS", "")),
        "MATCHING_TOP_K": int(os.environ.get("MATCHING_TOP_K", "8")),
        "MATCHING_TIME_BUDGET_S": _env_float("MATCHING_TIME_BUDGET_S", 120.0),
        # Processes a city plan splits its capabilities over (matching/parallel.py): 0 lets the
        # engine choose (the CPUs available, at most 4; one process below 25,000 open needs).
        "MATCHING_WORKERS": int(os.environ.get("MATCHING_WORKERS", "0")),
        # Background jobs (jobs/, docs/job-queue.md): Huey on Redis when JOBS_REDIS_URL (or
        # REDIS_URL) is set, else on an SQLite file under instance/ that needs nothing running.
        "JOBS_REDIS_URL": os.environ.get("JOBS_REDIS_URL") or os.environ.get("REDIS_URL", ""),
        "JOBS_SQLITE_PATH": os.environ.get("JOBS_SQLITE_PATH", str(INSTANCE_DIR / "jobs.sqlite3")),
        "JOBS_NAME": os.environ.get("JOBS_NAME", "commonground"),
        "JOBS_WORKERS": int(os.environ.get("JOBS_WORKERS", "1")),
        # A running job's worker renews its lease every third of this; a lease that runs out
        # means the worker died, and the job is queued again (at most JOBS_MAX_ATTEMPTS runs).
        "JOBS_LEASE_SECONDS": _env_float("JOBS_LEASE_SECONDS", 60.0),
        "JOBS_MAX_ATTEMPTS": int(os.environ.get("JOBS_MAX_ATTEMPTS", "3")),
        # A job that fails is retried this many times, first after the delay, doubling each time.
        "JOBS_RETRIES": int(os.environ.get("JOBS_RETRIES", "2")),
        "JOBS_RETRY_DELAY_SECONDS": int(os.environ.get("JOBS_RETRY_DELAY_SECONDS", "30")),
        # Scheduled routines (jobs/schedule.py): a city plan every night for coordinators to
        # review (off by default); Open311 peers (base URLs) pulled every night.
        "JOBS_NIGHTLY_PLAN": os.environ.get("JOBS_NIGHTLY_PLAN", "") in ("1", "true", "yes"),
        "OPEN311_PEERS": _env_list("OPEN311_PEERS"),
        # Gaps, recruitment and the coordinator's home serve one city plan basis per process
        # while the city is unchanged, for at most this long (planning.basis_cache).
        "PLAN_BASIS_MAX_AGE_S": _env_float("PLAN_BASIS_MAX_AGE_S", 300.0),
        # Briefings: the contact printed when no signed-in officer made it (e.g. the batch job).
        "OUTREACH_CONTACT_NAME": os.environ.get(
            "OUTREACH_CONTACT_NAME", "Community Partnerships Office"
        ),
        "OUTREACH_CONTACT_EMAIL": os.environ.get("OUTREACH_CONTACT_EMAIL", "partners@city.example"),
        "OUTREACH_CONTACT_PHONE": os.environ.get("OUTREACH_CONTACT_PHONE", ""),
        # Handouts: where a reader signs up (printed with a QR code; empty: the registration
        # page under PUBLIC_BASE_URL) and the phone number people call (empty: none printed).
        "SIGNUP_URL": os.environ.get("SIGNUP_URL", "").strip(),
        "CITY_PHONE": os.environ.get("CITY_PHONE", "311").strip(),
    }
    config.update(overrides or {})
    if config["DISTANCE_UNITS"] not in DISTANCE_UNITS:
        raise RuntimeError(f"DISTANCE_UNITS must be one of {DISTANCE_UNITS}.")
    if config["SMTP_SECURITY"] not in SMTP_SECURITY:
        raise RuntimeError(f"SMTP_SECURITY must be one of {SMTP_SECURITY}.")
    if config["ENV"] == "production" and not config["PASSWORD_HASH_METHOD"].startswith("scrypt"):
        raise RuntimeError("Production passwords are hashed with scrypt.")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _secret_key(config["ENV"])
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    _check_public_base_url(config)
    if config["SIGNUP_URL"] and urlsplit(config["SIGNUP_URL"]).scheme not in ("http", "https"):
        raise RuntimeError(f"SIGNUP_URL must be an http(s) URL, not {config['SIGNUP_URL']!r}.")
    if config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        # A Redis that does not answer costs each limited request half a second, not minutes.
        config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        )
    return config

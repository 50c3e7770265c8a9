"""The application factory: `create_app` binds the extensions, the API, the pages, the error
handlers and the CLI. It never creates tables: the schema comes only from Alembic migrations
(`flask db upgrade`).

It lives here, not in commonground/__init__.py, so that importing a pure module of the package
(commonground.text, commonground.errors...) or of another package does not load Flask,
SQLAlchemy and every extension.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from commonground.config import INSTANCE_DIR, ROOT, load_config
from commonground.converters import register_converters
from commonground.db_types import configure_sqlite, utcnow
from commonground.extensions import csrf, db, login_manager, migrate


def create_app(overrides: dict | None = None) -> Flask:
    """Build a configured Common Ground application."""
    app = Flask(
        "commonground",  # the app's name, and its logger's: the parent of commonground.security
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_mapping(load_config(overrides))
    app.config.setdefault("CLOCK", utcnow)
    _trust_proxies(app)
    INSTANCE_DIR.mkdir(exist_ok=True)
    _install_monitoring(app)

    from commonground import models  # noqa: F401 - registers every model with the metadata

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    from jobs.queue import queue

    queue.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)

    register_converters(app)
    _register_blueprints(app)
    from commonground.http_errors import register_error_handlers

    register_error_handlers(app)
    from commonground.outages import register_outage_handlers

    register_outage_handlers(app)
    from commonground.security import register_security

    register_security(app)
    from commonground.input_guard import register_input_guard

    register_input_guard(app)
    from commonground.cli import register_commands

    register_commands(app)
    return app


def _install_monitoring(app: Flask) -> None:
    """JSON log lines with the request id, and request metrics; first, so they see every hook."""
    from commonground.metrics import install_metrics
    from commonground.monitoring import configure_json_logging, install_request_ids

    configure_json_logging(app)
    install_metrics(app)
    install_request_ids(app)


def _trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For, -Proto, -Host and -Prefix from PROXY_COUNT proxies (ProxyFix).

    Then the client's address (rate-limit keys, the security log), the scheme (HTTPS, so CSRF
    checks the Referer and Secure cookies apply) and the host (checked against TRUSTED_HOSTS)
    are the ones the proxy saw. With 0 (the default) the headers are ignored: anyone could
    send them.
    """
    count = app.config["PROXY_COUNT"]
    if count > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_prefix=count
        )


def _register_blueprints(app: Flask) -> None:
    import accounts.sessions  # noqa: F401 - installs the Flask-Login user loader
    from api import register_api
    from web import (
        account,
        auth,
        catalogue,
        dashboard,
        directory,
        gaps,
        home,
        imports,
        jobs,
        map,
        navigation,
        needs,
        onboarding,
        open_data,
        partner_review,
        performance,
        plans,
        profile,
        reports,
        tasks,
        times,
        triage,
        unsubscribe,
    )
    from web import briefings as briefing_pages

    register_api(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(onboarding.bp)
    app.register_blueprint(partner_review.bp)
    for pages in (dashboard, triage, needs, imports, map, tasks, profile, directory, plans):
        app.register_blueprint(pages.bp)
    app.register_blueprint(briefing_pages.bp)
    app.register_blueprint(catalogue.bp)
    app.register_blueprint(gaps.bp)
    app.register_blueprint(performance.bp)
    app.register_blueprint(open_data.bp)
    # One-click unsubscribe (RFC 8058) posts from a mail client: the signed link is the authority.
    csrf.exempt(unsubscribe.confirm)
    app.register_blueprint(unsubscribe.bp)
    csrf.exempt(reports.stop_notices_page)  # the same, for a resident's report
    app.register_blueprint(jobs.bp)
    app.register_blueprint(reports.bp)
    navigation.install(app)
    times.install(app)
    from open311.server import bp as open311_bp

    csrf.exempt(open311_bp)  # form posts authenticated by api_key, not by a session cookie
    app.register_blueprint(open311_bp)

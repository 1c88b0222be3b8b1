"""The web app: one factory, blueprints registered inside it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from custody.config import Settings, load_or_create_secret_key
from custody.db.engine import Database


def create_app(test_config: Mapping | None = None) -> Flask:
    """Build the Flask app from the environment, then ``test_config`` on top."""
    from custody.web.forms import CustodyRequest

    app = Flask(__name__)
    app.request_class = CustodyRequest
    app.config.from_mapping(MAX_CONTENT_LENGTH=16 * 1024 * 1024, JSON_AS_ASCII=False,
                            SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                            SESSION_COOKIE_SECURE=False,
                            PERMANENT_SESSION_LIFETIME=timedelta(hours=12))
    # e.g. CUSTODY_FLASK_SESSION_COOKIE_SECURE=true when served over HTTPS
    app.config.from_prefixed_env("CUSTODY_FLASK")
    overrides = dict(test_config or {})
    settings = overrides.pop("SETTINGS", None) or Settings.from_env()
    app.config.update(overrides)
    # Tests check every API answer against its documented schema; production never pays for it.
    app.config.setdefault("CUSTODY_CHECK_ANSWERS", app.testing)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key or load_or_create_secret_key(
            settings.data_dir)
    app.extensions["custody.settings"] = settings
    app.extensions["custody.db"] = overrides.get("DATABASE") or Database(settings.database_url)

    from custody.web import (
        access,
        api,
        assessment_pages,
        asset_pages,
        auth,
        balance_pages,
        enrolment,
        errors,
        exports,
        flag_review,
        health,
        i18n,
        label_pages,
        ledger_pages,
        people_pages,
        phone,
        public,
        reports,
        scans,
        supervise,
        throttle,
    )

    i18n.init_app(app)
    errors.init_app(app)
    api.init_app(app)
    access.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(scans.bp)
    app.register_blueprint(phone.bp)
    app.register_blueprint(enrolment.bp)
    app.register_blueprint(supervise.bp)
    app.register_blueprint(flag_review.bp)
    app.register_blueprint(asset_pages.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(balance_pages.bp)
    app.register_blueprint(assessment_pages.bp)
    app.register_blueprint(people_pages.bp)
    app.register_blueprint(label_pages.bp)
    app.register_blueprint(ledger_pages.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(reports.bp)
    throttle.init_app(app, settings.ratelimit_storage_uri)
    if settings.proxy_hops:
        # The client's address as the trusted proxies saw it (throttling counts by it).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops,
                                x_proto=settings.proxy_hops)
    return app


def get_db(app: Flask) -> Database:
    """The app's database."""
    return app.extensions["custody.db"]


def get_settings(app: Flask) -> Settings:
    """The app's settings."""
    return app.extensions["custody.settings"]

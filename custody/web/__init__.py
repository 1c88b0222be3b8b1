"""The web app: one factory, blueprints registered inside it."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from custody.config import Settings
from custody.db.engine import Database


def create_app(test_config: Mapping | None = None) -> Flask:
    """Build the Flask app from the environment, then ``test_config`` on top."""
    app = Flask(__name__)
    app.config.from_mapping(MAX_CONTENT_LENGTH=16 * 1024 * 1024, JSON_AS_ASCII=False)
    overrides = dict(test_config or {})
    settings = overrides.pop("SETTINGS", None) or Settings.from_env()
    app.config.update(overrides)
    app.extensions["custody.settings"] = settings
    app.extensions["custody.db"] = overrides.get("DATABASE") or Database(settings.database_url)

    from custody.web import errors, health

    errors.init_app(app)
    app.register_blueprint(health.bp)
    return app


def get_db(app: Flask) -> Database:
    """The app's database."""
    return app.extensions["custody.db"]


def get_settings(app: Flask) -> Settings:
    """The app's settings."""
    return app.extensions["custody.settings"]

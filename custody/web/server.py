"""Running the app under gunicorn from the ``custody serve`` command."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

from custody.config import Settings


class _Gunicorn(BaseApplication):
    """A gunicorn application that builds the Flask app in each worker."""

    def __init__(self, settings: Settings, options: dict):
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:  # noqa: D102
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # noqa: D102
        from custody.web import create_app

        return create_app({"SETTINGS": self.settings})


def run(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Serve until interrupted."""
    _Gunicorn(settings, {"bind": f"{host}:{port}", "workers": workers, "timeout": 60,
                         "accesslog": "-"}).run()

"""Running the app under gunicorn from the ``custody serve`` command."""

from __future__ import annotations

import gc

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
        from custody.web.scans import scanning

        app = create_app({"SETTINGS": self.settings})
        with app.app_context():
            scanning()  # start this worker's decoder processes now, not on its first scan
        # What the worker holds from now on (modules, the app, catalogs) is kept out of the
        # collector's full passes: on the Nanhu-size month those passes were the assessment's
        # remaining p95 spikes (50+ ms of CPU every 4-6 requests; frozen, the month's CPU stays
        # at 12-29 ms a request).
        gc.freeze()
        return app


def run(settings: Settings, *, host: str, port: int, workers: int, threads: int = 4) -> None:
    """Serve until interrupted.

    Threaded workers: while one upload waits for its decoder process or for the
    disk, the worker takes the next, so 2 workers keep 2 cores busy; a plain
    sync worker would sit idle through every decode. Each worker has two decoder
    processes (``CUSTODY_SCAN_WORKERS``): with one, two uploads that land on the
    same worker decode one after the other while the other core may be idle
    (SQLite, 4-16 phones, quiet 2-core machine: 112-129 scans/s with one,
    129-138 with two).
    ``benchmarks/ingest.py`` runs the same.
    """
    _Gunicorn(settings, {"bind": f"{host}:{port}", "workers": workers,
                         "worker_class": "gthread", "threads": threads, "timeout": 60,
                         "accesslog": "-"}).run()

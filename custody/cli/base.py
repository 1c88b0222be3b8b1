"""The ``custody`` command group, its shared context and its error handling."""

from __future__ import annotations

from pathlib import Path

import click

from custody.config import Settings
from custody.db.engine import Database
from custody.domain.errors import DomainError


class Context:
    """Settings and a lazily opened database, shared by every command."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        """The configured database (opened on first use)."""
        if self._db is None:
            self._db = Database(self.settings.database_url)
        return self._db


pass_ctx = click.make_pass_decorator(Context)


class _Commands(click.Group):
    """A group that reports domain errors (bad input) as a clear message, exit code 1."""

    def invoke(self, ctx: click.Context):  # noqa: D102
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Commands)
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="CUSTODY_DATA_DIR",
              default="data", show_default=True, help="Folder for the SQLite file and keys.")
@click.option("--database-url", envvar=["CUSTODY_DATABASE_URL", "DATABASE_URL"], default=None,
              help="SQLAlchemy URL; default: SQLite in the data folder.")
@click.pass_context
def cli(click_ctx: click.Context, data_dir: Path, database_url: str | None) -> None:
    """Custody: QR chain of custody for sorted municipal waste."""
    overrides = {"data_dir": data_dir}
    if database_url:
        overrides["database_url"] = database_url
    click_ctx.obj = Context(Settings.from_env(**overrides))

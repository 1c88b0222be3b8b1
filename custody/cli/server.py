"""Setting up and running the server: ``custody init`` and ``custody serve``."""

from __future__ import annotations

import click

from custody.cli.base import Context, cli, pass_ctx
from custody.db import migrate
from custody.services import ledger


@cli.command()
@pass_ctx
def init(ctx: Context) -> None:
    """Create or upgrade the database schema and the signing keys."""
    migrate.upgrade(ctx.db)
    key = ledger.load_or_create_signing_key(ctx.settings.checkpoint_key_file)
    published = ledger.write_verifier_key(ctx.settings.checkpoint_public_key_file, key,
                                          ctx.settings.ledger_origin)
    click.echo(f"database ready at schema {migrate.current_revision(ctx.db)} "
               f"({ctx.db.url.render_as_string(hide_password=True)})")
    click.echo(f"checkpoint key: {ctx.settings.checkpoint_key_file} (private: keep it off the "
               f"app hosts); verifier key, published at /ledger/key:\n{published}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True)
@click.option("--threads", default=4, show_default=True, help="requests in flight per worker")
@pass_ctx
def serve(ctx: Context, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web app with gunicorn."""
    from custody.web.server import run

    migrate.upgrade(ctx.db)
    click.echo(f"serving on http://{host}:{port}/  (Ctrl-C stops)")
    run(ctx.settings, host=host, port=port, workers=workers, threads=threads)

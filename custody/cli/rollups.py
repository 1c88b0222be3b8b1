"""Daily rollups: ``custody rollups rebuild``, ``tonnage`` and ``balance``."""

from __future__ import annotations

import sys

import click

from custody.cli.base import Context, cli, pass_ctx
from custody.services.csv_export import write_csv


@cli.group("rollups")
def rollups_group() -> None:
    """Daily tonnage rollups: rebuild them, read tonnage and mass balance as CSV."""


@rollups_group.command("rebuild")
@pass_ctx
def rollups_rebuild(ctx: Context) -> None:
    """Recompute the daily rollups from the whole ledger."""
    from tqdm import tqdm

    from custody.services import rollup_rebuild

    with tqdm(desc="rebuilding", unit="record") as bar:
        rows = rollup_rebuild.rebuild(ctx.db, progress=bar.update)
    click.echo(f"rebuilt {rows} rollup rows")


_DAY = click.DateTime(["%Y-%m-%d"])


@rollups_group.command("tonnage")
@click.option("--from", "day_from", type=_DAY, required=True)
@click.option("--to", "day_to", type=_DAY, required=True)
@click.option("--level", type=click.Choice(["district", "village", "booth", "transfer_room",
                                            "facility"]), default="district", show_default=True)
@click.option("--node", help="One node: a village or district name, or an asset id.")
@pass_ctx
def rollups_tonnage(ctx: Context, day_from, day_to, level: str, node: str | None) -> None:
    """Daily kg by category at one level, as CSV."""
    from custody.services import tonnage

    rows = tonnage.daily_tonnage(ctx.db, day_from.date(), day_to.date(), level, node)
    write_csv(rows, sys.stdout)


@rollups_group.command("balance")
@click.option("--from", "day_from", type=_DAY, required=True)
@click.option("--to", "day_to", type=_DAY, required=True)
@click.option("--room", help="One transfer room's asset id.")
@pass_ctx
def rollups_balance(ctx: Context, day_from, day_to, room: str | None) -> None:
    """Mass balance (in minus out) per transfer room, day and category, as CSV."""
    from custody.services import tonnage

    rows = tonnage.mass_balance(ctx.db, day_from.date(), day_to.date(), room,
                                tolerance=ctx.settings.mass_balance_tolerance)
    write_csv(rows, sys.stdout)

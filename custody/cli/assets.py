"""Registering assets, villages' towns and actors: ``custody assets``, ``villages``, ``actors``."""

from __future__ import annotations

import click

from custody.cli.base import Context, cli, pass_ctx
from custody.domain.model import AssetKind, Category, Role
from custody.services import assets, towns


@cli.group("assets")
def assets_group() -> None:
    """Register assets."""


@assets_group.command("add")
@click.option("--kind", type=click.Choice([k.value for k in AssetKind]), required=True)
@click.option("--category", type=click.Choice([c.value for c in Category]))
@click.option("--name")
@click.option("--village")
@click.option("--lat", type=float)
@click.option("--lon", type=float)
@click.option("--site", "site_id", help="Booth asset id a bin stands at.")
@click.option("--household", help="Household reference (bags only; private).")
@click.option("--town", help="The village's town or subdistrict (镇/街道).")
@click.option("--count", type=click.IntRange(1, 100_000), default=1, show_default=True)
@pass_ctx
def assets_add(ctx: Context, kind, category, name, village, lat, lon, site_id, household,
               town, count) -> None:
    """Register one or more assets and print their ids."""
    new = assets.NewAsset(AssetKind(kind), Category(category) if category else None, name,
                          village, lat, lon, site_id, household, town=town)
    for asset_id in assets.register(ctx.db, [new] * count):
        click.echo(asset_id)


@assets_group.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--skip-bad", is_flag=True, help="Import the good rows and list the bad ones.")
@pass_ctx
def assets_import(ctx: Context, csv_file, skip_bad: bool) -> None:
    """Import assets from CSV (columns: kind,category,name,village,lat,lon,site,household,
    treatment,town)."""
    report = assets.import_csv(ctx.db, csv_file.read(), skip_bad=skip_bad)
    for line_no, message in report.skipped:
        click.echo(f"skipped row {line_no}: {message}", err=True)
    click.echo(f"imported {len(report.imported)} asset(s), skipped {len(report.skipped)}")


@cli.group("villages")
def villages_group() -> None:
    """Villages and the towns (镇/街道) they are in."""


@villages_group.command("set-town")
@click.argument("village")
@click.argument("town")
@pass_ctx
def villages_set_town(ctx: Context, village: str, town: str) -> None:
    """Put VILLAGE in TOWN (the town is registered on first mention)."""
    towns.set_town(ctx.db, village, town)
    click.echo(f"{village} -> {town}")


@cli.group("actors")
def actors_group() -> None:
    """Register the people who record handovers."""


@actors_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@pass_ctx
def actors_add(ctx: Context, name: str, role: str) -> None:
    """Register an actor and print their id."""
    click.echo(assets.add_actor(ctx.db, name, Role(role)))

"""Label sheets: ``custody labels issue`` and ``custody labels print``."""

from __future__ import annotations

from pathlib import Path

import click
from tqdm import tqdm

from custody.cli.base import Context, cli, pass_ctx
from custody.domain.model import AssetKind, Category


@cli.group("labels")
def labels_group() -> None:
    """Print QR labels: issue new assets with their sheet, or reprint existing ones."""


LAYOUT = click.option("--layout", type=click.Choice(["a4", "thermal"]), default="a4",
                      show_default=True, help="A4 grid (3 x 8) or 50 x 30 mm thermal labels.")


@labels_group.command("issue")
@click.option("--kind", type=click.Choice(["bag", "bin", "vehicle"]), required=True)
@click.option("--category", type=click.Choice([c.value for c in Category]))
@click.option("--count", type=click.IntRange(1, 1_000_000), required=True)
@click.option("--village")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@LAYOUT
@pass_ctx
def labels_issue(ctx: Context, kind, category, count, village, out, layout) -> None:
    """Register COUNT new assets and write their label sheet (all or nothing)."""
    from custody.services import label_sheets

    with tqdm(total=count, unit="label", disable=None) as bar:
        batch = label_sheets.issue(
            ctx.db, ctx.settings, kind=AssetKind(kind),
            category=Category(category) if category else None, count=count, village=village,
            out=out, layout=layout, progress=lambda n: bar.update(n - bar.n))
    click.echo(f"issued {batch.labels} labels {batch.asset_ids[0]}..{batch.asset_ids[-1]} "
               f"-> {out}")


@labels_group.command("print")
@click.argument("codes", nargs=-1)
@click.option("--village")
@click.option("--kind", type=click.Choice([k.value for k in AssetKind]))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@LAYOUT
@pass_ctx
def labels_print(ctx: Context, codes, village, kind, out, layout) -> None:
    """Reprint labels of existing assets: by CODE/id, or every one of a village or kind."""
    from custody.services import label_sheets

    with tqdm(unit="label", disable=None) as bar:
        count = label_sheets.reprint(
            ctx.db, ctx.settings, codes=list(codes) or None, village=village,
            kind=AssetKind(kind) if kind else None, out=out, layout=layout,
            progress=lambda n: bar.update(n - bar.n))
    click.echo(f"printed {count} labels -> {out}")

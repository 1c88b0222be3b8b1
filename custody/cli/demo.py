"""The synthetic district: ``custody demo``."""

from __future__ import annotations

import click

from custody.cli.base import Context, cli, pass_ctx
from custody.db import migrate


@cli.command()
@click.option("--villages", type=click.IntRange(1, 1000), default=3, show_default=True)
@click.option("--households", type=click.IntRange(1, 10_000_000), default=600, show_default=True,
              help="Households in all (default: 3 villages x 200).")
@click.option("--days", type=click.IntRange(0, 3660), default=7, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default="2026-01-01",
              show_default=True, help="First simulated day (Asia/Shanghai).")
@click.option("--fast-bags", is_flag=True,
              help="Name the household only on its first bag (registering is much faster).")
@click.option("--photo-share", type=click.FloatRange(0, 1), default=0.02, show_default=True,
              help="Share of scans photographed and read by the scanner: 3 to 50 a day "
                   "when above 0, about 0.1 s and 110 kB each (0: no photos, no double sends).")
@click.option("--no-labels", is_flag=True, help="Do not print the label sheets (huge sizes).")
@pass_ctx
def demo(ctx: Context, villages: int, households: int, days: int, seed: int, start,
         fast_bags: bool, photo_share: float, no_labels: bool) -> None:
    """Build a synthetic Nanhu district whose staff scan with the phones for days; print labels."""
    from custody import demo as demo_package

    migrate.upgrade(ctx.db)
    spec = demo_package.DemoSpec(villages=villages, households=households, days=days, seed=seed,
                                 start=start.date(), link_households=not fast_bags,
                                 photo_share=photo_share, labels=not no_labels)
    report = demo_package.build(ctx.db, spec, settings=ctx.settings)
    flags = ", ".join(f"{k} {v}" for k, v in sorted(report.flags.items())) or "none"
    refusals = ", ".join(f"{k} {v}" for k, v in sorted(report.refusals.items())) or "none"
    click.echo(f"{report.villages} villages, {report.households} households, {report.booths} "
               f"booths; {report.scans} scans sent in {report.simulate_seconds:.1f} s = "
               f"{report.rate:,.0f}/s after {report.setup_seconds:.1f} s of registering")
    click.echo(f"{report.handovers} handovers recorded; flags: {flags}; "
               f"{report.refused} refused: {refusals}")
    click.echo(f"{report.double_sends} double sends (same photo, new key), {report.replays} "
               f"queue replays (same key)")
    if report.photos:
        click.echo(f"{report.photos} scans through the photo path "
                   f"({report.photos / max(1, report.scans):.1%}, "
                   f"{report.photo_seconds:.1f} s); photos in {ctx.settings.data_dir / 'photos'}")
    shares = demo_package.collected_shares(ctx.db, spec)
    if shares:
        click.echo("collected by category: " + ", ".join(
            f"{c} {share:.1%}" for c, share in shares.items()))
    if report.sheets:
        click.echo(f"{sum(s.labels for s in report.sheets)} labels on {len(report.sheets)} "
                   f"sheets in {report.labels_seconds:.1f} s: "
                   f"{demo_package.label_folder(ctx.settings)}/")
        for sheet in report.sheets:
            click.echo(f"  {sheet.path.name}  {sheet.labels} labels")

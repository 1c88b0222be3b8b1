"""The ``custody`` command: set up, register, record, inspect, verify, serve."""

from __future__ import annotations

import json
import sys
from datetime import UTC
from pathlib import Path

import click
from tqdm import tqdm

from custody.config import Settings
from custody.db import migrate
from custody.db.engine import Database
from custody.domain.errors import DomainError
from custody.domain.model import Action, AssetKind, Category, HandoverDraft, Point, Role
from custody.services import accounts, assets, handovers, ledger, towns, whereabouts
from custody.services.csv_export import write_csv
from ledgercheck import CheckpointError


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


@cli.group("users")
def users_group() -> None:
    """Accounts: passwords for browsers, tokens for phones."""


def _read_password(from_stdin: bool) -> str:
    """A new password from the first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@pass_ctx
def users_add(ctx: Context, name: str, role: str, password_stdin: bool) -> None:
    """Register a user who can sign in, and print their id."""
    click.echo(accounts.create_user(ctx.db, name, Role(role), _read_password(password_stdin)))


@users_group.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@pass_ctx
def users_password(ctx: Context, name: str, password_stdin: bool) -> None:
    """Set a user's password (an actor added earlier can sign in from then on)."""
    actor_id = accounts.actor_id_by_name(ctx.db, name)
    accounts.set_password(ctx.db, actor_id, _read_password(password_stdin))
    click.echo(f"password set for {name}")


@users_group.command("active")
@click.argument("name")
@click.argument("state", type=click.Choice(["on", "off"]))
@pass_ctx
def users_active(ctx: Context, name: str, state: str) -> None:
    """Activate or deactivate a user (off: refused at once, on every device)."""
    accounts.set_active(ctx.db, accounts.actor_id_by_name(ctx.db, name), state == "on")
    click.echo(f"{name} is {'active' if state == 'on' else 'deactivated'}")


@users_group.command("token")
@click.argument("name")
@click.option("--device", "device_name", required=True, help='e.g. "王师傅的手机".')
@pass_ctx
def users_token(ctx: Context, name: str, device_name: str) -> None:
    """Enrol a phone and print its token, once: it is not stored and cannot be shown again."""
    device_id, token = accounts.issue_device_token(
        ctx.db, accounts.actor_id_by_name(ctx.db, name), device_name)
    click.echo(f"device {device_id} enrolled for {name}; token (shown once):", err=True)
    click.echo(token)


@users_group.command("devices")
@click.argument("name", required=False)
@pass_ctx
def users_devices(ctx: Context, name: str | None) -> None:
    """List enrolled devices, of one user or of everyone."""
    actor_id = accounts.actor_id_by_name(ctx.db, name) if name else None
    for d in accounts.list_devices(ctx.db, actor_id):
        state = f"revoked {d.revoked_at:%Y-%m-%d %H:%M}" if d.revoked_at else "active"
        used = f"{d.last_used_at:%Y-%m-%d %H:%M}" if d.last_used_at else "never"
        click.echo(f"{d.id}\t{d.actor_name}\t{d.name}\t{state}\tlast used {used}")


@users_group.command("revoke")
@click.argument("device_id", type=int)
@pass_ctx
def users_revoke(ctx: Context, device_id: int) -> None:
    """Revoke a device's token; its next request is refused."""
    accounts.revoke_device(ctx.db, device_id)
    click.echo(f"device {device_id} revoked")


@cli.command()
@click.option("--from", "source", required=True, help="Asset id whose contents moved.")
@click.option("--to", "dest", required=True, help="Asset id that received them.")
@click.option("--actor", required=True, help="Actor name.")
@click.option("--action", type=click.Choice([a.value for a in Action]))
@click.option("--weight", "weight_kg", type=float, help="Kilograms.")
@click.option("--category", type=click.Choice([c.value for c in Category]))
@click.option("--lat", type=float)
@click.option("--lon", type=float)
@click.option("--accuracy", type=float, help="GPS accuracy in metres.")
@click.option("--time", "device_time", type=click.DateTime(["%Y-%m-%dT%H:%M:%S",
                                                            "%Y-%m-%d %H:%M:%S"]),
              help="When it happened (UTC); default now.")
@click.option("--corrects", "corrects_seq", type=int, help="Record number this corrects.")
@click.option("--note")
@pass_ctx
def handover(ctx: Context, source, dest, actor, action, weight_kg, category, lat, lon, accuracy,
             device_time, corrects_seq, note) -> None:
    """Record one handover by hand (for admins)."""
    person = assets.actor_by_name(ctx.db, actor)
    if person is None:
        raise click.ClickException(f"no actor named {actor!r}; add one with `custody actors add`")
    if (lat is None) != (lon is None):
        raise click.ClickException("give both --lat and --lon, or neither")
    draft = HandoverDraft(
        source=source, dest=dest, actor_id=person.id, role=Role(person.role),
        action=Action(action) if action else None,
        device_time=device_time.replace(tzinfo=UTC) if device_time else None,
        point=Point(lat, lon, accuracy) if lat is not None else None,
        weight_kg=weight_kg, category=Category(category) if category else None,
        note=note, corrects_seq=corrects_seq,
    )
    result = handovers.record(ctx.db, draft, max_speed_kmh=ctx.settings.max_speed_kmh)
    flags = ", ".join(result.flags) or "none"
    click.echo(f"recorded #{result.seq} {result.source} -> {result.dest} "
               f"({result.action or 'off-path'}); flags: {flags}; hash {result.hash}")


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


@cli.command()
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def where(ctx: Context, code: str, as_json: bool) -> None:
    """Where an asset (or its waste) is now, and its history."""
    found = whereabouts.where(ctx.db, code.strip().upper())
    if as_json:
        click.echo(json.dumps(found.__dict__, ensure_ascii=False, indent=2))
        return
    state = "reached a facility" if found.reached_facility else "in custody"
    click.echo(f"{found.asset_id} ({found.kind}{', ' + found.category if found.category else ''})"
               f": now in {found.container or 'nothing (never handed on)'}; {state}")
    for h in found.path:
        click.echo(f"  path #{h['seq']} {h['server_time']} {h['source']} -> {h['dest']} "
                   f"{h['action'] or ''}")
    for h in found.history:
        flags = f" [{', '.join(h['flags'])}]" if h["flags"] else ""
        click.echo(f"  seen #{h['seq']} {h['server_time']} {h['source']} -> {h['dest']} "
                   f"{h['action'] or ''}{flags}")


@cli.command()
@click.option("--against", "checkpoint_file", type=click.File("r", encoding="utf-8"),
              help="A signed checkpoint the history must still match.")
@click.option("--key", "trusted_key",
              help="The verifier key (or a file holding it) the checkpoint must be signed with; "
                   "default: the one `custody init` wrote in the data folder.")
@pass_ctx
def verify(ctx: Context, checkpoint_file, trusted_key: str | None) -> None:
    """Walk the ledger and report the first bad record, if any (exit 1).

    With --against, only the public verifier key is read: never the private key.
    """
    if checkpoint_file is not None:
        key = _verifier_key(ctx, trusted_key)
        try:
            report = ledger.verify_against(ctx.db, checkpoint_file.read(), key)
        except CheckpointError as exc:
            raise click.ClickException(str(exc)) from exc
    else:
        report = ledger.verify(ctx.db)
    if report.ok:
        click.echo(f"ok: {report.count} records, head {report.head_hash}")
        return
    click.echo(f"BROKEN at record {report.broken.seq}: {report.broken.reason} "
               f"({report.count} records verified before it)")
    sys.exit(1)


def _verifier_key(ctx: Context, given: str | None) -> str:
    """The trusted verifier key: given (itself or a file), or the data folder's."""
    if given and Path(given).is_file():
        return Path(given).read_text(encoding="utf-8").strip()
    if given:
        return given.strip()
    found = ledger.read_verifier_key(ctx.settings.checkpoint_public_key_file)
    if found is None:
        raise click.ClickException(
            f"no verifier key at {ctx.settings.checkpoint_public_key_file}: pass --key with "
            "the key the ledger publishes at /ledger/key")
    return found


@cli.command()
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-",
              help="Output file (default stdout).")
@pass_ctx
def checkpoint(ctx: Context, out) -> None:
    """Sign a checkpoint (count, head hash, time), publish it at /ledger/checkpoint, print it."""
    key = ledger.load_or_create_signing_key(ctx.settings.checkpoint_key_file)
    ledger.write_verifier_key(ctx.settings.checkpoint_public_key_file, key,
                              ctx.settings.ledger_origin)
    try:
        out.write(ledger.make_checkpoint(ctx.db, key, ctx.settings.ledger_origin))
    except CheckpointError as exc:
        raise click.ClickException(str(exc)) from exc


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


@cli.group("rollups")
def rollups_group() -> None:
    """Daily tonnage rollups: rebuild them, read tonnage and mass balance as CSV."""


@rollups_group.command("rebuild")
@pass_ctx
def rollups_rebuild(ctx: Context) -> None:
    """Recompute the daily rollups from the whole ledger."""
    from tqdm import tqdm

    from custody.services import rollups

    with tqdm(desc="rebuilding", unit="record") as bar:
        rows = rollups.rebuild(ctx.db, progress=bar.update)
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


def main() -> None:
    """Entry point of the ``custody`` console script."""
    cli()

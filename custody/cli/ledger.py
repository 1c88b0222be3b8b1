"""The ledger: ``custody handover``, ``where``, ``verify`` and ``checkpoint``."""

from __future__ import annotations

import json
import sys
from datetime import UTC
from pathlib import Path

import click

from custody.cli.base import Context, cli, pass_ctx
from custody.domain.model import Action, Category, HandoverDraft, Point, Role
from custody.services import assets, handovers, ledger, whereabouts
from ledgercheck import CheckpointError


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

"""Accounts: ``custody users`` (passwords for browsers, tokens for phones)."""

from __future__ import annotations

import sys

import click

from custody.cli.base import Context, cli, pass_ctx
from custody.domain.model import Role
from custody.services import accounts, devices


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
    device_id, token = devices.issue_device_token(
        ctx.db, accounts.actor_id_by_name(ctx.db, name), device_name)
    click.echo(f"device {device_id} enrolled for {name}; token (shown once):", err=True)
    click.echo(token)


@users_group.command("devices")
@click.argument("name", required=False)
@pass_ctx
def users_devices(ctx: Context, name: str | None) -> None:
    """List enrolled devices, of one user or of everyone."""
    actor_id = accounts.actor_id_by_name(ctx.db, name) if name else None
    for d in devices.list_devices(ctx.db, actor_id):
        state = f"revoked {d.revoked_at:%Y-%m-%d %H:%M}" if d.revoked_at else "active"
        used = f"{d.last_used_at:%Y-%m-%d %H:%M}" if d.last_used_at else "never"
        click.echo(f"{d.id}\t{d.actor_name}\t{d.name}\t{state}\tlast used {used}")


@users_group.command("revoke")
@click.argument("device_id", type=int)
@pass_ctx
def users_revoke(ctx: Context, device_id: int) -> None:
    """Revoke a device's token; its next request is refused."""
    devices.revoke_device(ctx.db, device_id)
    click.echo(f"device {device_id} revoked")

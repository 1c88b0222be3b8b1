"""The ``custody`` command: set up, register, record, inspect, verify, serve.

One module per command group; importing this package registers every command on ``cli``.
"""

from __future__ import annotations

from custody.cli import assets, demo, labels, ledger, rollups, server, users  # noqa: F401
from custody.cli.base import cli

__all__ = ["cli", "main"]


def main() -> None:
    """Entry point of the ``custody`` console script."""
    cli()

"""``python -m ledgercheck``: check a ledger against a signed checkpoint, with its public key.

    python -m ledgercheck --checkpoint https://HOST/ledger/checkpoint \\
        --key https://HOST/ledger/key --database postgresql://reader@db/custody

``--checkpoint`` and ``--key`` take a file, ``-`` (stdin, checkpoint only), an http(s)
URL, or for the key the verifier key itself. Exit 0: every record is intact and the
first ``count`` records are the ones the checkpoint pinned. Exit 1: the ledger is
broken or rewritten (the first bad record is named). Exit 2: the checkpoint or the
key cannot be trusted or read.
"""

from __future__ import annotations

import argparse
import sys
import urllib.request
from pathlib import Path

from ledgercheck.chain import check_chain, open_read_only
from ledgercheck.note import CheckpointError, open_checkpoint

TIMEOUT_S = 30


def _read(source: str, *, allow_literal: bool = False) -> str:
    """Text from a URL, stdin, a file, or (a verifier key) the argument itself."""
    if source.startswith(("https://", "http://")):
        with urllib.request.urlopen(source, timeout=TIMEOUT_S) as response:  # noqa: S310
            return response.read(1 << 20).decode()
    if source == "-":
        return sys.stdin.read()
    if allow_literal and "+" in source and not Path(source).exists():
        return source
    return Path(source).read_text(encoding="utf-8")


def check(note: str, key: str, database_url: str) -> tuple[int, str]:
    """(exit code, message) of checking the ledger at ``database_url`` against ``note``."""
    try:
        pinned = open_checkpoint(note, key)
    except CheckpointError as exc:
        return 2, f"checkpoint not trusted: {exc}"
    conn = open_read_only(database_url)
    try:
        report, (head_seq, head_hash) = check_chain(conn, [pinned.count])
    finally:
        conn.close()
    if report.broken_at is not None and report.broken_at <= max(pinned.count, 1):
        return 1, f"BROKEN at record {report.broken_at}: {report.reason}"
    if pinned.count and report.count < pinned.count:
        return 1, (f"BROKEN: the checkpoint of {pinned.time} pinned {pinned.count} records; "
                   f"only {report.count} remain")
    if pinned.count and report.hashes_at.get(pinned.count) != pinned.head_hash:
        return 1, (f"BROKEN at record {pinned.count}: history rewritten, it no longer has the "
                   f"hash the checkpoint of {pinned.time} signed")
    if report.broken_at is not None:
        return 1, (f"BROKEN at record {report.broken_at} (after the checkpoint's "
                   f"{pinned.count}): {report.reason}")
    if (head_seq, head_hash) != (report.count, report.head_hash):
        return 1, (f"BROKEN: the ledger head names record {head_seq}, but the chain ends at "
                   f"record {report.count}")
    return 0, (f"ok: {report.count} records intact; the first {pinned.count} are those the "
               f"checkpoint of {pinned.time} by {pinned.origin} pinned; head {report.head_hash}")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, check, print the verdict, return the exit code."""
    parser = argparse.ArgumentParser(prog="ledgercheck", description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", required=True, help="file, URL or - (stdin)")
    parser.add_argument("--key", required=True, help="verifier key, or a file or URL holding it")
    parser.add_argument("--database", required=True,
                        help="read-only URL: sqlite:////path/custody.sqlite or postgresql://...")
    args = parser.parse_args(argv)
    try:
        note = _read(args.checkpoint)
        key = _read(args.key, allow_literal=True).strip()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read the checkpoint or the key: {exc}", file=sys.stderr)
        return 2
    code, message = check(note, key, args.database)
    print(message, file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())

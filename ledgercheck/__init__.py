"""ledgercheck: check a Custody ledger against a signed checkpoint, with the public key alone.

A standalone verifier for third parties: it imports neither Custody nor Flask nor
SQLAlchemy, needs only ``cryptography`` (and ``psycopg`` for PostgreSQL), opens the
database read-only, and recomputes every record's hash from the documented encoding
itself rather than trusting the server's code. Run it as ``python -m ledgercheck``.

    note      the checkpoint format: a C2SP signed note (Ed25519), tlog-checkpoint layout
    chain     the ledger's canonical encoding and the walk over the stored records
"""

from ledgercheck.chain import ChainReport, check_chain, open_read_only, record_hash
from ledgercheck.note import (
    Checkpoint,
    CheckpointError,
    open_checkpoint,
    parse_verifier_key,
    sign_checkpoint,
    verifier_key,
)

__all__ = [
    "ChainReport",
    "Checkpoint",
    "CheckpointError",
    "check_chain",
    "open_checkpoint",
    "open_read_only",
    "parse_verifier_key",
    "record_hash",
    "sign_checkpoint",
    "verifier_key",
]

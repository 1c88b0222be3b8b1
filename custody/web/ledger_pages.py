"""The ledger's public proofs: the newest signed checkpoint and the key that verifies it.

Third parties fetch both (and keep the key from the first fetch: a key that
changes is a reason to ask why) and check the ledger with ``python -m ledgercheck``.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from custody.services import ledger
from custody.web import get_db, get_settings
from custody.web.errors import error_reply

bp = Blueprint("ledger_pages", __name__)


def _text(body: str) -> Response:
    """A plain UTF-8 text document that caches briefly."""
    response = Response(body, mimetype="text/plain")
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


@bp.get("/ledger/checkpoint")
def checkpoint():
    """The newest signed checkpoint (a C2SP signed note)."""
    note = ledger.latest_checkpoint(get_db(current_app))
    if note is None:
        return error_reply(404, "no_checkpoint", "no checkpoint has been published yet")
    return _text(note)


@bp.get("/ledger/key")
def verifier_key():
    """The verifier key: ``<name>+<key id>+<base64 Ed25519 public key>``."""
    published = ledger.read_verifier_key(get_settings(current_app).checkpoint_public_key_file)
    if published is None:
        return error_reply(404, "no_key", "no verifier key has been published yet")
    return _text(published + "\n")

"""The least a scan server can do, for ``ingest.py --floor``: the bound on any app built this way.

A bare WSGI app, served by the same gunicorn as the real one: it reads the
upload, decodes the photo in the same isolated decoder pool
(``scanners.IsolatedScanner``), stores it with the same durable photo store,
and answers 201 with the codes. No Flask, no accounts, no database, no
custody rules. What the real app adds costs CPU on top of this, so the rate
this app reaches is the most the real one could reach on the same machine.

Not part of the service: it checks nothing and records nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import scanners
from custody.services.photos import PhotoStore

_lock = threading.Lock()
_scanner: scanners.IsolatedScanner | None = None
_store = PhotoStore(Path(os.environ.get("CUSTODY_DATA_DIR", ".")) / "photos")


def _decoders() -> scanners.IsolatedScanner:
    """This worker's decoder pool, as many processes as the real app starts."""
    global _scanner
    with _lock:
        if _scanner is None:
            _scanner = scanners.IsolatedScanner(
                workers=int(os.environ.get("CUSTODY_SCAN_WORKERS", "2")))
    return _scanner


def _photo_part(body: bytes, content_type: str) -> bytes:
    """The bytes of the multipart field named ``photo``.

    A bare search, not ``custody.web.forms.split_multipart``: the floor must cost no
    more than any server would, so that it stays a bound on the real app.
    """
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    start = body.index(b"\r\n\r\n", body.index(b'name="photo"')) + 4
    return body[start:body.index(b"\r\n--" + boundary, start)]


def app(environ, start_response):
    """POST anything: decode and store its photo. GET: 200, so the benchmark sees it up."""
    if environ["REQUEST_METHOD"] != "POST":
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", "2")])
        return [b"{}"]
    body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
    photo = _photo_part(body, environ["CONTENT_TYPE"])
    contents = _decoders().read(photo)
    sha = _store.put(photo, sha256=hashlib.sha256(photo).hexdigest())
    out = json.dumps({"codes": [c.text for c in contents.codes], "photo": sha}).encode()
    start_response("201 Created", [("Content-Type", "application/json"),
                                   ("Content-Length", str(len(out)))])
    return [out]

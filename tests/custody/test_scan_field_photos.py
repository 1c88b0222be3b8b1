"""Field photos through the phone's path: POST /api/v1/scans to the production app.

The photos are rendered by the sample corpus's camera model (``sample_images/``)
with the district's genuine labels: a bag and its bin on a bent bag, and the
same pair out of focus, each at a severity (``sample_images/severity.py``)
where one plain zxing-cpp call reads at most one of the two codes; the
scanner's cascade, in its isolated worker processes, must read both and record
the deposit. A bag photographed without its label must get a clear 422 (no
code) and record nothing.
"""

from __future__ import annotations

import importlib
import sys
import uuid
from pathlib import Path

import pytest
import zxingcpp
from sqlalchemy import func, select

import scanners
from custody.db.schema import Handover
from tests.custody.photos import IDENTITY

pytestmark = [pytest.mark.usefixtures("people"), pytest.mark.slow]
SAMPLES = Path(__file__).resolve().parents[2] / "sample_images"
SEED = 777  # neither the committed nor the holdout corpus's seed


def field_photo(cls: str, index: int, texts: list[str] | None,
                severity: float | None = None) -> bytes:
    """A JPEG as phone.js uploads it, of these codes' labels, in condition class ``cls``."""
    sys.path[:0] = [str(SAMPLES)]
    try:
        generate = importlib.import_module("generate")
    finally:
        sys.path.remove(str(SAMPLES))
    data, entry = generate.photograph(cls, index, SEED, texts, severity)
    assert entry["codes"] == sorted(texts or [])
    return data


def post(app, auth, photo):
    """The phone's request: a photo and the action, with an idempotency key."""
    import io

    return app.test_client().post(
        "/api/v1/scans", data={"action": "deposit", "photo": (io.BytesIO(photo), "p.jpg")},
        headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
        content_type="multipart/form-data")


@pytest.mark.parametrize(("cls", "index", "severity"), [("curved", 1, 0.3), ("blurred", 3, 0.6)])
def test_a_hard_photo_of_bag_and_bin_records_the_deposit(settings, db, people, district,
                                                         cls, index, severity):
    from custody.web import create_app

    texts = [IDENTITY.make_code(district.kitchen_bag), IDENTITY.make_code(district.kitchen_bin)]
    photo = field_photo(cls, index, texts, severity)
    plain = zxingcpp.read_barcodes(scanners._image.open_photo(photo).gray(1),
                                   formats=zxingcpp.BarcodeFormat.QRCode)
    assert len({c.text for c in plain} & set(texts)) < 2  # the plain library misses one
    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db})
    try:
        response = post(app, people["collector"]["auth"], photo)
    finally:
        app.extensions["custody.scanning"].read.__self__.close()
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [(h["source"], h["dest"]) for h in body["handovers"]] == [
        (district.kitchen_bag, district.kitchen_bin)]
    assert sorted(c["text"] for c in body["codes"]) == sorted(texts)


def test_a_bag_without_a_label_is_a_clear_422_and_records_nothing(settings, db, people):
    from custody.web import create_app

    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db})
    try:
        response = post(app, people["collector"]["auth"], field_photo("none", 0, None))
    finally:
        app.extensions["custody.scanning"].read.__self__.close()
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "no_code" and error["message"] and error["message_zh"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Handover)) == 0

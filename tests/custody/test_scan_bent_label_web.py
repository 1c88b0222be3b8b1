"""A bag label that bends with the bag: the phone's photo still records the deposit."""

from __future__ import annotations

import io
import uuid
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import zxingcpp
from PIL import Image

import scanners
from tests.custody.photos import label_image

pytestmark = pytest.mark.usefixtures("people")
BACKGROUND = 118


@pytest.fixture
def app(settings, db):
    from custody.web import create_app

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                       "SCANNER": SimpleNamespace(read=scanners.read_photo)})


def bent(asset_id: str, amplitude: float = 4, period: float = 200) -> np.ndarray:
    """The asset's label on a wavy plastic bag: rows bow up and down along the label."""
    label = np.asarray(label_image(asset_id).convert("L"))
    pad = int(2 * amplitude) + 20
    label = cv2.copyMakeBorder(label, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=BACKGROUND)
    yy, xx = np.mgrid[0:label.shape[0], 0:label.shape[1]].astype(np.float32)
    my = yy + amplitude * np.sin(2 * np.pi * xx / period)
    mx = xx + 0.4 * amplitude * np.sin(2 * np.pi * yy / (1.3 * period))
    return cv2.remap(label, mx, my, cv2.INTER_LINEAR, borderValue=BACKGROUND)


def bag_and_bin_photo(bag: str, bin_: str) -> bytes:
    """A 1600 x 1200 phone JPEG: the bag's bent label and the bin's flat one."""
    photo = np.full((1200, 1600), BACKGROUND, np.uint8)
    bag_label = bent(bag)
    bin_label = np.asarray(label_image(bin_).convert("L"))
    photo[300:300 + bag_label.shape[0], 80:80 + bag_label.shape[1]] = bag_label
    photo[500:500 + bin_label.shape[0], 800:800 + bin_label.shape[1]] = bin_label
    out = io.BytesIO()
    Image.fromarray(photo).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def test_a_deposit_with_the_bag_label_bent_round_the_bag_is_recorded(client, people, district):
    photo = bag_and_bin_photo(district.kitchen_bag, district.kitchen_bin)
    gray = np.asarray(Image.open(io.BytesIO(photo)).convert("L"))
    plain = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len([c for c in plain if c.valid]) == 1  # the plain library reads the bin only
    response = client.post(
        "/api/v1/scans", content_type="multipart/form-data",
        data={"action": "deposit", "photo": (io.BytesIO(photo), "p.jpg")},
        headers={**people["collector"]["auth"], "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [(h["source"], h["dest"], h["action"]) for h in body["handovers"]] == [
        (district.kitchen_bag, district.kitchen_bin, "deposit")]

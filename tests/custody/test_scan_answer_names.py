"""A scan's answer names its assets (kind, category, name, a label in the phone's language)."""

from __future__ import annotations

import io
import uuid
from types import SimpleNamespace

import pytest

import scanners
from tests.custody.photos import phone_photo


@pytest.fixture
def app(settings, db):
    from custody.web import create_app

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                       "SCANNER": SimpleNamespace(read=scanners.read_photo)})


def post_scan(client, people, action: str, photo: bytes, lang: str = "zh"):
    """A scan as the phone page sends it: multipart, device token, idempotency key."""
    return client.post("/api/v1/scans", data={"action": action,
                                              "photo": (io.BytesIO(photo), "photo.jpg")},
                       headers={**people["collector"]["auth"], "Accept": "application/json",
                                "Idempotency-Key": str(uuid.uuid4()), "Accept-Language": lang})


def test_a_recorded_scan_names_its_bag_and_bin(client, people, district):
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    answer = post_scan(client, people, "deposit", photo)
    assert answer.status_code == 201
    assets = answer.get_json()["assets"]
    assert assets[district.kitchen_bag] == {"kind": "bag", "category": "kitchen", "name": None,
                                            "label": "厨余垃圾 · 垃圾袋"}
    assert assets[district.kitchen_bin]["label"] == "厨余垃圾 · 垃圾桶"


def test_a_refused_scan_names_what_the_photo_shows_in_english_too(client, people, district):
    photo = phone_photo(district.kitchen_bin, district.cart)
    answer = post_scan(client, people, "unload", photo, lang="en")  # no transfer room
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["error"]["code"] == "scan_not_understood"
    assert body["assets"][district.cart]["label"] == "cart 1 · Vehicle"
    assert body["assets"][district.kitchen_bin]["label"] == "Kitchen waste · Bin"

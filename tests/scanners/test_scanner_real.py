"""Real photos and real-photo conditions: what a phone sees is read, and read once per place."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import zxingcpp

import scanners
from scanners import _decode, _image, _scan

SMALL = (0.05, 0.05, 0.5, 0.5)


def _real(kit) -> list[dict]:
    """The committed real photos of sample_images/real (ZXing's own, Apache-2.0)."""
    entries = json.loads((kit.SAMPLES / "real" / "manifest.json").read_text())["images"]
    return [e for e in entries if e["file"].startswith("committed/")]


def test_the_committed_real_photos_are_read_with_their_exact_texts(kit):
    photos = _real(kit)
    assert {e["class"] for e in photos} == {"cloth", "perspective", "lighting"}
    for entry in photos:
        data = (kit.SAMPLES / "real" / entry["file"]).read_bytes()
        texts = [c.text for c in scanners.decode(data)]
        assert Counter(texts) == Counter(entry["codes"]), entry["file"]


def test_a_code_on_a_folded_shirt_is_read_by_zbar_on_the_crop_zxing_could_not_decode(kit):
    entry = next(e for e in _real(kit) if e["file"].endswith("qrcode-4/09.png"))
    photo = _image.open_photo((kit.SAMPLES / "real" / entry["file"]).read_bytes())
    gray = photo.gray(1)
    plain = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    assert not [c for c in plain if c.valid]  # the plain library reads nothing here
    scan = _decode.cascade(photo, list(_decode._shared_engines()))
    assert [c.text for c in scan.codes] == entry["codes"] and scan.read_by == ["crops"]


def test_a_code_on_a_wavy_shirt_is_read_along_its_bent_module_grid(kit):
    entry = next(e for e in _real(kit) if e["file"].endswith("qrcode-4/13.png"))
    photo = _image.open_photo((kit.SAMPLES / "real" / entry["file"]).read_bytes())
    plain = zxingcpp.read_barcodes(photo.gray(1), formats=zxingcpp.BarcodeFormat.QRCode)
    assert not [c for c in plain if c.valid]  # the plain library reads nothing here
    scan = _decode.cascade(photo, list(_decode._shared_engines()))
    assert [c.text for c in scan.codes] == entry["codes"] and scan.read_by == ["mesh"]
    assert "whole" not in scan.stages  # read before the costly CNN is asked


def test_two_symbols_with_one_text_at_two_places_are_two_reads(kit):
    codes = scanners.decode(kit.encode(kit.scene([kit.TEXT_BAG, kit.TEXT_BAG]), "PNG"))
    assert [c.text for c in codes] == [kit.TEXT_BAG, kit.TEXT_BAG]
    (ax, _), (bx, _) = (_scan.centre(c.points) for c in sorted(codes, key=lambda c: c.points))
    assert abs(ax - bx) > 150  # side by side, one read each


def dark_photo(kit) -> np.ndarray:
    """Two labels at about -4.5 EV, noisy, with a lamp's bright spot in the frame."""
    frame = kit.scene([kit.TEXT_BAG, kit.TEXT_BIN], size=(1600, 1200), module=8)
    dark = frame.astype(np.float32) * 0.05 + np.random.default_rng(1).normal(0, 1.2, frame.shape)
    yy, xx = np.mgrid[0:1200, 0:1600]
    dark += 255 * np.exp(-((xx - 1300) ** 2 + (yy - 900) ** 2) / (2 * 60**2))
    return np.clip(dark, 0, 255).astype(np.uint8)


def test_a_dark_photo_with_a_lamp_in_it_is_read_by_the_gamma_stage(kit):
    gray = dark_photo(kit)
    plain = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    assert not [c for c in plain if c.valid]
    scan = _decode.cascade(_image.open_photo(kit.encode(gray, "PNG")),
                           list(_decode._shared_engines()))
    assert sorted(c.text for c in scan.codes) == sorted([kit.TEXT_BAG, kit.TEXT_BIN])
    assert "gamma" in scan.read_by


def test_a_small_photo_where_a_symbol_was_seen_can_always_afford_the_cnn():
    first = scanners.FakeEngine(unread=(SMALL,))
    cnn = scanners.FakeEngine(("B",), box=SMALL)
    cnn.cost_mp = 9.0  # what WeChat costs: 156 passes of this 240 x 240 photo
    scan = _decode.cascade(_image.Photo.from_array(np.full((240, 240), 150, np.uint8)),
                           [first, cnn])
    assert [c.text for c in scan.codes] == ["B"] and scan.read_by == ["whole"]


def test_a_small_photo_where_nothing_was_seen_does_not_pay_for_the_cnn():
    cnn = scanners.FakeEngine(("B",))
    cnn.cost_mp = 9.0
    scan = _decode.cascade(_image.Photo.from_array(np.full((240, 240), 150, np.uint8)),
                           [scanners.FakeEngine(), cnn])
    assert scan.codes == [] and "whole" in scan.skipped and cnn.calls == 0


def test_every_real_photo_names_its_source_licence_split_and_checksum(kit):
    import hashlib

    entries = json.loads((kit.SAMPLES / "real" / "manifest.json").read_text())["images"]
    assert len(entries) == 150
    for entry in entries:
        assert entry["source"]["package"] and entry["source"]["licence"], entry["file"]
        assert entry["split"] in ("tune", "holdout") and len(entry["sha256"]) == 64
    for entry in _real(kit):  # what is committed is what the package shipped
        data = (kit.SAMPLES / "real" / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    splits = Counter((e["class"], e["split"]) for e in entries)
    assert all(abs(splits[c, "tune"] - splits[c, "holdout"]) <= 1 for c, _ in splits)

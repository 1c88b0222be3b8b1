"""The public surface: exports, Decoded, numpy input, multi-code photos, the cascade."""

from __future__ import annotations

import ast
import logging
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np

import scanners
from scanners import (
    _decode,
    _engines,
    _exceptions,
    _fake,
    _image,
    _isolation,
    _metadata,
    _wechat,
)


def test_all_lists_every_public_name_of_the_private_modules():
    modules = (_decode, _engines, _exceptions, _fake, _image, _isolation, _metadata, _wechat)
    internal = {"Photo", "open_photo", "metadata_from_exif", "MODEL_MD5", "wechat_model_dir"}
    public = {n for m in modules for n in m.__all__} - internal
    assert public <= set(scanners.__all__)
    assert all(hasattr(scanners, name) for name in scanners.__all__)
    assert sorted(scanners.__all__) == sorted(set(scanners.__all__))


def test_every_public_function_has_a_docstring():
    for name in scanners.__all__:
        assert getattr(scanners, name).__doc__, name


def test_decode_jpeg_bytes_returns_text_points_and_engine(kit):
    (code,) = scanners.decode(kit.encode(kit.scene([kit.TEXT_BAG])))
    assert code.text == kit.TEXT_BAG
    assert code.engine in {"zxing", "opencv", "zbar"}
    assert len(code.points) == 4
    xs = [x for x, _ in code.points]
    assert 20 <= min(xs) < max(xs) <= 20 + kit.qr_array(kit.TEXT_BAG).shape[1]


def test_bag_and_bin_in_one_photo_are_both_returned(kit):
    texts = {c.text for c in scanners.decode(kit.encode(kit.scene([kit.TEXT_BAG, kit.TEXT_BIN])))}
    assert texts == {kit.TEXT_BAG, kit.TEXT_BIN}


def test_the_same_code_at_two_places_is_two_reads(kit):
    codes = scanners.decode(kit.encode(kit.scene([kit.TEXT_BAG, kit.TEXT_BAG])))
    assert [c.text for c in codes] == [kit.TEXT_BAG, kit.TEXT_BAG]
    (a, b) = (min(x for x, _ in c.points) for c in codes)
    assert abs(a - b) > 100  # two places, not one symbol reported twice


def test_numpy_gray_and_bgr_arrays_are_accepted(kit):
    gray = kit.scene([kit.TEXT_BIN])
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    assert [c.text for c in scanners.decode(gray)] == [kit.TEXT_BIN]
    assert [c.text for c in scanners.decode(bgr)] == [kit.TEXT_BIN]


def test_a_photo_without_codes_returns_an_empty_list(kit):
    assert scanners.decode(kit.encode(np.full((480, 640), 128, np.uint8))) == []


def test_a_failing_engine_is_logged_and_skipped(kit, caplog):
    broken, spare = scanners.FakeEngine(action="raise"), scanners.FakeEngine(("X",))
    with caplog.at_level(logging.WARNING, logger="scanners"):
        codes = scanners.decode(kit.scene([]), engines=[broken, spare])
    assert [c.text for c in codes] == ["X"]
    assert broken.calls == 1  # not retried on every stage
    assert "fake failed" in caplog.text


def test_fallback_engines_run_only_when_the_first_finds_nothing(kit):
    first, second = scanners.FakeEngine(("A",)), scanners.FakeEngine(("B",))
    assert [c.text for c in scanners.decode(kit.scene([]), engines=[first, second])] == ["A"]
    assert second.calls == 0
    empty, second = scanners.FakeEngine(()), scanners.FakeEngine(("B",))
    assert [c.text for c in scanners.decode(kit.scene([]), engines=[empty, second])] == ["B"]


def test_the_first_stage_reads_the_full_resolution_photo(kit):
    fake = scanners.FakeEngine(())
    scanners.decode(kit.encode(np.full((3000, 4000), 128, np.uint8)), engines=[fake])
    assert fake.shapes[0] == (3000, 4000)


def test_small_code_in_a_12_mp_frame_is_found(kit):
    frame = np.full((3000, 4000), 140, np.uint8)
    code = cv2.resize(kit.qr_array(kit.TEXT_BAG, 1), None, fx=3, fy=3, interpolation=cv2.INTER_AREA)
    frame[1500 : 1500 + code.shape[0], 2500 : 2500 + code.shape[1]] = code  # 3 px per module
    frame = cv2.GaussianBlur(frame, (0, 0), 0.8)
    assert [c.text for c in scanners.decode(kit.encode(frame, quality=90))] == [kit.TEXT_BAG]


def test_cascade_plan_is_full_crops_deblur_other_engines_gamma_clahe():
    first, wechat, zbar = scanners.FakeEngine(), scanners.FakeEngine(), scanners.ZbarEngine()
    plan = _decode.plan([first, wechat, zbar])
    assert plan == [("full", first), ("crops", None), ("deblur", first), ("whole", wechat),
                    ("gamma", first), ("clahe", first)]


def test_concurrent_decodes_in_threads_each_get_their_own_codes(kit):
    photos = {t: kit.encode(kit.scene([t])) for t in (kit.TEXT_BAG, kit.TEXT_BIN)}
    engines = [scanners.OpenCVEngine()]  # the one engine with per-call state
    with ThreadPoolExecutor(4) as pool:
        jobs = [(t, pool.submit(scanners.decode, photos[t], engines=engines)) for t in photos] * 4
        assert all([c.text for c in job.result()] == [t] for t, job in jobs)


def test_near_bag_and_far_bin_in_a_12_mp_photo_are_both_returned(kit):
    frame = np.full((3000, 4000), 140, np.uint8)
    near = kit.qr_array(kit.TEXT_BAG, 20)
    frame[200 : 200 + near.shape[0], 200 : 200 + near.shape[1]] = near
    far = cv2.resize(kit.qr_array(kit.TEXT_BIN, 1), None, fx=5, fy=5,
                     interpolation=cv2.INTER_NEAREST)  # seen at 1/4 size, too small to read
    frame[2000 : 2000 + far.shape[0], 2500 : 2500 + far.shape[1]] = far
    frame = cv2.GaussianBlur(frame, (0, 0), 1.0)
    texts = {c.text for c in scanners.decode(kit.encode(frame, quality=90))}
    assert texts == {kit.TEXT_BAG, kit.TEXT_BIN}


def test_the_library_imports_neither_custody_nor_flask():
    code = "import sys, scanners; print(sorted({m.split('.')[0] for m in sys.modules}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert not {"custody", "flask"} & set(ast.literal_eval(out.stdout))

"""Each engine reads a label alone; a missing libzbar or unverified model degrades, never fails."""

from __future__ import annotations

import logging
import pickle
import shutil
import sys

import pytest

import scanners
from scanners import _engines, _wechat

ENGINES = [scanners.ZxingEngine, scanners.OpenCVEngine, scanners.ZbarEngine, scanners.WeChatEngine]


@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_reads_a_clean_label(kit, engine):
    (code,) = engine().read(kit.scene([kit.TEXT_BAG]))
    assert code.text == kit.TEXT_BAG and len(code.points) == 4


def test_engines_survive_pickling_for_worker_processes(kit):
    for engine in scanners.default_engines():
        clone = pickle.loads(pickle.dumps(engine))
        assert [c.text for c in clone.read(kit.scene([kit.TEXT_BIN]))] == [kit.TEXT_BIN]


def test_default_cascade_order_is_zxing_wechat_zbar():
    assert [e.name for e in scanners.default_engines()] == ["zxing", "wechat", "zbar"]


def test_wechat_models_are_the_ones_opencv_publishes():
    folder = _wechat.wechat_model_dir()
    assert sorted(p.name for p in folder.iterdir() if p.name in _wechat.MODEL_MD5) == sorted(
        _wechat.MODEL_MD5)


def test_wechat_refuses_a_model_file_that_differs_from_opencvs(tmp_path, monkeypatch, caplog):
    shutil.copytree(_wechat.wechat_model_dir(), tmp_path / "models")
    model = tmp_path / "models" / "detect.caffemodel"
    data = bytearray(model.read_bytes())
    data[1000] ^= 0xFF  # one flipped byte
    model.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="checksums"):
        scanners.WeChatEngine(tmp_path / "models")
    monkeypatch.setenv("SCANNERS_WECHAT_MODELS", str(tmp_path / "models"))
    assert _wechat.wechat_model_dir() != tmp_path / "models"  # the verified copy is chosen
    monkeypatch.setattr(_wechat.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(_engines, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="scanners"):
        engines = scanners.default_engines()
    assert [e.name for e in engines] == ["zxing", "zbar"]
    assert "wechat unavailable" in caplog.text


def test_missing_libzbar_warns_once_and_scanning_still_works(kit, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "pyzbar", None)  # makes `import pyzbar` raise ImportError
    monkeypatch.setitem(sys.modules, "pyzbar.pyzbar", None)
    monkeypatch.setattr(_engines, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="scanners"):
        engines = scanners.default_engines()
        scanners.default_engines()
    assert [e.name for e in engines] == ["zxing", "wechat"]
    assert caplog.text.count("zbar unavailable") == 1
    codes = scanners.decode(kit.encode(kit.scene([kit.TEXT_BAG])), engines=engines)
    assert [c.text for c in codes] == [kit.TEXT_BAG]


def test_base_engine_must_be_overridden(kit):
    with pytest.raises(NotImplementedError):
        scanners.Engine().read(kit.scene([]))

"""Each engine reads a label alone; a missing libzbar degrades to the other engines."""

from __future__ import annotations

import logging
import pickle
import sys

import pytest

import scanners
from scanners import _engines

ENGINES = [scanners.ZxingEngine, scanners.OpenCVEngine, scanners.ZbarEngine]


@pytest.mark.parametrize("engine", ENGINES)
def test_each_engine_reads_a_clean_label(kit, engine):
    (code,) = engine().read(kit.scene([kit.TEXT_BAG]))
    assert code.text == kit.TEXT_BAG and len(code.points) == 4


def test_engines_survive_pickling_for_worker_processes(kit):
    for engine in scanners.default_engines():
        clone = pickle.loads(pickle.dumps(engine))
        assert [c.text for c in clone.read(kit.scene([kit.TEXT_BIN]))] == [kit.TEXT_BIN]


def test_default_cascade_order_is_zxing_opencv_zbar():
    assert [e.name for e in scanners.default_engines()] == ["zxing", "opencv", "zbar"]


def test_missing_libzbar_warns_once_and_scanning_still_works(kit, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "pyzbar", None)  # makes `import pyzbar` raise ImportError
    monkeypatch.setitem(sys.modules, "pyzbar.pyzbar", None)
    monkeypatch.setattr(_engines, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="scanners"):
        engines = scanners.default_engines()
        scanners.default_engines()
    assert [e.name for e in engines] == ["zxing", "opencv"]
    assert caplog.text.count("zbar unavailable") == 1
    codes = scanners.decode(kit.encode(kit.scene([kit.TEXT_BAG])), engines=engines)
    assert [c.text for c in codes] == [kit.TEXT_BAG]


def test_base_engine_must_be_overridden(kit):
    with pytest.raises(NotImplementedError):
        scanners.Engine().read(kit.scene([]))

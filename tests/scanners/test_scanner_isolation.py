"""Isolated mode: a crashing, hanging or memory-hungry decoder fails one photo, not the caller."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

import scanners

CRASH_WIDTH = 64  # the fake engine misbehaves only on photos this wide


@pytest.fixture
def photos(kit):
    """A photo that triggers the misbehaviour and a normal one."""
    return kit.encode(np.zeros((48, CRASH_WIDTH), np.uint8)), kit.encode(kit.scene([kit.TEXT_BAG]))


@pytest.mark.parametrize(
    ("action", "error"),
    [("abort", scanners.DecoderCrashed), ("hang", scanners.DecodeTimeout),
     ("hog", scanners.DecoderCrashed)],
)
def test_a_bad_photo_fails_alone_and_the_next_one_decodes(photos, action, error):
    bad, good = photos
    fake = scanners.FakeEngine(("OK",), action=action, only_width=CRASH_WIDTH)
    with scanners.IsolatedScanner(workers=1, timeout=2, memory_mb=1024, engines=[fake]) as pool:
        before = {w.process.pid for w in pool._all}
        with pytest.raises(error):
            pool.decode(bad)
        assert [c.text for c in pool.decode(good)] == ["OK"]
        assert {w.process.pid for w in pool._all}.isdisjoint(before)  # the worker was replaced
    assert os.getpid()  # and we are still here


def test_isolated_scanner_decodes_real_photos_with_real_engines(kit, corpus):
    entry = next(e for e in corpus if len(e["codes"]) > 1)
    data = (kit.SAMPLES / entry["file"]).read_bytes()
    here = sorted(c.text for c in scanners.decode(data))  # the harsh corpus: not every code
    assert len(here) > 1 and set(here) <= set(entry["codes"])
    with scanners.IsolatedScanner(workers=2, timeout=30) as pool:
        assert sorted(c.text for c in pool.decode(data)) == here  # the worker reads the same
        assert [c.text for c in pool.decode(kit.scene([kit.TEXT_BIN]))] == [kit.TEXT_BIN]


def test_refusals_cross_the_process_boundary_as_themselves():
    with scanners.IsolatedScanner(workers=1, engines=[scanners.FakeEngine()]) as pool:
        with pytest.raises(scanners.NotAnImage):
            pool.decode(b"not an image")
        with pytest.raises(scanners.EmptyImage):
            pool.decode(b"")


def test_a_worker_killed_while_idle_is_replaced(photos):
    _, good = photos
    with scanners.IsolatedScanner(workers=1, engines=[scanners.FakeEngine(("OK",))]) as pool:
        (worker,) = pool._all
        worker.process.kill()
        worker.process.join()
        assert [c.text for c in pool.decode(good)] == ["OK"]


def test_read_in_a_worker_equals_read_in_process(kit):
    exif = Image.Exif()
    exif[0x0132], exif[0x0110] = "2026:05:01 07:00:00", "Redmi 12C"
    data = kit.encode(kit.scene([kit.TEXT_BAG, kit.TEXT_BIN]), exif=exif)
    with scanners.IsolatedScanner(workers=1, timeout=30) as pool:
        isolated = pool.read(data)
        with pytest.raises(scanners.NotAnImage):
            pool.read(b"not an image")
    assert isolated == scanners.read_photo(data)
    assert isolated.metadata.model == "Redmi 12C" and len(isolated.codes) == 2

"""The cascade's control: which stages run, when it stops, and how reads are merged."""

from __future__ import annotations

import numpy as np
import pytest

import scanners
from scanners import _decode, _image

LEFT, RIGHT = (0.05, 0.1, 0.4, 0.6), (0.6, 0.1, 0.95, 0.6)


@pytest.fixture(autouse=True)
def stopped_clock(monkeypatch):
    """No CPU time passes unless a test's fake engines say so: every stage fits the budget."""
    monkeypatch.setattr(_decode, "_clock", lambda: 0.0)


class WholePhotoOnly(scanners.FakeEngine):
    """A fake that reads only the whole 800 px wide photo (a crop of it is too blurred)."""

    def read(self, gray):
        """Its codes on the whole photo, nothing elsewhere."""
        reading = super().read(gray)
        return reading if gray.shape[1] == 800 else []


def _run(gray: np.ndarray, *engines) -> tuple[list[str], list[str]]:
    """Texts read and stages run on an array."""
    codes, stages = _decode.run_cascade(_image.Photo.from_array(gray), list(engines))
    return [c.text for c in codes], stages


def test_a_photo_without_a_code_pays_full_other_engines_and_half_size_clahe_only():
    first, second = scanners.FakeEngine(), scanners.FakeEngine()
    texts, stages = _run(np.full((600, 800), 150, np.uint8), first, second)
    assert texts == [] and stages == ["full", "whole", "clahe"]
    assert first.shapes == [(600, 800), (300, 400)] and second.shapes == [(600, 800)]


def test_a_dark_photo_without_a_code_also_gets_the_gamma_stage():
    first = scanners.FakeEngine()
    texts, stages = _run(np.full((600, 800), 20, np.uint8), first)
    assert texts == [] and stages == ["full", "gamma", "clahe"]
    assert first.shapes == [(600, 800), (300, 400), (300, 400)]


def test_every_seen_symbol_read_stops_after_the_first_stage():
    first = scanners.FakeEngine(("A",), box=LEFT, unread=(LEFT,))
    second = scanners.FakeEngine(("B",), box=RIGHT)
    assert _run(np.full((600, 800), 150, np.uint8), first, second) == (["A"], ["full"])
    assert second.calls == 0


def test_a_symbol_seen_where_no_code_was_read_keeps_the_cascade_going():
    first = WholePhotoOnly(("A",), box=LEFT, unread=(RIGHT,))
    second = scanners.FakeEngine(("B",), box=RIGHT)
    texts, stages = _run(np.full((600, 800), 150, np.uint8), first, second)
    assert texts == ["A", "B"]
    assert stages == ["full", "crops", "whole"]  # stops once the symbol on the right is read


def test_one_symbol_read_by_two_stages_is_one_read_and_a_clashing_text_is_dropped():
    first = WholePhotoOnly(("A",), box=LEFT, unread=(RIGHT,))
    clash = scanners.FakeEngine(("X", "B"), box=LEFT)  # reads at the left, where A was read
    texts, _ = _run(np.full((600, 800), 150, np.uint8), first, clash)
    assert texts == ["A"]  # neither the repeat of the place nor the other text there


def test_the_cascade_never_returns_a_code_twice_for_one_place(kit):
    codes = scanners.decode(kit.encode(kit.scene([kit.TEXT_BAG, kit.TEXT_BIN])))
    assert sorted(c.text for c in codes) == sorted([kit.TEXT_BAG, kit.TEXT_BIN])


def test_an_eci_utf8_payload_is_read_as_written(kit):
    import io

    import segno
    from PIL import Image

    text = "凤桥镇联丰村 B00012345"
    buf = io.BytesIO()
    segno.make(text, encoding="utf-8", eci=True, error="q").save(buf, kind="png", scale=6,
                                                                  border=4)
    gray = np.asarray(Image.open(buf).convert("L"))
    assert [c.text for c in scanners.decode(kit.encode(gray))] == [text]


class Slow(scanners.FakeEngine):
    """A fake that costs ``seconds`` of CPU per call on the cascade's (fake) clock."""

    def __init__(self, seconds: float, clock: list[float], **kw) -> None:
        super().__init__(**kw)
        self.seconds, self.clock = seconds, clock

    def read(self, gray):
        """Advance the clock, then read."""
        self.clock[0] += self.seconds
        return super().read(gray)


def test_an_expensive_fallback_is_left_out_when_nothing_was_seen(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(_decode, "_clock", lambda: clock[0])
    first = Slow(0.1, clock)
    cnn = Slow(0.25, clock, texts=("A",))
    cnn.cost_s = 0.25  # full 0.1 + 0.25 > 3 x 0.1
    scan = _decode.cascade(_image.Photo.from_array(np.full((600, 800), 150, np.uint8)),
                           [first, cnn])
    assert scan.codes == [] and scan.skipped == ["whole"] and scan.stages == ["full", "clahe"]
    assert cnn.calls == 0 and first.calls == 2  # the cheaper half-size pass still fits


def test_an_expensive_fallback_runs_where_a_symbol_was_seen_but_not_read(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(_decode, "_clock", lambda: clock[0])
    first = Slow(0.1, clock, unread=(RIGHT,))
    cnn = Slow(0.25, clock, texts=("B",), box=RIGHT)
    cnn.cost_s = 0.25  # fits 6 x 0.1 once a symbol is seen
    scan = _decode.cascade(_image.Photo.from_array(np.full((600, 800), 150, np.uint8)),
                           [first, cnn])
    assert [c.text for c in scan.codes] == ["B"] and scan.read_by == ["whole"]

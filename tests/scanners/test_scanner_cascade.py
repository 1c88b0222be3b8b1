"""The cascade's control: which stages run, when it stops, and how reads are merged."""

from __future__ import annotations

import numpy as np

import scanners
from scanners import _decode, _image

LEFT, RIGHT = (0.05, 0.1, 0.4, 0.6), (0.6, 0.1, 0.95, 0.6)


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


def test_a_dark_photo_without_a_code_gets_the_gamma_stage_instead_of_clahe():
    first = scanners.FakeEngine()
    texts, stages = _run(np.full((600, 800), 20, np.uint8), first)
    assert texts == [] and stages == ["full", "gamma"]  # both would cost over 3 passes
    assert first.shapes == [(600, 800), (300, 400)]


def test_a_tiny_photo_without_a_code_gets_the_full_pass_only():
    first = scanners.FakeEngine()  # on 0.03 MP, CLAHE's fixed costs alone are a pass
    assert _run(np.full((150, 200), 150, np.uint8), first) == ([], ["full"])


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
    assert stages == ["full", "crops", "deblur", "whole"]  # stops once the right one is read


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


def test_an_expensive_fallback_is_left_out_when_nothing_was_seen():
    cnn = scanners.FakeEngine(("A",))
    cnn.cost_mp = 1.0  # 2.08 passes on this 0.48 MP photo: 1 + 2.08 > 3
    first = scanners.FakeEngine()
    scan = _decode.cascade(_image.Photo.from_array(np.full((600, 800), 150, np.uint8)),
                           [first, cnn])
    assert scan.codes == [] and scan.skipped == ["whole"] and scan.stages == ["full", "clahe"]
    assert cnn.calls == 0


def test_an_expensive_fallback_runs_where_a_symbol_was_seen_but_not_read():
    first = scanners.FakeEngine(unread=(RIGHT,))
    cnn = WholePhotoOnly(("B",), box=RIGHT)
    cnn.cost_mp = 1.0  # fits 6 passes once a symbol is seen
    scan = _decode.cascade(_image.Photo.from_array(np.full((600, 800), 150, np.uint8)),
                           [first, cnn])
    assert [c.text for c in scan.codes] == ["B"] and scan.read_by == ["whole"]


def test_the_budget_is_a_cost_model_so_a_photo_always_gets_the_same_stages(kit):
    photo = kit.encode(np.full((1536, 2048), 140, np.uint8))
    runs = {tuple(_decode.cascade(_image.open_photo(photo), list(_decode._shared_engines()))
                  .stages) for _ in range(3)}
    assert runs == {("full", "clahe")}  # WeChat would cost 3 passes here by itself


def test_a_defocused_symbol_zxing_located_is_read_from_its_deconvolved_crop(kit):
    import cv2

    from scanners import _restore

    linear = ((np.arange(256) / 255) ** 2.2).astype(np.float32)[kit.scene([kit.TEXT_BAG])]
    blurred = cv2.filter2D(linear, -1, _restore._disc(0.8 * 6))  # 0.8 of a 6 px module
    noise = np.random.default_rng(1).normal(0, 2, blurred.shape)
    gray = np.clip(255 * blurred ** (1 / 2.2) + noise, 0, 255).astype(np.uint8)
    scan = _decode.cascade(_image.Photo.from_array(gray), list(_decode._shared_engines()))
    assert [c.text for c in scan.codes] == [kit.TEXT_BAG] and scan.read_by == ["deblur"]

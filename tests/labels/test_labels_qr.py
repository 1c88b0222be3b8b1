"""QR symbols of label codes: standard symbols (segno) that a decoder reads back."""

from __future__ import annotations

import random
import string

import numpy as np
import pytest
import zxingcpp

from labels._qr import qr_code, qr_matrix, qr_rects, qr_runs

ALPHABET = string.ascii_uppercase + string.digits + ".-"


def random_code(rng: random.Random) -> str:
    """A label-like code with a random host length (QR versions 1-6 and beyond)."""
    host = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 60)))
    tag = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    return f"HTTPS://{host}/T/B{rng.randrange(10**8):08d}A{tag}"


def decoded(matrix: tuple[bytearray, ...]) -> list[tuple[str, str]]:
    """What zxing-cpp reads in the symbol drawn at 5 px a module with its quiet zone."""
    modules = np.array(matrix, np.uint8)
    image = np.kron(np.pad(1 - modules, 4, constant_values=1), np.ones((5, 5), np.uint8))
    found = zxingcpp.read_barcodes((image * 255).astype(np.uint8))
    return [(r.text, r.symbology_identifier) for r in found]


@pytest.mark.parametrize("seed", range(3))
def test_symbols_decode_back_to_the_code(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        code = random_code(rng)
        assert decoded(qr_matrix(code)) == [(code, "]Q1")]


def test_label_codes_are_alphanumeric_level_q() -> None:
    qr = qr_code(random_code(random.Random(1)))
    assert (qr.mode, qr.error, qr.mask) == ("alphanumeric", "Q", 0)


def test_other_text_still_encodes_and_decodes() -> None:
    assert qr_code("https://lower.case/t/x").mode == "byte"
    assert decoded(qr_matrix("https://lower.case/t/x")) == [("https://lower.case/t/x", "]Q1")]


def test_runs_cover_exactly_the_dark_modules() -> None:
    matrix = qr_matrix(random_code(random.Random(2)))
    drawn = np.zeros((len(matrix), len(matrix)), np.uint8)
    for row, start, length in qr_runs(matrix):
        assert not drawn[row, start : start + length].any()
        drawn[row, start : start + length] = 1
    assert np.array_equal(drawn, np.array(matrix, np.uint8))


def test_rectangles_cover_exactly_the_dark_modules_with_fewer_operators() -> None:
    for seed in range(20):
        matrix = qr_matrix(random_code(random.Random(seed)))
        drawn = np.zeros((len(matrix), len(matrix)), np.uint8)
        rects = qr_rects(matrix)
        for row, column, width, height in rects:
            assert not drawn[row : row + height, column : column + width].any()
            drawn[row : row + height, column : column + width] = 1
        assert np.array_equal(drawn, np.array(matrix, np.uint8))
        assert len(rects) < len(qr_runs(matrix))  # finder sides, at least, stack
        assert rects == sorted(rects)

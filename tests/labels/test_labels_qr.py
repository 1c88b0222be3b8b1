"""The fast QR encoder agrees with segno and produces symbols a decoder reads back."""

from __future__ import annotations

import random
import string

import numpy as np
import pytest
import segno
import zxingcpp

from labels._qr import qr_matrix

ALPHABET = string.ascii_uppercase + string.digits + ".-"


def random_code(rng: random.Random) -> str:
    """A label-like code with a random host length (QR versions 1-6 and beyond)."""
    host = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 60)))
    tag = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    return f"HTTPS://{host}/T/B{rng.randrange(10**8):08d}A{tag}"


def segno_pads_an_extra_byte(code: str) -> bool:
    """segno adds a whole zero byte when the bit stream already ends on a byte boundary."""
    bits = 4 + 9 + 11 * (len(code) // 2) + 6 * (len(code) % 2) + 4
    return bits % 8 == 0


def test_matrices_equal_segno_for_every_mask() -> None:
    rng = random.Random(7)
    compared = 0
    while compared < 80:
        code = random_code(rng)
        if segno_pads_an_extra_byte(code):
            continue
        for mask in range(8):
            ours = qr_matrix(code, mask)
            theirs = np.array(segno.make_qr(code, error="q", boost_error=False, mask=mask).matrix)
            assert np.array_equal(ours, theirs), (code, mask)
        compared += 1


@pytest.mark.parametrize("seed", range(3))
def test_symbols_decode_back_to_the_code(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        code = random_code(rng)
        matrix = qr_matrix(code)
        image = np.kron(np.pad(1 - matrix, 4, constant_values=1), np.ones((5, 5), np.uint8))
        found = zxingcpp.read_barcodes((image * 255).astype(np.uint8))
        assert [r.text for r in found] == [code]
        assert found[0].symbology_identifier == "]Q1"


def test_non_alphanumeric_text_falls_back_to_segno() -> None:
    matrix = qr_matrix("https://lower.case/t/x")
    reference = segno.make_qr("https://lower.case/t/x", error="q", boost_error=False)
    assert matrix.shape == (reference.symbol_size(border=0)[0],) * 2

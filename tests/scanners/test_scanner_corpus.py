"""The committed field corpus: no wrong text, nothing plain zxing-cpp reads is lost, more is read.

The corpus is rendered with hard classes at phone severities (``sample_images/generate.py``),
so some of its codes are unreadable by design; what must hold is behaviour a
collector notices: never a wrong code, never worse than the plain library.
"""

from __future__ import annotations

from collections import Counter

import pytest
import zxingcpp

import scanners
from scanners._image import open_photo

EASY = {"nominal", "rotations", "shadows", "crumpled"}  # every phone reads these


@pytest.fixture(scope="module")
def reads(corpus, kit):
    """Per photo: (entry, texts the cascade read, texts one plain zxing-cpp call read)."""
    out = []
    for entry in corpus:
        data = (kit.SAMPLES / entry["file"]).read_bytes()
        cascade = [c.text for c in scanners.decode(data)]
        plain = zxingcpp.read_barcodes(open_photo(data).gray(1),
                                       formats=zxingcpp.BarcodeFormat.QRCode)
        out.append((entry, cascade, [c.text for c in plain if c.valid]))
    return out


def test_no_wrong_text_and_no_code_twice(reads):
    for entry, cascade, _ in reads:
        assert not Counter(cascade) - Counter(entry["codes"]), entry["file"]


def test_every_code_plain_zxing_reads_the_cascade_reads_too(reads):
    for entry, cascade, plain in reads:
        assert set(plain) & set(entry["codes"]) <= set(cascade), entry["file"]


def test_the_cascade_reads_codes_plain_zxing_misses(reads):
    right = lambda found, e: len(set(found) & set(e["codes"]))  # noqa: E731
    assert sum(right(c, e) for e, c, _ in reads) > sum(right(p, e) for e, _, p in reads)


def test_easy_classes_are_read_fully_and_photos_without_codes_give_nothing(reads):
    for entry, cascade, _ in reads:
        if entry["class"] in EASY or entry["class"] == "none":
            assert sorted(cascade) == entry["codes"], entry["file"]


def test_corpus_covers_the_hard_classes_of_real_photos(corpus):
    classes = {e["class"] for e in corpus}
    assert {"curved", "glare", "dark", "motion", "blurred", "damaged", "lots", "small",
            "perspective", "none"} <= classes
    assert any(e["size"] == [4000, 3000] for e in corpus)
    assert any(len(e["codes"]) > 5 for e in corpus)

"""Shared helpers for the scanner tests: clean label images and photo files."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import segno
from PIL import Image

SAMPLES = Path(__file__).resolve().parents[2] / "sample_images"
TEXT_BAG = "HTTPS://CUSTODY.NANHU.JIAXING.CN/T/B00012345AMFRGGZDFMZTWQ2LK"
TEXT_BIN = "HTTPS://CUSTODY.NANHU.JIAXING.CN/T/N00000042BKRSXG5DJMJQWY3TP"


def qr_array(text: str, module: int = 6) -> np.ndarray:
    """A clean grayscale QR (v4, level Q) with a 4-module quiet zone."""
    qr = segno.make(text, error="q", version=4, boost_error=False)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=module, border=4)
    return np.asarray(Image.open(buf).convert("L"))


def scene(texts: list[str], size=(800, 600), module: int = 6) -> np.ndarray:
    """A gray frame with the codes side by side."""
    w, h = size
    frame = np.full((h, w), 150, np.uint8)
    x = 20
    for text in texts:
        code = qr_array(text, module)
        frame[20 : 20 + code.shape[0], x : x + code.shape[1]] = code
        x += code.shape[1] + 20
    return frame


def encode(array: np.ndarray, fmt: str = "JPEG", **save) -> bytes:
    """Encode an array as an image file."""
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, fmt, **save)
    return buf.getvalue()


@pytest.fixture(scope="session")
def corpus() -> list[dict]:
    """The committed sample photos and the codes each must yield."""
    return json.loads((SAMPLES / "manifest.json").read_text())["images"]


@pytest.fixture(scope="session")
def kit():
    """This module's helpers and texts (test modules cannot import conftest in importlib mode)."""
    return sys.modules[__name__]

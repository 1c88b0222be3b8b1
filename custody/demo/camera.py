"""A phone's photo of two labels: the real label artwork, warped, lit, grainy, with EXIF.

The two assets' printed artwork (``labels.png_label``, as on the sheets) is
placed on a textured surface, seen from a slight angle, under uneven light,
with grain and JPEG compression, and tagged with a budget phone's EXIF (local
capture time with its offset, GPS). Every photo is drawn from a generator
seeded by its caller: the same seed gives the same bytes.
"""

from __future__ import annotations

import io
import random
from datetime import datetime
from fractions import Fraction
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image

import labels
from custody.domain.model import Point
from custody.services import label_sheets

PHOTO_SIZE = (1200, 900)  # about 1 MP: a phone's reduced upload, decoded in ~15 ms
LABEL_DPI = 250
MAKE, MODEL = "Xiaomi", "Redmi 12C"


def photograph(artwork: list[labels.LabelData], rng: random.Random, taken: datetime,
               point: Point | None, size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A phone photo (JPEG with EXIF) of these labels side by side on a textured surface."""
    gen = np.random.default_rng(rng.getrandbits(64))
    w, h = size
    frame = _surface(gen, w, h)
    for i, label in enumerate(artwork):
        card = _artwork(label)
        centre = (w * ((i + 0.5) / len(artwork) + rng.uniform(-0.03, 0.03)),
                  h * rng.uniform(0.4, 0.6))
        _place(frame, card, centre, w * rng.uniform(0.34, 0.4) * 2 / len(artwork),
               rng.uniform(-10, 10), rng.uniform(0, 0.12), gen)
    light = cv2.resize(np.repeat(gen.uniform(0.8, 1.1, (3, 3, 1)), 3, axis=2).astype(np.float32),
                       (w, h), interpolation=cv2.INTER_LINEAR)
    frame = cv2.multiply(frame, light, dtype=cv2.CV_8U)
    frame = cv2.GaussianBlur(frame, (0, 0), 0.6)
    grain = gen.integers(0, 2 * rng.randint(3, 6) + 1, (h, w), dtype=np.uint8)
    frame = cv2.subtract(cv2.add(frame, cv2.merge([grain] * 3)), int(grain.max()) // 2)
    out = io.BytesIO()
    Image.fromarray(frame).save(out, "JPEG", quality=rng.randint(75, 88),
                                exif=_exif(taken, point))
    return out.getvalue()


@lru_cache(maxsize=256)  # bins, carts and rooms are photographed again and again
def _artwork(label: labels.LabelData) -> np.ndarray:
    """The printed label as RGB pixels, drawn by ``labels.png_label``."""
    return np.asarray(Image.open(io.BytesIO(labels.png_label(label, dpi=LABEL_DPI,
                                                             catalog=label_sheets.CATALOG)))
                      .convert("RGB"))


def _surface(gen: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A bin lid, a bag or a truck's side: a base colour with blotches at two scales."""
    small = (max(2, w // 30), max(2, h // 30))
    coarse = cv2.resize(gen.normal(0, 18, (3, 4, 1)).astype(np.float32), small,
                        interpolation=cv2.INTER_CUBIC)
    shade = coarse + gen.normal(0, 8, (small[1], small[0])).astype(np.float32)
    colour = gen.uniform(40, 170, 3).astype(np.float32) + shade[..., None]
    return cv2.resize(np.clip(colour, 0, 255).astype(np.uint8), (w, h),
                      interpolation=cv2.INTER_LINEAR)


def _place(frame: np.ndarray, card: np.ndarray, centre: tuple[float, float], width: float,
           angle: float, tilt: float, gen: np.random.Generator) -> None:
    """Warp a label into the frame, rotated and seen slightly from one side, in place."""
    card_h, card_w = card.shape[:2]
    half_w, half_h = width / 2, width * card_h / card_w / 2
    quad = np.float32([[-half_w, -half_h], [half_w, -half_h], [half_w, half_h], [-half_w, half_h]])
    quad[:, 0] *= 1 + tilt * np.sign(quad[:, 1])  # keystone: the far edge looks shorter
    quad += gen.normal(0, width * 0.005, quad.shape).astype(np.float32)
    a = np.deg2rad(angle)
    turn = np.float32([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    corners = np.float32([[0, 0], [card_w, 0], [card_w, card_h], [0, card_h]])
    m = cv2.getPerspectiveTransform(corners, quad @ turn.T + np.float32(centre))
    cv2.warpPerspective(card, m, (frame.shape[1], frame.shape[0]), dst=frame,
                        flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT)


def _exif(taken: datetime, point: Point | None) -> bytes:
    """A budget phone's EXIF: camera, local capture time with its offset, and GPS."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = MAKE, MODEL
    offset = taken.strftime("%z")
    exif.get_ifd(0x8769).update({0x9003: taken.strftime("%Y:%m:%d %H:%M:%S"),
                                 0x9011: f"{offset[:3]}:{offset[3:]}"})
    if point is not None:
        exif.get_ifd(0x8825).update({1: "N" if point.lat >= 0 else "S", 2: _dms(point.lat),
                                     3: "E" if point.lon >= 0 else "W", 4: _dms(point.lon)})
    return exif.tobytes()


def _dms(degrees: float) -> tuple[Fraction, Fraction, Fraction]:
    """Degrees as EXIF's degrees, minutes and seconds (to a thousandth of a second)."""
    value = abs(degrees)
    d, rest = int(value), (value - int(value)) * 60
    m = int(rest)
    return Fraction(d), Fraction(m), Fraction(round((rest - m) * 60 * 1000), 1000)

"""A fake engine for tests: returns fixed codes, or raises, crashes, hangs or hogs memory."""

from __future__ import annotations

import os
import time

import numpy as np

from ._base import Decoded, Engine, Reading

__all__ = ["FakeEngine"]

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the image


class FakeEngine(Engine):
    """Return ``texts`` for every image, or misbehave: ``action`` is raise, abort, hang or hog.

    With ``only_width`` the action applies only to images of that width, so one
    photo can crash a worker and the next one decode. ``box`` places the codes
    (x0, y0, x1, y1 as fractions of the image; the whole image by default) and
    ``unread`` lists boxes of symbols seen but not decoded, as zxing reports them.
    """

    name = "fake"

    def __init__(
        self,
        texts: tuple[str, ...] = (),
        action: str | None = None,
        only_width: int | None = None,
        box: Box = (0.0, 0.0, 1.0, 1.0),
        unread: tuple[Box, ...] = (),
    ) -> None:
        if action not in (None, "raise", "abort", "hang", "hog"):
            raise ValueError(f"unknown FakeEngine action {action!r}")
        self.texts = tuple(texts)
        self.action = action
        self.only_width = only_width
        self.box, self.unread = box, tuple(unread)
        self.calls = 0
        self.shapes: list[tuple[int, ...]] = []

    def read(self, gray: np.ndarray) -> Reading:
        """Return the configured codes and unread symbols at their boxes in this image."""
        self.calls += 1
        self.shapes.append(gray.shape)
        action = self.action
        if self.only_width is not None and gray.shape[1] != self.only_width:
            action = None
        if action == "raise":
            raise RuntimeError("fake engine failure")
        if action == "abort":
            os.abort()  # what a segfaulting C decoder looks like from outside
        if action == "hang":
            while True:
                time.sleep(3600)
        if action == "hog":
            hog = [np.empty(2**30, np.uint8) for _ in range(16)]  # 16 GB of address space
            del hog
        h, w = gray.shape[:2]

        def corners(box):
            x0, y0, x1, y1 = box[0] * w, box[1] * h, box[2] * w, box[3] * h
            return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))

        codes = [Decoded(text, corners(self.box), self.name) for text in self.texts]
        return Reading(codes, [corners(b) for b in self.unread])

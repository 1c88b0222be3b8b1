"""A fake engine for tests: returns fixed codes, or raises, crashes, hangs or hogs memory."""

from __future__ import annotations

import os
import time

import numpy as np

from ._engines import Decoded, Engine

__all__ = ["FakeEngine"]


class FakeEngine(Engine):
    """Return ``texts`` for every image, or misbehave: ``action`` is raise, abort, hang or hog.

    With ``only_width`` the action applies only to images of that width, so one
    photo can crash a worker and the next one decode.
    """

    name = "fake"

    def __init__(
        self, texts: tuple[str, ...] = (), action: str | None = None, only_width: int | None = None
    ) -> None:
        if action not in (None, "raise", "abort", "hang", "hog"):
            raise ValueError(f"unknown FakeEngine action {action!r}")
        self.texts = tuple(texts)
        self.action = action
        self.only_width = only_width
        self.calls = 0
        self.shapes: list[tuple[int, ...]] = []

    def read(self, gray: np.ndarray) -> list[Decoded]:
        """Return the configured codes with the image corners as their points."""
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
        corners = ((0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h)))
        return [Decoded(text, corners, self.name) for text in self.texts]

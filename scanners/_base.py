"""The engine interface every scanner module shares: a code read, an engine's reading, an engine.

Kept apart from the engines themselves so the engines (``_engines``, ``_wechat``)
and the cascade import it without importing one another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

__all__ = ["Decoded", "Engine", "Points", "Reading"]

Points = tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Decoded:
    """One code read from a photo: its text, corners (x, y) in the photo, and engine."""

    text: str
    points: Points
    engine: str


class Reading(list):
    """An engine's codes, plus the symbols it saw but could not decode (their corners)."""

    def __init__(self, codes: Iterable[Decoded] = (), unread: Iterable[Points] = ()) -> None:
        super().__init__(codes)
        self.unread = list(unread)

    @property
    def suspects(self) -> int:
        """How many symbols were seen but not decoded."""
        return len(self.unread)


class Engine:
    """Base class of a decoder engine: override ``read``.

    ``cost_mp`` is what one whole-photo call costs when that does not depend on
    the photo's size (a CNN at a fixed input size), in megapixels of a full
    zxing pass; 0 for engines the cascade need not budget.
    """

    name = "engine"
    cost_mp = 0.0

    def read(self, gray: np.ndarray) -> list[Decoded]:
        """Return every QR code found in a 2-D uint8 grayscale image."""
        raise NotImplementedError

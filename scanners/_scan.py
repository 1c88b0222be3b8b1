"""What the cascade knows about one photo, and where codes lie: reads are merged by place.

Codes are deduplicated by position, not text: two symbols at two places are two
reads even with one text; one symbol read twice is one read.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from ._base import Decoded, Points
from ._image import Photo

__all__ = ["Scan", "centre", "inside"]

log = logging.getLogger("scanners")


@dataclass
class Scan:
    """What the cascade knows so far about one photo."""

    photo: Photo
    codes: list[Decoded] = field(default_factory=list)
    unread: list[Points] = field(default_factory=list)
    broken: set[int] = field(default_factory=set)
    stages: list[str] = field(default_factory=list)
    read_by: list[str] = field(default_factory=list)  # the stage that read each code
    skipped: list[str] = field(default_factory=list)  # stages the time budget left out

    @property
    def stage(self) -> str:
        """The stage running now."""
        return self.stages[-1] if self.stages else "full"

    def done(self) -> bool:
        """True once something is read and every symbol seen lies under a read code."""
        return bool(self.codes) and not self.uncovered()

    def uncovered(self) -> list[Points]:
        """Symbols seen but not decoded where no read code lies."""
        return [q for q in self.unread if not any(inside(centre(q), c.points)
                                                  for c in self.codes)]

    def add(self, found: Sequence[Decoded]) -> None:
        """Keep codes at new places; a code where one was read already is the same read."""
        for code in found:
            place = centre(code.points)
            clash = [c for c in self.codes if inside(place, c.points)
                     or inside(centre(c.points), code.points)]
            if not clash:
                self.codes.append(code)
                self.read_by.append(self.stage)
            elif all(c.text != code.text for c in clash):
                log.warning("scanner stages disagree on a code's text; keeping the first read")


def centre(points: Points) -> tuple[float, float]:
    """The mean of a quad's corners."""
    xs, ys = zip(*points, strict=True)
    return sum(xs) / len(xs), sum(ys) / len(ys)


def inside(point: tuple[float, float], quad: Points) -> bool:
    """True if the point lies inside (or on) the quad."""
    if len(quad) < 3:
        return False
    contour = np.asarray(quad, np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(contour, (float(point[0]), float(point[1])), False) >= 0

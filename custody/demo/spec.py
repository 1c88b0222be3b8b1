"""What a demo build is asked for (``DemoSpec``) and what it did (``DemoReport``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class DemoSpec:
    """The size of the demo district and how to simulate it."""

    villages: int = 3
    households: int = 600  # in all: 3 villages x 200
    days: int = 7
    seed: int = 1
    start: date = date(2026, 1, 1)
    link_households: bool = True  # False: only each household's first bag names it (faster)
    photo_share: float = 0.02  # of each day's scans, photographed and decoded (with settings)
    photos_per_day: tuple[int, int] = (3, 50)  # bounds: a few on a tiny day, not hours on a big one
    double_sends: int = 2  # a day's photos sent again with a new key (a double tap)
    replays: int = 3  # a day's scans sent again with the same key (a queue replay)
    labels: bool = True  # print the label sheets (with settings)
    # "scans": every scan uploaded to the scan service (what `custody demo` does).
    # "ledger": each scan's planned handover appended as a scan appends it
    # (``handovers.append_all``, counting each event once), a day's worth a
    # transaction, received in the evening: the same rules, ledger and rollups, but
    # no scan attempts, photos or repeats; for a Nanhu-size year in benchmarks/reports.py.
    through: str = "scans"


@dataclass
class DemoReport:
    """What a demo build did: what the phones sent, what the server answered, the truth."""

    villages: int
    households: int
    booths: int
    scans: int = 0  # uploads sent, double sends and replays included
    handovers: int = 0  # records the answers say were appended (replays not counted again)
    repeats: int = 0  # moves answered as repeating what is recorded (nothing appended)
    refused: int = 0  # uploads answered with a refusal (retaken photos included)
    photos: int = 0  # scans recorded from a photo the scanner read
    double_sends: int = 0
    replays: int = 0
    flags: Counter = field(default_factory=Counter)  # raised on recorded handovers
    refusals: Counter = field(default_factory=Counter)  # error codes of refused uploads
    events: Counter = field(default_factory=Counter)  # physical events by action (the truth)
    # The kg by category the ledger should show: "deposited" (bags), "collected" (bins
    # weighed, split as they held), "delivered" (weighbridge net weights).
    truth: defaultdict = field(default_factory=lambda: defaultdict(Counter))
    sheets: list = field(default_factory=list)  # demo.sheets.Sheet, one per PDF written
    setup_seconds: float = 0.0
    simulate_seconds: float = 0.0
    photo_seconds: float = 0.0  # of simulate_seconds: drawing and decoding photos
    labels_seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Uploads per second while simulating."""
        return self.scans / self.simulate_seconds if self.simulate_seconds else 0.0

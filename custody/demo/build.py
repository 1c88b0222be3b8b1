"""Building the demo: register the district, send each day's scans from the phones, print labels.

``build`` registers the district (``district``), then for each day plans the
field scans (``days``) and sends them, in local time order, from the phones
(``phone``) to the scan service, a share of them and every room clearance
photographed, a few sent
twice; then it prints the district's label sheets (``sheets``). The same seed
on an empty database gives the same ledger, hash for hash, photos included.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import time
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as clock_time

from tqdm import tqdm

import labels
from custody.config import Settings
from custody.db.engine import Database
from custody.demo import sheets
from custody.demo.days import plan_day
from custody.demo.district import DemoDistrict, register_district
from custody.demo.phone import DemoPhones, planned_draft
from custody.demo.spec import DemoReport, DemoSpec
from custody.domain.model import Action, HandoverDraft
from custody.services import handovers, label_sheets, tonnage
from custody.services.photos import PhotoStore
from custody.services.rollups import REPORT_TZ

QUEUE_DELAY_S = (5, 300)  # from the photo to the server: signal, the phone's outbox
LEDGER_BATCH = 10_000  # drafts a transaction when the spec goes through the ledger


def build(db: Database, spec: DemoSpec, *, settings: Settings | None = None,
          progress: bool = True) -> DemoReport:
    """Register a demo district, send ``spec.days`` days of scans, print its labels.

    Without ``settings`` the codes are signed with a throwaway key and nothing
    is photographed or printed (no data folder to keep photos and sheets in).
    """
    rng = random.Random(spec.seed)
    started = time.perf_counter()
    with tqdm(total=4, desc="registering", unit="step", disable=not progress) as bar:
        district = register_district(db, spec, rng, bar)
    report = DemoReport(spec.villages, spec.households,
                        sum(len(v.booths) for v in district.villages),
                        setup_seconds=time.perf_counter() - started)
    if settings is not None:
        scheme = label_sheets.identity(settings)
        photos = PhotoStore(settings.data_dir / "photos") if spec.photo_share > 0 else None
    else:
        scheme, photos = labels.IdentityScheme(Settings().code_host, {"D": bytes(32)}, "D"), None
    phones = DemoPhones(db, scheme, report, photos)
    started = time.perf_counter()
    with tqdm(total=spec.days, desc="simulating", unit="day", disable=not progress) as bar:
        for day in range(spec.days):
            _send_day(db, district, spec, rng, day, phones)
            report.simulate_seconds = time.perf_counter() - started
            bar.set_postfix(scans=report.scans, photos=report.photos,
                            rate=f"{report.rate:,.0f}/s")
            bar.update(1)
    started = time.perf_counter()
    db.refresh_statistics()
    report.simulate_seconds += time.perf_counter() - started
    if settings is not None and spec.labels:
        started = time.perf_counter()
        names = [v.name for v in district.villages]
        with tqdm(total=sheets.sheet_count(db, names), desc="printing labels",
                  unit="label", disable=not progress) as bar:
            report.sheets = sheets.write_sheets(
                db, settings, names, sheets.label_folder(settings),
                progress=lambda n: bar.update(n - bar.n))
        report.labels_seconds = time.perf_counter() - started
    return report


def _send_day(db: Database, district: DemoDistrict, spec: DemoSpec, rng: random.Random,
              day: int, phones: DemoPhones) -> None:
    """Plan one day's scans and send them in local time order."""
    planned = plan_day(db, district, spec, rng, day, phones.report)
    midnight = datetime.combine(spec.start + timedelta(days=day), clock_time(), REPORT_TZ)
    # The inspectors' scans have a generator of their own: the others are sent as they were.
    scans = [s for s in planned if s.action is not Action.INSPECT]
    rounds = random.Random(f"{spec.seed}-inspection-sends-{day}")
    photographed = photographed_today(spec, day, len(scans)) if phones.with_photos else set()
    if phones.with_photos:  # a driver photographs every room he clears, as Nanhu's do
        photographed |= {i for i, scan in enumerate(scans) if scan.action is Action.LOAD}
    pick = random.Random(f"{spec.seed}-repeats-{day}")  # changes nothing else when changed
    doubles = set(pick.sample(sorted(photographed), min(spec.double_sends, len(photographed))))
    replays = set(pick.sample(range(len(scans)), min(spec.replays, len(scans))))
    if spec.through == "ledger":
        _append_day(db, planned, midnight, rng, phones.report)
        return
    i = 0
    for scan in planned:
        taken = midnight + timedelta(minutes=scan.minute)
        if scan.action is Action.INSPECT:
            received = taken + timedelta(seconds=rounds.uniform(*QUEUE_DELAY_S))
            phones.send(scan, taken, received, rounds)
            continue
        received = taken + timedelta(seconds=rng.uniform(*QUEUE_DELAY_S))
        phones.send(scan, taken, received, rng, photographed=i in photographed,
                    double_send=i in doubles, replay=i in replays)
        i += 1


def _append_day(db: Database, scans: list, midnight: datetime, rng: random.Random,
                report: DemoReport) -> None:
    """The day's scans as the handovers the scan service plans from them, appended in bulk.

    Each load names the driver's clearance photo of the room by a sha256 that no
    stored photo has (a stand-in, as for unphotographed scans: no pixels are drawn),
    so the day's map carries a photo per clearance as in the field.
    They are appended as a scan appends them (each physical event counted once,
    a weighbridge weighing confirming its delivery), ``LEDGER_BATCH`` a
    transaction, all received at 22:00 as if the phones synced in the evening.
    """
    drafts = [_with_clearance_photo(planned_draft(s, midnight + timedelta(minutes=s.minute), rng))
              for s in scans]
    received = midnight + timedelta(hours=22)
    for start in range(0, len(drafts), LEDGER_BATCH):
        with db.write_engine.begin() as conn:
            recorded, _ = handovers.append_all(conn, drafts[start:start + LEDGER_BATCH],
                                               now=received, count_once=True)
        for record in recorded:
            report.scans += 1
            report.handovers += record.seq is not None
            report.repeats += record.seq is None
            report.flags.update(str(f) for f in record.flags)


def _with_clearance_photo(draft: HandoverDraft) -> HandoverDraft:
    """A load naming a clearance photo: the sha256 of what it records (stored nowhere)."""
    if draft.action is not Action.LOAD:
        return draft
    named = f"clearance {draft.source} {draft.dest} {draft.device_time.isoformat()}"
    return dataclasses.replace(draft, photo_sha256=hashlib.sha256(named.encode()).hexdigest())


def photographed_today(spec: DemoSpec, day: int, count: int) -> set[int]:
    """Which of the day's scans (by index) are photographed: a share, within bounds.

    The choice has a generator of its own, so the photos change nothing else.
    """
    if spec.photo_share <= 0 or not count:
        return set()
    wanted = min(count, spec.photos_per_day[1],
                 max(spec.photos_per_day[0], round(count * spec.photo_share)))
    return set(random.Random(f"{spec.seed}-photos-{day}").sample(range(count), wanted))


def collected_shares(db: Database, spec: DemoSpec) -> dict[str, float]:
    """Each category's share of the kg collected from the bins over the demo's days."""
    kg: Counter = Counter()
    for row in tonnage.daily_tonnage(db, spec.start, spec.start + timedelta(days=spec.days - 1),
                                     "district"):
        kg[row["category"]] += row["collected_kg"]
    total = sum(kg.values())
    return {c: kg[c] / total for c in sorted(kg, key=kg.get, reverse=True)} if total else {}


"""Mass balance of each treatment facility: what the trucks carried in against what was weighed.

Per facility, day and category: ``carried_kg`` is what the arriving trucks held by
the ledger's contents when they delivered (the portions of the deliver records,
before any weighbridge correction: what left the transfer rooms for this
facility); ``weighed_kg`` is the tonnage rollups' ``delivered`` figure, the
weighbridge weight where one was entered. A row is *over* as in
``custody.services.balance``. The day is the delivery's Asia/Shanghai day (device
time, else server time); deliveries received more than a day after they were
made are not found.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from custody.db.engine import Database
from custody.db.repositories import reading
from custody.domain.model import AssetKind, RecordKind
from custody.services import tonnage
from custody.services.conversions import to_us
from custody.services.rollups import REPORT_TZ, local_day


def facilities(db: Database, day_from: date, day_to: date, *, tolerance: float) -> list[dict]:
    """Per facility, day and category: kg carried in, kg weighed, the gap, over or not."""
    since = to_us(datetime.combine(day_from - timedelta(days=1), time(), REPORT_TZ))
    until = to_us(datetime.combine(day_to + timedelta(days=2), time(), REPORT_TZ))
    carried: dict[tuple, int] = defaultdict(int)
    with reading(db) as repos:
        portions = repos.reports.deliveries(AssetKind.FACILITY.value,
                                            RecordKind.HANDOVER.value, since, until)
    for facility, device_us, server_us, category, grams in portions:
        day = local_day(device_us, server_us)
        if day_from <= day <= day_to:
            carried[(day, facility, category)] += grams
    weighed, names = {}, {}
    for row in tonnage.iter_daily_tonnage(db, day_from, day_to, "facility"):
        if row["delivered_count"]:
            weighed[(row["day"], row["node"], row["category"])] = row["delivered_kg"]
            names[row["node"]] = row["name"]
    found = []
    for key in sorted(set(carried) | set(weighed)):
        day, facility, category = key
        kg_in, kg_out = round(carried.get(key, 0) / 1000, 3), weighed.get(key, 0.0)
        found.append({"day": day, "facility": facility, "name": names.get(facility),
                      "category": category, "carried_kg": kg_in, "weighed_kg": kg_out,
                      **tonnage.gap(kg_in, kg_out, tolerance)})
    return found

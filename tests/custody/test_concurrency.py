"""Concurrent appends never fork the chain."""

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import text

from custody.db.engine import Database
from custody.domain.model import HandoverDraft, Role
from custody.services import handovers, ledger

WRITERS = 8
PER_WRITER = 200


def test_eight_concurrent_writers_keep_one_linear_chain(database_url, district, t0):
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        db = Database(database_url)  # each writer its own engine and connections
        try:
            start.wait()
            for i in range(PER_WRITER):
                draft = HandoverDraft(district.kitchen_bag, district.kitchen_bin,
                                      district.collector, Role.COLLECTOR,
                                      device_time=t0 + timedelta(seconds=n * 1000 + i),
                                      note=f"writer {n} #{i}")
                handovers.record(db, draft)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []

    db = Database(database_url)
    try:
        report = ledger.verify(db)
        assert report.ok and report.count == WRITERS * PER_WRITER
        with db.engine.connect() as conn:
            prevs = [r[0] for r in conn.execute(text("SELECT prev_hash FROM handovers"))]
            notes = Counter(r[0].split(" #")[0] for r in
                            conn.execute(text("SELECT note FROM handovers")))
        assert len(prevs) == len(set(prevs)) == WRITERS * PER_WRITER
        assert notes == {f"writer {n}": PER_WRITER for n in range(WRITERS)}
    finally:
        db.dispose()

"""The supervisor's exports: handovers and flags as flat rows, read a page at a time.

Rows are plain dicts of text and numbers, in a fixed column order, for
``csv_export.csv_lines`` (which escapes formula cells) and for streamed JSON.
Reading goes by pages of the newest records first, so an export of a year
never holds more than a page in memory.
"""

from __future__ import annotations

from collections.abc import Iterator

from custody.db.engine import Database
from custody.services import flag_reviews, scan_reads
from custody.services.flag_reviews import FlagFilter
from custody.services.record_filters import RecordFilter

CHUNK = 200


def _flat(h: dict) -> dict:
    """One handover as an export row."""
    return {"seq": h["seq"], "server_time": h["server_time"], "device_time": h["device_time"],
            "action": h["action"] or "", "source": h["source"], "dest": h["dest"],
            "actor": h["actor_name"], "role": h["role"], "weight_kg": h["weight_kg"],
            "category": h["category"] or "", "flags": ";".join(h["flags"]),
            "corrects_seq": h["corrects_seq"], "note": h["note"] or "",
            "lat": h["lat"], "lon": h["lon"], "photo_sha256": h["photo_sha256"] or ""}


def handover_rows(db: Database, where: RecordFilter) -> Iterator[dict]:
    """Every handover the filter keeps, newest first, as export rows."""
    before = None
    while True:
        page = scan_reads.recent_handovers(db, limit=CHUNK, before_seq=before, where=where)
        yield from (_flat(h) for h in page)
        if len(page) < CHUNK:
            return
        before = page[-1]["seq"]


def flag_rows(db: Database, where: FlagFilter) -> Iterator[dict]:
    """Every flagged handover the filter keeps, newest first, with the review in force."""
    for h in flag_reviews.iter_flags(db, where, chunk=CHUNK):
        review = h["review"] or {}
        reviewed_at = review.get("reviewed_at")
        yield {**_flat(h), "village": h["village"] or "", "state": h["state"],
               "decision": review.get("decision", ""), "reviewer": review.get("reviewer", ""),
               "reviewed_at": reviewed_at.isoformat() if reviewed_at else "",
               "review_note": review.get("note") or "",
               "correction_seq": review.get("correction_seq"), "reviews": len(h["reviews"])}

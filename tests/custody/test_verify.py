"""`verify` finds any edit, deletion, reordering or insertion made directly in SQL."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from custody.db.schema import Handover
from custody.domain.ledger import LEDGER_FIELDS, record_hash
from custody.services import ledger
from ledgercheck import CheckpointError, verifier_key
from tests.custody.test_handovers import walk_normal_path

ORIGIN = "custody.test/ledger"


def tamper(db, *statements, **params):
    """Run raw SQL as someone with full database access would (triggers dropped first)."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.execute(text("DROP TRIGGER IF EXISTS handovers_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS handovers_no_delete"))
        else:
            conn.execute(text("ALTER TABLE handovers DISABLE TRIGGER USER"))
        for stmt in statements:
            conn.execute(text(stmt), params)


def rehash_from(db, first_seq):
    """Recompute every hash from first_seq on, as a careful forger would."""
    with db.engine.begin() as conn:
        rows = conn.execute(text(f"SELECT {', '.join(LEDGER_FIELDS)} FROM handovers "
                                 "WHERE seq >= :s ORDER BY seq"), {"s": first_seq}).all()
        prev = conn.execute(text("SELECT hash FROM handovers WHERE seq = :s"),
                            {"s": first_seq - 1}).scalar()
        conn.execute(text("UPDATE handovers SET hash = 'x' || CAST(seq AS TEXT), "
                          "prev_hash = 'y' || CAST(seq AS TEXT) WHERE seq >= :s"),
                     {"s": first_seq})
        for row in rows:
            fields = list(row)
            fields[1] = prev
            digest = record_hash(fields)
            conn.execute(text("UPDATE handovers SET prev_hash = :p, hash = :h WHERE seq = :s"),
                         {"p": prev, "h": digest, "s": row[0]})
            prev = digest
        conn.execute(text("UPDATE ledger_head SET seq = :s, hash = :h"),
                     {"s": rows[-1][0], "h": prev})


@pytest.fixture
def five(db, district, t0):
    walk_normal_path(db, district, t0)
    assert ledger.verify(db).ok
    return db


def broken_at(db):
    report = ledger.verify(db)
    assert not report.ok
    return report.broken.seq, report.broken.reason


def test_an_intact_ledger_verifies(five):
    report = ledger.verify(five)
    assert report.ok and report.count == 5


def test_the_ledger_refuses_update_and_delete(five):
    with pytest.raises(Exception, match="append-only"):
        with five.engine.begin() as conn:
            conn.execute(text("UPDATE handovers SET weight_g = 1 WHERE seq = 2"))
    with pytest.raises(Exception, match="append-only"):
        with five.engine.begin() as conn:
            conn.execute(text("DELETE FROM handovers WHERE seq = 5"))
    assert ledger.verify(five).ok


@pytest.mark.parametrize("column, value", [
    ("weight_g", 999_000), ("note", "edited"), ("flags", "off_path"), ("source_id", "N00000002"),
    ("server_time_us", 1), ("lat_e7", 0), ("action", "deliver"), ("photo_sha256", "0" * 64),
])
def test_an_edited_field_is_found(five, column, value):
    tamper(five, f"UPDATE handovers SET {column} = :v WHERE seq = 3", v=value)
    seq, reason = broken_at(five)
    assert seq == 3 and "edited" in reason


def test_moving_bytes_between_fields_is_found(five):
    tamper(five, "UPDATE handovers SET action = action || '|' || source_id WHERE seq = 2")
    assert broken_at(five) == (2, "a field holds the separator '|'")


def test_a_deleted_record_is_found(five):
    tamper(five, "DELETE FROM handovers WHERE seq = 3")
    seq, reason = broken_at(five)
    assert seq == 3 and "missing" in reason


def test_a_deleted_tail_is_found(five):
    tamper(five, "DELETE FROM handovers WHERE seq >= 4")
    seq, reason = broken_at(five)
    assert seq == 4 and "ledger head" in reason


def test_reordered_records_are_found(five):
    tamper(five, "UPDATE handovers SET seq = -2 WHERE seq = 2",
           "UPDATE handovers SET seq = 2 WHERE seq = 3",
           "UPDATE handovers SET seq = 3 WHERE seq = -2")
    assert broken_at(five)[0] == 2


def test_an_inserted_record_is_found(five):
    tamper(five, "UPDATE handovers SET seq = seq + 100 WHERE seq >= 3",
           "UPDATE handovers SET seq = seq - 99 WHERE seq >= 103")
    tamper(five, f"INSERT INTO handovers ({', '.join(LEDGER_FIELDS)}, hash) "
                 f"SELECT 3, 'f' || substr(prev_hash, 2), record_kind, action, source_id, dest_id, "
                 f"actor_id, role, device_time_us, server_time_us, lat_e7, lon_e7, accuracy_cm, "
                 f"photo_sha256, weight_g, category, flags, corrects_seq, note, 'forged' "
                 f"FROM handovers WHERE seq = 2")
    assert broken_at(five)[0] == 3


def test_a_record_before_the_first_is_found(five):
    tamper(five, f"INSERT INTO handovers ({', '.join(LEDGER_FIELDS)}, hash) "
                 f"SELECT 0, 'f' || substr(prev_hash, 2), record_kind, action, source_id, dest_id, "
                 f"actor_id, role, device_time_us, server_time_us, lat_e7, lon_e7, accuracy_cm, "
                 f"photo_sha256, weight_g, category, flags, corrects_seq, note, 'forged' "
                 f"FROM handovers WHERE seq = 1")
    assert broken_at(five)[0] == 1


def signer(tmp_path, name="key.pem"):
    """A signing key and the verifier key a third party would hold."""
    key = ledger.load_or_create_signing_key(tmp_path / name)
    return key, verifier_key(ORIGIN, key.public_key())


def test_a_checkpoint_catches_history_rewritten_with_recomputed_hashes(five, district, t0,
                                                                       tmp_path):
    key, public = signer(tmp_path)
    published = ledger.make_checkpoint(five, key, ORIGIN)
    walk_normal_path(five, district, t0 + timedelta(days=1))  # history goes on
    assert ledger.verify_against(five, published, public).ok
    tamper(five, "UPDATE handovers SET weight_g = 1000 WHERE seq = 5")
    rehash_from(five, 5)
    assert ledger.verify(five).ok  # the chain alone cannot tell...
    report = ledger.verify_against(five, published, public)
    assert not report.ok and report.broken.seq == 5  # ...the signed checkpoint can
    assert "rewritten" in report.broken.reason


def test_a_checkpoint_catches_a_truncated_history(five, tmp_path):
    key, public = signer(tmp_path)
    published = ledger.make_checkpoint(five, key, ORIGIN)
    tamper(five, "DELETE FROM handovers WHERE seq >= 4", "UPDATE ledger_head SET seq = 3, "
           "hash = (SELECT hash FROM handovers WHERE seq = 3)")
    assert ledger.verify(five).ok
    report = ledger.verify_against(five, published, public)
    assert not report.ok and "only 3 remain" in report.broken.reason


def test_a_forged_or_foreign_checkpoint_is_refused(five, tmp_path):
    key, public = signer(tmp_path)
    _, other = signer(tmp_path, "other.pem")
    published = ledger.make_checkpoint(five, key, ORIGIN)
    with pytest.raises(CheckpointError, match="not signed by the trusted key"):
        ledger.verify_against(five, published, other)
    forged = published.replace("\n5\n", "\n4\n")
    with pytest.raises(CheckpointError, match="signature"):
        ledger.verify_against(five, forged, public)
    with pytest.raises(CheckpointError, match="malformed"):
        ledger.verify_against(five, "{not a note", public)


def test_no_checkpoint_of_a_broken_ledger(five, tmp_path):
    key, _ = signer(tmp_path)
    tamper(five, "UPDATE handovers SET weight_g = 1 WHERE seq = 1")
    with pytest.raises(CheckpointError, match="record 1"):
        ledger.make_checkpoint(five, key, ORIGIN)


def test_parallel_verify_agrees_with_a_single_walk(five, district, t0):
    for day in range(1, 4):
        walk_normal_path(five, district, t0 + timedelta(days=day))
    assert ledger.verify(five, workers=3).ok
    tamper(five, "UPDATE handovers SET note = 'x' WHERE seq = 13")
    assert ledger.verify(five, workers=3).broken.seq == 13
    assert ledger.verify(five, workers=1).broken.seq == 13


def test_the_database_writes_fields_exactly_as_the_hasher_does(db, district, t0):
    from custody.db.repositories.ledger import HEAD_TEXT as _HEAD
    from custody.domain.ledger import head_text
    from custody.domain.model import HandoverDraft, Point, Role
    from custody.services import handovers

    handovers.record(db, HandoverDraft(
        district.kitchen_bag, district.kitchen_bin, district.collector, Role.COLLECTOR,
        device_time=t0, point=Point(-33.8688197, -151.2092955, 3.25), weight_kg=0.001,
        note="南湖 | 备注\n", photo_sha256="0f" * 32))
    handovers.record(db, HandoverDraft(district.cart, district.room, district.driver,
                                       Role.DRIVER))
    with db.engine.connect() as conn:
        by_db = conn.execute(select(_HEAD[conn.dialect.name]).order_by(Handover.seq)).scalars()
        rows = conn.execute(select(*[Handover.__table__.c[name] for name in LEDGER_FIELDS])
                            .order_by(Handover.seq)).all()
    assert list(by_db) == [head_text(list(r)) for r in rows]
    assert ledger.verify(db).ok

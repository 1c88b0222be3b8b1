"""Group commit: concurrent callers share commits, each gets its own answer."""

import threading
from datetime import timedelta

import pytest

from custody.domain.errors import UnknownAsset
from custody.domain.model import HandoverDraft, Role
from custody.services import ledger
from custody.services.group_commit import GroupCommitter


def test_concurrent_callers_each_get_their_own_record(db, district, t0):
    committer = GroupCommitter(db, max_batch=16)
    results, errors = {}, []

    def caller(n):
        try:
            for i in range(25):
                source = district.kitchen_bag if (n + i) % 7 else "B00009999"
                draft = HandoverDraft(source, district.kitchen_bin, district.collector,
                                      Role.COLLECTOR, device_time=t0 + timedelta(seconds=i),
                                      note=f"{n}-{i}")
                try:
                    results[(n, i)] = committer.record(draft)
                except UnknownAsset as exc:
                    errors.append(((n, i), str(exc)))
        except BaseException as exc:  # noqa: BLE001
            errors.append(("crash", repr(exc)))

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = [(n, i) for n in range(8) for i in range(25) if not (n + i) % 7]
    assert sorted(k for k, _ in errors) == sorted(refused)
    assert all("B00009999" in message for _, message in errors)
    assert len(results) == 200 - len(refused)
    assert sorted(r.seq for r in results.values()) == list(range(1, len(results) + 1))
    report = ledger.verify(db)
    assert report.ok and report.count == len(results)


def test_a_lone_caller_is_answered_at_once(db, district, t0):
    committer = GroupCommitter(db)
    draft = HandoverDraft(district.kitchen_bag, district.kitchen_bin, district.collector,
                          Role.COLLECTOR, device_time=t0)
    assert committer.record(draft).seq == 1
    with pytest.raises(UnknownAsset):
        committer.record(HandoverDraft("B00009999", district.kitchen_bin, district.collector,
                                       Role.COLLECTOR))
    assert committer.record(draft).seq == 2

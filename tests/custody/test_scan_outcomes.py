"""Every outcome of a scan is kept once: the service decides it, the web alone words it.

The scan service answers with a domain result or a refusal (an error of the one
tree); ``custody.web.scan_answers`` gives each its status, its JSON and the
catalog's words. A draft the ledger refuses after the photo was read, the one
refusal with no check before it, is walked here the way it happens: the user is
deactivated while the phone's photo is being decoded.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

import scanners
from custody.db.schema import Handover, ScanAttempt
from custody.domain import errors
from custody.domain.outcomes import ScanRefusal
from custody.services import accounts
from custody.web import scan_answers
from tests.custody.photos import phone_photo


@pytest.fixture
def app(settings, db, people):
    from custody.web import create_app

    def read_while_deactivated(photo: bytes) -> scanners.PhotoContents:
        """The decoder's answer, read while a supervisor deactivates the uploader."""
        accounts.set_active(db, people["collector"]["id"], False)
        return scanners.read_photo(photo)

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                       "SCANNER": SimpleNamespace(read=read_while_deactivated)})


def counts(db) -> tuple[int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Handover)),
                s.scalar(select(func.count()).select_from(ScanAttempt)))


def test_a_draft_the_ledger_refuses_is_kept_once_and_answered_in_both_languages(
        client, people, district, db):
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    response = client.post(
        "/api/v1/scans", headers={**people["collector"]["auth"], "Idempotency-Key": "k-1",
                                  "Accept-Language": "en"},
        data={"action": "deposit", "photo": (io.BytesIO(photo), "p.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "unknown_actor"
    assert error["message_zh"] == "无法记录，请联系主管。"
    assert error["detail"] == f"no active actor with id {people['collector']['id']}"
    assert {c["asset_id"] for c in error["codes"]} == {district.kitchen_bag, district.kitchen_bin}
    assert counts(db) == (0, 1)  # the handover rolled back, the attempt kept once
    with db.read() as s:
        attempt = s.scalars(select(ScanAttempt)).one()
    assert (attempt.status, attempt.http_status) == ("unknown_actor", 422)
    assert attempt.photo_sha256 is not None  # the photo was read and kept as evidence
    accounts.set_active(db, people["collector"]["id"], True)  # the supervisor undoes it
    again = client.post(  # the phone's retry: the same answer, nothing decoded or recorded
        "/api/v1/scans", headers={**people["collector"]["auth"], "Idempotency-Key": "k-1",
                                  "Accept-Language": "en"},
        data={"action": "deposit", "photo": (io.BytesIO(photo), "p.jpg")},
        content_type="multipart/form-data")
    assert again.status_code == 422 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == response.get_json()
    assert counts(db) == (0, 1)


BEFORE_THE_CODES = (errors.RoleNotAllowed, errors.NotAPhoto, errors.UnreadablePhoto,
                    errors.WeightRequired)


@pytest.mark.parametrize(("error", "status", "extras"), [
    (errors.RoleNotAllowed("a driver may not post deposit", role="driver", action="deposit",
                           allowed=["deliver", "load", "unload"]), 403,
     {"role": "driver", "action": "deposit", "allowed": ["deliver", "load", "unload"]}),
    (errors.PhotoTooLarge("too many pixels", "ImageTooLarge"), 413, {}),
    (errors.NotAPhoto("not an image", "NotAnImage"), 422, {}),
    (errors.UnreadablePhoto("worker timed out", "DecodeFailed"), 422, {}),
    (errors.WeightRequired("needs a weight"), 422, {}),
    (errors.NoCode("no code"), 422, {}),
    (errors.NoValidCode("no genuine code"), 422, {"codes": []}),
    (errors.ScanNotUnderstood("one bin needed"), 422, {"codes": []}),
    (errors.AmbiguousWeight("one weight for 2"), 422, {"codes": []}),
    (errors.InvalidHandover("weight out of range"), 422, {"codes": []}),
    (errors.UnknownActor("no active actor"), 422, {"codes": []}),
])
def test_each_refusal_has_its_status_code_and_chinese_words(error, status, extras):
    codes = None if isinstance(error, BEFORE_THE_CODES) else []  # as the service gives them
    got_status, body = scan_answers.answer(ScanRefusal(error, codes=codes))
    assert got_status == status
    found = body["error"]
    assert found["code"] == error.code
    assert found["message"] and found["message_zh"] != found["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in found["message_zh"])  # real Chinese
    assert {k: v for k, v in found.items() if k not in ("code", "message", "message_zh")} \
        == extras


def test_the_words_of_every_refusal_are_translated_in_the_catalog():
    for msgid in {*scan_answers.WORDS.values(), scan_answers.ASK_SUPERVISOR}:
        assert scan_answers.catalog("zh").gettext(msgid) != msgid, msgid

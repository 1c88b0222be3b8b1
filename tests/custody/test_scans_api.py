"""POST /api/v1/scans: a phone's photographed scan becomes handovers, exactly once per key."""

import threading
import uuid
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import func, select

import scanners
from custody.db.schema import Handover, ScanAttempt
from custody.services import ledger
from tests.custody.photos import phone_photo

pytestmark = pytest.mark.usefixtures("people")


@pytest.fixture
def app(settings, db):
    from custody.web import create_app

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                       "SCANNER": SimpleNamespace(read=scanners.read_photo)})


def post(client, auth, photo, key=None, **fields):
    data = {"action": "deposit", **fields, "photo": (__import__("io").BytesIO(photo), "p.jpg")}
    headers = dict(auth)
    if key is not False:
        headers["Idempotency-Key"] = key or str(uuid.uuid4())
    return client.post("/api/v1/scans", data=data, headers=headers,
                       content_type="multipart/form-data")


def counts(db):
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Handover)),
                s.scalar(select(func.count()).select_from(ScanAttempt)))


def test_a_bag_and_bin_photo_records_a_deposit(client, people, district, db):
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    response = post(client, people["collector"]["auth"], photo, lat="30.7", lon="120.8",
                    accuracy_m="8", weight_kg="1.4", client_time="2026-11-22T08:00:00+08:00")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [(h["source"], h["dest"], h["action"]) for h in body["handovers"]] == [
        (district.kitchen_bag, district.kitchen_bin, "deposit")]
    assert body["flags"] == [] and "已记录 1 次交接" in body["message"]["zh"]
    assert response.headers["Location"] == f"/api/v1/scans/{body['scan_id']}"
    (h,) = __import__("custody.services.whereabouts", fromlist=["x"]).where(
        db, district.kitchen_bag).history
    assert h["photo_sha256"] == body["photo_sha256"] and h["weight_kg"] == 1.4
    assert ledger.verify(db).ok
    with db.read() as s:  # the attempt names the phone that sent it
        assert s.scalars(select(ScanAttempt.device_id)).one() == \
            people["collector"]["device_id"]


def test_two_bags_in_one_shot_are_two_handovers(client, people, district):
    photo = phone_photo(district.kitchen_bag, district.hazardous_bag, district.kitchen_bin)
    body = post(client, people["collector"]["auth"], photo).get_json()
    assert sorted(h["source"] for h in body["handovers"]) == sorted(
        [district.kitchen_bag, district.hazardous_bag])
    assert body["flags"] == ["category_mismatch"]


def test_a_retry_with_the_same_key_returns_the_first_answer_and_records_nothing(
        client, people, district, db):
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    first = post(client, people["collector"]["auth"], photo, key="k-1")
    again = post(client, people["collector"]["auth"], photo, key="k-1")
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert counts(db) == (1, 1)


def test_racing_retries_record_once(app, people, district, db):
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    answers = []

    def send():
        with app.test_client() as c:
            answers.append(post(c, people["collector"]["auth"], photo, key="race").get_json())

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 4  # every racing upload got an answer, none an error
    assert len({a["scan_id"] for a in answers}) == 1 and {a["status"] for a in answers} == {
        "recorded"}
    assert counts(db) == (1, 1)


def test_a_scan_reads_back_with_the_answer_the_phone_got(client, people, district):
    auth = people["collector"]["auth"]
    recorded = post(client, auth, phone_photo(district.kitchen_bag, district.kitchen_bin))
    blank = phone_photo()
    refused = post(client, auth, blank, key="k-none")
    for first in (recorded, refused):
        scan_id = first.get_json()["scan_id"]
        stored = client.get(f"/api/v1/scans/{scan_id}", headers=auth).get_json()
        assert stored["answer"] == first.get_json()
        assert stored["http_status"] == first.status_code
    assert refused.get_json()["error"]["scan_id"] == refused.get_json()["scan_id"]
    assert post(client, auth, blank, key="k-none").get_json() == refused.get_json()


def test_the_same_key_with_a_different_body_is_422(client, people, district, db):
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    post(client, people["collector"]["auth"], photo, key="k-2")
    response = post(client, people["collector"]["auth"], photo, key="k-2", weight_kg="9")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "idempotency_conflict"
    assert counts(db) == (1, 1)


def test_a_missing_key_is_400(client, people, district, db):
    response = post(client, people["collector"]["auth"], phone_photo(district.kitchen_bag),
                    key=False)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "idempotency_key_missing"
    assert counts(db) == (0, 0)


def test_a_photo_with_no_code_is_422_asks_for_a_retake_and_is_kept(client, people, db):
    blank = phone_photo()
    response = post(client, people["collector"]["auth"], blank, key="k-blank")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "no_code" and "重新拍照" in error["message"]  # Chinese by default
    with db.read() as s:
        attempt = s.scalars(select(ScanAttempt)).one()
    assert attempt.status == "no_code" and attempt.photo_sha256
    assert counts(db) == (0, 1)
    replayed = post(client, {**people["collector"]["auth"], "Accept-Language": "en"},
                    blank, key="k-blank")  # the stored answer, in the asker's language
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert "take it again" in replayed.get_json()["error"]["message"]
    assert counts(db) == (0, 1)


def test_a_forged_code_is_named_in_the_answer(client, people, district, db):
    forged = "HTTPS://CUSTODY.NANHU.JIAXING.CN/T/B00000001AAAAAAAAAAAAAAAAA"
    photo = phone_photo(district.kitchen_bin, extra_codes=(forged,))
    response = post(client, people["collector"]["auth"], photo)
    assert response.status_code == 422
    codes = response.get_json()["error"]["codes"]
    assert {"text": forged, "status": "BadTag"}.items() <= next(
        c for c in codes if c["text"] == forged).items()
    assert counts(db)[0] == 0


def test_a_forged_code_beside_genuine_ones_is_named_and_the_rest_recorded(
        client, people, district):
    forged = "HTTPS://CUSTODY.NANHU.JIAXING.CN/T/B00000009AAAAAAAAAAAAAAAAA"
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin, extra_codes=(forged,))
    body = post(client, people["collector"]["auth"], photo).get_json()
    assert len(body["handovers"]) == 1
    assert [c["status"] for c in body["codes"] if c["text"] == forged] == ["BadTag"]


def test_not_an_image_is_refused(client, people, db):
    response = post(client, people["collector"]["auth"], b"%PDF-1.4 not a photo")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "not_a_photo"
    assert counts(db) == (0, 1)


def test_an_image_bomb_is_refused_without_decoding(client, people, tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("1", (20000, 20000)).save(path)
    response = post(client, people["collector"]["auth"], path.read_bytes())
    assert response.status_code == 413
    assert "ImageTooLarge" in response.get_json()["error"]["detail"]


def test_an_oversized_body_is_413(client, people):
    response = post(client, people["collector"]["auth"], b"\xff" * (17 * 1024 * 1024))
    assert response.status_code == 413


def test_codes_that_do_not_fit_the_action_are_explained(client, people, district):
    photo = phone_photo(district.kitchen_bag)
    response = post(client, people["collector"]["auth"], photo)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "scan_not_understood" and "exactly one bin" in error["detail"]
    assert "所选操作不符" in error["message"]


def test_the_same_photo_for_a_new_scan_is_flagged_as_reused(client, people, district):
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    post(client, people["collector"]["auth"], photo)
    body = post(client, people["collector"]["auth"], photo).get_json()
    assert "reused_photo" in body["flags"]


def test_anonymous_uploads_are_refused(client, district):
    response = post(client, {}, phone_photo(district.kitchen_bag, district.kitchen_bin))
    assert response.status_code == 401


def test_the_public_copy_has_no_exif(client, people, district):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin, exif=exif.tobytes())
    sha = post(client, people["collector"]["auth"], photo).get_json()["photo_sha256"]
    public = client.get(f"/photos/{sha}.jpg")
    assert public.status_code == 200
    assert b"PhoneMaker" not in public.data and b"Exif" not in public.data[:200]
    assert client.get(f"/photos/{sha}/original").status_code == 401
    original = client.get(f"/photos/{sha}/original", headers=people["supervisor"]["auth"])
    assert original.status_code == 200 and b"PhoneMaker" in original.data


def test_the_production_path_decodes_in_isolated_worker_processes(settings, db, people,
                                                                    district):
    from custody.web import create_app

    app = create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db})
    photo = phone_photo(district.kitchen_bag, district.kitchen_bin)
    response = post(app.test_client(), people["collector"]["auth"], photo)
    assert response.status_code == 201, response.get_json()
    decoder = app.extensions["custody.scanning"].read.__self__
    assert isinstance(decoder, scanners.IsolatedScanner)
    decoder.close()

"""Stored text shown later: every name, village, note and device name a hostile person can
put in is shown as text on every page that shows it (desk pages, map popups, the trace, the
CSV exports, the bulletin), never run as markup or a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

import scanners
from custody.domain.model import AssetKind, Category
from custody.services import assets
from custody.services.assets import NewAsset
from tests.custody.photos import IDENTITY, phone_photo

DAY = date(2026, 11, 25)
EVIL = "<img src=x onerror=alert(1)>"
QUOTE = "\"'><svg onload=alert(2)>"
FORMULA = "=HYPERLINK(\"http://x\")"
RAW = [re.compile(r"<script>alert\(3", re.I), re.compile(r"<img src=x onerror", re.I),
       re.compile(r"<svg onload", re.I), re.compile(r"\\u003cimg src=x", re.I),
       re.compile(r"\\u003csvg onload", re.I), re.compile(r"\\x3cimg", re.I)]


@pytest.fixture
def evil(db, settings):
    breakout = "</script><script>alert(3)</script>"
    (booth,) = assets.register(db, [NewAsset(AssetKind.BOOTH, name=f"亭{EVIL}{breakout}",
                                             village=f"村{QUOTE}", lat=30.7, lon=120.8)])
    (room,) = assets.register(db, [NewAsset(AssetKind.TRANSFER_ROOM, name=f"房{QUOTE}",
                                            village=f"村{QUOTE}", lat=30.71, lon=120.81)])
    (kbin,) = assets.register(db, [NewAsset(AssetKind.BIN, Category.KITCHEN,
                                            village=f"村{QUOTE}", site_id=booth)])
    (bag,) = assets.register(db, [NewAsset(AssetKind.BAG, Category.KITCHEN,
                                           village=f"村{QUOTE}", household=FORMULA)])
    (cart,) = assets.register(db, [NewAsset(AssetKind.VEHICLE, name=f"{FORMULA}{EVIL}")])
    return SimpleNamespace(booth=booth, room=room, bin=kbin, bag=bag, cart=cart)


def test_hostile_names_and_notes_are_shown_as_text_everywhere(settings, db, people, evil):
    import dataclasses

    from custody.web import create_app
    from custody.web.scans import scanning

    app = create_app({"TESTING": True, "DATABASE": db,
                      "SETTINGS": dataclasses.replace(settings, map_min_households=0),
                      "SCANNER": SimpleNamespace(read=scanners.read_photo)})
    with app.app_context():
        scanning().clock = lambda: datetime(2026, 11, 25, 4, tzinfo=UTC)
    client = app.test_client()
    sup = {**people["supervisor"]["auth"], "Accept": "text/html"}
    made = client.post("/supervise/people", headers={**sup, "Accept": "application/json"},
                       data={"name": f"王{EVIL}", "role": "collector",
                             "password": "a-long-enough-password"})
    scans = []
    for action, codes, extra in [("deposit", (evil.bag, evil.bin), {"weight_kg": "2"}),
                                 ("inspect", (evil.bag,), {"note": f"{FORMULA}{EVIL}{QUOTE}"}),
                                 ("collect", (evil.bin, evil.cart), {}),
                                 ("unload", (evil.cart, evil.room), {})]:
        response = client.post("/api/v1/scans", content_type="multipart/form-data", data={
            "action": action, "client_time": "2026-11-25T03:00:00.000Z", "lat": "30.7",
            "lon": "120.8", **extra, "photo": (io.BytesIO(phone_photo(*codes)), "photo.jpg")},
            headers={**people["collector"]["auth"], "Idempotency-Key": str(uuid.uuid4())})
        assert response.status_code == 201, response.get_json()
        scans.append(response.get_json())
    seqs = [h["seq"] for s in scans for h in s["handovers"]]
    pages = ["/map?day=2026-11-25", f"/T/{IDENTITY.make_token(evil.bag)}",
             f"/T/{IDENTITY.make_token(evil.bag)}/map", f"/trace/{evil.booth}",
             f"/trace/{evil.cart}", "/tonnage?from=2026-11-25&to=2026-11-25&level=booth",
             "/tonnage?from=2026-11-25&to=2026-11-25&level=village", "/supervise",
             "/supervise/assets", "/supervise/flags", "/supervise/people", "/supervise/users",
             f"/supervise/search?q={EVIL}", "/supervise/balance?from=2026-11-25&to=2026-11-25",
             "/supervise/assessment?period=day&date=2026-11-25",
             *[f"/supervise/assets/{a}" for a in vars(evil).values()],
             *[f"/supervise/records/{s}" for s in seqs], "/labels", "/code", "/"]
    for url in pages:
        response = client.get(url, headers=sup)
        assert response.status_code in (200, 302), (url, response.status_code)
        html = response.get_data(as_text=True)
        scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
        outside = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
        for raw in RAW:
            found = raw.search(outside)
            assert not found, (url, outside[max(0, found.start() - 200):][:400])
        for script in scripts:  # in a script only as a marker's title (a DOM property)
            for found in re.finditer(r"<img src=x onerror|<script>alert", script):
                end = script.index('","', found.start()) + 3  # the title precedes the popup
                assert script.startswith('<div class=\\"custody-popup', end), (
                    url, script[found.start() - 200:][:300])
    for url in ["/supervise/handovers.csv", "/supervise/flags.csv",
                "/api/v1/tonnage.csv?from=2026-11-25&to=2026-11-25&level=booth",
                "/supervise/balance.csv?from=2026-11-25&to=2026-11-25",
                "/supervise/balance-facilities.csv?from=2026-11-25&to=2026-11-25"]:
        response = client.get(url, headers=people["supervisor"]["auth"])
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
        for row in csv.reader(io.StringIO(response.get_data(as_text=True))):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (url, cell)
    pdf = client.get("/supervise/assessment/bulletin/2026-11.pdf", headers=sup)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert made.status_code in (200, 201, 303), made.get_data(as_text=True)[:300]
    shown = {url: client.get(url, headers=sup).get_data(as_text=True)
             for url in ("/supervise/people", f"/supervise/records/{seqs[1]}", "/supervise/flags")}
    assert "王&lt;img src=x onerror=alert(1)&gt;" in shown["/supervise/people"]  # shown, as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown[f"/supervise/records/{seqs[1]}"]
    flags_csv = client.get("/supervise/handovers.csv", headers=people["supervisor"]["auth"])
    assert "'" + FORMULA in flags_csv.get_data(as_text=True).replace('""', '"')

"""The public trace page: what a bag's QR opens on any phone camera."""

from datetime import timedelta

from tests.custody.photos import IDENTITY
from tests.custody.test_handovers import walk_normal_path

HTML = {"Accept": "text/html"}
EN = {**HTML, "Accept-Language": "en"}


def token(asset_id):
    return IDENTITY.make_token(asset_id)


def test_a_delivered_bag_shows_its_whole_path_without_private_data(client, db, district, t0):
    walk_normal_path(db, district, t0)
    page = client.get(f"/T/{token(district.kitchen_bag)}", headers=HTML)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('class="stop"') == 5
    for zh in ("投放到垃圾桶", "收集车收运", "卸入中转房", "装上清运车", "运抵处理设施"):
        assert zh in html
    assert "已运抵处理设施" in html and "凤桥村 1号亭" in html and "Delivered" not in html
    assert "12-3" not in html and "wang" not in html  # no household, no actor name
    assert "15:00" in html  # 07:00 UTC is 15:00 in Jiaxing
    english = client.get(f"/T/{token(district.kitchen_bag)}", headers=EN).get_data(as_text=True)
    assert "Deposited in a bin" in english and "Delivered to a treatment facility" in english
    assert "3:00\u202fPM" in english and "投放" not in english


def test_the_trace_map_is_served_with_local_assets_only(client, db, district, t0):
    walk_normal_path(db, district, t0)
    page = client.get(f"/T/{token(district.kitchen_bag)}/map").get_data(as_text=True)
    assert page.count("custody-trace-point") >= 1
    assert "/map-assets/leaflet/leaflet.js" in page
    assert client.get("/map-assets/leaflet/leaflet.js").status_code == 200


def test_the_url_a_phone_camera_opens_works_lower_cased_host_and_all(client, db, district, t0):
    walk_normal_path(db, district, t0 + timedelta(days=1))
    code = IDENTITY.make_code(district.kitchen_bag)
    path = code[code.index("/T/"):]
    assert client.get(path, headers=HTML).status_code == 200


def test_a_forged_code_says_it_is_not_genuine(client, district):
    forged = token(district.kitchen_bag)[:-3] + "AAA"
    page = client.get(f"/T/{forged}", headers=HTML)
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "此二维码不是真码" in html and "This code is not genuine" not in html
    english = client.get(f"/T/{forged}", headers=EN).get_data(as_text=True)
    assert "This code is not genuine" in english


def test_an_unknown_genuine_code_says_so(client, db):
    page = client.get(f"/T/{token('B00000777')}", headers=HTML)
    assert page.status_code == 404
    assert "未找到此编号" in page.get_data(as_text=True)
    assert "Unknown code" in client.get(f"/T/{token('B00000777')}", headers=EN).get_data(
        as_text=True)


def test_a_bag_not_yet_collected_shows_no_path_yet(client, district):
    page = client.get(f"/T/{token(district.kitchen_bag)}", headers=EN)
    assert "No handover recorded yet" in page.get_data(as_text=True)


def test_the_front_page_leads_the_public_to_the_map_tonnage_and_staff_login(client):
    html = client.get("/", headers=HTML).get_data(as_text=True)
    assert "垃圾分类去向" in html and "Where sorted waste goes" not in html
    for path in ("/map", "/tonnage", "/login"):
        assert f'href="{path}"' in html

"""Trace for everyone: a typed or pasted code opens its trace, which says what the plant does."""

from tests.custody.photos import IDENTITY
from tests.custody.test_handovers import walk_normal_path

HTML = {"Accept": "text/html"}
EN = {**HTML, "Accept-Language": "en"}


def test_the_code_page_is_an_empty_form_in_one_language(client):
    zh = client.get("/code", headers=HTML)
    assert zh.status_code == 200
    html = zh.get_data(as_text=True)
    assert 'name="code"' in html and "输入编码" in html and "Type a code" not in html
    en = client.get("/code", headers=EN).get_data(as_text=True)
    assert "Type a code" in en and "输入编码" not in en


def test_the_pasted_text_of_a_qr_opens_its_trace(client, db, district, t0):
    walk_normal_path(db, district, t0)
    pasted = " " + IDENTITY.make_code(district.kitchen_bag).lower() + "\n"
    answer = client.get("/code", query_string={"code": pasted}, headers=HTML)
    assert answer.status_code == 303
    token = IDENTITY.make_token(district.kitchen_bag)
    assert answer.headers["Location"].endswith(f"/T/{token}")
    assert client.get(f"/T/{token}", headers=HTML).status_code == 200


def test_the_id_printed_under_the_qr_typed_loosely_opens_its_trace(client, db, district, t0):
    walk_normal_path(db, district, t0)
    serial = int(district.kitchen_bag[1:])
    answer = client.get("/code", query_string={"code": f"b {serial}"}, headers=HTML)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/trace/{district.kitchen_bag}")
    page = client.get(answer.headers["Location"], headers=HTML).get_data(as_text=True)
    assert page.count('class="stop"') == 5 and "已运抵处理设施" in page
    assert IDENTITY.make_token(district.kitchen_bag) not in page  # no genuine tag handed out
    assert "12-3" not in page and "wang" not in page
    assert client.get(f"/trace/{district.kitchen_bag}/map").status_code == 200


def test_a_forged_or_meaningless_code_is_refused_with_the_text_kept(client, district):
    forged = IDENTITY.make_token(district.kitchen_bag)[:-2] + "AA"
    for typed in (forged, "hello", "Z12", "https://example.org/T/" + forged):
        answer = client.get("/code", query_string={"code": typed}, headers=EN)
        assert answer.status_code == 400, typed
        html = answer.get_data(as_text=True)
        assert "not a code of this system" in html and 'aria-invalid="true"' in html
        assert f'value="{typed}"' in html


def test_an_id_nobody_registered_says_so(client):
    answer = client.get("/code", query_string={"code": "B99999999"}, headers=EN)
    page = client.get(answer.headers["Location"], headers=EN)
    assert page.status_code == 404
    assert "Nothing is registered as B99999999" in page.get_data(as_text=True)
    assert client.get("/trace/not-an-id", headers=EN).status_code == 404


def test_the_trace_says_plainly_what_happens_at_the_facility(client, db, district, t0):
    walk_normal_path(db, district, t0)
    url = f"/T/{IDENTITY.make_token(district.kitchen_bag)}"
    zh = client.get(url, headers=HTML).get_data(as_text=True)
    assert 'data-treatment="composting"' in zh and "堆肥" in zh and "有机肥" in zh
    assert "在 kitchen plant 会怎样处理" in zh  # a Latin name set apart from the Chinese
    en = client.get(url, headers=EN).get_data(as_text=True)
    assert "What happens at kitchen plant" in en and "composted" in en and "堆肥" not in en


def test_home_and_map_lead_to_the_code_page(client):
    assert 'href="/code"' in client.get("/", headers=HTML).get_data(as_text=True)
    assert 'href="/code"' in client.get("/map", headers=HTML).get_data(as_text=True)


def test_an_address_cannot_page_through_every_bag_by_typed_ids(client, db, district, t0):
    """Typed IDs are serial numbers without the label's tag: an address gets a household's
    worth of lookups an hour, then a clear 429; scanned codes are never counted."""
    from custody.web.throttle import TYPED_IDS_PER_ADDRESS

    walk_normal_path(db, district, t0)
    allowed = int(TYPED_IDS_PER_ADDRESS.split()[0])
    for n in range(allowed):
        url = f"/trace/{district.kitchen_bag}" + ("/map" if n % 2 else "")
        assert client.get(url, headers=HTML).status_code == 200, n
    refused = client.get(f"/trace/{district.kitchen_bag}", headers=EN)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many" in refused.get_data(as_text=True)
    token = IDENTITY.make_token(district.kitchen_bag)
    assert client.get(f"/T/{token}", headers=HTML).status_code == 200  # a scan still opens

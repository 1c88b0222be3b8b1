"""One language at a time: catalogs complete, every page in zh or en only, the switch remembered."""

from __future__ import annotations

import io
import json
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import scanners
from custody.domain.model import AssetKind, Category, Role
from custody.services import accounts, assets, devices
from custody.services.assets import NewAsset
from tests.custody.photos import IDENTITY, phone_photo
from tests.custody.test_phone import sign_in

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "custody" / "translations"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
WORD = re.compile(r"[A-Za-z]{2,}")
# English that may stand on a Chinese page: units, formats, codes and names of things.
ALLOWED_EN = {"kg", "km", "PDF", "CSV", "JSON", "GPS", "QR", "HTTP", "Idempotency", "Key",
              "custody", "init", "Leaflet", "OpenStreetMap", "English"}
ALLOWED_CJK = {"中文"}  # the language switch names each language in itself
# Data the pages show as it was registered: names, not words of the interface.
DATA = ["南湖区", "试点村", "一号亭", "中转房甲", "处理厂甲", "收集车甲", "清运车甲", "王收集",
        "李清运", "赵过磅", "钱亭长", "孙主管", "周管理", "王的手机"]


class _Text(HTMLParser):
    """The text a reader sees: text nodes and the titles, alts, labels and placeholders."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "alt", "aria-label", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    """The pieces of text of a page, data values removed."""
    parser = _Text()
    parser.feed(html)
    found = []
    for part in parser.parts:
        for value in DATA:
            part = part.replace(value, " ")
        found.append(part)
    return found


def script_config(html: str) -> list[str]:
    """Every string a phone page's script may show (its config's values, not its ids)."""
    match = re.search(r'<script id="phone-config" type="application/json">(.*?)</script>', html,
                      re.S)
    if not match:
        return []
    config = json.loads(match[1])
    found = [v for k in ("text", "errors", "flags", "flagNames", "actions")
             for v in config[k].values()]
    found += [t[k] for t in config["tasks"].values() for k in ("title", "hint")]
    return [re.sub(r"%\(\w+\)s", " ", text) for text in found]  # placeholders are not words


def foreign_words(texts: list[str], lang: str) -> list[str]:
    """What in these texts is not in ``lang``."""
    if lang == "zh":
        return [w for t in texts for w in WORD.findall(t) if w not in ALLOWED_EN]
    return [t for t in texts if CJK.search(re.sub("|".join(ALLOWED_CJK), "", t))]


# --- the catalogs ------------------------------------------------------------------------

def catalog(lang: str):
    """The .po catalog of one language."""
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def extracted() -> set[str]:
    """Every msgid in the code and templates now (as scripts/catalogs.py extracts them)."""
    method_map = [("custody/**.py", "python"), ("custody/web/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
                "_l": None, "N_": None}  # N_: words said later (custody.web.catalogs)
    return {message[2] if isinstance(message[2], str) else message[2][0]
            for message in extract_from_dir(ROOT, method_map, keywords=keywords)}


def test_every_string_of_the_code_and_templates_is_in_both_catalogs():
    words = extracted()
    assert len(words) > 150
    for lang in ("zh", "en"):
        ids = {m.id for m in catalog(lang) if m.id}
        assert words <= ids, f"{lang}: run scripts/catalogs.py update: {sorted(words - ids)}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_catalog_entry_is_untranslated_fuzzy_or_breaks_its_placeholders(lang):
    found = catalog(lang)
    for message in found:
        if not message.id:
            continue
        assert message.string, f"{lang}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{lang}: fuzzy {message.id!r}"
        assert sorted(re.findall(r"%\(\w+\)s", message.id)) == sorted(
            re.findall(r"%\(\w+\)s", message.string)), f"{lang}: placeholders of {message.id!r}"
        if lang == "zh":
            assert CJK.search(message.string), f"zh: not Chinese: {message.id!r}"
    assert not [problem for _message, problem in found.check() if problem]


# --- every page, in each language ----------------------------------------------------------

@pytest.fixture
def app(settings, db):
    from custody.web import create_app

    return create_app({"TESTING": True, "SETTINGS": settings, "DATABASE": db,
                       "SCANNER": SimpleNamespace(read=scanners.read_photo)})


@pytest.fixture
def chinese_district(db, fast_passwords):
    """A district whose data has Chinese names only, a scan recorded and one refused."""
    (booth,) = assets.register(db, [NewAsset(AssetKind.BOOTH, name="一号亭", village="试点村",
                                             lat=30.7, lon=120.8)])
    ids = assets.register(db, [
        NewAsset(AssetKind.BIN, Category.KITCHEN, village="试点村", site_id=booth),
        NewAsset(AssetKind.BAG, Category.HAZARDOUS, village="试点村", household="1-1"),
        NewAsset(AssetKind.VEHICLE, name="收集车甲"),
        NewAsset(AssetKind.TRANSFER_ROOM, name="中转房甲", village="试点村", lat=30.71,
                 lon=120.81),
        NewAsset(AssetKind.VEHICLE, name="清运车甲"),
        NewAsset(AssetKind.FACILITY, name="处理厂甲", lat=30.75, lon=120.75),
    ])
    people = {}
    for role, name in [(Role.COLLECTOR, "王收集"), (Role.DRIVER, "李清运"),
                       (Role.FACILITY_OPERATOR, "赵过磅"), (Role.BOOTH_KEEPER, "钱亭长"),
                       (Role.SUPERVISOR, "孙主管"), (Role.ADMIN, "周管理")]:
        actor = accounts.create_user(db, name, role, f"{role.value}-password")
        people[role.value] = {"name": name, "password": f"{role.value}-password", "id": actor}
    _, token = devices.issue_device_token(db, people["collector"]["id"], "王的手机")
    return SimpleNamespace(booth=booth, bin=ids[0], bag=ids[1], cart=ids[2], room=ids[3],
                           truck=ids[4], plant=ids[5], people=people, token=token)


def scan(client, token: str, photo: bytes) -> None:
    """A phone's scan, by device token."""
    client.post("/api/v1/scans", headers={"Authorization": f"Bearer {token}",
                                          "Idempotency-Key": str(uuid.uuid4())},
                data={"action": "deposit", "photo": (io.BytesIO(photo), "p.jpg")},
                content_type="multipart/form-data")


PAGES = [  # (who, url, expected status)
    ("anonymous", "/", 200), ("anonymous", "/login", 200), ("anonymous", "/tonnage", 200),
    ("anonymous", "/tonnage?from=2026-02-30", 400), ("anonymous", "/map", 200),
    ("anonymous", "/map?day=2026-11-31", 400), ("anonymous", "/no/such/page", 404),
    ("anonymous", "TRACE", 200), ("anonymous", "FORGED", 404), ("anonymous", "UNKNOWN", 404),
    ("collector", "/phone/collect", 200), ("collector", "/supervise", 403),
    ("driver", "/phone/drive", 200), ("facility_operator", "/phone/receive", 200),
    ("booth_keeper", "/phone/inspect", 200), ("supervisor", "/supervise", 200),
    ("supervisor", "/supervise/flags", 200), ("supervisor", "/supervise/assets", 200),
    ("supervisor", "/supervise/users", 200), ("supervisor", "/labels", 200),
    ("supervisor", "/login", 200), ("admin", "/tonnage?level=booth", 200),
    ("supervisor", "/supervise/flags?state=open&from=2026-02-30", 400),
    ("supervisor", "/supervise/search?q=试点村", 200),
    ("supervisor", "/supervise/search?q=Z9", 200),
    ("supervisor", "/supervise/search?q=B09999999", 404), ("supervisor", "ASSET", 200),
    ("supervisor", "BIN", 200), ("supervisor", "/supervise/records/1", 200),
    ("supervisor", "/supervise/records/999", 404), ("supervisor", "/supervise/balance", 200),
    ("supervisor", "/supervise/balance?from=2026-02-30", 400),
    ("supervisor", "/supervise?action=deposit&from=2026-11-01", 200),
    ("admin", "/supervise/assets/B09999999", 404), ("supervisor", "/supervise/people", 200),
    ("admin", "/supervise/people", 200),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_speaks_only_the_chosen_language(app, chinese_district, lang):
    d = chinese_district
    client = app.test_client()
    scan(client, d.token, phone_photo(d.bag, d.bin))  # a flagged deposit
    scan(client, d.token, phone_photo())  # a refused scan
    urls = {"TRACE": f"/T/{IDENTITY.make_token(d.bag)}",
            "FORGED": f"/T/{IDENTITY.make_token(d.bag)[:-3]}AAA",
            "UNKNOWN": f"/T/{IDENTITY.make_token('B00000999')}",
            "ASSET": f"/supervise/assets/{d.bag}", "BIN": f"/supervise/assets/{d.bin}"}
    for who, url, status in PAGES:
        client = app.test_client()
        client.get(f"/lang/{lang}")  # the switch, as a reader clicks it
        if who != "anonymous":
            sign_in(client, d.people[who])
        response = client.get(urls.get(url, url), headers=HTML)
        assert response.status_code == status, (who, url)
        html = response.get_data(as_text=True)
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}"' in html, url
        texts = visible_text(html) + script_config(html)
        assert len(texts) > 3, url
        assert not foreign_words(texts, lang), (who, url, foreign_words(texts, lang)[:10])
        raw = re.findall(r"\b[a-z]+_[a-z_]+\b", " ".join(texts))
        assert not raw, (who, url, raw)  # no identifier such as category_mismatch


# --- choosing the language ---------------------------------------------------------------

def test_the_switch_is_remembered_and_goes_back_to_the_page(client):
    response = client.get("/lang/en?next=/tonnage?from=2026-11-01")
    assert response.status_code == 303 and response.headers["Location"] == (
        "/tonnage?from=2026-11-01")
    assert "lang=en" in response.headers["Set-Cookie"]
    page = client.get("/", headers={**HTML, "Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Where sorted waste goes" in page  # the cookie wins over the browser's language
    switch = re.search(r'<nav class="langs".*?</nav>', page, re.S)[0]
    assert 'href="/lang/zh?next=/"' in switch and 'aria-current="true">English' in switch


def test_the_switch_never_sends_a_reader_to_another_site(client):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.get("/lang/zh", query_string={"next": target})
        assert response.headers["Location"] == "/"
    assert "Set-Cookie" not in client.get("/lang/fr").headers


@pytest.mark.parametrize(("accept", "expected"), [
    ("en-US,en;q=0.9", "Where sorted waste goes"), ("zh-TW,zh;q=0.9", "垃圾分类去向"),
    ("fr-FR", "垃圾分类去向"), ("", "垃圾分类去向"), ("de,en;q=0.5", "Where sorted waste goes")])
def test_without_a_choice_the_browser_language_decides_else_chinese(client, accept, expected):
    headers = {**HTML, "Accept-Language": accept} if accept else HTML
    assert expected in client.get("/", headers=headers).get_data(as_text=True)


def test_api_errors_speak_the_language_of_the_request(client):
    zh = client.get("/api/v1/tonnage?from=x").get_json()["error"]
    en = client.get("/api/v1/tonnage?from=x", headers={"Accept-Language": "en"}).get_json()[
        "error"]
    assert zh["code"] == en["code"] == "bad_date"
    assert "日期" in zh["message"] and "date" in en["message"]
    assert en["problems"] == [{"field": "from", "code": "bad_date", "message": en["message"]}]


def test_every_error_message_reads_whole_without_its_parameters(app):
    from custody.web.messages import ERRORS, message_for

    for lang in ("zh", "en"):
        with app.test_request_context(headers={"Accept-Language": lang}):
            for code in ERRORS:
                assert "%(" not in message_for(code), (lang, code)

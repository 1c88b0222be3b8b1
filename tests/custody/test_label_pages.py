"""The supervisor's label page: issue and reprint sheets from a browser."""

import subprocess

from sqlalchemy import func, select

from custody.db.schema import Asset
from custody.services import label_sheets
from tests.custody.test_accounts_web import csrf, sign_in
from tests.custody.test_label_sheets import decode_pdf

HTML = {"Accept": "text/html"}


def pdf_tool(*args: str) -> str:
    """What a poppler tool (pdftotext, pdffonts, pdfinfo) prints."""
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_a_supervisor_issues_a_sheet_and_reprints_it(client, people, db):
    sign_in(client, people["supervisor"]["name"], people["supervisor"]["password"])
    page = client.get("/labels", headers=HTML).get_data(as_text=True)
    assert "标签打印" in page and "Print labels" not in page and 'name="csrf_token"' in page
    token = csrf(client)
    response = client.post("/labels/issue", data={
        "kind": "bag", "category": "kitchen", "count": "24", "village": "凤桥村",
        "layout": "a4", "csrf_token": token})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Asset)) == 24
    response = client.post("/labels/print", data={"codes": "B00000003\nB00000004",
                                                  "layout": "thermal", "csrf_token": token})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_bad_requests_show_the_form_with_a_clear_error(client, people, db):
    sign_in(client, people["admin"]["name"], people["admin"]["password"])
    response = client.post("/labels/issue", data={"kind": "bag", "category": "kitchen",
                                                  "count": "999999", "village": "凤桥村",
                                                  "csrf_token": csrf(client)}, headers=HTML)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "标签数量须为 1 至 5000 的整数" in page
    assert 'value="999999"' in page and 'value="凤桥村"' in page  # what was typed is kept
    response = client.post("/labels/issue", data={"kind": "bin", "count": "3",
                                                  "csrf_token": csrf(client)},
                           headers={**HTML, "Accept-Language": "en"})
    assert response.status_code == 400
    assert "Bags and bins need a category." in response.get_data(as_text=True)
    response = client.post("/labels/print", data={"codes": "B00000077",
                                                  "csrf_token": csrf(client)}, headers=HTML)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "尚未登记：B00000077" in page
    assert ">B00000077</textarea>" in page
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Asset)) == 0


def test_collectors_cannot_issue_labels(client, people):
    sign_in(client, people["collector"]["name"], people["collector"]["password"])
    response = client.post("/labels/issue", data={"kind": "bag", "count": "1",
                                                  "csrf_token": csrf(client)})
    assert response.status_code == 403


def test_a_downloaded_sheet_prints_chinese_in_any_viewer_and_every_code_scans(
        client, people, settings, tmp_path):
    """The supervisor's PDF as downloaded: embedded Chinese subset, text, scannable QR codes."""
    sign_in(client, people["supervisor"]["name"], people["supervisor"]["password"])
    token = csrf(client)
    response = client.post("/labels/issue", data={
        "kind": "bag", "category": "hazardous", "count": "30", "village": "凤桥村",
        "layout": "a4", "csrf_token": token})
    assert response.status_code == 200
    pdf = tmp_path / "labels-issued.pdf"
    pdf.write_bytes(response.data)
    fonts = [row.split() for row in pdf_tool("pdffonts", str(pdf)).splitlines()[2:]]
    chinese = [row for row in fonts if row[1:3] == ["CID", "TrueType"]]
    assert len(chinese) == 1 and chinese[0][-5:-2] == ["yes", "yes", "yes"]  # emb, sub, uni
    text = pdf_tool("pdftotext", "-layout", str(pdf), "-")
    assert "有害垃圾" in text and "Hazardous waste" in text and "凤桥村" in text
    assert "B00000001" in text and "B00000030" in text
    scheme = label_sheets.identity(settings)
    assert sorted(scheme.verify(t) for t in decode_pdf(pdf, tmp_path)) == [
        f"B{n:08d}" for n in range(1, 31)]

    response = client.post("/labels/print", data={"codes": "B00000007", "layout": "thermal",
                                                  "csrf_token": token})
    reprint = tmp_path / "reprint" / "labels-reprint.pdf"
    reprint.parent.mkdir()
    reprint.write_bytes(response.data)
    assert "141.73 x 85.04 pts" in pdf_tool("pdfinfo", str(reprint))
    assert [scheme.verify(t) for t in decode_pdf(reprint, tmp_path / "reprint")] == ["B00000007"]

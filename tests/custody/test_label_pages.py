"""The supervisor's label page: issue and reprint sheets from a browser."""

from sqlalchemy import func, select

from custody.db.schema import Asset
from tests.custody.test_accounts_web import csrf, sign_in

HTML = {"Accept": "text/html"}


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

"""Issuing and reprinting label sheets from the database."""

import subprocess

import pytest
from sqlalchemy import func, select

import labels
import scanners
from custody.db.schema import Asset
from custody.domain.errors import DomainError, UnknownAsset
from custody.domain.model import AssetKind, Category
from custody.services import assets, label_sheets


def asset_count(db):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Asset))


def decode_pdf(pdf, tmp_path):
    """Every code read back from the PDF rasterised at 300 dpi."""
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(pdf), str(tmp_path / "p")],
                   check=True)
    texts = []
    for page in sorted(tmp_path.glob("p-*.png")):
        texts += [d.text for d in scanners.decode(page.read_bytes())]
    return texts


def test_issue_registers_the_batch_and_every_label_reads_back(db, settings, tmp_path):
    out = tmp_path / "bags.pdf"
    seen = []
    batch = label_sheets.issue(db, settings, kind=AssetKind.BAG, category=Category.KITCHEN,
                               count=30, village="凤桥村", out=out, progress=seen.append)
    assert batch.labels == 30 and seen[-1] == 30
    assert batch.asset_ids[0] == "B00000001" and batch.asset_ids[-1] == "B00000030"
    assert asset_count(db) == 30
    scheme = label_sheets.identity(settings)
    read = sorted(scheme.verify(t) for t in decode_pdf(out, tmp_path))
    assert read == batch.asset_ids


def test_a_failure_halfway_registers_nothing_and_leaves_no_file(db, settings, tmp_path,
                                                                monkeypatch):
    real = labels.write_sheet

    def failing(data, out, **kw):
        def broken():
            for i, item in enumerate(data):
                if i == 10:
                    raise OSError("disk full")
                yield item
        return real(broken(), out, **kw)

    monkeypatch.setattr(labels, "write_sheet", failing)
    out = tmp_path / "bags.pdf"
    with pytest.raises(OSError, match="disk full"):
        label_sheets.issue(db, settings, kind=AssetKind.BAG, category=Category.OTHER,
                           count=20, village=None, out=out)
    assert asset_count(db) == 0 and not out.exists()
    assert not list(tmp_path.glob("*.part"))
    monkeypatch.setattr(labels, "write_sheet", real)
    batch = label_sheets.issue(db, settings, kind=AssetKind.BAG, category=Category.OTHER,
                               count=2, village=None, out=out)
    assert batch.asset_ids == ["B00000021", "B00000022"]  # burnt serials are never reused


def test_reprint_by_code_by_village_and_by_kind(db, settings, tmp_path):
    label_sheets.issue(db, settings, kind=AssetKind.BIN, category=Category.RECYCLABLE, count=3,
                       village="新丰村", out=tmp_path / "a.pdf")
    assets.register(db, [assets.NewAsset(AssetKind.BOOTH, name="新丰村 1号亭", village="新丰村",
                                         lat=30.75, lon=120.8)])
    code = label_sheets.identity(settings).make_code("N00000002")
    assert label_sheets.reprint(db, settings, codes=[code, "N00000003"],
                                out=tmp_path / "b.pdf") == 2
    assert label_sheets.reprint(db, settings, village="新丰村", out=tmp_path / "c.pdf") == 4
    assert label_sheets.reprint(db, settings, kind=AssetKind.BOOTH, out=tmp_path / "d.pdf") == 1
    text = subprocess.run(["pdftotext", str(tmp_path / "d.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "S00000001" in text


def test_reprint_refuses_unknown_and_forged_codes(db, settings, tmp_path):
    with pytest.raises(UnknownAsset, match="B00000009"):
        label_sheets.reprint(db, settings, codes=["B00000009"], out=tmp_path / "x.pdf")
    forged = "HTTPS://CUSTODY.NANHU.JIAXING.CN/T/B00000001AAAAAAAAAAAAAAAAA"
    with pytest.raises(DomainError, match="tag does not match"):
        label_sheets.reprint(db, settings, codes=[forged], out=tmp_path / "x.pdf")
    with pytest.raises(DomainError, match="name the labels"):
        label_sheets.reprint(db, settings, out=tmp_path / "x.pdf")


def test_fixed_assets_are_not_issued_in_bulk(db, settings, tmp_path):
    with pytest.raises(DomainError, match="own name and location"):
        label_sheets.issue(db, settings, kind=AssetKind.BOOTH, category=None, count=2,
                           village=None, out=tmp_path / "x.pdf")

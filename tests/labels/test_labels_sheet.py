"""PDF sheets: A4 grid and thermal pages, text a reader can extract, vector QR, streaming."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from labels import CATEGORIES, KINDS, LabelData, _pdfout, asset_id, write_sheet
from tests.labels.conftest import make_label, pdf_tool

MIXED = [
    ("bag", "kitchen"),
    ("bag", "recyclable"),
    ("bin", "hazardous"),
    ("bin", "other"),
    ("booth", None),
    ("transfer_room", None),
    ("vehicle", None),
    ("facility", None),
]


def labels(count: int, site: str = "凤桥镇联丰村") -> Iterator[LabelData]:
    """A lazy stream of labels cycling through kinds and categories."""
    for i in range(count):
        kind, category = MIXED[i % len(MIXED)]
        yield make_label(kind, i, category, site)


def test_a4_sheet_text_has_chinese_and_english_names_and_every_id(tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    assert write_sheet(labels(30), out) == 30
    text = pdf_tool("pdftotext", "-layout", str(out), "-")
    for i in range(30):
        kind, _ = MIXED[i % len(MIXED)]
        assert asset_id(kind, i) in text
    for category in CATEGORIES.values():
        assert category.name_zh in text and category.name_en in text
    for kind in ("booth", "transfer_room", "vehicle", "facility"):
        assert KINDS[kind].name_zh in text and KINDS[kind].name_en in text
    assert "凤桥镇联丰村" in text and "袋 Bag" in text


def test_a4_sheet_is_24_labels_per_a4_page(tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    write_sheet(labels(49), out)
    info = pdf_tool("pdfinfo", str(out))
    assert "Pages:           3" in info
    assert "595.28 x 841.89 pts (A4)" in info


def test_thermal_sheet_is_one_50x30_mm_label_per_page(tmp_path: Path) -> None:
    out = tmp_path / "thermal.pdf"
    write_sheet(labels(5), out, layout="thermal")
    info = pdf_tool("pdfinfo", str(out))
    assert "Pages:           5" in info
    assert "141.73 x 85.04 pts" in info
    assert "B00000000" in pdf_tool("pdftotext", "-f", "1", "-l", "1", str(out), "-")


def test_qr_is_vector_not_an_image(tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    write_sheet(labels(24), out)
    listing = pdf_tool("pdfimages", "-list", str(out)).splitlines()
    assert len(listing) == 2  # header lines only: no raster images at all


def test_progress_reports_labels_written_after_each_page() -> None:
    seen: list[int] = []
    write_sheet(labels(50), io.BytesIO(), progress=seen.append)
    assert seen == [24, 48, 50]


def test_writes_to_non_seekable_streams() -> None:
    class Sink:
        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        def write(self, data: bytes) -> int:
            self.chunks.append(bytes(data))
            return len(data)

    sink = Sink()
    write_sheet(labels(3), sink)  # type: ignore[arg-type]
    pdf = b"".join(sink.chunks)
    assert pdf.startswith(b"%PDF-1.") and pdf.endswith(b"%%EOF\n")
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref : xref + 4] == b"xref"


def test_a_failing_batch_leaves_no_partial_file(tmp_path: Path) -> None:
    def broken() -> Iterator[LabelData]:
        yield from labels(30)
        raise RuntimeError("database went away")

    out = tmp_path / "sheet.pdf"
    with pytest.raises(RuntimeError):
        write_sheet(broken(), out)
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_writing_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(self: _pdfout.ObjectWriter, root: int) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(_pdfout.ObjectWriter, "finish", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_sheet(labels(30), tmp_path / "sheet.pdf")
    assert list(tmp_path.iterdir()) == []


def test_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError):
        write_sheet(labels(1), io.BytesIO(), layout="letter")


def test_empty_batch_is_refused_before_writing(tmp_path: Path) -> None:
    out, buffer = tmp_path / "empty.pdf", io.BytesIO()
    with pytest.raises(ValueError, match="no labels"):
        write_sheet([], out)
    with pytest.raises(ValueError, match="no labels"):
        write_sheet(iter([]), buffer)
    assert not out.exists() and buffer.getvalue() == b""


def test_labels_are_drawn_as_they_arrive_not_gathered_first() -> None:
    pulled: list[int] = []
    seen: list[tuple[int, int]] = []

    def counted() -> Iterator[LabelData]:
        for i, label in enumerate(labels(60)):
            pulled.append(i)
            yield label

    write_sheet(counted(), io.BytesIO(), progress=lambda done: seen.append((done, len(pulled))))
    # Each page is finished before the next page's labels are asked for.
    assert seen == [(24, 24), (48, 48), (60, 60)]


def test_pages_keep_their_order_across_the_leaves_of_the_page_tree(tmp_path: Path) -> None:
    out = tmp_path / "thermal.pdf"
    write_sheet(labels(600), out, layout="thermal")  # leaves of 256 pages: 256 + 256 + 88
    with pikepdf.open(out) as pdf:
        assert pdf.check_pdf_syntax() == []
        assert len(pdf.pages) == 600 and len(pdf.Root.Pages.Kids) == 3
    for page in (1, 256, 257, 512, 513, 600):
        text = pdf_tool("pdftotext", "-f", str(page), "-l", str(page), str(out), "-")
        kind, _ = MIXED[(page - 1) % len(MIXED)]
        assert asset_id(kind, page - 1) in text

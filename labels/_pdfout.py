"""A PDF file written front to back: shared objects from pikepdf, then pages as they stream in.

qpdf (pikepdf) holds every object of a document in memory until it saves, about 2 KB a page
beyond the content itself: 30,000 one-label thermal pages came to 146 MiB. Here qpdf holds and
serialises only the objects every page shares (fonts, Form XObjects, resources, catalog), which
``ObjectWriter.pikepdf_objects`` copies under their own numbers; the pages and their tree are
then written one by one, numbered after them. What stays in memory is one offset per object
(8 bytes) for the cross-reference table, so the peak no longer grows with the batch.

Pages hang from leaf ``/Pages`` nodes of ``LEAF_PAGES`` pages under the root, the balanced tree
readers expect (PDF 32000-1, 7.7.3.2); the page size and resources are inherited from the root.
"""

from __future__ import annotations

import hashlib
import zlib
from array import array
from collections.abc import Iterable
from typing import BinaryIO

import pikepdf
from pikepdf import Name

LEAF_PAGES = 256
_HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"  # the binary comment marks the file as binary


class ObjectWriter:
    """Numbered objects written in any order, then the xref table and trailer (``finish``)."""

    def __init__(self, out: BinaryIO) -> None:
        """Start the file with the header."""
        self._out = out
        self._offsets = array("Q")  # object number -> byte offset (0: not written yet)
        self._position = 0
        self._digest = hashlib.md5(usedforsecurity=False)  # the file /ID: same bytes, same ID
        self._write(_HEADER)

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._digest.update(data)
        self._position += len(data)

    def object(self, number: int, body: bytes) -> None:
        """Write object ``number`` (generation 0) with ``body``, its PDF syntax."""
        if number >= len(self._offsets):
            self._offsets.extend(bytes(8 * (number + 1 - len(self._offsets))))
        self._offsets[number] = self._position
        self._write(b"%d 0 obj\n%b\nendobj\n" % (number, body))

    def stream(self, number: int, entries: bytes, data: bytes) -> None:
        """Write a stream object: ``entries`` are its dictionary's keys and values but /Length."""
        head = b"<< /Length %d %b >>\nstream\n" % (len(data), entries)
        self.object(number, head + data + b"\nendstream")

    def pikepdf_objects(self, pdf: pikepdf.Pdf, skip: Iterable[int] = ()) -> int:
        """Copy ``pdf``'s objects under their numbers (streams Flate-compressed); return the top.

        Objects numbered in ``skip`` are left for the caller to write.
        """
        skipped = set(skip)
        top = 0
        for obj in pdf.objects:
            number = obj.objgen[0]
            top = max(top, number)
            if number in skipped or number == 0:
                continue
            if isinstance(obj, pikepdf.Stream):
                data = obj.read_raw_bytes()
                if Name.Filter not in obj.stream_dict:
                    data, obj.stream_dict.Filter = zlib.compress(data), Name.FlateDecode
                if Name.Length in obj.stream_dict:
                    del obj.stream_dict.Length
                self.stream(number, _entries(obj.stream_dict), data)
            else:
                self.object(number, obj.unparse(resolved=True))
        return top

    def finish(self, root: int) -> None:
        """Write the cross-reference table and the trailer naming catalog ``root``."""
        size = len(self._offsets)
        for number in range(1, size):  # a number never written stays valid, as null
            if not self._offsets[number]:
                self.object(number, b"null")
        xref = self._position
        file_id = self._digest.hexdigest().encode("ascii")
        rows = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        rows += [b"%010d 00000 n \n" % offset for offset in self._offsets[1:]]
        self._write(b"".join(rows))
        self._write(
            b"trailer\n<< /Size %d /Root %d 0 R /ID [<%b> <%b>] >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, root, file_id, file_id, xref)
        )


def _entries(dictionary: pikepdf.Dictionary) -> bytes:
    """A dictionary's keys and values without the enclosing ``<<`` ``>>``."""
    return dictionary.unparse(resolved=True).strip()[2:-2].strip()


def write_pages(
    writer: ObjectWriter, tree: pikepdf.Dictionary, first: int, contents: Iterable[bytes],
    count: int,
) -> None:
    """Write ``count`` pages and their tree from ``first`` on, and the root ``tree`` node.

    ``contents`` are the pages' Flate-compressed content streams, in order. The root node keeps
    its other keys (page size, resources), which its pages inherit.
    """
    leaves = range((count + LEAF_PAGES - 1) // LEAF_PAGES)
    stride = 1 + 2 * LEAF_PAGES  # a leaf node, then a content stream and a page per page

    def kids(numbers: Iterable[int]) -> bytes:
        return b" ".join(b"%d 0 R" % number for number in numbers)

    root = tree.objgen[0]
    for key in (Name.Kids, Name.Count):
        if key in tree:
            del tree[key]
    writer.object(
        root,
        b"<< %b /Kids [%b] /Count %d >>"
        % (_entries(tree), kids(first + leaf * stride for leaf in leaves), count),
    )
    pages = iter(contents)
    for leaf in leaves:
        node = first + leaf * stride
        held = min(LEAF_PAGES, count - leaf * LEAF_PAGES)
        writer.object(
            node,
            b"<< /Type /Pages /Parent %d 0 R /Kids [%b] /Count %d >>"
            % (root, kids(node + 2 + 2 * k for k in range(held)), held),
        )
        for k in range(held):
            writer.stream(node + 1 + 2 * k, b"/Filter /FlateDecode", next(pages))
            writer.object(
                node + 2 + 2 * k,
                b"<< /Type /Page /Parent %d 0 R /Contents %d 0 R >>" % (node, node + 1 + 2 * k),
            )

"""Form bodies: a multipart upload is read whole and split on its boundary in one pass.

Werkzeug's multipart parser runs the body through two regular expressions
compiled for each new boundary, 64 KB at a time, and spools a file part over
500 kB to a temporary file. For a phone's scan (a few small fields and one
photo) that was ~1.2 ms of CPU per upload, as much as the rest of the request
handling. The body is bounded by ``MAX_CONTENT_LENGTH`` anyway, so it is read
whole and cut at each ``CRLF--boundary`` with ``bytes.find``. The results are
what werkzeug gives (a MultiDict of strings, a MultiDict of FileStorage), with
its part-count and field-size limits. A body that is not plain RFC 7578 (bare
LF line breaks, folded headers) goes to werkzeug's own, more forgiving parser.
"""

from __future__ import annotations

import io

from flask import Request
from werkzeug.datastructures import FileStorage, Headers
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_options_header

_CHARSETS = {"ascii", "us-ascii", "utf-8", "iso-8859-1"}  # werkzeug's list


class NotPlainMultipart(ValueError):
    """A body this parser leaves to werkzeug's."""


class WholeBodyFormParser(FormDataParser):
    """werkzeug's form parser, with multipart bodies split in one pass."""

    def _parse_multipart(self, stream, mimetype, content_length, options):
        """Split the whole body; fall back to werkzeug for what is not plain multipart."""
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        body = _read_whole(stream, content_length)
        try:
            fields, files = split_multipart(body, boundary, max_parts=self.max_form_parts,
                                            max_field_bytes=self.max_form_memory_size)
        except NotPlainMultipart:
            return super()._parse_multipart(io.BytesIO(body), mimetype, len(body), options)
        return stream, self.cls(fields), self.cls(files)


class CustodyRequest(Request):
    """Flask's request, with the one-pass multipart parser."""

    form_data_parser_class = WholeBodyFormParser


def _read_whole(stream, length: int | None) -> bytes:
    """The whole body: asked for in one read when its length is known.

    werkzeug's ``readall`` asks 64 KB at a time, and gunicorn's reader then
    copies what it has buffered once per call.
    """
    if not length:
        return stream.read()
    chunks, left = [], length
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def split_multipart(body: bytes, boundary: bytes, *, max_parts: int | None = None,
                    max_field_bytes: int | None = None
                    ) -> tuple[list[tuple[str, str]], list[tuple[str, FileStorage]]]:
    """The (name, text) fields and (name, file) parts of a multipart/form-data body.

    Raises NotPlainMultipart for anything but CRLF-delimited parts with unfolded
    headers, and RequestEntityTooLarge past ``max_parts`` parts or a text field
    longer than ``max_field_bytes``.
    """
    delimiter = b"--" + boundary
    separator = b"\r\n" + delimiter
    if body.startswith(delimiter):
        pos = len(delimiter)
    else:  # a preamble before the first boundary
        pos = body.find(separator)
        if pos < 0:
            raise NotPlainMultipart("no boundary in the body")
        pos += len(separator)
    fields: list[tuple[str, str]] = []
    files: list[tuple[str, FileStorage]] = []
    while not body.startswith(b"--", pos):  # "--" after a boundary closes the body
        line_end = body.find(b"\r\n", pos)
        if line_end < 0 or body[pos:line_end].strip(b" \t"):
            raise NotPlainMultipart("a boundary line with more on it")
        head_end = body.find(b"\r\n\r\n", line_end)
        if head_end < 0:
            raise NotPlainMultipart("part headers without an end")
        start = head_end + 4
        end = body.find(separator, start)
        if end < 0:
            raise NotPlainMultipart("a part without a closing boundary")
        if max_parts is not None and len(fields) + len(files) >= max_parts:
            raise RequestEntityTooLarge()
        headers = _headers(body[line_end + 2:head_end])
        if "content-disposition" not in headers:
            raise NotPlainMultipart("a part without Content-Disposition")
        _, options = parse_options_header(headers["content-disposition"])
        name, filename = options.get("name"), options.get("filename")
        if filename is not None:
            files.append((name, FileStorage(io.BytesIO(body[start:end]), filename, name,
                                            headers=headers)))
        else:
            if max_field_bytes is not None and end - start > max_field_bytes:
                raise RequestEntityTooLarge()
            fields.append((name, body[start:end].decode(_charset(headers), "replace")))
        pos = end + len(separator)
    return fields, files


def _headers(block: bytes) -> Headers:
    """A part's header lines (none folded onto the next line)."""
    headers = Headers()
    for line in block.split(b"\r\n") if block else ():
        if line[:1] in (b" ", b"\t") or b":" not in line:
            raise NotPlainMultipart("a folded or malformed part header")
        try:
            name, _, value = line.decode().partition(":")
        except UnicodeDecodeError:
            raise NotPlainMultipart("a part header that is not UTF-8") from None
        headers.add(name.strip(" \t"), value.strip(" \t"))
    return headers


def _charset(headers: Headers) -> str:
    """The charset a text part declares, if it is one werkzeug trusts; else UTF-8."""
    declared = parse_options_header(headers.get("content-type"))[1].get("charset", "").lower()
    return declared if declared in _CHARSETS else "utf-8"

"""The one-pass multipart parser gives what werkzeug's parser gives, faster."""

import io

import pytest
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from custody.web.forms import WholeBodyFormParser, split_multipart

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\r\n-\r\n--\r\n--bound" + b"\xff\xd9"


def part(name, value, filename=None, extra=b""):
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    return (f"Content-Disposition: {disposition}\r\n".encode() + extra + b"\r\n" + value)


def body(*parts, boundary=b"XyZ", preamble=b"", epilogue=b""):
    out = preamble
    for p in parts:
        out += b"--" + boundary + b"\r\n" + p + b"\r\n"
    return out + b"--" + boundary + b"--\r\n" + epilogue


CASES = {
    "scan": body(part("action", b"deposit"), part("weight_kg", b"1.4"),
                 part("note", "袋子破了".encode()),
                 part("photo", PHOTO, "p.jpg", b"Content-Type: image/jpeg\r\n")),
    "empty field and file": body(part("note", b""), part("photo", b"", "empty.jpg")),
    "preamble and epilogue": body(part("action", b"inspect"), preamble=b"ignore me\r\n",
                                  epilogue=b"and me"),
    "spaces after a boundary": body(part("action", b"collect")).replace(
        b"--XyZ\r\n", b"--XyZ  \r\n", 1),
    "latin-1 field": body(part("note", "café".encode("latin-1"),
                               extra=b"Content-Type: text/plain; charset=iso-8859-1\r\n")),
    "two values for one name": body(part("tag", b"a"), part("tag", b"b")),
    "bare LF line breaks": body(part("action", b"load")).replace(b"\r\n", b"\n"),
    "folded header": body(part("action", b"unload")).replace(
        b'form-data; name="action"', b'form-data;\r\n name="action"'),
    "no Content-Disposition": b"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--\r\n",
    "never closed": b"--XyZ\r\n" + part("action", b"deposit"),
    "not multipart at all": b"action=deposit",
    "latin-1 filename": body(b'Content-Disposition: form-data; name="photo"; '
                             b'filename="caf\xe9.jpg"\r\n\r\n' + PHOTO),
}


def parse(parser_class, data, **limits):
    parser = parser_class(**limits)
    _, form, files = parser.parse(io.BytesIO(data), "multipart/form-data", len(data),
                                  {"boundary": "XyZ"})
    return (list(form.items(multi=True)),
            [(k, f.filename, f.mimetype, f.read()) for k, f in files.items(multi=True)])


@pytest.mark.parametrize("case", CASES)
def test_a_body_parses_as_werkzeug_parses_it(case):
    assert parse(WholeBodyFormParser, CASES[case]) == parse(FormDataParser, CASES[case])


def test_a_scan_is_split_in_one_pass_with_the_photo_byte_for_byte():
    fields, files = split_multipart(CASES["scan"], b"XyZ")
    assert fields == [("action", "deposit"), ("weight_kg", "1.4"), ("note", "袋子破了")]
    assert [(k, f.filename, f.read()) for k, f in files] == [("photo", "p.jpg", PHOTO)]


def test_too_many_parts_or_too_long_a_field_is_too_large():
    many = body(*[part(f"f{i}", b"x") for i in range(11)])
    with pytest.raises(RequestEntityTooLarge):
        parse(WholeBodyFormParser, many, max_form_parts=10)
    long_note = body(part("note", b"x" * 101))
    with pytest.raises(RequestEntityTooLarge):
        parse(WholeBodyFormParser, long_note, max_form_memory_size=100)
    assert parse(WholeBodyFormParser, body(part("photo", b"x" * 101, "p.jpg")),
                 max_form_memory_size=100)[1][0][3] == b"x" * 101  # files may be larger


class _Trickle(io.RawIOBase):
    """A socket-like body that gives at most 7 bytes per read, as a slow upload would."""

    def __init__(self, data: bytes):
        self.data, self.reads = data, 0

    def readable(self):
        return True

    def read(self, size=-1):
        self.reads += 1
        chunk, self.data = self.data[:7], self.data[7:]
        return chunk


def test_a_body_that_arrives_in_pieces_is_read_whole():
    from custody.web.forms import _read_whole

    data = CASES["scan"]
    stream = _Trickle(data)
    assert _read_whole(stream, len(data)) == data
    assert stream.reads >= len(data) // 7
    assert _read_whole(_Trickle(data[:20]), len(data)) == data[:20]  # the client gave up
    assert _read_whole(io.BytesIO(data), None) == data

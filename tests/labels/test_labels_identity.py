"""Issuing and verifying signed QR codes, and the fit of a code in QR version 4-Q."""

from __future__ import annotations

import pytest

from labels import (
    KIND_LETTERS,
    BadTag,
    CodeError,
    ForeignCode,
    IdentityScheme,
    MalformedCode,
    UnknownKey,
    asset_id,
    split_asset_id,
)
from labels._qr import qr_code

HOST = "waste.nanhu.jiaxing.gov"
KEYS = {"A": bytes(range(32)), "B": bytes(range(1, 33))}


@pytest.fixture()
def scheme() -> IdentityScheme:
    return IdentityScheme(HOST, KEYS, "B")


def test_kind_letters_are_the_documented_ones() -> None:
    assert dict(KIND_LETTERS) == {
        "bag": "B",
        "bin": "N",
        "booth": "S",
        "transfer_room": "R",
        "vehicle": "V",
        "facility": "F",
    }


def test_asset_id_pads_the_serial_and_splits_back() -> None:
    assert asset_id("bag", 7) == "B00000007"
    assert asset_id("transfer_room", 99_999_999) == "R99999999"
    assert split_asset_id("V00001234") == ("vehicle", 1234)


@pytest.mark.parametrize("kind, serial", [("sack", 1), ("bag", -1), ("bag", 10**8), ("bag", "7")])
def test_asset_id_rejects_bad_input(kind: str, serial: object) -> None:
    with pytest.raises(ValueError):
        asset_id(kind, serial)  # type: ignore[arg-type]


def test_code_shape(scheme: IdentityScheme) -> None:
    code = scheme.make_code("B00000123")
    assert code.startswith("HTTPS://WASTE.NANHU.JIAXING.GOV/T/B00000123B")
    token = code.rsplit("/", 1)[1]
    assert len(token) == 9 + 1 + 16
    assert code == code.upper()
    assert set(token[10:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_verify_returns_the_asset_id_for_url_path_and_token(scheme: IdentityScheme) -> None:
    code = scheme.make_code("N00000042")
    token = code.rsplit("/", 1)[1]
    assert scheme.verify(code) == "N00000042"
    assert scheme.verify("/T/" + token) == "N00000042"
    assert scheme.verify_token(token) == "N00000042"


def test_scheme_and_host_compare_case_insensitively(scheme: IdentityScheme) -> None:
    code = scheme.make_code("S00000001")
    assert scheme.verify("https://waste.nanhu.jiaxing.gov" + code[31:]) == "S00000001"
    assert scheme.verify("Https://Waste.Nanhu.Jiaxing.Gov" + code[31:]) == "S00000001"


def test_id_key_and_tag_are_strict_upper_case(scheme: IdentityScheme) -> None:
    code = scheme.make_code("S00000001")
    with pytest.raises(MalformedCode):
        scheme.verify(code[:-16] + code[-16:].lower())
    with pytest.raises(MalformedCode):
        scheme.verify(code.replace("/T/S", "/T/s"))
    with pytest.raises(ForeignCode):
        scheme.verify(code.replace("/T/", "/t/"))


def test_parse_splits_without_checking_the_tag(scheme: IdentityScheme) -> None:
    parsed = scheme.parse(scheme.make_code("F00000009")[:-1] + "A")
    assert (parsed.asset_id, parsed.kind, parsed.serial, parsed.key_id) == (
        "F00000009",
        "facility",
        9,
        "B",
    )


def test_key_rotation_old_keys_verify_current_key_issues() -> None:
    old = IdentityScheme(HOST, {"A": KEYS["A"]}, "A")
    rotated = IdentityScheme(HOST, KEYS, "B")
    old_code = old.make_code("B00000001")
    assert rotated.verify(old_code) == "B00000001"
    assert rotated.make_code("B00000001") != old_code
    with pytest.raises(UnknownKey):
        old.verify(rotated.make_code("B00000001"))


def test_each_layer_has_its_own_error(scheme: IdentityScheme) -> None:
    code = scheme.make_code("B00000123")
    cases = [
        ("HTTPS://EVIL.EXAMPLE/T/" + code.rsplit("/", 1)[1], ForeignCode),
        ("http://" + code[8:], ForeignCode),
        (code[:-1], MalformedCode),
        (code[:-17] + "Z" + code[-16:], UnknownKey),
        (code[:-1] + ("A" if code[-1] != "A" else "B"), BadTag),
    ]
    for text, error in cases:
        with pytest.raises(error) as info:
            scheme.verify(text)
        assert isinstance(info.value, CodeError)
        assert str(info.value)


def test_another_deployment_with_the_same_key_cannot_forge(scheme: IdentityScheme) -> None:
    other = IdentityScheme("waste.other-city.gov", KEYS, "B")
    token = other.make_code("B00000123").rsplit("/", 1)[1]
    with pytest.raises(BadTag):
        scheme.verify("HTTPS://WASTE.NANHU.JIAXING.GOV/T/" + token)


def test_tags_are_compared_in_constant_time(scheme, monkeypatch) -> None:
    import hmac

    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    scheme.verify(scheme.make_code("B00000001"))
    assert calls


@pytest.mark.parametrize(
    "host, keys, current",
    [
        ("bad host", KEYS, "A"),
        ("", KEYS, "A"),
        (HOST, {"a": bytes(32)}, "a"),
        (HOST, {"AB": bytes(32)}, "AB"),
        (HOST, {"A": b"short"}, "A"),
        (HOST, KEYS, "C"),
    ],
)
def test_scheme_rejects_bad_configuration(host, keys, current) -> None:
    with pytest.raises(ValueError):
        IdentityScheme(host, keys, current)


def test_repr_never_shows_key_material(scheme: IdentityScheme) -> None:
    assert "\\x" not in repr(scheme) and "WASTE.NANHU.JIAXING.GOV" in repr(scheme)


def test_code_with_24_char_host_fits_qr_version_4_q_alphanumeric() -> None:
    host = "custody.nanhu-jiaxing.cn"
    assert len(host) == 24
    code = IdentityScheme(host, KEYS, "A").make_code(asset_id("transfer_room", 99_999_999))
    qr = qr_code(code)  # the symbol labels print
    assert qr.version <= 4
    assert qr.mode == "alphanumeric"
    assert qr.error == "Q"
    assert qr.symbol_size(border=0) == (33, 33)
